using EdgeRnn.Kernels;

namespace EdgeRnn.Tests;

/// <summary>
/// The LSTM and GRU state updates (LstmCell, GruCell) and the gate-block activations against double precision, for
/// unit counts that take every step of the waterfall (8 lanes, 4 lanes, the scalar tail) on whichever path CI forces,
/// and that leave everything past the count untouched (the last, partial gate block relies on it).
/// </summary>
public class CellUpdateTests
{
    private const double Tolerance = 1e-6;

    private static float[] Random(Random random, int count, float low, float high) =>
        Enumerable.Range(0, count).Select(_ => (float)(low + random.NextDouble() * (high - low))).ToArray();

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>A copy of <paramref name="values"/> with NaN sentinels after it.</summary>
    private static float[] WithSentinels(float[] values) => [.. values, float.NaN, float.NaN, float.NaN];

    public static TheoryData<int> Counts() => [0, 1, 3, 4, 7, 8, 9, 12, 15, 16, 19, 33];

    [Theory]
    [MemberData(nameof(Counts))]
    public void Lstm_update_is_c_f_c_plus_i_g_and_h_o_tanh_c(int count)
    {
        var random = new Random(count);
        float[] i = Random(random, count, 0, 1), f = Random(random, count, 0, 1), g = Random(random, count, -1, 1), o = Random(random, count, 0, 1);
        float[] c0 = Random(random, count, -3, 3);
        float[] c = WithSentinels(c0), h = WithSentinels(new float[count]);

        LstmCell.Update(ref First(i), ref First(f), ref First(g), ref First(o), ref c[0], ref h[0], count);

        for (int u = 0; u < count; u++)
        {
            double expectedC = (double)f[u] * c0[u] + (double)i[u] * g[u];
            Assert.Equal(expectedC, c[u], Tolerance);
            Assert.Equal(o[u] * Math.Tanh(expectedC), h[u], Tolerance);
        }
        for (int u = count; u < c.Length; u++)
        {
            Assert.True(float.IsNaN(c[u]), $"c[{u}] past the count was written");
            Assert.True(float.IsNaN(h[u]), $"h[{u}] past the count was written");
        }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void Gru_update_blends_the_candidate_and_the_old_state(int count)
    {
        var random = new Random(100 + count);
        float[] r = Random(random, count, 0, 1), z = Random(random, count, 0, 1), xn = Random(random, count, -2, 2);
        float[] an = Random(random, count, -2, 2), h0 = Random(random, count, -1, 1);

        // Reset after (PyTorch): n = tanh(x_n + r⊙a_n), written over a_n as the gate-block kernel does.
        float[] hOut = WithSentinels(an);
        float[] h = WithSentinels(h0);
        GruCell.Update<GruCell.ResetAfter>(ref First(r), ref First(z), ref First(xn), ref hOut[0], ref h[0], ref hOut[0], count);
        for (int u = 0; u < count; u++)
        {
            double n = Math.Tanh(xn[u] + (double)r[u] * an[u]);
            Assert.Equal((1 - z[u]) * n + z[u] * h0[u], hOut[u], Tolerance);
        }

        // Reset before (Keras reset_after=False): n = tanh(x_n + a_n), written over h in place.
        GruCell.Update<GruCell.ResetBefore>(ref First(r), ref First(z), ref First(xn), ref First(an), ref h[0], ref h[0], count);
        for (int u = 0; u < count; u++)
        {
            double n = Math.Tanh(xn[u] + (double)an[u]);
            Assert.Equal((1 - z[u]) * n + z[u] * h0[u], h[u], Tolerance);
        }
        for (int u = count; u < h.Length; u++)
        {
            Assert.True(float.IsNaN(h[u]), $"h[{u}] past the count was written");
            Assert.True(float.IsNaN(hOut[u]), $"hOut[{u}] past the count was written");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Lstm_block_activation_is_sigmoid_for_i_f_o_and_tanh_for_g(int blocks)
    {
        var random = new Random(blocks);
        float[] gates = Random(random, blocks * KernelLayout.LstmBlockRows, -6, 6);
        float[] activated = gates.ToArray();

        LstmCell.ActivateBlocks(ref activated[0], blocks);

        for (int row = 0; row < gates.Length; row++)
        {
            bool isG = row % KernelLayout.LstmBlockRows / KernelLayout.LstmBlockUnits == 2; // [i f g o]
            Assert.Equal(isG ? Math.Tanh(gates[row]) : Sigmoid(gates[row]), activated[row], Tolerance);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Gru_block_activation_is_sigmoid_for_r_and_z_and_leaves_n(int blocks)
    {
        var random = new Random(10 + blocks);
        float[] gates = Random(random, blocks * KernelLayout.GruBlockRows, -6, 6);
        float[] activated = gates.ToArray();

        GruCell.ActivateBlocks(ref activated[0], blocks);

        for (int row = 0; row < gates.Length; row++)
        {
            bool isN = row % KernelLayout.GruBlockRows >= 2 * KernelLayout.GruBlockUnits; // [r z n]
            if (isN) Assert.Equal(gates[row], activated[row]);
            else Assert.Equal(Sigmoid(gates[row]), activated[row], Tolerance);
        }
    }

    /// <summary>The first element, or a harmless reference for an empty array (count 0 reads nothing).</summary>
    private static ref float First(float[] values) => ref values.Length == 0 ? ref Dummy[0] : ref values[0];

    private static readonly float[] Dummy = new float[1];
}
