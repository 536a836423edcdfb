using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static EdgeRnn.KernelLayout;

namespace EdgeRnn.Kernels;

/// <summary>
/// The input projection of a whole chunk of timesteps at once: Y[t] = bias + W · X[t] for t &lt; n, with W packed in
/// panels as for <see cref="PanelGemv"/>. Four timesteps share every weight load, so the weights are read from
/// memory a quarter as often as n separate matrix-vector products would.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PanelGemm
{
    /// <summary>
    /// For t &lt; <paramref name="steps"/>: Y[t·yStride .. + rows] = bias + W · X[t·xStride .. + columns], rows = bias.Length (padded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ReadOnlySpan<float> packed, int columns, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, int xStride, Span<float> y, int yStride, int steps)
    {
        int rows = bias.Length;
        if (steps == 0) return;
        if (packed.Length != rows * columns || rows % PanelWidth != 0 || yStride < rows || xStride < columns ||
            x.Length < (steps - 1) * xStride + columns || y.Length < (steps - 1) * yStride + rows)
            throw new ArgumentException($"a {rows} × {columns} product over {steps} steps does not fit the spans given");

        int t = 0;
        if (Isa.Widest >= SimdWidth.Vector128)
        {
            ref float w = ref MemoryMarshal.GetReference(packed);
            ref float b = ref MemoryMarshal.GetReference(bias);
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref float ys = ref MemoryMarshal.GetReference(y);
            for (; t + 4 <= steps; t += 4)
            {
                ref float x0 = ref Unsafe.Add(ref xs, t * xStride);
                ref float y0 = ref Unsafe.Add(ref ys, t * yStride);
                // The Vector512 path takes the 256-bit body too: there is no 512-bit one.
                if (Isa.Widest >= SimdWidth.Vector256)
                    FourSteps256(ref w, ref b, ref x0, xStride, ref y0, yStride, rows, columns);
                else
                    FourSteps128(ref w, ref b, ref x0, xStride, ref y0, yStride, rows, columns);
            }
        }
        // Timesteps left over (and the no-SIMD path): one matrix-vector product each.
        for (; t < steps; t++)
            PanelGemv.Multiply(packed, x.Slice(t * xStride, columns), bias, y.Slice(t * yStride, rows));
    }

    /// <summary>One panel (two 8-lane halves) × four timesteps: eight accumulators, each weight load used four times.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourSteps256(ref float w, ref float b, ref float x0, int xStride, ref float y0, int yStride, int rows, int columns)
    {
        ref float x1 = ref Unsafe.Add(ref x0, xStride);
        ref float x2 = ref Unsafe.Add(ref x1, xStride);
        ref float x3 = ref Unsafe.Add(ref x2, xStride);
        for (int p = 0; p < rows; p += PanelWidth)
        {
            ref float wp = ref Unsafe.Add(ref w, p * columns);
            var lo = Vector256.LoadUnsafe(ref b, (nuint)p);
            var hi = Vector256.LoadUnsafe(ref b, (nuint)p + 8);
            Vector256<float> l0 = lo, h0 = hi, l1 = lo, h1 = hi, l2 = lo, h2 = hi, l3 = lo, h3 = hi;
            for (int j = 0; j < columns; j++)
            {
                nuint c = (nuint)(j * PanelWidth);
                var wl = Vector256.LoadUnsafe(ref wp, c);
                var wh = Vector256.LoadUnsafe(ref wp, c + 8);
                var v0 = Vector256.Create(Unsafe.Add(ref x0, j));
                var v1 = Vector256.Create(Unsafe.Add(ref x1, j));
                var v2 = Vector256.Create(Unsafe.Add(ref x2, j));
                var v3 = Vector256.Create(Unsafe.Add(ref x3, j));
                l0 = Vector256.MultiplyAddEstimate(wl, v0, l0);
                h0 = Vector256.MultiplyAddEstimate(wh, v0, h0);
                l1 = Vector256.MultiplyAddEstimate(wl, v1, l1);
                h1 = Vector256.MultiplyAddEstimate(wh, v1, h1);
                l2 = Vector256.MultiplyAddEstimate(wl, v2, l2);
                h2 = Vector256.MultiplyAddEstimate(wh, v2, h2);
                l3 = Vector256.MultiplyAddEstimate(wl, v3, l3);
                h3 = Vector256.MultiplyAddEstimate(wh, v3, h3);
            }
            nuint at = (nuint)p;
            l0.StoreUnsafe(ref y0, at);
            h0.StoreUnsafe(ref y0, at + 8);
            ref float y1 = ref Unsafe.Add(ref y0, yStride);
            l1.StoreUnsafe(ref y1, at);
            h1.StoreUnsafe(ref y1, at + 8);
            ref float y2 = ref Unsafe.Add(ref y1, yStride);
            l2.StoreUnsafe(ref y2, at);
            h2.StoreUnsafe(ref y2, at + 8);
            ref float y3 = ref Unsafe.Add(ref y2, yStride);
            l3.StoreUnsafe(ref y3, at);
            h3.StoreUnsafe(ref y3, at + 8);
        }
    }

    /// <summary>Half a panel (two 4-lane quarters) × four timesteps at a time: eight accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourSteps128(ref float w, ref float b, ref float x0, int xStride, ref float y0, int yStride, int rows, int columns)
    {
        ref float x1 = ref Unsafe.Add(ref x0, xStride);
        ref float x2 = ref Unsafe.Add(ref x1, xStride);
        ref float x3 = ref Unsafe.Add(ref x2, xStride);
        ref float y1 = ref Unsafe.Add(ref y0, yStride);
        ref float y2 = ref Unsafe.Add(ref y1, yStride);
        ref float y3 = ref Unsafe.Add(ref y2, yStride);
        for (int p = 0; p < rows; p += PanelWidth)
        {
            ref float wp = ref Unsafe.Add(ref w, p * columns);
            for (int half = 0; half < PanelWidth; half += 8)
            {
                var lo = Vector128.LoadUnsafe(ref b, (nuint)(p + half));
                var hi = Vector128.LoadUnsafe(ref b, (nuint)(p + half + 4));
                Vector128<float> l0 = lo, h0 = hi, l1 = lo, h1 = hi, l2 = lo, h2 = hi, l3 = lo, h3 = hi;
                for (int j = 0; j < columns; j++)
                {
                    nuint c = (nuint)(j * PanelWidth + half);
                    var wl = Vector128.LoadUnsafe(ref wp, c);
                    var wh = Vector128.LoadUnsafe(ref wp, c + 4);
                    var v0 = Vector128.Create(Unsafe.Add(ref x0, j));
                    var v1 = Vector128.Create(Unsafe.Add(ref x1, j));
                    var v2 = Vector128.Create(Unsafe.Add(ref x2, j));
                    var v3 = Vector128.Create(Unsafe.Add(ref x3, j));
                    l0 = Vector128.MultiplyAddEstimate(wl, v0, l0);
                    h0 = Vector128.MultiplyAddEstimate(wh, v0, h0);
                    l1 = Vector128.MultiplyAddEstimate(wl, v1, l1);
                    h1 = Vector128.MultiplyAddEstimate(wh, v1, h1);
                    l2 = Vector128.MultiplyAddEstimate(wl, v2, l2);
                    h2 = Vector128.MultiplyAddEstimate(wh, v2, h2);
                    l3 = Vector128.MultiplyAddEstimate(wl, v3, l3);
                    h3 = Vector128.MultiplyAddEstimate(wh, v3, h3);
                }
                nuint at = (nuint)(p + half);
                l0.StoreUnsafe(ref y0, at);
                h0.StoreUnsafe(ref y0, at + 4);
                l1.StoreUnsafe(ref y1, at);
                h1.StoreUnsafe(ref y1, at + 4);
                l2.StoreUnsafe(ref y2, at);
                h2.StoreUnsafe(ref y2, at + 4);
                l3.StoreUnsafe(ref y3, at);
                h3.StoreUnsafe(ref y3, at + 4);
            }
        }
    }
}
