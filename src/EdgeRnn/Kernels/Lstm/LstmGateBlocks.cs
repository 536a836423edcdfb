using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static EdgeRnn.KernelLayout;

namespace EdgeRnn.Kernels;

public static partial class GateBlocks
{
    /// <summary>
    /// LSTM: gates = <paramref name="inputGates"/> (W_ih x + b_ih + b_hh, interleaved; overwritten with the whole
    /// pre-activation gates) + W_hh h; then c = σ(f)⊙c + σ(i)⊙tanh(g), h = σ(o)⊙tanh(c).
    /// <paramref name="hNew"/> is at least <c>Rows(H, 4) / 4</c> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmRecurrent(ReadOnlySpan<float> recurrentWeights, Span<float> inputGates,
        Span<float> h, Span<float> c, Span<float> hNew)
    {
        int hidden = h.Length;
        int blocks = BlockCount(hidden, LstmGates);
        int rows = blocks * LstmBlockRows;
        if (recurrentWeights.Length != rows * hidden || inputGates.Length < rows || c.Length != hidden || hNew.Length < blocks * LstmBlockUnits)
            ThrowSizes(recurrentWeights.Length, inputGates.Length, hidden, hNew.Length);

        ref float w = ref MemoryMarshal.GetReference(recurrentWeights);
        ref float x = ref MemoryMarshal.GetReference(inputGates);
        ref float hs = ref MemoryMarshal.GetReference(h);
        ref float cs = ref MemoryMarshal.GetReference(c);
        ref float hn = ref MemoryMarshal.GetReference(hNew);
        // Pass 1: the recurrent product, block by block, into the gates.
        switch (Isa.Widest)
        {
            case SimdWidth.Vector512: LstmProduct512(ref w, ref x, ref hs, hidden, blocks); break;
            case SimdWidth.Vector256: LstmProduct256(ref w, ref x, ref hs, hidden, blocks); break;
            case SimdWidth.Vector128: LstmProduct128(ref w, ref x, ref hs, hidden, blocks); break;
            default: LstmProductScalar(ref w, ref x, ref hs, hidden, blocks); break;
        }
        LstmActivateUpdate(ref x, ref cs, ref hn, hidden);
        hNew.Slice(0, hidden).CopyTo(h);
    }

    /// <summary>
    /// Pass 2 of <see cref="LstmRecurrent"/> (also the generated fixed steps' on 16-register AVX2, where activations
    /// inlined after the products spill): activate every gate of the interleaved pre-activation gates, then c and the
    /// new h (into <paramref name="hNew"/>, whole blocks) of each block's units. Unchecked: the caller sizes the buffers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LstmActivateUpdate(ref float gates, ref float c, ref float hNew, int hidden)
    {
        // Whole blocks pass a constant count (the inlined update's loop bounds become constants), the last, partial
        // block (if any) only the units up to the hidden size.
        int blocks = BlockCount(hidden, LstmGates);
        LstmCell.ActivateBlocks(ref gates, blocks);
        int whole = hidden / LstmBlockUnits;
        for (int b = 0; b < whole; b++)
            UpdateLstmBlock(ref gates, ref c, ref hNew, b, LstmBlockUnits);
        if (whole < blocks)
            UpdateLstmBlock(ref gates, ref c, ref hNew, whole, hidden - whole * LstmBlockUnits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateLstmBlock(ref float gates, ref float cs, ref float hn, int block, int units)
    {
        ref float xb = ref Unsafe.Add(ref gates, block * LstmBlockRows);
        int unit = block * LstmBlockUnits;
        LstmCell.Update(ref xb, ref Unsafe.Add(ref xb, LstmBlockUnits), ref Unsafe.Add(ref xb, 2 * LstmBlockUnits), ref Unsafe.Add(ref xb, 3 * LstmBlockUnits),
            ref Unsafe.Add(ref cs, unit), ref Unsafe.Add(ref hn, unit), units);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmProduct512(ref float w, ref float x, ref float hs, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * LstmBlockRows); // per column: [i f] [g o]
            ref float xb = ref Unsafe.Add(ref x, b * LstmBlockRows);
            // Four column phases × two 16-lane halves ([i f], [g o]): eight FMA chains.
            var a0 = Vector512.LoadUnsafe(ref xb);
            var a1 = Vector512.LoadUnsafe(ref xb, 16);
            Vector512<float> b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
            int j = 0;
            for (; j + 4 <= hidden; j += 4)
            {
                nuint k = (nuint)(j * LstmBlockRows);
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
                nuint k = (nuint)(j * LstmBlockRows);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k), h0, a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wb, k + 16), h0, a1);
            }
            ((a0 + b0) + (c0 + d0)).StoreUnsafe(ref xb);
            ((a1 + b1) + (c1 + d1)).StoreUnsafe(ref xb, 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmProduct256(ref float w, ref float x, ref float hs, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * LstmBlockRows);
            ref float xb = ref Unsafe.Add(ref x, b * LstmBlockRows);
            // Two column phases × four gates: eight FMA chains, two broadcasts per eight FMAs.
            var ai = Vector256.LoadUnsafe(ref xb);
            var af = Vector256.LoadUnsafe(ref xb, 8);
            var ag = Vector256.LoadUnsafe(ref xb, 16);
            var ao = Vector256.LoadUnsafe(ref xb, 24);
            Vector256<float> bi = default, bf = default, bg = default, bo = default;
            int j = 0;
            for (; j + 2 <= hidden; j += 2)
            {
                nuint k = (nuint)(j * LstmBlockRows);
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
                nuint k = (nuint)(j * LstmBlockRows);
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmProduct128(ref float w, ref float x, ref float hs, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * LstmBlockRows);
            ref float xb = ref Unsafe.Add(ref x, b * LstmBlockRows);
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
                nuint k = (nuint)(j * LstmBlockRows);
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
    }

    /// <summary>No SIMD: the same block order, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmProductScalar(ref float w, ref float x, ref float hs, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * LstmBlockRows);
            ref float xb = ref Unsafe.Add(ref x, b * LstmBlockRows);
            for (int r = 0; r < LstmBlockRows; r++)
            {
                float sum = Unsafe.Add(ref xb, r);
                for (int j = 0; j < hidden; j++)
                    sum += Unsafe.Add(ref wb, j * LstmBlockRows + r) * Unsafe.Add(ref hs, j);
                Unsafe.Add(ref xb, r) = sum;
            }
        }
    }
}
