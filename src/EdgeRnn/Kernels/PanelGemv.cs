using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// Matrix-vector product over weights packed at generation time into panels of <see cref="PanelWidth"/> rows:
/// for each panel, for each column j, the panel's 16 values of column j are contiguous. One pass streams
/// the weights once, broadcasting x[j] and accumulating a whole panel with FMA; rows are padded with zeros
/// to a multiple of the panel width, so there is no remainder loop over weights.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PanelGemv
{
    /// <summary>Rows per panel: one Vector512, two Vector256 or four Vector128.</summary>
    public const int PanelWidth = 16;

    /// <summary>Rounds a row count up to a whole number of panels.</summary>
    public static int Padded(int rows) => (rows + PanelWidth - 1) / PanelWidth * PanelWidth;

    /// <summary><paramref name="y"/> += W · <paramref name="x"/>, W packed as panels with <c>x.Length</c> columns and <c>y.Length</c> (padded) rows.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y)
    {
        int columns = x.Length;
        int panels = y.Length / PanelWidth;
        if (packed.Length != panels * PanelWidth * columns || y.Length % PanelWidth != 0)
            throw new ArgumentException($"packed weights of {packed.Length} floats do not match {y.Length} rows × {columns} columns");

        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);

        if (Vector512.IsHardwareAccelerated)
            Vector512Path(ref w, ref xs, ref ys, columns, panels);
        else if (Vector256.IsHardwareAccelerated)
            Vector256Path(ref w, ref xs, ref ys, columns, panels);
        else if (Vector128.IsHardwareAccelerated)
            Vector128Path(ref w, ref xs, ref ys, columns, panels);
        else
            ScalarPath(ref w, ref xs, ref ys, columns, panels);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector512Path(ref float w, ref float xs, ref float ys, int columns, int panels)
    {
        for (int p = 0; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * PanelWidth * columns);
            // Two accumulators halve the FMA dependency chain.
            var acc0 = Vector512.LoadUnsafe(ref ys, (nuint)(p * PanelWidth));
            var acc1 = Vector512<float>.Zero;
            int j = 0;
            for (; j + 2 <= columns; j += 2)
            {
                acc0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, (nuint)(j * PanelWidth)), Vector512.Create(Unsafe.Add(ref xs, j)), acc0);
                acc1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, (nuint)((j + 1) * PanelWidth)), Vector512.Create(Unsafe.Add(ref xs, j + 1)), acc1);
            }
            if (j < columns)
                acc0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, (nuint)(j * PanelWidth)), Vector512.Create(Unsafe.Add(ref xs, j)), acc0);
            (acc0 + acc1).StoreUnsafe(ref ys, (nuint)(p * PanelWidth));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector256Path(ref float w, ref float xs, ref float ys, int columns, int panels)
    {
        for (int p = 0; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * PanelWidth * columns);
            nuint at = (nuint)(p * PanelWidth);
            var lo = Vector256.LoadUnsafe(ref ys, at);
            var hi = Vector256.LoadUnsafe(ref ys, at + 8);
            for (int j = 0; j < columns; j++)
            {
                var xj = Vector256.Create(Unsafe.Add(ref xs, j));
                lo = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, (nuint)(j * PanelWidth)), xj, lo);
                hi = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, (nuint)(j * PanelWidth + 8)), xj, hi);
            }
            lo.StoreUnsafe(ref ys, at);
            hi.StoreUnsafe(ref ys, at + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector128Path(ref float w, ref float xs, ref float ys, int columns, int panels)
    {
        for (int p = 0; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * PanelWidth * columns);
            nuint at = (nuint)(p * PanelWidth);
            var a0 = Vector128.LoadUnsafe(ref ys, at);
            var a1 = Vector128.LoadUnsafe(ref ys, at + 4);
            var a2 = Vector128.LoadUnsafe(ref ys, at + 8);
            var a3 = Vector128.LoadUnsafe(ref ys, at + 12);
            for (int j = 0; j < columns; j++)
            {
                var xj = Vector128.Create(Unsafe.Add(ref xs, j));
                nuint c = (nuint)(j * PanelWidth);
                a0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wp, c), xj, a0);
                a1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wp, c + 4), xj, a1);
                a2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wp, c + 8), xj, a2);
                a3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref wp, c + 12), xj, a3);
            }
            a0.StoreUnsafe(ref ys, at);
            a1.StoreUnsafe(ref ys, at + 4);
            a2.StoreUnsafe(ref ys, at + 8);
            a3.StoreUnsafe(ref ys, at + 12);
        }
    }

    /// <summary>No SIMD (DOTNET_EnableHWIntrinsic=0): the same panel order, one float at a time.</summary>
    private static void ScalarPath(ref float w, ref float xs, ref float ys, int columns, int panels)
    {
        for (int p = 0; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * PanelWidth * columns);
            ref float yp = ref Unsafe.Add(ref ys, p * PanelWidth);
            for (int r = 0; r < PanelWidth; r++)
            {
                float sum = Unsafe.Add(ref yp, r);
                for (int j = 0; j < columns; j++)
                    sum += Unsafe.Add(ref wp, j * PanelWidth + r) * Unsafe.Add(ref xs, j);
                Unsafe.Add(ref yp, r) = sum;
            }
        }
    }
}
