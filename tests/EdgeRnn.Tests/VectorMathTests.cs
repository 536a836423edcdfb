using System.Runtime.Intrinsics;
using EdgeRnn.Kernels;
using Xunit.Abstractions;

namespace EdgeRnn.Tests;

/// <summary>
/// The vectorized activations against double precision on a dense grid: the documented bound is 1e-6
/// absolute over the whole float range, exact saturation, NaN in → NaN out.
/// </summary>
public class VectorMathTests(ITestOutputHelper output)
{
    private const double Bound = 1e-6;

    /// <summary>Every 1024th float bit pattern (both signs, all exponents) plus a fine linear grid over the interesting range.</summary>
    private static IEnumerable<float> Grid()
    {
        for (uint bits = 0; bits < 0x7F800000u; bits += 1024)
        {
            float v = BitConverter.UInt32BitsToSingle(bits);
            yield return v;
            yield return -v;
        }
        for (int i = -400_000; i <= 400_000; i++) yield return i * 5e-5f;
    }

    private static double SigmoidExact(double x) => 1.0 / (1.0 + Math.Exp(-x));

    private (double MaxError, float At) Measure(Func<Vector256<float>, Vector256<float>> f256, Func<Vector128<float>, Vector128<float>> f128,
        Func<float, float> scalar, Func<double, double> exact)
    {
        double max = 0;
        float at = 0;
        foreach (float x in Grid())
        {
            double e = exact(x);
            foreach (float y in new[] { f256(Vector256.Create(x)).GetElement(3), f128(Vector128.Create(x)).GetElement(1), scalar(x) })
            {
                double err = Math.Abs(y - e);
                if (!(err <= max)) { max = err; at = x; }
            }
        }
        return (max, at);
    }

    [Fact]
    public void Sigmoid_is_within_1e_6_of_double_everywhere()
    {
        var (max, at) = Measure(VectorMath.Sigmoid, VectorMath.Sigmoid, Activations.Sigmoid, SigmoidExact);
        output.WriteLine($"sigmoid max abs error {max:E3} at x = {at:R}");
        Assert.True(max <= Bound, $"sigmoid error {max} at {at}");
    }

    [Fact]
    public void Tanh_is_within_1e_6_of_double_everywhere()
    {
        var (max, at) = Measure(VectorMath.Tanh, VectorMath.Tanh, Activations.Tanh, Math.Tanh);
        output.WriteLine($"tanh max abs error {max:E3} at x = {at:R}");
        Assert.True(max <= Bound, $"tanh error {max} at {at}");
    }

    [Theory]
    [InlineData(float.PositiveInfinity, 1f, 1f)]
    [InlineData(float.NegativeInfinity, 0f, -1f)]
    [InlineData(100f, 1f, 1f)]
    [InlineData(-100f, 0f, -1f)]
    [InlineData(1e30f, 1f, 1f)]
    [InlineData(-1e30f, 0f, -1f)]
    [InlineData(0f, 0.5f, 0f)]
    public void Saturation_is_exact(float x, float sigmoid, float tanh)
    {
        Assert.Equal(sigmoid, VectorMath.Sigmoid(Vector256.Create(x)).GetElement(0));
        Assert.Equal(sigmoid, VectorMath.Sigmoid(Vector128.Create(x)).GetElement(0));
        Assert.Equal(sigmoid, Activations.Sigmoid(x));
        Assert.Equal(tanh, VectorMath.Tanh(Vector256.Create(x)).GetElement(0));
        Assert.Equal(tanh, VectorMath.Tanh(Vector128.Create(x)).GetElement(0));
        Assert.Equal(tanh, Activations.Tanh(x));
    }

    [Fact]
    public void NaN_in_gives_NaN_out()
    {
        var nan = Vector256.Create(float.NaN);
        Assert.True(float.IsNaN(VectorMath.Sigmoid(nan).GetElement(0)));
        Assert.True(float.IsNaN(VectorMath.Tanh(nan).GetElement(0)));
        Assert.True(float.IsNaN(VectorMath.Relu(nan).GetElement(0)));
        Assert.True(float.IsNaN(VectorMath.Sigmoid(Vector128.Create(float.NaN)).GetElement(0)));
        Assert.True(float.IsNaN(VectorMath.Tanh(Vector128.Create(float.NaN)).GetElement(0)));
        Assert.True(float.IsNaN(Activations.Relu(float.NaN)));
        // Lanes are independent: a NaN lane does not disturb its neighbours.
        var mixed = VectorMath.Tanh(Vector256.Create(float.NaN, 0f, 1f, -1f, 5f, -5f, 20f, float.NaN));
        Assert.Equal((float)Math.Tanh(1), mixed.GetElement(2), 6);
        Assert.True(float.IsNaN(mixed.GetElement(7)));
    }

    [Fact]
    public void Activate_applies_the_same_function_to_every_lane_and_tail()
    {
        // 8-lane, 4-lane and scalar tail paths together: 15 values.
        var values = Enumerable.Range(0, 15).Select(i => (i - 7) * 0.75f).ToArray();
        var copy = values.ToArray();
        Cells.Activate(values, ActivationKind.Tanh);
        for (int i = 0; i < values.Length; i++) Assert.Equal(Math.Tanh(copy[i]), values[i], 6);
        Cells.Activate(copy, ActivationKind.Relu);
        for (int i = 0; i < copy.Length; i++) Assert.Equal(Math.Max(0, (i - 7) * 0.75f), copy[i]);
    }
}
