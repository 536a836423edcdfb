using System.ComponentModel;

namespace EdgeRnn.Kernels;

/// <summary>
/// One timestep of each layer kind, with PyTorch's exact equations. Weights come packed by the generator
/// (see <see cref="PanelGemv"/>); gate scratch spans are the padded gate count long.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Cells
{
    /// <summary>
    /// LSTM (gates i, f, g, o): c = f⊙c + i⊙g, h = o⊙tanh(c). <paramref name="bias"/> is b_ih + b_hh, padded.
    /// </summary>
    public static void Lstm(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates)
    {
        bias.CopyTo(gates);
        PanelGemv.MultiplyAdd(inputWeights, x, gates);
        PanelGemv.MultiplyAdd(recurrentWeights, h, gates);
        int n = h.Length;
        for (int j = 0; j < n; j++)
        {
            float i = Activations.Sigmoid(gates[j]);
            float f = Activations.Sigmoid(gates[n + j]);
            float g = Activations.Tanh(gates[2 * n + j]);
            float o = Activations.Sigmoid(gates[3 * n + j]);
            float cj = f * c[j] + i * g;
            c[j] = cj;
            h[j] = o * Activations.Tanh(cj);
        }
    }

    /// <summary>
    /// GRU (gates r, z, n): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h = (1 − z)⊙n + z⊙h.
    /// The input and recurrent products stay apart because b_hn sits inside the r product.
    /// </summary>
    public static void Gru(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> inputGates, Span<float> recurrentGates)
    {
        inputBias.CopyTo(inputGates);
        PanelGemv.MultiplyAdd(inputWeights, x, inputGates);
        recurrentBias.CopyTo(recurrentGates);
        PanelGemv.MultiplyAdd(recurrentWeights, h, recurrentGates);
        int n = h.Length;
        for (int j = 0; j < n; j++)
        {
            float r = Activations.Sigmoid(inputGates[j] + recurrentGates[j]);
            float z = Activations.Sigmoid(inputGates[n + j] + recurrentGates[n + j]);
            float candidate = Activations.Tanh(inputGates[2 * n + j] + r * recurrentGates[2 * n + j]);
            h[j] = (1f - z) * candidate + z * h[j];
        }
    }

    /// <summary>Elman RNN: h = tanh or relu(W_ih x + b_ih + W_hh h + b_hh); <paramref name="bias"/> is b_ih + b_hh, padded.</summary>
    public static void Rnn(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> gates, bool relu)
    {
        bias.CopyTo(gates);
        PanelGemv.MultiplyAdd(inputWeights, x, gates);
        PanelGemv.MultiplyAdd(recurrentWeights, h, gates);
        int n = h.Length;
        if (relu)
            for (int j = 0; j < n; j++) h[j] = Activations.Relu(gates[j]);
        else
            for (int j = 0; j < n; j++) h[j] = Activations.Tanh(gates[j]);
    }

    /// <summary>Linear layer y = W x + b followed by an activation; <paramref name="y"/> is the padded output count long.</summary>
    public static void Linear(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y,
        int outputs, ActivationKind activation)
    {
        bias.CopyTo(y);
        PanelGemv.MultiplyAdd(weights, x, y);
        switch (activation)
        {
            case ActivationKind.Tanh:
                for (int j = 0; j < outputs; j++) y[j] = Activations.Tanh(y[j]);
                break;
            case ActivationKind.Sigmoid:
                for (int j = 0; j < outputs; j++) y[j] = Activations.Sigmoid(y[j]);
                break;
            case ActivationKind.Relu:
                for (int j = 0; j < outputs; j++) y[j] = Activations.Relu(y[j]);
                break;
        }
    }
}

/// <summary>The activation after a linear layer.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum ActivationKind
{
    /// <summary>Identity.</summary>
    None,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>max(x, 0).</summary>
    Relu,
}
