using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>Which MUT cell (Jozefowicz, Zaremba and Sutskever 2015) a <see cref="MutCells"/> call computes.</summary>
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

/// <summary>
/// One timestep (<see cref="Step"/>) and a chunk of timesteps (<see cref="Run"/>) of the MUT1–MUT3 cells, on weights packed
/// in panels (<see cref="PanelGemv"/>).
/// </summary>
/// <remarks>
/// <para>
/// Gate layout. With P = <c>PanelGemv.Padded(H)</c>, the gate scratch of one step is three segments of P floats,
/// <c>[c | z | r]</c> (c the candidate's pre-activation); each segment starts on a panel boundary so a product can add
/// into it. Every product computes only the terms the equations name:
/// </para>
/// <list type="table">
/// <listheader><term>packed array</term><description>rows (each block P rows, zero rows past H)</description></listheader>
/// <item><term><c>inputWeights</c> [·, in]</term><description>MUT1 <c>[W_xz; W_xr]</c> into <c>[z | r]</c>; MUT2 <c>[W_xh; W_xz]</c> into <c>[c | z]</c>; MUT3 <c>[W_xh; W_xz; W_xr]</c> into <c>[c | z | r]</c></description></item>
/// <item><term><c>recurrentWeights</c> [·, H]</term><description>MUT1 <c>W_hr</c> (× h into r); MUT2 <c>[W_hz; W_hr]</c> (× h into <c>[z | r]</c>); MUT3 <c>[W_hz; W_hr]</c> (the first P rows × tanh(h) into z, the rest × h into r)</description></item>
/// <item><term><c>candidateWeights</c> [P, H]</term><description><c>W_hh</c>, × (r⊙h) into c</description></item>
/// <item><term><c>bias</c> [3P]</term><description><c>[b_h | b_z | b_r]</c> (zeros without biases): the input product starts from its slice;
/// MUT1's c segment starts from tanh(x) + b_h and MUT2's r segment from x + b_r, written element-wise.</description></item>
/// </list>
/// <para>
/// So a MUT3 step streams 3H·in + 3H² weights once, and MUT1 and MUT2 add x or tanh(x) in an O(H) pass rather than an
/// identity matrix. <see cref="Run"/> computes the input product of every step of the chunk at once (<see cref="PanelGemm"/>).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MutCells
{
    /// <summary>Floats of one step's gate scratch: <c>[c | z | r]</c>, each padded to whole panels.</summary>
    public static int GateRows(int hidden) => 3 * PanelGemv.Padded(hidden);

    /// <summary>Packed rows of <c>inputWeights</c> (and of the bias slice that starts it) for <paramref name="variant"/>.</summary>
    public static int InputRows(MutVariant variant, int hidden) =>
        (variant == MutVariant.Mut3 ? 3 : 2) * PanelGemv.Padded(hidden);

    /// <summary>Packed rows of <c>recurrentWeights</c> for <paramref name="variant"/>.</summary>
    public static int RecurrentRows(MutVariant variant, int hidden) =>
        (variant == MutVariant.Mut1 ? 1 : 2) * PanelGemv.Padded(hidden);

    /// <summary>Where the input product lands in the gate scratch: after c for MUT1 (whose c has no input weights), else at 0.</summary>
    private static int InputOffset(MutVariant variant, int hidden) => variant == MutVariant.Mut1 ? PanelGemv.Padded(hidden) : 0;

    /// <summary>
    /// One timestep: <paramref name="h"/> becomes h′. <paramref name="gates"/>: <see cref="GateRows"/> floats;
    /// <paramref name="work"/>: at least H floats. MUT1 and MUT2 need <c>x.Length == h.Length</c>.
    /// </summary>
    public static void Step(MutVariant variant, ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> candidateWeights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> h,
        Span<float> gates, Span<float> work)
    {
        int hidden = h.Length;
        CheckSizes(variant, bias, x.Length, hidden, gates.Length, work.Length);
        int offset = InputOffset(variant, hidden), rows = InputRows(variant, hidden);
        PanelGemv.Multiply(inputWeights, x, bias.Slice(offset, rows), gates.Slice(offset, rows));
        Recurrent(variant, recurrentWeights, candidateWeights, bias, x, h, gates, work.Slice(0, hidden));
    }

    /// <summary>
    /// <paramref name="steps"/> timesteps over rows of <paramref name="inputStride"/> floats (the first <c>in</c> of each
    /// are the input), each step's h′ written to a row of <paramref name="outputs"/> (<paramref name="outputStride"/> apart).
    /// <paramref name="gates"/>: steps × <see cref="GateRows"/> floats; <paramref name="work"/>: at least H floats.
    /// </summary>
    public static void Run(MutVariant variant, ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> candidateWeights, ReadOnlySpan<float> bias, ReadOnlySpan<float> inputs, int inputStride, int steps,
        Span<float> h, Span<float> gates, Span<float> work, Span<float> outputs, int outputStride)
    {
        int hidden = h.Length, stepRows = GateRows(hidden);
        int offset = InputOffset(variant, hidden), rows = InputRows(variant, hidden);
        int columns = inputWeights.Length / rows;
        CheckSizes(variant, bias, columns, hidden, steps > 0 ? gates.Length / steps : stepRows, work.Length);
        PanelGemm.Multiply(inputWeights, columns, bias.Slice(offset, rows), inputs, inputStride, gates.Slice(offset), stepRows, steps);
        for (int t = 0; t < steps; t++)
        {
            Recurrent(variant, recurrentWeights, candidateWeights, bias, inputs.Slice(t * inputStride, columns), h,
                gates.Slice(t * stepRows, stepRows), work.Slice(0, hidden));
            h.CopyTo(outputs.Slice(t * outputStride, hidden));
        }
    }

    private static void CheckSizes(MutVariant variant, ReadOnlySpan<float> bias, int inputs, int hidden, int gates, int work)
    {
        if (variant is < MutVariant.Mut1 or > MutVariant.Mut3)
            throw new ArgumentOutOfRangeException(nameof(variant), variant, "not a MUT cell");
        if (variant != MutVariant.Mut3 && inputs != hidden)
            throw new ArgumentException($"{variant} adds its input to the hidden state's width: input size {inputs} must equal hidden size {hidden}");
        if (bias.Length != GateRows(hidden) || gates < GateRows(hidden) || work < hidden)
            throw new ArgumentException(
                $"{variant} with hidden size {hidden} needs a bias of {GateRows(hidden)} floats (got {bias.Length}), {GateRows(hidden)} gate floats per step (got {gates}) and {hidden} work floats (got {work})");
    }

    /// <summary>Everything after the input product: the recurrent terms, the gates, the candidate and the blend.</summary>
    private static void Recurrent(MutVariant variant, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> h, Span<float> gates, Span<float> work)
    {
        int hidden = h.Length, padded = PanelGemv.Padded(hidden);
        var candidate = gates.Slice(0, padded);
        var update = gates.Slice(padded, padded);
        var reset = gates.Slice(2 * padded, padded);
        switch (variant)
        {
            case MutVariant.Mut1:
                // c starts as tanh(x) + b_h; r gets W_hr h.
                x.CopyTo(candidate);
                Cells.Activate(candidate.Slice(0, hidden), ActivationKind.Tanh);
                Add(candidate.Slice(0, hidden), bias.Slice(0, hidden), candidate);
                PanelGemv.MultiplyAdd(recurrentWeights, h, reset);
                break;
            case MutVariant.Mut2:
                // r starts as x + b_r; one product adds [W_hz; W_hr] h to [z | r].
                Add(x, bias.Slice(2 * padded, hidden), reset);
                PanelGemv.MultiplyAdd(recurrentWeights, h, gates.Slice(padded, 2 * padded));
                break;
            default:
                // z gets W_hz tanh(h), r gets W_hr h: the same packed array, two halves, two input vectors.
                h.CopyTo(work);
                Cells.Activate(work, ActivationKind.Tanh);
                int half = padded * hidden;
                PanelGemv.MultiplyAdd(recurrentWeights.Slice(0, half), work, update);
                PanelGemv.MultiplyAdd(recurrentWeights.Slice(half, half), h, reset);
                break;
        }
        Cells.Activate(update.Slice(0, hidden), ActivationKind.Sigmoid);
        Cells.Activate(reset.Slice(0, hidden), ActivationKind.Sigmoid);
        Multiply(reset, h, work);
        PanelGemv.MultiplyAdd(candidateWeights, work, candidate);
        Blend(candidate, update, h);
    }

    /// <summary>destination[j] = a[j] + b[j] for j &lt; a.Length.</summary>
    private static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        int n = a.Length;
        ref float av = ref MemoryMarshal.GetReference(a);
        ref float bv = ref MemoryMarshal.GetReference(b);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8) (Vector256.LoadUnsafe(ref av, (nuint)j) + Vector256.LoadUnsafe(ref bv, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= n; j += 4) (Vector128.LoadUnsafe(ref av, (nuint)j) + Vector128.LoadUnsafe(ref bv, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref d, j) = Unsafe.Add(ref av, j) + Unsafe.Add(ref bv, j);
    }

    /// <summary>destination[j] = r[j]·h[j] for j &lt; h.Length (= destination.Length).</summary>
    private static void Multiply(ReadOnlySpan<float> r, ReadOnlySpan<float> h, Span<float> destination)
    {
        int n = destination.Length;
        ref float rv = ref MemoryMarshal.GetReference(r);
        ref float hv = ref MemoryMarshal.GetReference(h);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8) (Vector256.LoadUnsafe(ref rv, (nuint)j) * Vector256.LoadUnsafe(ref hv, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= n; j += 4) (Vector128.LoadUnsafe(ref rv, (nuint)j) * Vector128.LoadUnsafe(ref hv, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref d, j) = Unsafe.Add(ref rv, j) * Unsafe.Add(ref hv, j);
    }

    /// <summary>h[j] = tanh(c[j])·z[j] + h[j]·(1 − z[j]), the equations' order of terms, for j &lt; h.Length.</summary>
    private static void Blend(ReadOnlySpan<float> candidate, ReadOnlySpan<float> update, Span<float> h)
    {
        int n = h.Length;
        ref float c = ref MemoryMarshal.GetReference(candidate);
        ref float z = ref MemoryMarshal.GetReference(update);
        ref float hv = ref MemoryMarshal.GetReference(h);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= n; j += 8)
            {
                nuint k = (nuint)j;
                var zj = Vector256.LoadUnsafe(ref z, k);
                var kept = Vector256.LoadUnsafe(ref hv, k) * (Vector256<float>.One - zj);
                Vector256.MultiplyAddEstimate(VectorMath.Tanh(Vector256.LoadUnsafe(ref c, k)), zj, kept).StoreUnsafe(ref hv, k);
            }
        }
        if (Vector128.IsHardwareAccelerated)
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
