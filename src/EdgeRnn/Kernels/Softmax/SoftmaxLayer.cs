using System.Runtime.CompilerServices;
namespace EdgeRnn.Kernels;

public static partial class Cells
{
    /// <summary>
    /// softmax(x) = e^(x − max) / Σ e^(x − max), or log_softmax(x) = x − max − log Σ e^(x − max), into <paramref name="y"/>
    /// (the max shift keeps e^ finite; the sum is accumulated in double).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        int n = x.Length;
        float max = float.NegativeInfinity;
        for (int j = 0; j < n; j++) max = MathF.Max(max, x[j]);
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            float e = MathF.Exp(x[j] - max);
            y[j] = e;
            sum += e;
        }
        if (log)
        {
            float logSum = (float)Math.Log(sum);
            for (int j = 0; j < n; j++) y[j] = x[j] - max - logSum;
        }
        else
        {
            float scale = (float)(1.0 / sum);
            for (int j = 0; j < n; j++) y[j] *= scale;
        }
    }
}

public static partial class Sequences
{
    /// <summary>softmax or log_softmax of each of <paramref name="steps"/> rows (see <see cref="Cells.Softmax"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Softmax(ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> outputs, int outputStride, int count, bool log)
    {
        for (int t = 0; t < steps; t++)
            Cells.Softmax(inputs.Slice(t * inputStride, count), outputs.Slice(t * outputStride, count), log);
    }
}
