using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EdgeRnn.Kernels;
using EdgeRnn.Tests.Models;

namespace EdgeRnn.Tests;

/// <summary>Packed weight matrices are copied once, bit for bit, to cache-line-aligned memory.</summary>
public class AlignedWeightsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    public void The_copy_is_exact_and_starts_on_a_cache_line(int floats)
    {
        var values = new float[floats];
        var random = new Random(floats);
        for (int i = 0; i < floats; i++) values[i] = BitConverter.Int32BitsToSingle(random.Next()); // any bit pattern, NaNs included
        // Offset by 4 bytes so the source is misaligned the way RVA data can be.
        var bytes = new byte[floats * sizeof(float) + 4];
        MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes.AsSpan(4));

        var weights = new AlignedWeights(bytes.AsSpan(4));
        var span = weights.Span;

        Assert.Equal(floats, span.Length);
        Assert.True(MemoryMarshal.AsBytes(span).SequenceEqual(bytes.AsSpan(4)), "the bits changed");
        if (floats > 0)
        {
            Assert.Equal(0, AddressOf(span) % AlignedWeights.Alignment);
        }
    }

    [Fact]
    public void A_length_that_is_not_whole_floats_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new AlignedWeights(new byte[7]));
        Assert.Contains("7 bytes", error.Message);
    }

    [Fact]
    public void A_generated_model_streams_its_matrices_from_aligned_memory()
    {
        // The generated property goes through AlignedWeights; its first element sits on a cache line.
        var model = new LstmI3H5();
        Span<float> output = stackalloc float[LstmI3H5.OutputSize];
        model.Step([0.5f, -0.25f, 1f], output);
        var recurrent = RecurrentWeights(default); // a static member: the instance only names the type (passing `model` would copy it, ERNN0028)
        Assert.Equal(4 * 8 * 5, recurrent.Length); // one block of 8 units × 4 gates, 5 columns
        Assert.Equal(0, AddressOf(recurrent) % AlignedWeights.Alignment);
    }

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "get_L0RecurrentWeights")]
    private static extern ReadOnlySpan<float> RecurrentWeights(LstmI3H5 model);

    private static unsafe nint AddressOf(ReadOnlySpan<float> span)
    {
        fixed (float* p = span) return (nint)p;
    }
}
