using System.Runtime.CompilerServices;
namespace EdgeRnn.Kernels;

public static partial class Sequences
{
    /// <summary>
    /// A MUT1, MUT2 or MUT3 cell (see <see cref="Cells.Mut"/>) over <paramref name="steps"/> steps: the input product of every
    /// step first (<see cref="PanelGemm"/>, into each step's gate segments), then the recurrence step by step.
    /// <paramref name="gates"/>: steps × <see cref="Cells.MutGateRows"/> floats; <paramref name="work"/>: at least H floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mut(MutVariant variant, ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> candidateWeights, ReadOnlySpan<float> bias, ReadOnlySpan<float> inputs, int inputStride, int steps,
        Span<float> h, Span<float> gates, Span<float> work, Span<float> outputs, int outputStride)
    {
        int hidden = h.Length, stepRows = Cells.MutGateRows(hidden);
        int offset = Cells.MutInputOffset(variant, hidden), rows = Cells.MutInputRows(variant, hidden);
        int columns = inputWeights.Length / rows;
        Cells.CheckMutSizes(variant, bias, columns, hidden, steps > 0 ? gates.Length / steps : stepRows, work.Length);
        PanelGemm.Multiply(inputWeights, columns, bias.Slice(offset, rows), inputs, inputStride, gates.Slice(offset), stepRows, steps);
        for (int t = 0; t < steps; t++)
        {
            Cells.MutRecurrent(variant, recurrentWeights, candidateWeights, bias, inputs.Slice(t * inputStride, columns), h,
                gates.Slice(t * stepRows, stepRows), work.Slice(0, hidden));
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }
}
