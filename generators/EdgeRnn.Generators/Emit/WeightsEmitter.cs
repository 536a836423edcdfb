using System.Collections.Generic;
using System.Globalization;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// Serialises a model's packed weights: the layer emitters name each array (<see cref="Matrix"/> for the packed
/// matrices the kernels stream with vector loads, <see cref="Vector"/> for biases, embeddings and initial state),
/// and <see cref="WriteTo"/> writes them as private static members of the model struct.
/// </summary>
internal sealed class WeightsEmitter
{
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    private readonly List<(string? Comment, string Name, float[] Values, bool Aligned)> _entries = new();

    /// <summary>A comment written before the next array.</summary>
    public void Comment(string text) => _entries.Add((text, "", [], false));

    /// <summary>A packed matrix: served from a cache-line-aligned copy (EdgeRnn.Kernels.AlignedWeights).</summary>
    public void Matrix(string name, float[] values) => _entries.Add((null, name, values, true));

    /// <summary>A vector read element by element (biases, embedding rows, initial state).</summary>
    public void Vector(string name, float[] values) => _entries.Add((null, name, values, false));

    public void WriteTo(SourceWriter w)
    {
        w.Line("// Weights: exact IEEE-754 bit patterns as RVA data (no float-text rounding), packed in SIMD panels; matrices copied once to aligned memory.");
        foreach (var (comment, name, values, aligned) in _entries)
        {
            if (comment is not null)
            {
                w.Line("// " + comment);
                continue;
            }
            if (aligned)
            {
                w.Line($"private static readonly global::EdgeRnn.Kernels.AlignedWeights {name}Aligned = new global::EdgeRnn.Kernels.AlignedWeights({name}Bytes);");
                w.Line($"private static {ReadOnlySpan} {name} => {name}Aligned.Span;");
            }
            else
            {
                w.Line($"private static {ReadOnlySpan} {name} => global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>({name}Bytes);");
            }
            WriteBytes(w, name, values);
        }
    }

    /// <remarks>
    /// Bytes, not uint: a <c>ReadOnlySpan&lt;byte&gt;</c> over constant data compiles to a direct pointer to the RVA
    /// field in every configuration, while wider element types go through RuntimeHelpers.CreateSpan, which
    /// allocates a field-handle stub on each call in unoptimized (Debug) code. Each group of four bytes is one
    /// float's IEEE-754 bits, little-endian (every target .NET runs these models on is little-endian).
    /// </remarks>
    private static void WriteBytes(SourceWriter w, string name, float[] values)
    {
        w.Line($"private static global::System.ReadOnlySpan<byte> {name}Bytes => new byte[]");
        w.Line("{");
        const int FloatsPerLine = 4;
        for (int i = 0; i < values.Length; i += FloatsPerLine)
        {
            w.Indent();
            w.Append("    ");
            for (int j = i; j < System.Math.Min(values.Length, i + FloatsPerLine); j++)
            {
                uint bits = FloatBits.ToBits(values[j]);
                for (int b = 0; b < 4; b++)
                {
                    w.Append("0x");
                    w.Append(((bits >> (8 * b)) & 0xFF).ToString("X2", CultureInfo.InvariantCulture));
                    w.Append(",");
                }
                if (j + 1 < i + FloatsPerLine && j + 1 < values.Length) w.Append(" ");
            }
            w.Append("\n");
        }
        w.Line("};");
    }
}
