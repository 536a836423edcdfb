using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using EdgeRnn.Kernels;
using EdgeRnn.Tests.Models;

namespace EdgeRnn.Tests;

/// <summary>A model's weights are copied once from UTF-16 text or decoded once from base64, bit for bit, into cache-line-aligned memory.</summary>
public class AlignedWeightsTests
{
    private static (float[] Values, byte[] Base64) RandomWeights(int floats)
    {
        var values = new float[floats];
        var random = new Random(floats);
        for (int i = 0; i < floats; i++) values[i] = BitConverter.Int32BitsToSingle(random.Next()); // any bit pattern, NaNs included
        return (values, Encoding.ASCII.GetBytes(Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Weights_from_base64_are_exact_and_start_on_a_cache_line(int floats)
    {
        var (values, base64) = RandomWeights(floats);

        var weights = new AlignedWeights(base64, floats);
        var span = weights.Slice(0, floats);

        Assert.Equal(floats, weights.Length);
        Assert.True(MemoryMarshal.AsBytes(span).SequenceEqual(MemoryMarshal.AsBytes(values.AsSpan())), "the bits changed");
        if (floats > 0) Assert.Equal(0, AddressOf(span) % AlignedWeights.Alignment);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Weights_from_UTF16_text_are_exact_and_start_on_a_cache_line(int floats)
    {
        var (values, _) = RandomWeights(floats);
        // Each char is one little-endian byte pair, as the generator writes it.
        var text = new string(MemoryMarshal.Cast<byte, char>(MemoryMarshal.AsBytes(values.AsSpan())));

        var weights = new AlignedWeights(text, floats);
        var span = weights.Slice(0, floats);

        Assert.Equal(floats, weights.Length);
        Assert.True(MemoryMarshal.AsBytes(span).SequenceEqual(MemoryMarshal.AsBytes(values.AsSpan())), "the bits changed");
        if (floats > 0) Assert.Equal(0, AddressOf(span) % AlignedWeights.Alignment);
    }

    [Fact]
    public void UTF16_text_of_another_length_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new AlignedWeights(new string('a', 7), 4));
        Assert.Contains("8 characters for 4 floats, got 7", error.Message);
    }

    [Fact]
    public void A_slice_at_a_multiple_of_AlignmentFloats_is_aligned()
    {
        var (values, base64) = RandomWeights(5 * AlignedWeights.AlignmentFloats);
        var weights = new AlignedWeights(base64, values.Length);
        var slice = weights.Slice(3 * AlignedWeights.AlignmentFloats, 7);
        Assert.Equal(0, AddressOf(slice) % AlignedWeights.Alignment);
        Assert.Equal(values.AsSpan(3 * AlignedWeights.AlignmentFloats, 7), slice);
    }

    [Fact]
    public void A_slice_outside_the_weights_is_rejected()
    {
        var (values, base64) = RandomWeights(20);
        var weights = new AlignedWeights(base64, values.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => weights.Slice(15, 6).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => weights.Slice(-1, 2).Length);
    }

    [Theory]
    [InlineData(6, 7)] // more text than floats
    [InlineData(8, 7)] // fewer
    public void Base64_of_another_length_is_rejected(int floatsInText, int floatsExpected)
    {
        var (_, base64) = RandomWeights(floatsInText);
        var error = Assert.Throws<ArgumentException>(() => new AlignedWeights(base64, floatsExpected));
        Assert.Contains($"{floatsExpected} floats", error.Message);
    }

    [Fact]
    public void Text_that_is_not_base64_is_rejected()
    {
        var (_, base64) = RandomWeights(6);
        base64[5] = (byte)'*';
        var error = Assert.Throws<ArgumentException>(() => new AlignedWeights(base64, 6));
        Assert.Contains("InvalidData", error.Message);
    }

    [Fact]
    public void A_generated_model_streams_its_matrices_from_aligned_memory()
    {
        // The generated properties slice the model's one aligned blob; each matrix starts on a cache line.
        var model = new LstmI3H5();
        Span<float> output = stackalloc float[LstmI3H5.OutputSize];
        model.Step([0.5f, -0.25f, 1f], output);
        // Static members: the instance only names the type (passing a model variable would copy it, ERNN0028).
        var input = InputWeights(default);
        var recurrent = RecurrentWeights(default);
        Assert.Equal(4 * 8 * 3, input.Length); // one block of 8 units × 4 gates, 3 columns
        Assert.Equal(4 * 8 * 5, recurrent.Length); // 5 columns
        Assert.Equal(0, AddressOf(input) % AlignedWeights.Alignment);
        Assert.Equal(0, AddressOf(recurrent) % AlignedWeights.Alignment);
    }

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "get_L0InputWeights")]
    private static extern ReadOnlySpan<float> InputWeights(LstmI3H5 model);

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "get_L0RecurrentWeights")]
    private static extern ReadOnlySpan<float> RecurrentWeights(LstmI3H5 model);

    private static unsafe nint AddressOf(ReadOnlySpan<float> span)
    {
        fixed (float* p = span) return (nint)p;
    }
}
