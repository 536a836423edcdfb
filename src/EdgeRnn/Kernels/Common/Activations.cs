using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace EdgeRnn.Kernels;

/// <summary>
/// The activations of recurrent cells, as PyTorch defines them: sigmoid(x) = 1 / (1 + e^-x) and tanh,
/// in float32 from <see cref="MathF"/> (correctly rounded exp/tanh of the platform's libm). Saturation is
/// exact (sigmoid(-inf) = 0, sigmoid(+inf) = 1, tanh(±inf) = ±1) and NaN propagates.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Activations
{
    /// <summary>The logistic function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>The hyperbolic tangent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => MathF.Tanh(x);

    /// <summary>max(x, 0), with NaN kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float x) => x > 0f || float.IsNaN(x) ? x : 0f;
}
