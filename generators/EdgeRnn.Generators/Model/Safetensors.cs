using System;
using System.Collections.Generic;
using System.Text;
using EdgeRnn.Generators.Json;

namespace EdgeRnn.Generators.Model;

/// <summary>One tensor of a weights file, widened to float32, row-major.</summary>
internal sealed record TensorSpec(string Name, EquatableArray<int> Shape, EquatableArray<float> Data)
{
    public string ShapeText => FormatShape(Shape.AsSpan());

    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i]);
        }
        return sb.Append(']').ToString();
    }
}

/// <summary>What went wrong reading a safetensors container; the caller turns it into a located diagnostic.</summary>
internal enum SafetensorsError
{
    None,
    Truncated,
    HeaderBeyondFile,
    MalformedHeader,
    UnsupportedDtype,
    DataOutOfRange,
    DataOverlap,
}

internal sealed record SafetensorsResult(
    EquatableArray<TensorSpec> Tensors,
    SafetensorsError Error,
    EquatableArray<string> ErrorArguments)
{
    public static SafetensorsResult Fail(SafetensorsError error, params object[] args)
    {
        var strings = new string[args.Length];
        for (int i = 0; i < args.Length; i++)
            strings[i] = Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new SafetensorsResult(EquatableArray<TensorSpec>.Empty, error, new EquatableArray<string>(strings));
    }
}

/// <summary>
/// Reads the safetensors container (8-byte little-endian header length, JSON header, raw data)
/// and widens F16/BF16 to F32 exactly. Every malformation is reported, never thrown.
/// </summary>
internal static class SafetensorsReader
{
    public static SafetensorsResult Read(byte[] file)
    {
        if (file.Length < 8)
            return SafetensorsResult.Fail(SafetensorsError.Truncated, file.Length);

        ulong headerLength = 0;
        for (int i = 7; i >= 0; i--) headerLength = (headerLength << 8) | file[i];
        if (headerLength > (ulong)(file.Length - 8))
        {
            // A text file (a wrong path) would otherwise have its first 8 characters reported as a byte count.
            return StartsWithText(file)
                ? SafetensorsResult.Fail(SafetensorsError.MalformedHeader, "the file is not a safetensors file: it starts with text, not the 8-byte length of a JSON header")
                : SafetensorsResult.Fail(SafetensorsError.HeaderBeyondFile, headerLength, file.Length - 8);
        }

        int dataStart = 8 + (int)headerLength;
        long dataLength = file.Length - dataStart;
        JsonNode header;
        try
        {
            string headerText = new UTF8Encoding(false, true).GetString(file, 8, (int)headerLength);
            header = JsonReader.Parse(headerText);
        }
        catch (JsonException e)
        {
            return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"{e.Message} at header offset {e.Position}");
        }
        catch (DecoderFallbackException)
        {
            return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, "the header is not valid UTF-8");
        }
        if (header.Kind != JsonKind.Object)
            return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"the header is {JsonNode.Describe(header.Kind)}, expected an object");

        var tensors = new List<TensorSpec>();
        var ranges = new List<(long Begin, long End, int Index, string Name)>();
        foreach (var property in header.Properties!)
        {
            if (property.Name == "__metadata__") continue;
            var entry = property.Value;
            string name = property.Name;
            if (entry.Kind != JsonKind.Object)
                return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"entry '{name}' is {JsonNode.Describe(entry.Kind)}, expected an object");
            var dtypeNode = entry["dtype"];
            var shapeNode = entry["shape"];
            var offsetsNode = entry["data_offsets"];
            if (dtypeNode?.Kind != JsonKind.String)
                return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"tensor '{name}' has no string \"dtype\"");
            if (shapeNode?.Kind != JsonKind.Array || !AllNonNegativeIntegers(shapeNode))
                return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"tensor '{name}' has no \"shape\" array of non-negative integers");
            if (offsetsNode?.Kind != JsonKind.Array || offsetsNode.Items!.Count != 2 || !AllNonNegativeIntegers(offsetsNode))
                return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"tensor '{name}' has no \"data_offsets\" pair of non-negative integers");

            string dtype = dtypeNode.StringValue!;
            int elementSize = dtype switch { "F32" => 4, "F16" => 2, "BF16" => 2, _ => 0 };
            if (elementSize == 0)
                return SafetensorsResult.Fail(SafetensorsError.UnsupportedDtype, name, dtype);

            var shape = new int[shapeNode.Items!.Count];
            long count = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                double d = shapeNode.Items[i].NumberValue;
                if (d > int.MaxValue)
                    return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"tensor '{name}' has a dimension too large ({shapeNode.Items[i].NumberText})");
                shape[i] = (int)d;
                count *= shape[i];
                if (count > int.MaxValue)
                    return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"tensor '{name}' has too many elements");
            }

            double beginD = offsetsNode.Items![0].NumberValue, endD = offsetsNode.Items[1].NumberValue;
            string beginText = offsetsNode.Items[0].NumberText!, endText = offsetsNode.Items[1].NumberText!;
            if (endD < beginD)
                return SafetensorsResult.Fail(SafetensorsError.DataOutOfRange, name, beginText, endText, "the end is before the begin");
            if (endD > dataLength)
                return SafetensorsResult.Fail(SafetensorsError.DataOutOfRange, name, beginText, endText, $"the data section is only {dataLength} bytes long");
            long begin = (long)beginD, end = (long)endD;
            if (end - begin != count * elementSize)
                return SafetensorsResult.Fail(SafetensorsError.DataOutOfRange, name, beginText, endText,
                    $"shape {TensorSpec.FormatShape(shape)} of {dtype} needs {count * elementSize} bytes, not {end - begin}");

            ranges.Add((begin, end, ranges.Count, name));

            var data = new float[count];
            int offset = dataStart + (int)begin;
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = dtype switch
                {
                    "F32" => BitsToSingle(ReadUInt32(file, offset + 4 * i)),
                    "BF16" => BitsToSingle((uint)ReadUInt16(file, offset + 2 * i) << 16),
                    _ => HalfToSingle(ReadUInt16(file, offset + 2 * i)),
                };
            }
            tensors.Add(new TensorSpec(name, new EquatableArray<int>(shape), new EquatableArray<float>(data)));
        }
        if (FindOverlap(ranges) is { } overlap)
        {
            var (later, earlier) = overlap;
            return SafetensorsResult.Fail(SafetensorsError.DataOverlap, later.Name, later.Begin, later.End, earlier.Name, earlier.Begin, earlier.End);
        }

        return new SafetensorsResult(new EquatableArray<TensorSpec>([.. tensors]), SafetensorsError.None, EquatableArray<string>.Empty);
    }

    /// <summary>
    /// Two tensors whose data share bytes, (later in the header, earlier), or null. Sorted by begin (then end, so an empty
    /// range comes before the ranges starting where it stands), each range need only be checked against the one
    /// reaching furthest so far: n log n, where comparing every pair took minutes for a header of 100k tensors.
    /// </summary>
    private static ((long Begin, long End, int Index, string Name), (long Begin, long End, int Index, string Name))? FindOverlap(
        List<(long Begin, long End, int Index, string Name)> ranges)
    {
        var sorted = new List<(long Begin, long End, int Index, string Name)>(ranges);
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End != b.End ? a.End.CompareTo(b.End) : a.Index.CompareTo(b.Index));
        for (int i = 1, furthest = 0; i < sorted.Count; i++)
        {
            var current = sorted[i];
            var reach = sorted[furthest];
            if (current.Begin < reach.End && reach.Begin < current.End)
                return current.Index > reach.Index ? (current, reach) : (reach, current);
            if (current.End > reach.End) furthest = i;
        }
        return null;
    }

    /// <summary>True when the 8 bytes of the length prefix are printable ASCII or whitespace: a text file, not safetensors.</summary>
    private static bool StartsWithText(byte[] file)
    {
        for (int i = 0; i < 8; i++)
            if (file[i] is not ((>= 0x20 and < 0x7F) or (byte)'\t' or (byte)'\n' or (byte)'\r')) return false;
        return true;
    }

    private static bool AllNonNegativeIntegers(JsonNode array)
    {
        foreach (var item in array.Items!)
            if (!item.IsInteger || item.NumberValue < 0) return false;
        return true;
    }

    private static uint ReadUInt32(byte[] b, int i) => (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);
    private static ushort ReadUInt16(byte[] b, int i) => (ushort)(b[i] | b[i + 1] << 8);

    private static float BitsToSingle(uint bits) => FloatBits.ToSingle(bits);

    /// <summary>IEEE 754 binary16 to binary32; exact (every half value is a float value).</summary>
    internal static float HalfToSingle(ushort h)
    {
        uint sign = (uint)(h & 0x8000) << 16;
        int exponent = (h >> 10) & 0x1F;
        uint mantissa = (uint)(h & 0x3FF);
        uint bits;
        if (exponent == 0x1F)
        {
            bits = sign | 0x7F800000u | (mantissa << 13); // Inf or NaN
        }
        else if (exponent != 0)
        {
            bits = sign | (uint)(exponent - 15 + 127) << 23 | (mantissa << 13);
        }
        else if (mantissa == 0)
        {
            bits = sign; // ±0
        }
        else
        {
            // Subnormal half: normalise into a float.
            int e = -14;
            while ((mantissa & 0x400) == 0) { mantissa <<= 1; e--; }
            mantissa &= 0x3FF;
            bits = sign | (uint)(e + 127) << 23 | (mantissa << 13);
        }
        return BitsToSingle(bits);
    }
}
