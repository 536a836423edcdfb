using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Kernels;

public static partial class Cells
{
    /// <summary>
    /// LSTM (gates i, f, g, o): c = f⊙c + i⊙g, h = o⊙tanh(c), with the gate rows interleaved in blocks
    /// (<see cref="GateBlocks"/>). <paramref name="bias"/> is b_ih + b_hh; <paramref name="gates"/> is
    /// <c>GateBlocks.Rows(H, 4)</c> floats, <paramref name="hNew"/> at least a quarter of that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Lstm(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates, Span<float> hNew)
    {
        PanelGemv.Multiply(inputWeights, x, bias, gates);
        GateBlocks.LstmRecurrent(recurrentWeights, gates, h, c, hNew);
    }

    /// <summary>
    /// LSTM with proj_size: gates over [x; h] with h of the projected width P, c of the cell width H, then
    /// h = W_hr (o ⊙ tanh c). <paramref name="work"/>: H + padded P floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmProjected(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> projectionWeights, ReadOnlySpan<float> projectionBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates, Span<float> work)
    {
        PanelGemv.Multiply(inputWeights, x, bias, gates);
        PanelGemv.MultiplyAdd(recurrentWeights, h, gates);
        LstmProject(projectionWeights, projectionBias, gates, h, c, work);
    }

    /// <summary>The cell update and projection of <see cref="LstmProjected"/>, given its gates.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmProject(ReadOnlySpan<float> projectionWeights, ReadOnlySpan<float> projectionBias,
        Span<float> gates, Span<float> h, Span<float> c, Span<float> work)
    {
        var full = work.Slice(0, c.Length);
        var projected = work.Slice(c.Length, projectionBias.Length);
        LstmUpdate(gates, full, c);
        PanelGemv.Multiply(projectionWeights, full, projectionBias, projected);
        projected.Slice(0, h.Length).CopyTo(h);
    }

    /// <summary>c = σ(f)⊙c + σ(i)⊙tanh(g); h = σ(o)⊙tanh(c), over gates laid out [i | f | g | o] (activated in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmUpdate(Span<float> gates, Span<float> h, Span<float> c)
    {
        int n = h.Length;
        if (gates.Length < 4 * n || c.Length != n)
            throw new ArgumentException($"an LSTM update of {n} units needs {4 * n} gates and {n} cells, got {gates.Length} and {c.Length}");
        // One activation per pass keeps every pass's constants in registers (a fused pass spills).
        ElementWise.Apply<SigmoidOperator>(gates.Slice(0, 2 * n));
        ElementWise.Apply<TanhOperator>(gates.Slice(2 * n, n));
        ElementWise.Apply<SigmoidOperator>(gates.Slice(3 * n, n));
        ref float i = ref MemoryMarshal.GetReference(gates);
        LstmCell.Update(ref i, ref Unsafe.Add(ref i, n), ref Unsafe.Add(ref i, 2 * n), ref Unsafe.Add(ref i, 3 * n),
            ref MemoryMarshal.GetReference(c), ref MemoryMarshal.GetReference(h), n);
    }
}

public static partial class Sequences
{
    /// <summary>LSTM over <paramref name="steps"/> steps, gate rows interleaved (<see cref="GateBlocks"/>); <paramref name="gates"/> holds steps × <c>GateBlocks.Rows(H, 4)</c> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Lstm(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> h, Span<float> c, Span<float> gates, Span<float> hNew,
        Span<float> outputs, int outputStride)
    {
        int rows = bias.Length, hidden = h.Length;
        PanelGemm.Multiply(inputWeights, inputWeights.Length / rows, bias, inputs, inputStride, gates, rows, steps);
        for (int t = 0; t < steps; t++)
        {
            GateBlocks.LstmRecurrent(recurrentWeights, gates.Slice(t * rows, rows), h, c, hNew);
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }

    /// <summary>LSTM with proj_size over <paramref name="steps"/> steps (see <see cref="Cells.LstmProjected"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmProjected(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> projectionWeights, ReadOnlySpan<float> projectionBias,
        ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> h, Span<float> c, Span<float> gates, Span<float> work,
        Span<float> outputs, int outputStride)
    {
        int rows = bias.Length, width = h.Length;
        PanelGemm.Multiply(inputWeights, inputWeights.Length / rows, bias, inputs, inputStride, gates, rows, steps);
        for (int t = 0; t < steps; t++)
        {
            var g = gates.Slice(t * rows, rows);
            PanelGemv.MultiplyAdd(recurrentWeights, h, g);
            Cells.LstmProject(projectionWeights, projectionBias, g, h, c, work);
            h.CopyTo(outputs.Slice(t * outputStride, width));
        }
    }
}
