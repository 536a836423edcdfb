using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>Which MUT cell (Jozefowicz, Zaremba and Sutskever 2015) a <see cref="Cells.Mut"/> call computes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum MutVariant
{
    /// <summary>z = σ(W_xz x + b_z); r = σ(W_xr x + W_hr h + b_r); h′ = tanh(W_hh (r⊙h) + tanh(x) + b_h)⊙z + h⊙(1 − z).</summary>
    Mut1 = 1,
    /// <summary>z = σ(W_xz x + W_hz h + b_z); r = σ(x + W_hr h + b_r); h′ = tanh(W_hh (r⊙h) + W_xh x + b_h)⊙z + h⊙(1 − z).</summary>
    Mut2 = 2,
    /// <summary>z = σ(W_xz x + W_hz tanh(h) + b_z); r = σ(W_xr x + W_hr h + b_r); h′ = tanh(W_hh (r⊙h) + W_xh x + b_h)⊙z + h⊙(1 − z).</summary>
    Mut3 = 3,
}

public static partial class Cells
{
    /// <summary>
    /// One timestep of a MUT1, MUT2 or MUT3 cell: <paramref name="h"/> becomes h′. <paramref name="gates"/>:
    /// <see cref="MutGateRows"/> floats; <paramref name="work"/>: at least H floats. MUT1 and MUT2 need <c>x.Length == h.Length</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Gate layout. With P = <c>KernelLayout.Padded(H)</c>, the gate scratch of one step is three segments of P floats,
    /// <c>[c | z | r]</c> (c the candidate's pre-activation); each starts on a panel boundary, so a product can add into one.
    /// Every product computes only the terms the equations name (packed as <see cref="PanelGemv"/> reads them):
    /// </para>
    /// <list type="table">
    /// <listheader><term>packed array</term><description>rows (blocks of P rows, zero rows past H)</description></listheader>
    /// <item><term><c>inputWeights</c> [·, in]</term><description>MUT1 <c>[W_xz; W_xr]</c> into <c>[z | r]</c>; MUT2 <c>[W_xh; W_xz]</c> into <c>[c | z]</c>; MUT3 <c>[W_xh; W_xz; W_xr]</c> into <c>[c | z | r]</c></description></item>
    /// <item><term><c>recurrentWeights</c> [·, H]</term><description>MUT1 <c>W_hr</c> (× h into r); MUT2 <c>[W_hz; W_hr]</c> (× h into <c>[z | r]</c>); MUT3 <c>[W_hz; W_hr]</c> (the first P rows × tanh(h) into z, the others × h into r)</description></item>
    /// <item><term><c>candidateWeights</c> [P, H]</term><description><c>W_hh</c>, × (r⊙h) into c</description></item>
    /// <item><term><c>bias</c> [3P]</term><description><c>[b_h | b_z | b_r]</c> (zeros without biases): the input product starts from its slice;
    /// MUT1's c segment starts from tanh(x) + b_h and MUT2's r segment from x + b_r, written element-wise.</description></item>
    /// </list>
    /// <para>
    /// So a MUT3 step streams its 3H·in + 3H² weights once, and MUT1 and MUT2 add tanh(x) or x in an O(H) pass rather than
    /// through an identity matrix. <see cref="Sequences.Mut"/> computes the input product of a whole chunk at once.
    /// </para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mut(MutVariant variant, ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> candidateWeights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> h,
        Span<float> gates, Span<float> work)
    {
        int hidden = h.Length;
        CheckMutSizes(variant, bias, x.Length, hidden, gates.Length, work.Length);
        int offset = MutInputOffset(variant, hidden), rows = MutInputRows(variant, hidden);
        PanelGemv.Multiply(inputWeights, x, bias.Slice(offset, rows), gates.Slice(offset, rows));
        MutRecurrent(variant, recurrentWeights, candidateWeights, bias, x, h, gates, work.Slice(0, hidden));
    }

    /// <summary>Floats of one MUT step's gate scratch: <c>[c | z | r]</c>, each padded to whole panels.</summary>
    public static int MutGateRows(int hidden) => 3 * KernelLayout.Padded(hidden);

    /// <summary>Packed rows of a MUT cell's <c>inputWeights</c> (and of the bias slice that starts their product).</summary>
    public static int MutInputRows(MutVariant variant, int hidden) =>
        (variant == MutVariant.Mut3 ? 3 : 2) * KernelLayout.Padded(hidden);

    /// <summary>Packed rows of a MUT cell's <c>recurrentWeights</c>.</summary>
    public static int MutRecurrentRows(MutVariant variant, int hidden) =>
        (variant == MutVariant.Mut1 ? 1 : 2) * KernelLayout.Padded(hidden);

    /// <summary>Where the input product lands in the gate scratch: after c for MUT1 (whose c has no input weights), else at 0.</summary>
    internal static int MutInputOffset(MutVariant variant, int hidden) => variant == MutVariant.Mut1 ? KernelLayout.Padded(hidden) : 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void CheckMutSizes(MutVariant variant, ReadOnlySpan<float> bias, int inputs, int hidden, int gates, int work)
    {
        if (variant is < MutVariant.Mut1 or > MutVariant.Mut3)
            throw new ArgumentOutOfRangeException(nameof(variant), variant, "not a MUT cell");
        if (variant != MutVariant.Mut3 && inputs != hidden)
            throw new ArgumentException($"{variant} adds its input to the hidden state's width: input size {inputs} must equal hidden size {hidden}");
        if (bias.Length != MutGateRows(hidden) || gates < MutGateRows(hidden) || work < hidden)
            throw new ArgumentException(
                $"{variant} with hidden size {hidden} needs a bias of {MutGateRows(hidden)} floats (got {bias.Length}), {MutGateRows(hidden)} gate floats per step (got {gates}) and {hidden} work floats (got {work})");
    }

    /// <summary>Everything after the input product: the recurrent terms, the gates, the candidate and the blend.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MutRecurrent(MutVariant variant, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> h, Span<float> gates, Span<float> work)
    {
        int hidden = h.Length, padded = KernelLayout.Padded(hidden);
        var candidate = gates.Slice(0, padded);
        var update = gates.Slice(padded, padded);
        var reset = gates.Slice(2 * padded, padded);
        switch (variant)
        {
            case MutVariant.Mut1:
                // c starts as tanh(x) + b_h; r gets W_hr h.
                x.CopyTo(candidate);
                ElementWise.Apply<TanhOperator>(candidate.Slice(0, hidden));
                ElementWise.Add(candidate.Slice(0, hidden), bias.Slice(0, hidden));
                PanelGemv.MultiplyAdd(recurrentWeights, h, reset);
                break;
            case MutVariant.Mut2:
                // r starts as x + b_r; one product adds [W_hz; W_hr] h to [z | r].
                x.CopyTo(reset);
                ElementWise.Add(reset.Slice(0, hidden), bias.Slice(2 * padded, hidden));
                PanelGemv.MultiplyAdd(recurrentWeights, h, gates.Slice(padded, 2 * padded));
                break;
            default:
                // z gets W_hz tanh(h), r gets W_hr h: the same packed array, two halves, two input vectors.
                h.CopyTo(work);
                ElementWise.Apply<TanhOperator>(work);
                int half = padded * hidden;
                PanelGemv.MultiplyAdd(recurrentWeights.Slice(0, half), work, update);
                PanelGemv.MultiplyAdd(recurrentWeights.Slice(half, half), h, reset);
                break;
        }
        ElementWise.Apply<SigmoidOperator>(update.Slice(0, hidden));
        ElementWise.Apply<SigmoidOperator>(reset.Slice(0, hidden));
        Multiply(reset, h, work);
        PanelGemv.MultiplyAdd(candidateWeights, work, candidate);
        MutBlend(candidate, update, h);
    }

    /// <summary>destination[j] = a[j]·b[j] for j &lt; destination.Length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        int n = destination.Length;
        ref float av = ref MemoryMarshal.GetReference(a);
        ref float bv = ref MemoryMarshal.GetReference(b);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
            for (; j + 8 <= n; j += 8) (Vector256.LoadUnsafe(ref av, (nuint)j) * Vector256.LoadUnsafe(ref bv, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        if (Isa.Widest >= SimdWidth.Vector128)
            for (; j + 4 <= n; j += 4) (Vector128.LoadUnsafe(ref av, (nuint)j) * Vector128.LoadUnsafe(ref bv, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref d, j) = Unsafe.Add(ref av, j) * Unsafe.Add(ref bv, j);
    }

    /// <summary>h[j] = tanh(c[j])·z[j] + h[j]·(1 − z[j]), the equations' order of terms, for j &lt; h.Length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MutBlend(ReadOnlySpan<float> candidate, ReadOnlySpan<float> update, Span<float> h)
    {
        int n = h.Length;
        ref float c = ref MemoryMarshal.GetReference(candidate);
        ref float z = ref MemoryMarshal.GetReference(update);
        ref float hv = ref MemoryMarshal.GetReference(h);
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
        {
            for (; j + 8 <= n; j += 8)
            {
                nuint k = (nuint)j;
                var zj = Vector256.LoadUnsafe(ref z, k);
                var kept = Vector256.LoadUnsafe(ref hv, k) * (Vector256<float>.One - zj);
                Vector256.MultiplyAddEstimate(VectorMath.Tanh(Vector256.LoadUnsafe(ref c, k)), zj, kept).StoreUnsafe(ref hv, k);
            }
        }
        if (Isa.Widest >= SimdWidth.Vector128)
        {
            for (; j + 4 <= n; j += 4)
            {
                nuint k = (nuint)j;
                var zj = Vector128.LoadUnsafe(ref z, k);
                var kept = Vector128.LoadUnsafe(ref hv, k) * (Vector128<float>.One - zj);
                Vector128.MultiplyAddEstimate(VectorMath.Tanh(Vector128.LoadUnsafe(ref c, k)), zj, kept).StoreUnsafe(ref hv, k);
            }
        }
        for (; j < n; j++)
        {
            float zj = Unsafe.Add(ref z, j);
            Unsafe.Add(ref hv, j) = Activations.Tanh(Unsafe.Add(ref c, j)) * zj + Unsafe.Add(ref hv, j) * (1f - zj);
        }
    }
}
