using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// Weight layouts the runtime kernels read (EdgeRnn.Kernels.PanelGemv): rows grouped in panels of
/// <see cref="PanelWidth"/>, each panel column-major, rows padded with zeros to whole panels.
/// </summary>
internal static class WeightPacking
{
    public const int PanelWidth = 16;

    public static int Padded(int rows) => (rows + PanelWidth - 1) / PanelWidth * PanelWidth;

    /// <summary>Packs a row-major [rows, columns] matrix into panels.</summary>
    public static float[] Panels(EquatableArray<float> rowMajor, int rows, int columns)
    {
        var source = rowMajor.AsSpan();
        var packed = new float[Padded(rows) * columns];
        for (int row = 0; row < rows; row++)
        {
            int panel = row / PanelWidth, lane = row % PanelWidth;
            int panelStart = panel * PanelWidth * columns;
            for (int j = 0; j < columns; j++)
                packed[panelStart + j * PanelWidth + lane] = source[row * columns + j];
        }
        return packed;
    }

    /// <summary>Rows [first, first + count) of a row-major matrix with <paramref name="columns"/> columns (or of a vector, columns = 1); empty stays empty.</summary>
    public static EquatableArray<float> Rows(EquatableArray<float> rowMajor, int first, int count, int columns) =>
        rowMajor.Length == 0 ? rowMajor : new EquatableArray<float>(rowMajor.AsSpan().Slice(first * columns, count * columns).ToArray());

    /// <summary>A bias padded to whole panels; an absent bias (bias=False) is zeros.</summary>
    public static float[] Bias(EquatableArray<float> bias, int rows)
    {
        var padded = new float[Padded(rows)];
        bias.AsSpan().CopyTo(padded);
        return padded;
    }

    /// <summary>b_ih + b_hh in float32, folded once at generation time (for LSTM and RNN, where they are only ever added).</summary>
    public static float[] SumBias(EquatableArray<float> a, EquatableArray<float> b, int rows)
    {
        var padded = Bias(a, rows);
        var second = b.AsSpan();
        for (int i = 0; i < second.Length; i++) padded[i] += second[i];
        return padded;
    }
}
