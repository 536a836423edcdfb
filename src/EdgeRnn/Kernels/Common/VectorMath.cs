using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// Vectorized sigmoid and tanh for the cell updates.
/// </summary>
/// <remarks>
/// tanh(x) = x·P(x²)/Q(x²), the degree-13/6 rational minimax approximation Eigen uses for float tanh (one
/// division, ten FMAs, no exp), and exactly ±1 where |x| ≥ <c>Saturation</c> (there 1 − tanh|x| ≤ 2.8e-7).
/// sigmoid(x) = ½ + ½·tanh(x/2). Measured maximum absolute error against double precision over the whole float
/// range (see VectorMathTests): sigmoid ≤ 1.7e-7, tanh ≤ 2.8e-7 (at the saturation threshold) — inside the documented bound of 1e-6.
/// Saturation is exact (sigmoid → 0 and 1, tanh → ±1, at ±inf too) and NaN in gives NaN out (it propagates through
/// the polynomials; the saturation test is false for NaN).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorMath
{
    private const float Saturation = 7.90531110763549805f;
    private const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
        A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>tanh x, lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var x2 = x * x;
        var p = Vector512.MultiplyAddEstimate(Vector512.Create(A13), x2, Vector512.Create(A11));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(A9));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(A7));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(A5));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(A3));
        p = Vector512.MultiplyAddEstimate(p, x2, Vector512.Create(A1));
        var q = Vector512.MultiplyAddEstimate(Vector512.Create(B6), x2, Vector512.Create(B4));
        q = Vector512.MultiplyAddEstimate(q, x2, Vector512.Create(B2));
        q = Vector512.MultiplyAddEstimate(q, x2, Vector512.Create(B0));
        var ratio = p * x / q;
        var signedOne = (x & Vector512.Create(-0f)) | Vector512<float>.One;
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512.Abs(x), Vector512.Create(Saturation)), signedOne, ratio);
    }

    /// <summary>tanh x, lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var x2 = x * x;
        var p = Vector256.MultiplyAddEstimate(Vector256.Create(A13), x2, Vector256.Create(A11));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(A9));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(A7));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(A5));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(A3));
        p = Vector256.MultiplyAddEstimate(p, x2, Vector256.Create(A1));
        var q = Vector256.MultiplyAddEstimate(Vector256.Create(B6), x2, Vector256.Create(B4));
        q = Vector256.MultiplyAddEstimate(q, x2, Vector256.Create(B2));
        q = Vector256.MultiplyAddEstimate(q, x2, Vector256.Create(B0));
        var ratio = p * x / q;
        var signedOne = (x & Vector256.Create(-0f)) | Vector256<float>.One;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256.Abs(x), Vector256.Create(Saturation)), signedOne, ratio);
    }

    /// <summary>tanh x, lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var x2 = x * x;
        var p = Vector128.MultiplyAddEstimate(Vector128.Create(A13), x2, Vector128.Create(A11));
        p = Vector128.MultiplyAddEstimate(p, x2, Vector128.Create(A9));
        p = Vector128.MultiplyAddEstimate(p, x2, Vector128.Create(A7));
        p = Vector128.MultiplyAddEstimate(p, x2, Vector128.Create(A5));
        p = Vector128.MultiplyAddEstimate(p, x2, Vector128.Create(A3));
        p = Vector128.MultiplyAddEstimate(p, x2, Vector128.Create(A1));
        var q = Vector128.MultiplyAddEstimate(Vector128.Create(B6), x2, Vector128.Create(B4));
        q = Vector128.MultiplyAddEstimate(q, x2, Vector128.Create(B2));
        q = Vector128.MultiplyAddEstimate(q, x2, Vector128.Create(B0));
        var ratio = p * x / q;
        var signedOne = (x & Vector128.Create(-0f)) | Vector128<float>.One;
        return Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(Vector128.Abs(x), Vector128.Create(Saturation)), signedOne, ratio);
    }

    /// <summary>1 / (1 + e^−x) = ½ + ½·tanh(x/2), lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x)
    {
        var half = Vector512.Create(0.5f);
        return Vector512.MultiplyAddEstimate(Tanh(x * half), half, half);
    }

    /// <summary>
    /// σ in the lanes where <paramref name="scale"/> is ½ and tanh where it is 1, as ½·tanh(x/2) + ½ and tanh(x):
    /// scale·tanh(scale·x) + (1 − scale). One polynomial for a vector that holds two gates (an LSTM block's [g | o]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SigmoidOrTanh(Vector512<float> x, Vector512<float> scale) =>
        Vector512.MultiplyAddEstimate(Tanh(x * scale), scale, Vector512<float>.One - scale);

    /// <summary>1 / (1 + e^−x) = ½ + ½·tanh(x/2), lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x)
    {
        var half = Vector256.Create(0.5f);
        return Vector256.MultiplyAddEstimate(Tanh(x * half), half, half);
    }

    /// <summary>1 / (1 + e^−x) = ½ + ½·tanh(x/2), lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x)
    {
        var half = Vector128.Create(0.5f);
        return Vector128.MultiplyAddEstimate(Tanh(x * half), half, half);
    }

    /// <summary>max(x, 0) keeping NaN, lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Relu(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.Zero, x);

    /// <summary>max(x, 0) keeping NaN, lane-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Relu(Vector128<float> x) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128<float>.Zero, x);
}
