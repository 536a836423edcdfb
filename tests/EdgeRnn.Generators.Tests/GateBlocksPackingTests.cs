using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;
using EdgeRnn.Kernels;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The contract between the generator's gate interleaving (WeightPacking) and the runtime's GateBlocks kernels: one
/// LSTM and one GRU step on packed weights against a plain double-precision step on the PyTorch-layout matrices, for
/// hidden sizes that fill no block, one block, and a block and a bit.
/// </summary>
public class GateBlocksPackingTests
{
    private static float[] Random(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>row · v + bias for rows [first, first + count) of a row-major matrix.</summary>
    private static double[] Product(float[] matrix, int first, int count, float[] v, float[] bias)
    {
        var result = new double[count];
        for (int r = 0; r < count; r++)
        {
            double sum = bias[first + r];
            for (int j = 0; j < v.Length; j++) sum += (double)matrix[(first + r) * v.Length + j] * v[j];
            result[r] = sum;
        }
        return result;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(8, 8)]
    [InlineData(1, 9)]
    [InlineData(7, 17)]
    [InlineData(2, 40)]
    public void Lstm_step_on_interleaved_weights_matches_the_plain_equations(int inputs, int hidden)
    {
        var random = new Random(hidden * 100 + inputs);
        float[] wih = Random(random, 4 * hidden * inputs), whh = Random(random, 4 * hidden * hidden);
        float[] bih = Random(random, 4 * hidden), bhh = Random(random, 4 * hidden);
        float[] x = Random(random, inputs), h = Random(random, hidden), c = Random(random, hidden);

        // Expected: PyTorch's LSTM cell in double precision.
        var zero = new float[4 * hidden];
        double[] gx = Product(wih, 0, 4 * hidden, x, bih), gh = Product(whh, 0, 4 * hidden, h, bhh);
        var expectedH = new double[hidden];
        var expectedC = new double[hidden];
        for (int u = 0; u < hidden; u++)
        {
            double i = Sigmoid(gx[u] + gh[u]), f = Sigmoid(gx[hidden + u] + gh[hidden + u]);
            double g = Math.Tanh(gx[2 * hidden + u] + gh[2 * hidden + u]), o = Sigmoid(gx[3 * hidden + u] + gh[3 * hidden + u]);
            expectedC[u] = f * c[u] + i * g;
            expectedH[u] = o * Math.Tanh(expectedC[u]);
        }

        int rows = KernelLayout.InterleavedRows(hidden, 4);
        Assert.Equal(GateBlocks.Rows(hidden, 4), rows);
        var inputWeights = WeightPacking.Panels(WeightPacking.InterleaveGates(new EquatableArray<float>(wih), 4, hidden, inputs), rows, inputs);
        var recurrentWeights = WeightPacking.Panels(WeightPacking.InterleaveGates(new EquatableArray<float>(whh), 4, hidden, hidden), rows, hidden, 32);
        var summed = WeightPacking.SumBias(new EquatableArray<float>(bih), new EquatableArray<float>(bhh), 4 * hidden);
        var bias = WeightPacking.Bias(WeightPacking.InterleaveGates(new EquatableArray<float>(summed[..(4 * hidden)]), 4, hidden, 1), rows);

        var gates = new float[rows];
        var hNew = new float[rows / 4];
        Cells.Lstm(inputWeights, recurrentWeights, bias, x, h, c, gates, hNew);

        for (int u = 0; u < hidden; u++)
        {
            Assert.Equal(expectedC[u], c[u], 1e-5);
            Assert.Equal(expectedH[u], h[u], 1e-5);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 16)]
    [InlineData(5, 20)]
    [InlineData(2, 37)]
    public void Gru_step_on_interleaved_weights_matches_the_plain_equations(int inputs, int hidden)
    {
        var random = new Random(hidden * 100 + inputs);
        float[] wih = Random(random, 3 * hidden * inputs), whh = Random(random, 3 * hidden * hidden);
        float[] bih = Random(random, 3 * hidden), bhh = Random(random, 3 * hidden);
        float[] x = Random(random, inputs), h = Random(random, hidden);

        double[] gx = Product(wih, 0, 3 * hidden, x, bih), gh = Product(whh, 0, 3 * hidden, h, bhh);
        var expected = new double[hidden];
        for (int u = 0; u < hidden; u++)
        {
            double r = Sigmoid(gx[u] + gh[u]), z = Sigmoid(gx[hidden + u] + gh[hidden + u]);
            double n = Math.Tanh(gx[2 * hidden + u] + r * gh[2 * hidden + u]);
            expected[u] = (1 - z) * n + z * h[u];
        }

        int rows = KernelLayout.InterleavedRows(hidden, 3);
        Assert.Equal(GateBlocks.Rows(hidden, 3), rows);
        var inputWeights = WeightPacking.Panels(WeightPacking.InterleaveGates(new EquatableArray<float>(wih), 3, hidden, inputs), rows, inputs);
        var recurrentWeights = WeightPacking.Panels(WeightPacking.InterleaveGates(new EquatableArray<float>(whh), 3, hidden, hidden), rows, hidden, 48);
        var inputBias = WeightPacking.Bias(WeightPacking.InterleaveGates(new EquatableArray<float>(bih), 3, hidden, 1), rows);
        var recurrentBias = WeightPacking.Bias(WeightPacking.InterleaveGates(new EquatableArray<float>(bhh), 3, hidden, 1), rows);

        var gates = new float[rows];
        var hNew = new float[rows / 3];
        Cells.Gru(inputWeights, recurrentWeights, inputBias, recurrentBias, x, h, gates, hNew);

        for (int u = 0; u < hidden; u++) Assert.Equal(expected[u], h[u], 1e-5);
    }

    [Fact]
    public void Interleaving_puts_each_block_of_units_gate_by_gate_and_pads_with_zero_rows()
    {
        // LSTM, H = 10: two blocks of 8 units; rows are gate-major [i0..i9, f0..f9, g0..g9, o0..o9], one column.
        var rows = Enumerable.Range(1, 40).Select(v => (float)v).ToArray();
        var interleaved = WeightPacking.InterleaveGates(new EquatableArray<float>(rows), 4, 10, 1).AsSpan().ToArray();
        Assert.Equal(64, interleaved.Length);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], interleaved[0..8]);        // block 0, i0..i7
        Assert.Equal([11, 12, 13, 14, 15, 16, 17, 18], interleaved[8..16]); // block 0, f0..f7
        Assert.Equal([39, 40, 0, 0, 0, 0, 0, 0], interleaved[56..64]);      // block 1, o8, o9, padding
        // An absent bias (bias=False) is zeros of the interleaved length.
        Assert.Equal(new float[48], WeightPacking.InterleaveGates(EquatableArray<float>.Empty, 3, 5, 1).AsSpan().ToArray());
    }
}
