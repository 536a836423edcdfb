using System.Buffers.Binary;
using EdgeRnn.Generators.Model;
using EdgeRnn.Generators.Tests.Support;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

public class SafetensorsReaderTests
{
    private static byte[] Halves(params ushort[] bits)
    {
        var data = new byte[bits.Length * 2];
        for (int i = 0; i < bits.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), bits[i]);
        return data;
    }

    private static float[] ReadOne(string dtype, byte[] data, int count)
    {
        var file = Build(Header([new Entry("t", dtype, [count], 0, data.Length)]), data);
        var result = SafetensorsReader.Read(file);
        Assert.Equal(SafetensorsError.None, result.Error);
        var tensor = Assert.Single(result.Tensors);
        Assert.Equal("t", tensor.Name);
        Assert.Equal([count], tensor.Shape.ToArray());
        return tensor.Data.ToArray();
    }

    private static uint Bits(float f) => BitConverter.SingleToUInt32Bits(f);

    [Theory]
    [InlineData((ushort)0x3C00, 1.0f)]
    [InlineData((ushort)0xC000, -2.0f)]
    [InlineData((ushort)0x3555, 0.333251953125f)]
    [InlineData((ushort)0x7BFF, 65504.0f)]                        // largest finite half
    [InlineData((ushort)0x0400, 6.103515625e-05f)]                // smallest normal, 2^-14
    [InlineData((ushort)0x0001, 5.9604644775390625e-08f)]         // smallest subnormal, 2^-24
    [InlineData((ushort)0x03FF, 6.097555160522461e-05f)]          // largest subnormal, 1023 × 2^-24
    [InlineData((ushort)0x8001, -5.9604644775390625e-08f)]
    [InlineData((ushort)0x0200, 3.0517578125e-05f)]               // subnormal, 2^-15
    [InlineData((ushort)0x7C00, float.PositiveInfinity)]
    [InlineData((ushort)0xFC00, float.NegativeInfinity)]
    public void F16_values_widen_exactly(ushort half, float expected)
    {
        Assert.Equal(Bits(expected), Bits(SafetensorsReader.HalfToSingle(half)));
        Assert.Equal(Bits(expected), Bits(ReadOne("F16", Halves(half), 1)[0]));
    }

    [Fact]
    public void F16_signed_zeros_and_nans()
    {
        Assert.Equal(0x00000000u, Bits(SafetensorsReader.HalfToSingle(0x0000)));
        Assert.Equal(0x80000000u, Bits(SafetensorsReader.HalfToSingle(0x8000)));
        foreach (ushort nan in new ushort[] { 0x7E00, 0x7C01, 0xFE00, 0x7FFF })
        {
            float f = SafetensorsReader.HalfToSingle(nan);
            Assert.True(float.IsNaN(f));
            Assert.Equal((nan & 0x8000) != 0, float.IsNegative(f));
            Assert.Equal((uint)(nan & 0x3FF) << 13, Bits(f) & 0x007FFFFFu); // payload kept
        }
    }

    [Fact]
    public void Every_F16_value_widens_like_System_Half()
    {
        for (int i = 0; i <= ushort.MaxValue; i++)
        {
            ushort h = (ushort)i;
            float expected = (float)BitConverter.UInt16BitsToHalf(h);
            float actual = SafetensorsReader.HalfToSingle(h);
            if (float.IsNaN(expected))
                Assert.True(float.IsNaN(actual), $"0x{h:X4}");
            else
                Assert.True(Bits(expected) == Bits(actual), $"0x{h:X4}: expected {expected} (0x{Bits(expected):X8}), got {actual} (0x{Bits(actual):X8})");
        }
    }

    [Fact]
    public void F16_tensor_in_a_file()
    {
        var values = ReadOne("F16", Halves(0x3C00, 0x0001, 0x7C00, 0xBC00), 4);
        Assert.Equal([1.0f, 5.9604644775390625e-08f, float.PositiveInfinity, -1.0f], values);
    }

    [Fact]
    public void BF16_widens_to_the_top_16_bits_exactly()
    {
        ushort[] bits = [0x3F80, 0xC000, 0x0001, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0x3EAB, 0x7F7F];
        var values = ReadOne("BF16", Halves(bits), bits.Length);
        for (int i = 0; i < bits.Length; i++)
            Assert.Equal((uint)bits[i] << 16, Bits(values[i]));
        Assert.Equal(1.0f, values[0]);
        Assert.Equal(-2.0f, values[1]);
        Assert.True(float.IsPositiveInfinity(values[4]));
        Assert.True(float.IsNaN(values[6]));
    }

    [Fact]
    public void F32_little_endian_and_shape()
    {
        var file = Write([new Tensor("w", [2, 3], [1, -2, 3.5f, 0, float.Epsilon, -0.0f])]);
        var t = Assert.Single(SafetensorsReader.Read(file).Tensors);
        Assert.Equal([2, 3], t.Shape.ToArray());
        Assert.Equal("[2, 3]", t.ShapeText);
        Assert.Equal([Bits(1), Bits(-2), Bits(3.5f), Bits(0), Bits(float.Epsilon), Bits(-0.0f)], t.Data.ToArray().Select(Bits));
    }

    [Fact]
    public void Metadata_is_skipped_and_header_order_kept_whatever_the_data_order()
    {
        var data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 2f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), 3f);
        string header = "{\"__metadata__\":{\"format\":\"pt\",\"k\":\"v\"},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}," +
                        "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        var result = SafetensorsReader.Read(Build(header, data));
        // "s" (a scalar over [0,4]) overlaps "a".
        Assert.Equal(SafetensorsError.DataOverlap, result.Error);
        Assert.Equal(["s", "0", "4", "a", "0", "8"], result.ErrorArguments.ToArray());

        header = header.Replace(",\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}", "", StringComparison.Ordinal);
        result = SafetensorsReader.Read(Build(header, data));
        Assert.Equal(SafetensorsError.None, result.Error);
        Assert.Equal(["b", "a"], result.Tensors.Select(t => t.Name));
        Assert.Equal([3f], result.Tensors[0].Data.ToArray());
        Assert.Equal([1f, 2f], result.Tensors[1].Data.ToArray());
    }

    [Fact]
    public void Empty_tensors_do_not_overlap()
    {
        string header = Header([new Entry("e1", "F32", [0], 0, 0), new Entry("e2", "F32", [3, 0], 0, 0), new Entry("x", "F32", [1], 0, 4)]);
        var result = SafetensorsReader.Read(Build(header, new byte[4]));
        Assert.Equal(SafetensorsError.None, result.Error);
        Assert.Equal(3, result.Tensors.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Shorter_than_the_prefix_is_truncated(int length)
    {
        var result = SafetensorsReader.Read(new byte[length]);
        Assert.Equal(SafetensorsError.Truncated, result.Error);
        Assert.Equal([length.ToString(System.Globalization.CultureInfo.InvariantCulture)], result.ErrorArguments.ToArray());
    }

    [Fact]
    public void Zero_length_header_is_malformed_not_a_crash()
    {
        var result = SafetensorsReader.Read(new byte[8]);
        Assert.Equal(SafetensorsError.MalformedHeader, result.Error);
    }
}
