using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Kernels;

public static partial class Cells
{
    /// <summary>
    /// GRU (gates r, z, n): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h = (1 − z)⊙n + z⊙h, with the gate rows
    /// interleaved in blocks (<see cref="GateBlocks"/>). The input and recurrent products stay apart because b_hn
    /// sits inside the r product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gru(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> inputGates, Span<float> hNew)
    {
        PanelGemv.Multiply(inputWeights, x, inputBias, inputGates);
        GateBlocks.GruRecurrent(recurrentWeights, recurrentBias, inputGates, h, hNew);
    }

    /// <summary>
    /// GRU with Keras' reset_after=False: n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn) — r multiplies h before the
    /// recurrent product, so the r,z rows (<paramref name="recurrentWeights"/>) and the n rows
    /// (<paramref name="candidateWeights"/>) are separate matrices. <paramref name="work"/>: padded 2H + padded H + H floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruResetBefore(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> candidateBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> inputGates, Span<float> work)
    {
        PanelGemv.Multiply(inputWeights, x, inputBias, inputGates);
        GruResetBeforeUpdate(recurrentWeights, candidateWeights, recurrentBias, candidateBias, inputGates, h, work);
    }

    /// <summary>The recurrent half of <see cref="GruResetBefore"/>, given the input gates [r | z | n] (overwritten).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruResetBeforeUpdate(ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> candidateBias, Span<float> inputGates, Span<float> h, Span<float> work)
    {
        int n = h.Length;
        var rz = work.Slice(0, recurrentBias.Length);
        var candidate = work.Slice(recurrentBias.Length, candidateBias.Length);
        var resetH = work.Slice(recurrentBias.Length + candidateBias.Length, n);
        PanelGemv.Multiply(recurrentWeights, h, recurrentBias, rz);
        var gates = inputGates.Slice(0, 3 * n);
        ElementWise.Add(gates.Slice(0, 2 * n), rz.Slice(0, 2 * n));
        ElementWise.Apply<SigmoidOperator>(gates.Slice(0, 2 * n));
        for (int j = 0; j < n; j++) resetH[j] = gates[j] * h[j];
        PanelGemv.Multiply(candidateWeights, resetH, candidateBias, candidate);
        // The slices above fixed every length at n or more, so the unchecked update stays inside them.
        ref float r = ref MemoryMarshal.GetReference(gates);
        ref float hs = ref MemoryMarshal.GetReference(h);
        GruCell.Update<GruCell.ResetBefore>(ref r, ref Unsafe.Add(ref r, n), ref Unsafe.Add(ref r, 2 * n), ref MemoryMarshal.GetReference(candidate.Slice(0, n)), ref hs, ref hs, n);
    }
}

public static partial class Sequences
{
    /// <summary>GRU over <paramref name="steps"/> steps, gate rows interleaved (<see cref="GateBlocks"/>); <paramref name="gates"/> holds steps × <c>GateBlocks.Rows(H, 3)</c> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gru(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias,
        ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> h, Span<float> gates, Span<float> hNew,
        Span<float> outputs, int outputStride)
    {
        int rows = inputBias.Length, hidden = h.Length;
        PanelGemm.Multiply(inputWeights, inputWeights.Length / rows, inputBias, inputs, inputStride, gates, rows, steps);
        for (int t = 0; t < steps; t++)
        {
            GateBlocks.GruRecurrent(recurrentWeights, recurrentBias, gates.Slice(t * rows, rows), h, hNew);
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }

    /// <summary>GRU with reset_after=False over <paramref name="steps"/> steps (see <see cref="Cells.GruResetBefore"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruResetBefore(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> candidateBias,
        ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> h, Span<float> gates, Span<float> work,
        Span<float> outputs, int outputStride)
    {
        int rows = inputBias.Length, hidden = h.Length;
        PanelGemm.Multiply(inputWeights, inputWeights.Length / rows, inputBias, inputs, inputStride, gates, rows, steps);
        for (int t = 0; t < steps; t++)
        {
            Cells.GruResetBeforeUpdate(recurrentWeights, candidateWeights, recurrentBias, candidateBias, gates.Slice(t * rows, rows), h, work);
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }
}
