using EdgeRnn.Kernels;

namespace EdgeRnn.Tests;

/// <summary>
/// The MUT1–MUT3 kernels (<see cref="Cells.Mut"/>, <see cref="Sequences.Mut"/>) against a plain double-precision implementation of the issue's
/// equations on random weights in PyTorch's row-major layout, packed here the way <see cref="Cells.Mut"/> documents.
/// Sizes cover less than a panel, exactly one, and several with a remainder; CI runs this file under every ISA switch.
/// </summary>
public class MutKernelTests
{
    private const double Tolerance = 1e-5;
    private const int Panel = KernelLayout.PanelWidth;

    /// <summary>One cell's weights in PyTorch's layout (row-major [H, columns]); matrices the variant doesn't name are null.</summary>
    private sealed record Weights(float[] Xz, float[]? Xr, float[]? Xh, float[]? Hz, float[] Hr, float[] Hh, float[] Bz, float[] Br, float[] Bh);

    private static float[] Uniform(Random random, int count, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();

    private static Weights RandomWeights(MutVariant variant, Random random, int inputs, int hidden)
    {
        double bound = 1 / Math.Sqrt(hidden) * 1.5; // a little past PyTorch's init, so the gates leave the linear region
        float[] X() => Uniform(random, hidden * inputs, bound);
        float[] H() => Uniform(random, hidden * hidden, bound);
        float[] B() => Uniform(random, hidden, bound);
        return new Weights(
            Xz: X(),
            Xr: variant == MutVariant.Mut2 ? null : X(),
            Xh: variant == MutVariant.Mut1 ? null : X(),
            Hz: variant == MutVariant.Mut1 ? null : H(),
            Hr: H(), Hh: H(), Bz: B(), Br: B(), Bh: B());
    }

    // ------------------------------------------------------------------ the equations, in double

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>matrix · v for a row-major [rows, v.Length] matrix.</summary>
    private static double[] Product(float[] matrix, double[] v)
    {
        var result = new double[matrix.Length / v.Length];
        for (int r = 0; r < result.Length; r++)
            for (int j = 0; j < v.Length; j++) result[r] += matrix[r * v.Length + j] * v[j];
        return result;
    }

    private static double[] ReferenceStep(MutVariant variant, Weights w, double[] x, double[] h)
    {
        int hidden = h.Length;
        double[] hr = Product(w.Hr, h);
        double[] xz = Product(w.Xz, x);
        double[] xr = w.Xr is null ? x : Product(w.Xr, x);          // MUT2: r gets x itself
        double[] xh = w.Xh is null ? x.Select(Math.Tanh).ToArray() : Product(w.Xh, x); // MUT1: tanh(x)
        double[] hz = w.Hz is null ? new double[hidden]
            : Product(w.Hz, variant == MutVariant.Mut3 ? h.Select(Math.Tanh).ToArray() : h);
        var z = new double[hidden];
        var rh = new double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            z[j] = Sigmoid(xz[j] + hz[j] + w.Bz[j]);
            rh[j] = Sigmoid(xr[j] + hr[j] + w.Br[j]) * h[j];
        }
        double[] hhr = Product(w.Hh, rh);
        var next = new double[hidden];
        for (int j = 0; j < hidden; j++)
            next[j] = Math.Tanh(hhr[j] + xh[j] + w.Bh[j]) * z[j] + h[j] * (1 - z[j]);
        return next;
    }

    // ------------------------------------------------------------------ packing as Cells.Mut documents it

    /// <summary>Blocks of P = Padded(H) rows each (a null block is zero rows), packed in panels of 16 rows.</summary>
    private static float[] Pack(int columns, int hidden, params float[]?[] blocks)
    {
        int padded = KernelLayout.Padded(hidden);
        var packed = new float[blocks.Length * padded * columns];
        for (int b = 0; b < blocks.Length; b++)
        {
            if (blocks[b] is not { } block) continue;
            for (int unit = 0; unit < hidden; unit++)
            {
                int row = b * padded + unit;
                for (int j = 0; j < columns; j++)
                    packed[row / Panel * Panel * columns + j * Panel + row % Panel] = block[unit * columns + j];
            }
        }
        return packed;
    }

    private sealed record Packed(float[] Input, float[] Recurrent, float[] Candidate, float[] Bias);

    private static Packed PackFor(MutVariant variant, Weights w, int inputs, int hidden)
    {
        float[] input = variant switch
        {
            MutVariant.Mut1 => Pack(inputs, hidden, w.Xz, w.Xr),
            MutVariant.Mut2 => Pack(inputs, hidden, w.Xh, w.Xz),
            _ => Pack(inputs, hidden, w.Xh, w.Xz, w.Xr),
        };
        float[] recurrent = variant == MutVariant.Mut1 ? Pack(hidden, hidden, w.Hr) : Pack(hidden, hidden, w.Hz, w.Hr);
        Assert.Equal(Cells.MutInputRows(variant, hidden) * inputs, input.Length);
        Assert.Equal(Cells.MutRecurrentRows(variant, hidden) * hidden, recurrent.Length);
        return new Packed(input, recurrent, Pack(hidden, hidden, w.Hh), Pack(1, hidden, w.Bh, w.Bz, w.Br));
    }

    // ------------------------------------------------------------------ tests

    public static TheoryData<MutVariant, int, int, double> Cases()
    {
        var data = new TheoryData<MutVariant, int, int, double>();
        foreach (int size in new[] { 1, 5, 16, 17, 37 })
        {
            data.Add(MutVariant.Mut1, size, size, 1.0);
            data.Add(MutVariant.Mut2, size, size, 1.0);
        }
        foreach (var (inputs, hidden) in new[] { (1, 1), (4, 7), (3, 9), (16, 16), (13, 37), (40, 33) })
            data.Add(MutVariant.Mut3, inputs, hidden, 1.0);
        // Saturated inputs: tanh(x), the gates and MUT2's r = σ(x + …) at their limits.
        data.Add(MutVariant.Mut1, 9, 9, 20.0);
        data.Add(MutVariant.Mut2, 9, 9, 20.0);
        data.Add(MutVariant.Mut3, 5, 11, 20.0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Step_matches_the_equations_in_double(MutVariant variant, int inputs, int hidden, double inputScale)
    {
        var random = new Random((int)variant * 10_000 + inputs * 100 + hidden);
        var w = RandomWeights(variant, random, inputs, hidden);
        var packed = PackFor(variant, w, inputs, hidden);
        float[] h = Uniform(random, hidden, 0.9);
        double[] expected = h.Select(v => (double)v).ToArray();
        var gates = new float[Cells.MutGateRows(hidden)];
        var work = new float[hidden];
        double worst = 0;
        for (int step = 0; step < 12; step++)
        {
            float[] x = Uniform(random, inputs, inputScale * 2);
            Cells.Mut(variant, packed.Input, packed.Recurrent, packed.Candidate, packed.Bias, x, h, gates, work);
            expected = ReferenceStep(variant, w, x.Select(v => (double)v).ToArray(), expected);
            for (int j = 0; j < hidden; j++) worst = Math.Max(worst, Math.Abs(h[j] - expected[j]));
        }
        Assert.True(worst <= Tolerance, $"{variant} {inputs}->{hidden}: max |Step − reference| = {worst:E3}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_over_strided_rows_matches_the_equations_in_double(MutVariant variant, int inputs, int hidden, double inputScale)
    {
        var random = new Random((int)variant * 20_000 + inputs * 100 + hidden);
        var w = RandomWeights(variant, random, inputs, hidden);
        var packed = PackFor(variant, w, inputs, hidden);
        const int steps = 9; // two blocks of four for the matrix-matrix input product, and one step left over
        int inputStride = inputs + 3, outputStride = hidden + 2;
        float[] rows = Uniform(random, steps * inputStride, inputScale * 2);
        float[] h = Uniform(random, hidden, 0.9);
        double[] expected = h.Select(v => (double)v).ToArray();
        var outputs = new float[steps * outputStride];
        var gates = new float[steps * Cells.MutGateRows(hidden)];
        Sequences.Mut(variant, packed.Input, packed.Recurrent, packed.Candidate, packed.Bias, rows, inputStride, steps,
            h, gates, new float[hidden], outputs, outputStride);

        double worst = 0;
        for (int t = 0; t < steps; t++)
        {
            var x = rows.AsSpan(t * inputStride, inputs).ToArray().Select(v => (double)v).ToArray();
            expected = ReferenceStep(variant, w, x, expected);
            for (int j = 0; j < hidden; j++) worst = Math.Max(worst, Math.Abs(outputs[t * outputStride + j] - expected[j]));
        }
        for (int j = 0; j < hidden; j++) worst = Math.Max(worst, Math.Abs(h[j] - expected[j]));
        Assert.True(worst <= Tolerance, $"{variant} {inputs}->{hidden}: max |Run − reference| = {worst:E3}");
    }

    [Theory]
    [InlineData(MutVariant.Mut1)]
    [InlineData(MutVariant.Mut2)]
    public void Mut1_and_Mut2_refuse_an_input_size_other_than_the_hidden_size(MutVariant variant)
    {
        const int inputs = 3, hidden = 5;
        var w = RandomWeights(variant, new Random(7), inputs, hidden);
        var packed = PackFor(variant, w, inputs, hidden);
        var error = Assert.Throws<ArgumentException>(() => Cells.Mut(variant, packed.Input, packed.Recurrent, packed.Candidate,
            packed.Bias, new float[inputs], new float[hidden], new float[Cells.MutGateRows(hidden)], new float[hidden]));
        Assert.Contains("input size 3 must equal hidden size 5", error.Message, StringComparison.Ordinal);
    }
}
