using System.ComponentModel;

namespace EdgeRnn.Kernels;

/// <summary>
/// A chunk of timesteps through one layer, for <c>Run</c>: the input projection of every step first (matrix-matrix,
/// <see cref="PanelGemm"/>), then the recurrence step by step. Same equations and results as <see cref="Cells"/>.
/// Inputs are rows of <c>inputStride</c> floats; outputs rows of <c>outputStride</c> floats.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Sequences
{
    /// <summary>LSTM over <paramref name="steps"/> steps, gate rows interleaved (<see cref="GateBlocks"/>); <paramref name="gates"/> holds steps × <c>GateBlocks.Rows(H, 4)</c> floats.</summary>
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

    /// <summary>GRU over <paramref name="steps"/> steps, gate rows interleaved (<see cref="GateBlocks"/>); <paramref name="gates"/> holds steps × <c>GateBlocks.Rows(H, 3)</c> floats.</summary>
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

    /// <summary>Elman RNN over <paramref name="steps"/> steps.</summary>
    public static void Rnn(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> h, Span<float> gates, bool relu,
        Span<float> outputs, int outputStride)
    {
        int rows = bias.Length, hidden = h.Length;
        PanelGemm.Multiply(inputWeights, inputWeights.Length / rows, bias, inputs, inputStride, gates, rows, steps);
        var activation = relu ? ActivationKind.Relu : ActivationKind.Tanh;
        for (int t = 0; t < steps; t++)
        {
            var g = gates.Slice(t * rows, rows);
            PanelGemv.MultiplyAdd(recurrentWeights, h, g);
            Cells.Activate(g.Slice(0, hidden), activation);
            g.Slice(0, hidden).CopyTo(h);
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }

    /// <summary>Linear layer over <paramref name="steps"/> rows; <paramref name="outputs"/> rows are the padded output count apart.</summary>
    public static void Linear(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> inputs, int inputStride,
        int steps, Span<float> outputs, int outputCount, ActivationKind activation)
    {
        int rows = bias.Length;
        PanelGemm.Multiply(weights, weights.Length / rows, bias, inputs, inputStride, outputs, rows, steps);
        if (activation == ActivationKind.None) return;
        for (int t = 0; t < steps; t++) Cells.Activate(outputs.Slice(t * rows, outputCount), activation);
    }

    /// <summary>softmax or log_softmax of each of <paramref name="steps"/> rows (see <see cref="Cells.Softmax"/>).</summary>
    public static void Softmax(ReadOnlySpan<float> inputs, int inputStride, int steps, Span<float> outputs, int outputStride, int count, bool log)
    {
        for (int t = 0; t < steps; t++)
            Cells.Softmax(inputs.Slice(t * inputStride, count), outputs.Slice(t * outputStride, count), log);
    }
}
