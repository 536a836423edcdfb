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
/// The blob holds the exact IEEE-754 bits (no float-text rounding) in one string literal, copied once into
/// 64-byte-aligned pinned memory by EdgeRnn.Kernels.AlignedWeights when the model type is first used. Per MB of
/// weights the compiler spends 9.2 s of CPU on <c>new byte[] { 0x.., ... }</c> (5.6 characters and one bound
/// constant per byte), 0.4 s on base64 in a <c>"..."u8</c> literal (which it still lowers to one bound constant per
/// byte) and nothing measurable on a UTF-16 <c>"..."</c> literal (docs/benchmarks.md, "Build time"). So:
/// <list type="bullet">
/// <item>Up to <see cref="Utf16Limit"/> bytes: a <c>"..."</c> literal whose UTF-16 code units are the blob's byte
/// pairs (0.58 characters per byte with the escapes).</item>
/// <item>Larger: base64 in a <c>"..."u8</c> literal (1.33 characters per byte), which has no size limit.</item>
/// </list>
/// </remarks>
internal sealed class WeightsEmitter
{
    /// <summary>The generated static field holding the decoded blob.</summary>
    internal const string BlobField = "PackedWeights";

    /// <summary>
    /// Largest blob written as UTF-16 text. String literals share the assembly's user-string heap, which string
    /// tokens address with 24 bits: a literal that starts past 16 MiB is error CS8103. Three models at this size
    /// fit with 1 MiB left for the program's own strings.
    /// </summary>
    internal const int Utf16Limit = 5 << 20;

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

    /// <param name="utf16Limit">Largest blob, in bytes, written as UTF-16 text (tests lower it to reach the base64 form).</param>
    public void WriteTo(SourceWriter w, int utf16Limit = Utf16Limit)
    {
        // No arrays (no layer with weights): no blob, so no field that nothing reads.
        if (_entries.TrueForAll(e => e.Comment is not null)) return;

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

        bool utf16 = blob.Length <= utf16Limit;
        w.Line(utf16
            ? "// Weights: one 64-byte-aligned blob copied once from a string literal (UTF-16 code units = little-endian byte pairs of the exact IEEE-754 bits), matrices on cache lines."
            : "// Weights: one 64-byte-aligned blob decoded once from base64 (exact IEEE-754 bits, little-endian), matrices on cache lines.");
        foreach (var ((comment, name, values, _), offset) in Zip(_entries, offsets))
        {
            if (comment is not null) w.Line("// " + comment);
            else w.Line($"private static {ReadOnlySpan} {name} => {BlobField}.Slice({Int(offset)}, {Int(values.Length)});");
        }
        w.Line($"private static readonly global::EdgeRnn.Kernels.AlignedWeights {BlobField} = new global::EdgeRnn.Kernels.AlignedWeights(");
        w.Indent();
        w.Append("    \"");
        if (utf16) AppendUtf16(w, blob);
        else w.Append(Convert.ToBase64String(blob));
        w.Append(utf16 ? "\"" : "\"u8");
        w.Append($", floats: {Int(total)});\n");
    }

    /// <summary>
    /// The blob's byte pairs as UTF-16 code units, each written as itself except where a literal can't hold it
    /// verbatim or the UTF-8 source file could not (quotes, backslash, controls, line separators, surrogates,
    /// specials): those as <c>\uXXXX</c>.
    /// </summary>
    private static void AppendUtf16(SourceWriter w, byte[] blob)
    {
        var text = new System.Text.StringBuilder(blob.Length / 2 + blob.Length / 16);
        for (int i = 0; i < blob.Length; i += 2)
        {
            char c = (char)(blob[i] | blob[i + 1] << 8);
            if (c < 0x20 || c == '"' || c == '\\' || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c) || c >= '\uFFF0')
                text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else
                text.Append(c);
        }
        w.Append(text.ToString());
    }

    private static IEnumerable<(T, int)> Zip<T>(List<T> items, int[] numbers)
    {
        for (int i = 0; i < items.Count; i++) yield return (items[i], numbers[i]);
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
