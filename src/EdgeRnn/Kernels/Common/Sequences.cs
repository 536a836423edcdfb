using System.ComponentModel;

namespace EdgeRnn.Kernels;

/// <summary>
/// A chunk of timesteps through one layer, for <c>Run</c>: the input projection of every step first (matrix-matrix,
/// <see cref="PanelGemm"/>), then the recurrence step by step. Same equations and results as <see cref="Cells"/>; each
/// kind's members live in its own folder. Inputs are rows of <c>inputStride</c> floats; outputs rows of <c>outputStride</c> floats.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Sequences
{
}
