using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// Element-wise kernels over spans, each written once: 8 lanes while they fit, then 4, then the scalar tail, as far
/// down as <see cref="Isa.Widest"/> allows.
/// </summary>
internal static class ElementWise
{
    /// <summary>Applies <typeparamref name="TOperator"/> in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOperator>(Span<float> values) where TOperator : struct, IUnaryOperator
    {
        int n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
            for (; j + 8 <= n; j += 8) TOperator.Invoke(Vector256.LoadUnsafe(ref v, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        if (Isa.Widest >= SimdWidth.Vector128)
            for (; j + 4 <= n; j += 4) TOperator.Invoke(Vector128.LoadUnsafe(ref v, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref v, j) = TOperator.Invoke(Unsafe.Add(ref v, j));
    }

    /// <summary>values += other, element-wise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(Span<float> values, ReadOnlySpan<float> other)
    {
        int n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        ref float o = ref MemoryMarshal.GetReference(other);
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
            for (; j + 8 <= n; j += 8) (Vector256.LoadUnsafe(ref v, (nuint)j) + Vector256.LoadUnsafe(ref o, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        if (Isa.Widest >= SimdWidth.Vector128)
            for (; j + 4 <= n; j += 4) (Vector128.LoadUnsafe(ref v, (nuint)j) + Vector128.LoadUnsafe(ref o, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref v, j) += Unsafe.Add(ref o, j);
    }

    /// <summary>Applies an activation in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Activate(Span<float> values, ActivationKind activation)
    {
        switch (activation)
        {
            case ActivationKind.Tanh: Apply<TanhOperator>(values); break;
            case ActivationKind.Sigmoid: Apply<SigmoidOperator>(values); break;
            case ActivationKind.Relu: Apply<ReluOperator>(values); break;
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
