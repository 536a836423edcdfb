using System.Buffers.Binary;
using System.Text.Json;

namespace EdgeRnn.Tool;

/// <summary>A tensor as a safetensors header lists it.</summary>
internal sealed record TensorEntry(string Name, string DType, long[] Shape, long Bytes)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// The header of a safetensors file: names, dtypes, shapes, in file order. Only the listing; whether the file is valid
/// (offsets, sizes, dtypes EdgeRnn reads) is the generator's to say, and `inspect` runs it.
/// </summary>
internal static class TensorList
{
    public static List<TensorEntry> Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > (ulong)(stream.Length - 8)) throw new InvalidDataException($"{path}: the header length {length} is beyond the file");
        var header = new byte[length];
        stream.ReadExactly(header);
        using var document = JsonDocument.Parse(header);
        var tensors = new List<(long Begin, TensorEntry Tensor)>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__") continue;
            var info = property.Value;
            long[] shape = info.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = info.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            tensors.Add((offsets[0], new TensorEntry(property.Name, info.GetProperty("dtype").GetString() ?? "?", shape, offsets[1] - offsets[0])));
        }
        // File order is data order (the offsets): writers store a state_dict in its order, the JSON header need not be.
        return tensors.OrderBy(t => t.Begin).Select(t => t.Tensor).ToList();
    }
}
