using System;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// Weight layouts the runtime kernels read (EdgeRnn.Kernels.PanelGemv, EdgeRnn.Kernels.GateBlocks): rows grouped in
/// panels of <see cref="KernelLayout.PanelWidth"/>, each panel column-major, rows padded with zeros to whole panels.
/// The layout's numbers are <see cref="KernelLayout"/>'s, a file compiled into the runtime as well.
/// </summary>
internal static class WeightPacking
{
    /// <summary>Packs a row-major [rows, columns] matrix into panels of <paramref name="width"/> rows (default <see cref="KernelLayout.PanelWidth"/>).</summary>
    public static float[] Panels(EquatableArray<float> rowMajor, int rows, int columns, int width = KernelLayout.PanelWidth)
    {
        var source = rowMajor.AsSpan();
        var packed = new float[(rows + width - 1) / width * width * columns];
        for (int row = 0; row < rows; row++)
        {
            int panel = row / width, lane = row % width;
            int panelStart = panel * width * columns;
            for (int j = 0; j < columns; j++)
                packed[panelStart + j * width + lane] = source[row * columns + j];
        }
        return packed;
    }

    /// <summary>A row-major [rows, columns] matrix with each row zero-padded to a multiple of <paramref name="alignment"/> floats.</summary>
    public static float[] PaddedRows(EquatableArray<float> rowMajor, int rows, int columns, int alignment)
    {
        int stride = (columns + alignment - 1) / alignment * alignment;
        var packed = new float[rows * stride];
        var source = rowMajor.AsSpan();
        for (int row = 0; row < rows; row++)
            source.Slice(row * columns, columns).CopyTo(packed.AsSpan(row * stride, columns));
        return packed;
    }

    /// <summary>Rows [first, first + count) of a row-major matrix with <paramref name="columns"/> columns (or of a vector, columns = 1); empty stays empty.</summary>
    public static EquatableArray<float> Rows(EquatableArray<float> rowMajor, int first, int count, int columns) =>
        rowMajor.Length == 0 ? rowMajor : new EquatableArray<float>(rowMajor.AsSpan().Slice(first * columns, count * columns).ToArray());

    /// <summary>A bias padded to whole panels; an absent bias (bias=False) is zeros.</summary>
    public static float[] Bias(EquatableArray<float> bias, int rows)
    {
        var padded = new float[KernelLayout.Padded(rows)];
        bias.AsSpan().CopyTo(padded);
        return padded;
    }

    /// <summary>
    /// Reorders the gate-major rows of an LSTM or GRU matrix ([gates·H, columns], or a bias with columns = 1) into
    /// blocks: block b holds units [b·U, b·U + U) of gate 0, then of gate 1, … Units past H are zero rows, and an
    /// absent bias is zeros. The kernel then has every gate of a block's units in one pass over the weights.
    /// </summary>
    public static EquatableArray<float> InterleaveGates(EquatableArray<float> rowMajor, int gates, int hidden, int columns)
    {
        int units = KernelLayout.BlockUnits(gates);
        var result = new float[KernelLayout.InterleavedRows(hidden, gates) * columns];
        if (rowMajor.Length == 0) return new EquatableArray<float>(result);
        var source = rowMajor.AsSpan();
        for (int gate = 0; gate < gates; gate++)
        {
            for (int unit = 0; unit < hidden; unit++)
            {
                int row = (unit / units * gates + gate) * units + unit % units;
                source.Slice((gate * hidden + unit) * columns, columns).CopyTo(result.AsSpan(row * columns, columns));
            }
        }
        return new EquatableArray<float>(result);
    }

    /// <summary>b_ih + b_hh in float32, folded once at generation time (for LSTM and RNN, where they are only ever added).</summary>
    public static float[] SumBias(EquatableArray<float> a, EquatableArray<float> b, int rows)
    {
        var padded = Bias(a, rows);
        var second = b.AsSpan();
        for (int i = 0; i < second.Length; i++) padded[i] += second[i];
        return padded;
    }
}
