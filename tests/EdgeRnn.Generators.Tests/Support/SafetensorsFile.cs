using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Tests.Support;

/// <summary>A small safetensors writer for crafting valid and broken weights files.</summary>
internal static class SafetensorsFile
{
    /// <summary>A float tensor, stored as F32.</summary>
    internal sealed record Tensor(string Name, int[] Shape, float[] Data);

    /// <summary>A header entry written exactly as given, whatever the data holds.</summary>
    internal sealed record Entry(string Name, string Dtype, int[] Shape, long Begin, long End);

    /// <summary>Writes F32 tensors contiguously, in order, with a space-padded header (as PyTorch's writer does).</summary>
    public static byte[] Write(IEnumerable<Tensor> tensors)
    {
        var entries = new List<Entry>();
        var data = new List<byte>();
        foreach (var t in tensors)
        {
            long begin = data.Count;
            foreach (float f in t.Data)
            {
                var b = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(b, f);
                data.AddRange(b);
            }
            entries.Add(new Entry(t.Name, "F32", t.Shape, begin, data.Count));
        }
        return Build(Header(entries), [.. data]);
    }

    /// <summary>The JSON header for the given entries, with a <c>__metadata__</c> entry like PyTorch's.</summary>
    public static string Header(IEnumerable<Entry> entries)
    {
        var sb = new StringBuilder("{");
        foreach (var e in entries)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"\"{e.Name}\":{{\"dtype\":\"{e.Dtype}\",\"shape\":[{string.Join(",", e.Shape)}],\"data_offsets\":[{e.Begin},{e.End}]}},");
        }
        sb.Append("\"__metadata__\":{\"format\":\"pt\"}}");
        return sb.ToString();
    }

    /// <summary>Length prefix + header (padded to a multiple of 8) + data; the length prefix may be overridden.</summary>
    public static byte[] Build(string header, byte[] data, ulong? declaredHeaderLength = null)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header).ToList();
        while ((8 + headerBytes.Count) % 8 != 0) headerBytes.Add((byte)' ');
        return BuildExact([.. headerBytes], data, declaredHeaderLength);
    }

    /// <summary>Length prefix + header bytes exactly as given + data.</summary>
    public static byte[] BuildExact(byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>The header text and data section of a well-formed file.</summary>
    public static (string Header, byte[] Data) Split(byte[] file)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return (Encoding.UTF8.GetString(file, 8, length), file[(8 + length)..]);
    }

    /// <summary>Decodes a valid file (through the generator's reader) into editable tensors.</summary>
    public static List<Tensor> Read(byte[] file)
    {
        var result = SafetensorsReader.Read(file);
        if (result.Error != SafetensorsError.None)
            throw new InvalidOperationException($"not a valid safetensors file: {result.Error} {string.Join(", ", result.ErrorArguments)}");
        return result.Tensors.Select(t => new Tensor(t.Name, t.Shape.ToArray(), t.Data.ToArray())).ToList();
    }

    /// <summary>Reads a committed model's weights, applies <paramref name="edit"/> to the tensor list, writes it back.</summary>
    public static byte[] Edit(byte[] file, Action<List<Tensor>> edit)
    {
        var tensors = Read(file);
        edit(tensors);
        return Write(tensors);
    }
}
