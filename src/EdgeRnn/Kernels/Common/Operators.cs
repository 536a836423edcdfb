using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// An element-wise function at every width a kernel loops over (the operator-struct pattern of TensorPrimitives): a
/// kernel generic over <c>TOperator : struct, IUnaryOperator</c> is written once and specialised by the JIT per operator.
/// </summary>
/// <remarks>
/// No Vector512 member, so the Vector512 path runs element-wise passes 8 lanes wide: they go over gate vectors of 8 units
/// (<see cref="KernelLayout.LstmBlockUnits"/>) or short rows, a small part of a step, and a 512-bit member would be a
/// third copy of each polynomial. Add one (and a 16-lane loop in the kernels) if a measurement ever shows it pays.
/// </remarks>
internal interface IUnaryOperator
{
    static abstract float Invoke(float x);
    static abstract Vector128<float> Invoke(Vector128<float> x);
    static abstract Vector256<float> Invoke(Vector256<float> x);
}

/// <summary>The logistic function.</summary>
internal readonly struct SigmoidOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float x) => Activations.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Sigmoid(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Sigmoid(x);
}

/// <summary>The hyperbolic tangent.</summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float x) => Activations.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
}

/// <summary>max(x, 0), NaN kept.</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float x) => Activations.Relu(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Relu(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Relu(x);
}
