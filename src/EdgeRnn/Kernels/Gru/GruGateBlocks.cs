using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static EdgeRnn.KernelLayout;

namespace EdgeRnn.Kernels;

public static partial class GateBlocks
{
    /// <summary>
    /// GRU (reset_after, PyTorch's): with <paramref name="inputGates"/> = W_ih x + b_ih and the recurrent part
    /// a = W_hh h + b_hh (both interleaved): r = σ(x_r + a_r), z = σ(x_z + a_z), n = tanh(x_n + r⊙a_n), h = (1 − z)⊙n + z⊙h.
    /// <paramref name="inputGates"/> is overwritten; <paramref name="hNew"/> is at least <c>Rows(H, 3) / 3</c> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruRecurrent(ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> recurrentBias, Span<float> inputGates,
        Span<float> h, Span<float> hNew)
    {
        int hidden = h.Length;
        int blocks = BlockCount(hidden, GruGates);
        int rows = blocks * GruBlockRows;
        if (recurrentWeights.Length != rows * hidden || recurrentBias.Length != rows || inputGates.Length < rows || hNew.Length < blocks * GruBlockUnits)
            ThrowSizes(recurrentWeights.Length, inputGates.Length, hidden, hNew.Length);

        ref float w = ref MemoryMarshal.GetReference(recurrentWeights);
        ref float b = ref MemoryMarshal.GetReference(recurrentBias);
        ref float x = ref MemoryMarshal.GetReference(inputGates);
        ref float hs = ref MemoryMarshal.GetReference(h);
        ref float hn = ref MemoryMarshal.GetReference(hNew);
        // Pass 1: per block, x_r + a_r and x_z + a_z over the input gates and a_n into hNew.
        switch (Isa.Widest)
        {
            case SimdWidth.Vector512: GruProduct512(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks); break;
            case SimdWidth.Vector256: GruProduct256(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks); break;
            case SimdWidth.Vector128: GruProduct128(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks); break;
            default: GruProductScalar(ref w, ref b, ref x, ref hs, ref hn, hidden, blocks); break;
        }
        GruActivateUpdate(ref x, ref hs, ref hn, hidden);
        hNew.Slice(0, hidden).CopyTo(h);
    }

    /// <summary>
    /// Pass 2 of <see cref="GruRecurrent"/> (also the generated fixed steps' on 16-register AVX2): σ of the r and z
    /// rows (x_r + a_r, x_z + a_z) of every block, then each block's new h over x_n (the n rows) and a_n (in
    /// <paramref name="hNew"/> at the units' positions, overwritten with the new h). Unchecked: the caller sizes the buffers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GruActivateUpdate(ref float gates, ref float h, ref float hNew, int hidden)
    {
        // Whole blocks pass a constant count (the inlined update's loop bounds become constants), the last, partial
        // block (if any) only the units up to the hidden size.
        int blocks = BlockCount(hidden, GruGates);
        GruCell.ActivateBlocks(ref gates, blocks);
        int whole = hidden / GruBlockUnits;
        for (int block = 0; block < whole; block++)
            UpdateGruBlock(ref gates, ref h, ref hNew, block, GruBlockUnits);
        if (whole < blocks)
            UpdateGruBlock(ref gates, ref h, ref hNew, whole, hidden - whole * GruBlockUnits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateGruBlock(ref float gates, ref float hs, ref float hn, int block, int units)
    {
        ref float xb = ref Unsafe.Add(ref gates, block * GruBlockRows);
        int unit = block * GruBlockUnits;
        ref float an = ref Unsafe.Add(ref hn, unit);
        GruCell.Update<GruCell.ResetAfter>(ref xb, ref Unsafe.Add(ref xb, GruBlockUnits), ref Unsafe.Add(ref xb, 2 * GruBlockUnits), ref an,
            ref Unsafe.Add(ref hs, unit), ref an, units);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruProduct512(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * GruBlockRows); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            nuint row = (nuint)(b * GruBlockRows);
            // Two column phases × three gates: six FMA chains.
            var ar = Vector512.LoadUnsafe(ref bias, row);
            var az = Vector512.LoadUnsafe(ref bias, row + 16);
            var an = Vector512.LoadUnsafe(ref bias, row + 32);
            Vector512<float> br = default, bz = default, bn = default;
            int j = 0;
            for (; j + 2 <= hidden; j += 2)
            {
                nuint k = (nuint)(j * GruBlockRows);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                var h1 = Vector512.Create(Unsafe.Add(ref hs, j + 1));
                ar = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wr, k), h0, ar);
                az = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wz, k), h0, az);
                an = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wn, k), h0, an);
                br = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wr, k + GruBlockRows), h1, br);
                bz = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wz, k + GruBlockRows), h1, bz);
                bn = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wn, k + GruBlockRows), h1, bn);
            }
            if (j < hidden)
            {
                nuint k = (nuint)(j * GruBlockRows);
                var h0 = Vector512.Create(Unsafe.Add(ref hs, j));
                ar = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wr, k), h0, ar);
                az = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wz, k), h0, az);
                an = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wn, k), h0, an);
            }
            (Vector512.LoadUnsafe(ref x, row) + (ar + br)).StoreUnsafe(ref x, row);
            (Vector512.LoadUnsafe(ref x, row + 16) + (az + bz)).StoreUnsafe(ref x, row + 16);
            (an + bn).StoreUnsafe(ref hn, (nuint)(b * GruBlockUnits));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruProduct256(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * GruBlockRows); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            nuint row = (nuint)(b * GruBlockRows);
            // Three gates × two halves: six FMA chains, one broadcast per six FMAs.
            var r0 = Vector256.LoadUnsafe(ref bias, row);
            var r1 = Vector256.LoadUnsafe(ref bias, row + 8);
            var z0 = Vector256.LoadUnsafe(ref bias, row + 16);
            var z1 = Vector256.LoadUnsafe(ref bias, row + 24);
            var n0 = Vector256.LoadUnsafe(ref bias, row + 32);
            var n1 = Vector256.LoadUnsafe(ref bias, row + 40);
            for (int j = 0; j < hidden; j++)
            {
                nuint k = (nuint)(j * GruBlockRows);
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
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruProduct128(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wr = ref Unsafe.Add(ref w, (nint)b * hidden * GruBlockRows); // per column: r, z, n
            ref float wz = ref Unsafe.Add(ref wr, 16);
            ref float wn = ref Unsafe.Add(ref wr, 32);
            // Half a block (eight units) at a time: six 4-lane accumulators.
            for (int half = 0; half < 2; half++)
            {
                nuint row = (nuint)(b * GruBlockRows + 8 * half);
                var r0 = Vector128.LoadUnsafe(ref bias, row);
                var r1 = Vector128.LoadUnsafe(ref bias, row + 4);
                var z0 = Vector128.LoadUnsafe(ref bias, row + 16);
                var z1 = Vector128.LoadUnsafe(ref bias, row + 20);
                var n0 = Vector128.LoadUnsafe(ref bias, row + 32);
                var n1 = Vector128.LoadUnsafe(ref bias, row + 36);
                nuint lane = (nuint)(8 * half);
                for (int j = 0; j < hidden; j++)
                {
                    nuint k = (nuint)(j * GruBlockRows) + lane;
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
    }

    /// <summary>No SIMD: the same block order and pass-1 results, one row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruProductScalar(ref float w, ref float bias, ref float x, ref float hs, ref float hn, int hidden, int blocks)
    {
        for (int b = 0; b < blocks; b++)
        {
            ref float wb = ref Unsafe.Add(ref w, (nint)b * hidden * GruBlockRows);
            for (int r = 0; r < GruBlockRows; r++)
            {
                int row = b * GruBlockRows + r;
                float sum = Unsafe.Add(ref bias, row);
                for (int j = 0; j < hidden; j++)
                    sum += Unsafe.Add(ref wb, j * GruBlockRows + r) * Unsafe.Add(ref hs, j);
                if (r < 2 * GruBlockUnits) Unsafe.Add(ref x, row) += sum;
                else Unsafe.Add(ref hn, b * GruBlockUnits + r - 2 * GruBlockUnits) = sum;
            }
        }
    }
}
