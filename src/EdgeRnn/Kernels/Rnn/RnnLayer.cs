using System.Runtime.CompilerServices;
namespace EdgeRnn.Kernels;

public static partial class Cells
{
    /// <summary>Elman RNN: h = tanh or relu(W_ih x + b_ih + W_hh h + b_hh); <paramref name="bias"/> is b_ih + b_hh, padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rnn(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> gates, bool relu)
    {
        PanelGemv.Multiply(inputWeights, x, bias, gates);
        RnnUpdate(recurrentWeights, gates, h, relu);
    }

    /// <summary>The recurrence of <see cref="Rnn"/>, given the input part of the gates: gates += W_hh h, h = activation(gates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RnnUpdate(ReadOnlySpan<float> recurrentWeights, Span<float> gates, Span<float> h, bool relu)
    {
        PanelGemv.MultiplyAdd(recurrentWeights, h, gates);
        var state = gates.Slice(0, h.Length);
        ElementWise.Activate(state, relu ? ActivationKind.Relu : ActivationKind.Tanh);
        state.CopyTo(h);
    }
}

public static partial class Sequences
{
    /// <summary>Elman RNN over <paramref name="steps"/> steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rnn(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> h, Span<float> gates, bool relu,
        Span<float> outputs, int outputStride)
    {
        int rows = bias.Length, hidden = h.Length;
        PanelGemm.Multiply(inputWeights, inputWeights.Length / rows, bias, inputs, inputStride, gates, rows, steps);
        for (int t = 0; t < steps; t++)
        {
            Cells.RnnUpdate(recurrentWeights, gates.Slice(t * rows, rows), h, relu);
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }
}
