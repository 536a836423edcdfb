using System.Globalization;
using System.Security;
using System.Text;

namespace DateNormalization;

/// <summary>
/// An attention matrix as an SVG heat map: rows are the output tokens (top to bottom, in decoding order), columns the
/// source characters; white is weight 0, dark blue 1, and each cell has a tooltip with its weight. The same drawing
/// as tools/seq2seq/attention_svg.py, which drew data/attention_pytorch.svg, so the two maps compare side by side.
/// </summary>
internal static class AttentionSvg
{
    private const int Cell = 22, Label = 12, MarginLeft = 44, MarginTop = 64;

    /// <param name="weights">Row-major [outputs.Length, source.Length].</param>
    public static string Render(ReadOnlySpan<float> weights, string source, string[] outputs, string title)
    {
        int rows = outputs.Length, columns = source.Length;
        if (weights.Length != rows * columns) throw new ArgumentException($"weights must hold {rows} × {columns} floats.", nameof(weights));
        int width = MarginLeft + columns * Cell + 10, height = MarginTop + rows * Cell + 28;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"16\" font-size=\"13\">{Escape(title)}</text>\n");
        for (int j = 0; j < columns; j++)
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{MarginLeft + j * Cell + Cell / 2.0:0.##}\" y=\"{MarginTop - 8}\" font-size=\"{Label}\" text-anchor=\"middle\">{Escape(Shown(source[j].ToString()))}</text>\n");
        for (int i = 0; i < rows; i++)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{MarginLeft - 8}\" y=\"{MarginTop + i * Cell + Cell / 2.0 + Label / 3.0:0.##}\" font-size=\"{Label}\" text-anchor=\"end\">{Escape(Shown(outputs[i]))}</text>\n");
            for (int j = 0; j < columns; j++)
            {
                float w = weights[i * columns + j];
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect x=\"{MarginLeft + j * Cell}\" y=\"{MarginTop + i * Cell}\" width=\"{Cell}\" height=\"{Cell}\" fill=\"{Color(w)}\"><title>{Escape(Shown(outputs[i]))} → {Escape(Shown(source[j].ToString()))}: {w:F3}</title></rect>\n");
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{MarginLeft}\" y=\"{MarginTop}\" width=\"{columns * Cell}\" height=\"{rows * Cell}\" fill=\"none\" stroke=\"#888\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"4\" y=\"{MarginTop + rows * Cell + 18}\" font-size=\"11\" fill=\"#555\">rows: output, columns: source, darker = more attention</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>White (0) to dark blue (1), linear in each channel.</summary>
    private static string Color(float weight)
    {
        double w = Math.Clamp(weight, 0f, 1f);
        int Channel(int low, int high) => (int)Math.Round(low + (high - low) * w, MidpointRounding.ToEven);
        return $"#{Channel(255, 8):x2}{Channel(255, 48):x2}{Channel(255, 107):x2}";
    }

    /// <summary>A space shows as an open box.</summary>
    private static string Shown(string text) => text == " " ? "\u2423" : text;

    private static string Escape(string text) => SecurityElement.Escape(text);
}
