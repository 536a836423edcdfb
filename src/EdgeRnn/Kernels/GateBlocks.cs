using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// The recurrent half of an LSTM or GRU step in two passes over blocks of hidden units: first the recurrent
/// matrix-vector product, block by block, leaving each block's pre-activation gates in the gate buffer; then one
/// sweep that activates every gate and updates the state. One activation pass instead of one per gate, and its
/// blocks are independent, so the CPU overlaps their long sigmoid/tanh chains (measured faster than activating each
/// block right after its product, where those chains stall the next block's weight loads).
/// </summary>
/// <remarks>
/// <para>
/// Layout (written by the generator): the gate rows are interleaved by blocks of hidden units. An LSTM block is
/// <see cref="LstmBlockUnits"/> units, 32 rows <c>[i | f | g | o]</c>; a GRU block is <see cref="GruBlockUnits"/> units,
/// 48 rows <c>[r | z | n]</c>. Units past the hidden size are zero rows. The input weights in this row order are packed
/// in panels as for <see cref="PanelGemv"/> (a block is a whole number of panels), so the input projection (Step:
/// <see cref="PanelGemv"/>, Run: <see cref="PanelGemm"/>) needs no other kernel. The recurrent weights are packed one
/// block at a time, column-major inside the block: each column of a block is 32 (48) contiguous floats, so the pass
/// over the weights is one sequential stream — measured 5 cycles per eight FMAs against 7.5 for four 16-row panels.
/// </para>
/// <para>
/// The new h goes to <c>hNew</c> (whole blocks long) and is copied into h at the end, because every block reads
/// all of the old h. The last block's units past the hidden size are computed on zero-padded state and never stored.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GateBlocks
{
    /// <summary>Hidden units per LSTM block: one Vector256 per gate.</summary>
    public const int LstmBlockUnits = 8;

    /// <summary>Hidden units per GRU block: one panel per gate.</summary>
    public const int GruBlockUnits = 16;

    /// <summary>Rows of the interleaved layout for <paramref name="hidden"/> units and <paramref name="gates"/> gates.</summary>
    public static int Rows(int hidden, int gates) => BlockCount(hidden, gates) * BlockUnits(gates) * gates;

    private static int BlockUnits(int gates) => gates == 4 ? LstmBlockUnits : GruBlockUnits;

    private static int BlockCount(int hidden, int gates) => (hidden + BlockUnits(gates) - 1) / BlockUnits(gates);

    /// <summary>
    /// LSTM: gates = <paramref name="inputGates"/> (W_ih x + b_ih + b_hh, interleaved; overwritten with the whole
    /// pre-activation gates) + W_hh h; then c = σ(f)⊙c + σ(i)⊙tanh(g), h = σ(o)⊙tanh(c).
    /// <paramref name="hNew"/> is at least <c>Rows(H, 4) / 4</c> floats.
    /// </summary>
    public static void LstmRecurrent(ReadOnlySpan<float> recurrentWeights, Span<float> inputGates,
        Span<float> h, Span<float> c, Span<float> hNew)
    {
        int hidden = h.Length;
        int blocks = BlockCount(hidden, 4);
        int rows = blocks * 4 * LstmBlockUnits;
        if (recurrentWeights.Length != rows * hidden || inputGates.Length < rows || c.Length != hidden || hNew.Length < blocks * LstmBlockUnits)
            ThrowSizes(recurrentWeights.Length, inputGates.Length, hidden, hNew.Length);

        ref float w = ref MemoryMarshal.GetReference(recurrentWeights);
        ref float x = ref MemoryMarshal.GetReference(inputGates);
        ref float hs = ref MemoryMarshal.GetReference(h);
        ref float cs = ref MemoryMarshal.GetReference(c);
        ref float hn = ref MemoryMarshal.GetReference(hNew);
        if (Vector512.IsHardwareAccelerated || PanelGemv.ForceVector512)
            Lstm512(ref w, ref x, ref hs, ref cs, ref hn, hidden, blocks);
        else if (Vector256.IsHardwareAccelerated)
            Lstm256(ref w, ref x, ref hs, ref cs, ref hn, hidden, blocks);
        else if (Vector128.IsHardwareAccelerated)
            Lstm128(ref w, ref x, ref hs, ref cs, ref hn, hidden, blocks);
        else
            LstmScalar(ref w, ref x, ref hs, ref cs, ref hn, hidden, blocks);
        hNew.Slice(0, hidden).CopyTo(h);
    }

    /// <summary>
    /// GRU (reset_after, PyTorch's): with <paramref name="inputGates"/> = W_ih x + b_ih and the recurrent part
    /// a = W_hh h + b_hh (both interleaved): r = σ(x_r + a_r), z = σ(x_z + a_z), n = tanh(x_n + r⊙a_n), h = (1 − z)⊙n + z⊙h.
    /// <paramref name="inputGates"/> is overwritten; <paramref name="hNew"/> is at least <c>Rows(H, 3) / 3</c> floats.
    /// </summary>
    public static void GruRecurrent(ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> recurrentBias, Span<float> inputGates,
        Span<float> h, Span<float> hNew)
    {
        int hidden = h.Length;
        int blocks = BlockCount(hidden, 3);
        int rows = blocks * 3 * GruBlockUnits;
        if (recurrentWeights.Length != rows * hidden || recurrentBias.Length != rows || inputGates.Length < rows || hNew.Length < blocks * GruBlockUnits)
            ThrowSizes(recurrentWeights.Length, inputGates.Length, hidden, hNew.Length);

        ref float w = ref MemoryMarshal.GetReference(recurrentWeights);
        ref float b = ref MemoryMarshal.GetReference(recurrentBias);
        ref float x = ref MemoryMarshal.GetReference(inputGates);
        ref float hs = ref MemoryMarshal.GetReference(h);
        ref float hn = ref MemoryMarshal.GetReference(hNew);
        if (Vector512.IsHardwareAccelerated || PanelGemv.ForceVector512)
            Gru512(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks);
        else if (Vector256.IsHardwareAccelerated)
            Gru256(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks);
        else if (Vector128.IsHardwareAccelerated)
            Gru128(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks);
        else
            GruScalar(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks);
        hNew.Slice(0, hidden).CopyTo(h);
    }

    private static void ThrowSizes(int weights, int gates, int hidden, int hNew) =>
        throw new ArgumentException($"interleaved gate blocks do not match: {weights} weights, {gates} gates, hidden size {hidden}, hNew {hNew}");

    // ---- LSTM ----

    private static void Lstm512(ref float w, ref float x, ref float hs, ref float cs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * 32); // per column: [i f] [g o]
            ref float xb = ref Unsafe.Add(ref x, b * 32);
            // Four column phases × two 16-lane halves ([i f], [g o]): eight FMA chains.
            var a0 = Vector512.LoadUnsafe(ref xb);
            var a1 = Vector512.LoadUnsafe(ref xb, 16);
            Vector512<float> b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
            int j = 0;
            for (; j + 4 <= hidden; j += 4)
            {
                nuint k = (nuint)(j * 32);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                var h1 = Vector512.Create(Unsafe.Add(ref hs, j + 1));
                var h2 = Vector512.Create(Unsafe.Add(ref hs, j + 2));
                var h3 = Vector512.Create(Unsafe.Add(ref hs, j + 3));
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k), h0, a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 16), h0, a1);
                b0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 32), h1, b0);
                b1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 48), h1, b1);
                c0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 64), h2, c0);
                c1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 80), h2, c1);
                d0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 96), h3, d0);
                d1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 112), h3, d1);
            }
            for (; j < hidden; j++)
            {
                nuint k = (nuint)(j * 32);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k), h0, a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 16), h0, a1);
            }
            ((a0 + b0) + (c0 + d0)).StoreUnsafe(ref xb);
            ((a1 + b1) + (c1 + d1)).StoreUnsafe(ref xb, 16);
        }
        LstmUpdate256(ref x, ref cs, ref hn, hidden, blocks);
    }

    private static void Lstm256(ref float w, ref float x, ref float hs, ref float cs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * 32);
            ref float xb = ref Unsafe.Add(ref x, b * 32);
            // Two column phases × four gates: eight FMA chains, two broadcasts per eight FMAs.
            var ai = Vector256.LoadUnsafe(ref xb);
            var af = Vector256.LoadUnsafe(ref xb, 8);
            var ag = Vector256.LoadUnsafe(ref xb, 16);
            var ao = Vector256.LoadUnsafe(ref xb, 24);
            Vector256<float> bi = default, bf = default, bg = default, bo = default;
            int j = 0;
            for (; j + 2 <= hidden; j += 2)
            {
                nuint k = (nuint)(j * 32);
                var h0 = Vector256.Create(Unsafe.Add(ref hs, j));
                var h1 = Vector256.Create(Unsafe.Add(ref hs, j + 1));
                ai = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k), h0, ai);
                af = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 8), h0, af);
                ag = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 16), h0, ag);
                ao = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 24), h0, ao);
                bi = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 32), h1, bi);
                bf = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 40), h1, bf);
                bg = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 48), h1, bg);
                bo = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 56), h1, bo);
            }
            if (j < hidden)
            {
                nuint k = (nuint)(j * 32);
                var h0 = Vector256.Create(Unsafe.Add(ref hs, j));
                ai = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k), h0, ai);
                af = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 8), h0, af);
                ag = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 16), h0, ag);
                ao = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wb, k + 24), h0, ao);
            }
            (ai + bi).StoreUnsafe(ref xb);
            (af + bf).StoreUnsafe(ref xb, 8);
            (ag + bg).StoreUnsafe(ref xb, 16);
            (ao + bo).StoreUnsafe(ref xb, 24);
        }
        LstmUpdate256(ref x, ref cs, ref hn, hidden, blocks);
    }

    /// <summary>
    /// The cell update of every block from its pre-activation gates (stored over the input gates), in two loops of one
    /// tanh each: first every gate vector is activated in place (σ(x) = ½ + ½·tanh(x/2), g: tanh), then c and h per
    /// block. One tanh per iteration keeps its constants in registers (five inlined into one block spill on AVX2's 16
    /// registers) and the iterations are independent, so the CPU overlaps their long chains (measured 30–40 % faster).
    /// Units at or past <paramref name="hidden"/> are not stored to c.
    /// </summary>
    private static void LstmUpdate256(ref float gates, ref float cs, ref float hn, int hidden, int blocks)
    {
        for (int k = 0; k < blocks * 4; k++)
        {
            var scale = Vector256.Create((k & 3) == 2 ? 1f : 0.5f); // [i f g o]: only g is a tanh
            ref float v = ref Unsafe.Add(ref gates, k * 8);
            Vector256.MultiplyAddEstimate(VectorMath.Tanh(Vector256.LoadUnsafe(ref v) * scale), scale, Vector256<float>.One - scale).StoreUnsafe(ref v);
        }
        for (int b = 0; b < blocks; b++)
        {
            ref float xb = ref Unsafe.Add(ref gates, b * 32);
            int unit = b * LstmBlockUnits;
            bool whole = unit + 8 <= hidden;
            var c = whole ? Vector256.LoadUnsafe(ref cs, (nuint)unit) : LoadPartial256(ref cs, unit, hidden);
            c = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref xb, 8), c, Vector256.LoadUnsafe(ref xb) * Vector256.LoadUnsafe(ref xb, 16));
            if (whole) c.StoreUnsafe(ref cs, (nuint)unit);
            else StorePartial256(c, ref cs, unit, hidden);
            (Vector256.LoadUnsafe(ref xb, 24) * VectorMath.Tanh(c)).StoreUnsafe(ref hn, (nuint)unit);
        }
    }

    private static void Lstm128(ref float w, ref float x, ref float hs, ref float cs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * 32);
            ref float xb = ref Unsafe.Add(ref x, b * 32);
            // Eight 4-lane accumulators: the two halves of each gate.
            var i0 = Vector128.LoadUnsafe(ref xb);
            var i1 = Vector128.LoadUnsafe(ref xb, 4);
            var f0 = Vector128.LoadUnsafe(ref xb, 8);
            var f1 = Vector128.LoadUnsafe(ref xb, 12);
            var g0 = Vector128.LoadUnsafe(ref xb, 16);
            var g1 = Vector128.LoadUnsafe(ref xb, 20);
            var o0 = Vector128.LoadUnsafe(ref xb, 24);
            var o1 = Vector128.LoadUnsafe(ref xb, 28);
            for (int j = 0; j < hidden; j++)
            {
                nuint k = (nuint)(j * 32);
                var hj = Vector128.Create(Unsafe.Add(ref hs, j));
                i0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k), hj, i0);
                i1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 4), hj, i1);
                f0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 8), hj, f0);
                f1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 12), hj, f1);
                g0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 16), hj, g0);
                g1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 20), hj, g1);
                o0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 24), hj, o0);
                o1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wb, k + 28), hj, o1);
            }
            i0.StoreUnsafe(ref xb);
            i1.StoreUnsafe(ref xb, 4);
            f0.StoreUnsafe(ref xb, 8);
            f1.StoreUnsafe(ref xb, 12);
            g0.StoreUnsafe(ref xb, 16);
            g1.StoreUnsafe(ref xb, 20);
            o0.StoreUnsafe(ref xb, 24);
            o1.StoreUnsafe(ref xb, 28);
        }
        for (int b = 0; b < blocks; b++)
        {
            ref float xb = ref Unsafe.Add(ref x, b * 32);
            int unit = b * LstmBlockUnits;
            LstmUnits128(Vector128.LoadUnsafe(ref xb), Vector128.LoadUnsafe(ref xb, 8), Vector128.LoadUnsafe(ref xb, 16), Vector128.LoadUnsafe(ref xb, 24), ref cs, ref hn, unit, hidden);
            LstmUnits128(Vector128.LoadUnsafe(ref xb, 4), Vector128.LoadUnsafe(ref xb, 12), Vector128.LoadUnsafe(ref xb, 20), Vector128.LoadUnsafe(ref xb, 28), ref cs, ref hn, unit + 4, hidden);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LstmUnits128(Vector128<float> i, Vector128<float> f, Vector128<float> g, Vector128<float> o,
        ref float cs, ref float hn, int unit, int hidden)
    {
        bool whole = unit + 4 <= hidden;
        var c = whole ? Vector128.LoadUnsafe(ref cs, (nuint)unit) : LoadPartial128(ref cs, unit, hidden);
        c = Vector128.MultiplyAddEstimate(VectorMath.Sigmoid(f), c, VectorMath.Sigmoid(i) * VectorMath.Tanh(g));
        if (whole) c.StoreUnsafe(ref cs, (nuint)unit);
        else StorePartial128(c, ref cs, unit, hidden);
        (VectorMath.Sigmoid(o) * VectorMath.Tanh(c)).StoreUnsafe(ref hn, (nuint)unit);
    }

    /// <summary>No SIMD: the same block order, one unit at a time.</summary>
    private static void LstmScalar(ref float w, ref float x, ref float hs, ref float cs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * 32);
            for (int u = 0; u < LstmBlockUnits; u++)
            {
                int unit = b * LstmBlockUnits + u;
                if (unit >= hidden) break;
                float i = Unsafe.Add(ref x, b * 32 + u), f = Unsafe.Add(ref x, b * 32 + 8 + u),
                    g = Unsafe.Add(ref x, b * 32 + 16 + u), o = Unsafe.Add(ref x, b * 32 + 24 + u);
                for (int j = 0; j < hidden; j++)
                {
                    float hj = Unsafe.Add(ref hs, j);
                    int k = j * 32 + u;
                    i += Unsafe.Add(ref wb, k) * hj;
                    f += Unsafe.Add(ref wb, k + 8) * hj;
                    g += Unsafe.Add(ref wb, k + 16) * hj;
                    o += Unsafe.Add(ref wb, k + 24) * hj;
                }
                float c = Activations.Sigmoid(f) * Unsafe.Add(ref cs, unit) + Activations.Sigmoid(i) * Activations.Tanh(g);
                Unsafe.Add(ref cs, unit) = c;
                Unsafe.Add(ref hn, unit) = Activations.Sigmoid(o) * Activations.Tanh(c);
            }
        }
    }

    // ---- GRU ----
    // Pass 1 leaves, per block, x_r + a_r and x_z + a_z over the input gates and a_n in hNew; pass 2 (GruUpdate*)
    // activates and writes the new h over a_n.

    private static void Gru512(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * 48); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            nuint row = (nuint)(b * 48);
            // Two column phases × three gates: six FMA chains.
            var ar = Vector512.LoadUnsafe(ref bias, row);
            var az = Vector512.LoadUnsafe(ref bias, row + 16);
            var an = Vector512.LoadUnsafe(ref bias, row + 32);
            Vector512<float> br = default, bz = default, bn = default;
            int j = 0;
            for (; j + 2 <= hidden; j += 2)
            {
                nuint k = (nuint)(j * 48);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                var h1 = Vector512.Create(Unsafe.Add(ref hs, j + 1));
                ar = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wr, k), h0, ar);
                az = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wz, k), h0, az);
                an = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wn, k), h0, an);
                br = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wr, k + 48), h1, br);
                bz = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wz, k + 48), h1, bz);
                bn = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wn, k + 48), h1, bn);
            }
            if (j < hidden)
            {
                nuint k = (nuint)(j * 48);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                ar = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wr, k), h0, ar);
                az = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wz, k), h0, az);
                an = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wn, k), h0, an);
            }
            (Vector512.LoadUnsafe(ref x, row) + (ar + br)).StoreUnsafe(ref x, row);
            (Vector512.LoadUnsafe(ref x, row + 16) + (az + bz)).StoreUnsafe(ref x, row + 16);
            (an + bn).StoreUnsafe(ref hn, (nuint)(b * GruBlockUnits));
        }
        GruUpdate256(ref x, ref hs, ref hn, hidden, blocks);
    }

    private static void Gru256(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * 48); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            nuint row = (nuint)(b * 48);
            // Three gates × two halves: six FMA chains, one broadcast per six FMAs.
            var r0 = Vector256.LoadUnsafe(ref bias, row);
            var r1 = Vector256.LoadUnsafe(ref bias, row + 8);
            var z0 = Vector256.LoadUnsafe(ref bias, row + 16);
            var z1 = Vector256.LoadUnsafe(ref bias, row + 24);
            var n0 = Vector256.LoadUnsafe(ref bias, row + 32);
            var n1 = Vector256.LoadUnsafe(ref bias, row + 40);
            for (int j = 0; j < hidden; j++)
            {
                nuint k = (nuint)(j * 48);
                var hj = Vector256.Create(Unsafe.Add(ref hs, j));
                r0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wr, k), hj, r0);
                r1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wr, k + 8), hj, r1);
                z0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wz, k), hj, z0);
                z1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wz, k + 8), hj, z1);
                n0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wn, k), hj, n0);
                n1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wn, k + 8), hj, n1);
            }
            (Vector256.LoadUnsafe(ref x, row) + r0).StoreUnsafe(ref x, row);
            (Vector256.LoadUnsafe(ref x, row + 8) + r1).StoreUnsafe(ref x, row + 8);
            (Vector256.LoadUnsafe(ref x, row + 16) + z0).StoreUnsafe(ref x, row + 16);
            (Vector256.LoadUnsafe(ref x, row + 24) + z1).StoreUnsafe(ref x, row + 24);
            n0.StoreUnsafe(ref hn, (nuint)(b * GruBlockUnits));
            n1.StoreUnsafe(ref hn, (nuint)(b * GruBlockUnits + 8));
        }
        GruUpdate256(ref x, ref hs, ref hn, hidden, blocks);
    }

    /// <summary>
    /// Pass 2: r = σ(·) and z = σ(·) for every block in place, then eight units at a time n = tanh(x_n + r⊙a_n),
    /// h = (1 − z)⊙n + z⊙h into hNew. One activation per iteration, as in <see cref="LstmUpdate256"/>.
    /// </summary>
    private static void GruUpdate256(ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int k = 0; k < blocks * 4; k++)
        {
            ref float v = ref Unsafe.Add(ref x, k / 4 * 48 + k % 4 * 8); // r and z: the first 32 rows of each block
            VectorMath.Sigmoid(Vector256.LoadUnsafe(ref v)).StoreUnsafe(ref v);
        }
        for (int unit = 0; unit < blocks * GruBlockUnits; unit += 8)
        {
            ref float xb = ref Unsafe.Add(ref x, unit / GruBlockUnits * 48 + unit % GruBlockUnits);
            var z = Vector256.LoadUnsafe(ref xb, 16);
            var n = VectorMath.Tanh(Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref xb), Vector256.LoadUnsafe(ref hn, (nuint)unit), Vector256.LoadUnsafe(ref xb, 32)));
            var h = unit + 8 <= hidden ? Vector256.LoadUnsafe(ref hs, (nuint)unit) : LoadPartial256(ref hs, unit, hidden);
            ((Vector256<float>.One - z) * n + z * h).StoreUnsafe(ref hn, (nuint)unit);
        }
    }

    private static void Gru128(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * 48); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            // Half a block (eight units) at a time: six 4-lane accumulators.
            for (int half = 0; half < 2; half++)
            {
                nuint row = (nuint)(b * 48 + 8 * half);
                var r0 = Vector128.LoadUnsafe(ref bias, row);
                var r1 = Vector128.LoadUnsafe(ref bias, row + 4);
                var z0 = Vector128.LoadUnsafe(ref bias, row + 16);
                var z1 = Vector128.LoadUnsafe(ref bias, row + 20);
                var n0 = Vector128.LoadUnsafe(ref bias, row + 32);
                var n1 = Vector128.LoadUnsafe(ref bias, row + 36);
                nuint lane = (nuint)(8 * half);
                for (int j = 0; j < hidden; j++)
                {
                    nuint k = (nuint)(j * 48) + lane;
                    var hj = Vector128.Create(Unsafe.Add(ref hs, j));
                    r0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wr, k), hj, r0);
                    r1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wr, k + 4), hj, r1);
                    z0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wz, k), hj, z0);
                    z1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wz, k + 4), hj, z1);
                    n0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wn, k), hj, n0);
                    n1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wn, k + 4), hj, n1);
                }
                (Vector128.LoadUnsafe(ref x, row) + r0).StoreUnsafe(ref x, row);
                (Vector128.LoadUnsafe(ref x, row + 4) + r1).StoreUnsafe(ref x, row + 4);
                (Vector128.LoadUnsafe(ref x, row + 16) + z0).StoreUnsafe(ref x, row + 16);
                (Vector128.LoadUnsafe(ref x, row + 20) + z1).StoreUnsafe(ref x, row + 20);
                nuint unit = (nuint)(b * GruBlockUnits + 8 * half);
                n0.StoreUnsafe(ref hn, unit);
                n1.StoreUnsafe(ref hn, unit + 4);
            }
        }
        for (int unit = 0; unit < blocks * GruBlockUnits; unit += 4)
        {
            ref float xb = ref Unsafe.Add(ref x, unit / GruBlockUnits * 48 + unit % GruBlockUnits);
            var r = VectorMath.Sigmoid(Vector128.LoadUnsafe(ref xb));
            var z = VectorMath.Sigmoid(Vector128.LoadUnsafe(ref xb, 16));
            var n = VectorMath.Tanh(Vector128.MultiplyAddEstimate(r, Vector128.LoadUnsafe(ref hn, (nuint)unit), Vector128.LoadUnsafe(ref xb, 32)));
            var h = unit + 4 <= hidden ? Vector128.LoadUnsafe(ref hs, (nuint)unit) : LoadPartial128(ref hs, unit, hidden);
            ((Vector128<float>.One - z) * n + z * h).StoreUnsafe(ref hn, (nuint)unit);
        }
    }

    private static void GruScalar(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * 48); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            for (int u = 0; u < GruBlockUnits; u++)
            {
                int unit = b * GruBlockUnits + u, row = b * 48 + u;
                if (unit >= hidden) break;
                float ar = Unsafe.Add(ref bias, row), az = Unsafe.Add(ref bias, row + 16), an = Unsafe.Add(ref bias, row + 32);
                for (int j = 0; j < hidden; j++)
                {
                    float hj = Unsafe.Add(ref hs, j);
                    int k = j * 48 + u;
                    ar += Unsafe.Add(ref wr, k) * hj;
                    az += Unsafe.Add(ref wz, k) * hj;
                    an += Unsafe.Add(ref wn, k) * hj;
                }
                float r = Activations.Sigmoid(Unsafe.Add(ref x, row) + ar);
                float z = Activations.Sigmoid(Unsafe.Add(ref x, row + 16) + az);
                float n = Activations.Tanh(Unsafe.Add(ref x, row + 32) + r * an);
                Unsafe.Add(ref hn, unit) = (1f - z) * n + z * Unsafe.Add(ref hs, unit);
            }
        }
    }

    // ---- the last, partial block: lanes past the hidden size read as zero and are never written ----

    private static Vector256<float> LoadPartial256(ref float source, int unit, int hidden)
    {
        Span<float> lanes = stackalloc float[8];
        lanes.Clear();
        for (int u = unit; u < hidden; u++) lanes[u - unit] = Unsafe.Add(ref source, u);
        return Vector256.Create((ReadOnlySpan<float>)lanes);
    }

    private static void StorePartial256(Vector256<float> value, ref float destination, int unit, int hidden)
    {
        for (int u = unit; u < hidden; u++) Unsafe.Add(ref destination, u) = value.GetElement(u - unit);
    }

    private static Vector128<float> LoadPartial128(ref float source, int unit, int hidden)
    {
        Span<float> lanes = stackalloc float[4];
        lanes.Clear();
        for (int u = unit; u < hidden && u < unit + 4; u++) lanes[u - unit] = Unsafe.Add(ref source, u);
        return Vector128.Create((ReadOnlySpan<float>)lanes);
    }

    private static void StorePartial128(Vector128<float> value, ref float destination, int unit, int hidden)
    {
        for (int u = unit; u < hidden && u < unit + 4; u++) Unsafe.Add(ref destination, u) = value.GetElement(u - unit);
    }
}
