using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// The GRU state update, the one place it is written: n = tanh(candidate), h = (1 − z)⊙n + z⊙h, from activated r and z.
/// The candidate's pre-activation is the one thing the GRU variants disagree on; it is an operator
/// (<see cref="ResetAfter"/>: PyTorch, Keras reset_after=True; <see cref="ResetBefore"/>: Keras reset_after=False).
/// </summary>
internal static class GruCell
{
    /// <summary>
    /// For <paramref name="count"/> consecutive units: n = tanh(<typeparamref name="TCandidate"/>(r, a_n, x_n)),
    /// hOut = (1 − z)⊙n + z⊙h. <paramref name="hOut"/> may be <paramref name="an"/> or <paramref name="h"/> (each lane
    /// is read before it is written). 8 units at a time, then 4, then one, as far down as <see cref="Isa.Widest"/> allows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update<TCandidate>(ref float r, ref float z, ref float xn, ref float an, ref float h, ref float hOut, int count)
        where TCandidate : struct, IGruCandidate
    {
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
        {
            for (; j + 8 <= count; j += 8)
            {
                nuint k = (nuint)j;
                var zj = Vector256.LoadUnsafe(ref z, k);
                var n = VectorMath.Tanh(TCandidate.Invoke(Vector256.LoadUnsafe(ref r, k), Vector256.LoadUnsafe(ref an, k), Vector256.LoadUnsafe(ref xn, k)));
                ((Vector256<float>.One - zj) * n + zj * Vector256.LoadUnsafe(ref h, k)).StoreUnsafe(ref hOut, k);
            }
        }
        if (Isa.Widest >= SimdWidth.Vector128)
        {
            for (; j + 4 <= count; j += 4)
            {
                nuint k = (nuint)j;
                var zj = Vector128.LoadUnsafe(ref z, k);
                var n = VectorMath.Tanh(TCandidate.Invoke(Vector128.LoadUnsafe(ref r, k), Vector128.LoadUnsafe(ref an, k), Vector128.LoadUnsafe(ref xn, k)));
                ((Vector128<float>.One - zj) * n + zj * Vector128.LoadUnsafe(ref h, k)).StoreUnsafe(ref hOut, k);
            }
        }
        for (; j < count; j++)
        {
            float zj = Unsafe.Add(ref z, j);
            float n = Activations.Tanh(TCandidate.Invoke(Unsafe.Add(ref r, j), Unsafe.Add(ref an, j), Unsafe.Add(ref xn, j)));
            Unsafe.Add(ref hOut, j) = (1f - zj) * n + zj * Unsafe.Add(ref h, j);
        }
    }

    /// <summary>
    /// σ over the r and z rows (the first 32 of each 48) of every gate block, in place (layout: <see cref="GateBlocks"/>):
    /// one loop over all blocks, one polynomial per iteration, iterations independent (as <see cref="LstmCell.ActivateBlocks"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActivateBlocks(ref float gates, int blocks)
    {
        const int Rows = 2 * KernelLayout.GruBlockUnits, Stride = KernelLayout.GruBlockRows;
        if (Isa.Widest >= SimdWidth.Vector256)
        {
            for (int k = 0; k < blocks * Rows; k += 8)
            {
                ref float v = ref Unsafe.Add(ref gates, k / Rows * Stride + k % Rows);
                SigmoidOperator.Invoke(Vector256.LoadUnsafe(ref v)).StoreUnsafe(ref v);
            }
        }
        else if (Isa.Widest >= SimdWidth.Vector128)
        {
            for (int k = 0; k < blocks * Rows; k += 4)
            {
                ref float v = ref Unsafe.Add(ref gates, k / Rows * Stride + k % Rows);
                SigmoidOperator.Invoke(Vector128.LoadUnsafe(ref v)).StoreUnsafe(ref v);
            }
        }
        else
        {
            for (int k = 0; k < blocks * Rows; k++)
            {
                ref float v = ref Unsafe.Add(ref gates, k / Rows * Stride + k % Rows);
                v = SigmoidOperator.Invoke(v);
            }
        }
    }

    /// <summary>PyTorch's candidate: x_n + r⊙a_n, with a_n = W_hn h + b_hn.</summary>
    public readonly struct ResetAfter : IGruCandidate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float r, float an, float xn) => xn + r * an;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> r, Vector128<float> an, Vector128<float> xn) => Vector128.MultiplyAddEstimate(r, an, xn);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> r, Vector256<float> an, Vector256<float> xn) => Vector256.MultiplyAddEstimate(r, an, xn);
    }

    /// <summary>Keras reset_after=False: x_n + a_n, with a_n = W_hn (r⊙h) + b_hn (r already applied).</summary>
    public readonly struct ResetBefore : IGruCandidate
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke(float r, float an, float xn) => xn + an;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke(Vector128<float> r, Vector128<float> an, Vector128<float> xn) => xn + an;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke(Vector256<float> r, Vector256<float> an, Vector256<float> xn) => xn + an;
    }
}

/// <summary>The pre-activation of the GRU candidate n from r, the recurrent part a_n and the input part x_n.</summary>
internal interface IGruCandidate
{
    static abstract float Invoke(float r, float an, float xn);
    static abstract Vector128<float> Invoke(Vector128<float> r, Vector128<float> an, Vector128<float> xn);
    static abstract Vector256<float> Invoke(Vector256<float> r, Vector256<float> an, Vector256<float> xn);
}
