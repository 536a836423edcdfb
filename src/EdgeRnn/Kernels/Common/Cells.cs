using System.ComponentModel;

namespace EdgeRnn.Kernels;

/// <summary>
/// One timestep of each layer kind, with PyTorch's exact equations; the generated <c>Step</c> calls these. Each kind's
/// members live in its own folder (Lstm/, Gru/, Rnn/, Linear/, Softmax/). Weights come packed by the generator
/// (see <see cref="PanelGemv"/>, <see cref="GateBlocks"/>); gate scratch spans are the padded gate count long.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Cells
{
    /// <summary>Applies an activation in place.</summary>
    public static void Activate(Span<float> values, ActivationKind activation) => ElementWise.Activate(values, activation);
}
