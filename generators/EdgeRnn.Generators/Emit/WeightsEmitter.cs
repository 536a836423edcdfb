using System;
using System.Collections.Generic;
using System.Globalization;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// Serialises a model's packed weights: the layer emitters name each array (<see cref="Matrix"/> for the packed
/// matrices the kernels stream with vector loads, <see cref="Vector"/> for biases, embeddings and initial state),
/// and <see cref="WriteTo"/> writes them as one blob and a <c>ReadOnlySpan&lt;float&gt;</c> property per array.
/// </summary>
/// <remarks>
/// The blob is one base64 <c>"..."u8</c> literal holding the exact IEEE-754 bits (no float-text rounding),
/// decoded once into 64-byte-aligned pinned memory by EdgeRnn.Kernels.AlignedWeights when the model type is first
/// used. Base64 in a UTF-8 literal is 1.33 source characters per weight byte, which the compiler lexes and emits
/// as RVA data without binding anything per byte: a 4 MB model compiles in seconds, where the same weights as
/// <c>new byte[] { 0x.., ... }</c> (5.6 characters and one bound constant per byte) took minutes
/// (docs/benchmarks.md, "Build time").
/// </remarks>
internal sealed class WeightsEmitter
{
    /// <summary>The generated static field holding the decoded blob.</summary>
    internal const string BlobField = "PackedWeights";

    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

    /// <summary>Floats per 64-byte cache line: every matrix starts at a multiple of this (EdgeRnn.Kernels.AlignedWeights.AlignmentFloats).</summary>
    private const int AlignmentFloats = 16;

    private readonly List<(string? Comment, string Name, float[] Values, bool Aligned)> _entries = new();

    /// <summary>A comment written before the next array.</summary>
    public void Comment(string text) => _entries.Add((text, "", [], false));

    /// <summary>A packed matrix: starts on a cache line, so the kernels' vector loads never straddle two.</summary>
    public void Matrix(string name, float[] values) => _entries.Add((null, name, values, true));

    /// <summary>A vector read element by element (biases, embedding rows, initial state): packed right after the previous array.</summary>
    public void Vector(string name, float[] values) => _entries.Add((null, name, values, false));

    public void WriteTo(SourceWriter w)
    {
        // Offsets in floats; the gaps before aligned arrays stay zero.
        var offsets = new int[_entries.Count];
        int total = 0;
        for (int i = 0; i < _entries.Count; i++)
        {
            var (comment, _, values, aligned) = _entries[i];
            if (comment is not null) continue;
            if (aligned) total = (total + AlignmentFloats - 1) / AlignmentFloats * AlignmentFloats;
            offsets[i] = total;
            total += values.Length;
        }

        var blob = new byte[4 * total];
        for (int i = 0; i < _entries.Count; i++)
        {
            var values = _entries[i].Values;
            for (int j = 0; j < values.Length; j++)
            {
                uint bits = FloatBits.ToBits(values[j]);
                int at = 4 * (offsets[i] + j);
                // Little-endian, as AlignedWeights reads it.
                blob[at] = (byte)bits;
                blob[at + 1] = (byte)(bits >> 8);
                blob[at + 2] = (byte)(bits >> 16);
                blob[at + 3] = (byte)(bits >> 24);
            }
        }

        w.Line("// Weights: one 64-byte-aligned blob decoded once from base64 (exact IEEE-754 bits), matrices on cache lines.");
        foreach (var ((comment, name, values, _), offset) in Zip(_entries, offsets))
        {
            if (comment is not null) w.Line("// " + comment);
            else w.Line($"private static {ReadOnlySpan} {name} => {BlobField}.Slice({Int(offset)}, {Int(values.Length)});");
        }
        w.Line($"private static readonly global::EdgeRnn.Kernels.AlignedWeights {BlobField} = new global::EdgeRnn.Kernels.AlignedWeights(");
        w.Indent();
        w.Append("    \"");
        w.Append(Convert.ToBase64String(blob));
        w.Append($"\"u8, floats: {Int(total)});\n");
    }

    private static IEnumerable<(T, int)> Zip<T>(List<T> items, int[] numbers)
    {
        for (int i = 0; i < items.Count; i++) yield return (items[i], numbers[i]);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
