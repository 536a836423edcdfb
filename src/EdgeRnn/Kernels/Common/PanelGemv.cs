using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static EdgeRnn.KernelLayout;

namespace EdgeRnn.Kernels;

/// <summary>
/// Matrix-vector product over weights packed at generation time into panels of <see cref="KernelLayout.PanelWidth"/> rows:
/// for each panel, for each column j, the panel's 16 values of column j are contiguous. One pass streams the
/// weights once, broadcasting x[j] and accumulating whole panels with FMA; several panels are in flight at
/// once so enough independent FMA chains hide the FMA latency. Rows are padded with zeros to whole panels,
/// so there is no remainder loop over weights.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PanelGemv
{
    /// <summary><paramref name="y"/> += W · <paramref name="x"/>, W packed as panels with <c>x.Length</c> columns and <c>y.Length</c> (padded) rows.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y) => Compute(packed, x, y, y);

    /// <summary><paramref name="y"/> = <paramref name="bias"/> + W · <paramref name="x"/> (the bias is the accumulators' start: no extra pass).</summary>
    public static void Multiply(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y) => Compute(packed, x, bias, y);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute(ReadOnlySpan<float> packed, ReadOnlySpan<float> x, ReadOnlySpan<float> start, Span<float> y)
    {
        int columns = x.Length;
        int panels = y.Length / PanelWidth;
        if (packed.Length != panels * PanelWidth * columns || y.Length % PanelWidth != 0 || start.Length != y.Length)
            ThrowSizes(packed.Length, y.Length, columns);

        ref float w = ref MemoryMarshal.GetReference(packed);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float s = ref MemoryMarshal.GetReference(start);
        ref float ys = ref MemoryMarshal.GetReference(y);

        switch (Isa.Widest)
        {
            case SimdWidth.Vector512: Vector512Path(ref w, ref xs, ref s, ref ys, columns, panels); break;
            case SimdWidth.Vector256: Vector256Path(ref w, ref xs, ref s, ref ys, columns, panels); break;
            case SimdWidth.Vector128: Vector128Path(ref w, ref xs, ref s, ref ys, columns, panels); break;
            default: ScalarPath(ref w, ref xs, ref s, ref ys, columns, panels); break;
        }
    }

    private static void ThrowSizes(int packed, int rows, int columns) =>
        throw new ArgumentException($"packed weights of {packed} floats do not match {rows} rows × {columns} columns");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector512Path(ref float w, ref float xs, ref float s, ref float ys, int columns, int panels)
    {
        nint panelStride = (nint)PanelWidth * columns;
        int p = 0;
        // Four panels (64 rows) at a time, two accumulators each over even/odd columns: eight FMA chains.
        for (; p + 4 <= panels; p += 4)
        {
            ref float w0 = ref Unsafe.Add(ref w, p * panelStride);
            ref float w1 = ref Unsafe.Add(ref w0, panelStride);
            ref float w2 = ref Unsafe.Add(ref w1, panelStride);
            ref float w3 = ref Unsafe.Add(ref w2, panelStride);
            nuint at = (nuint)(p * PanelWidth);
            var a0 = Vector512.LoadUnsafe(ref s, at);
            var a1 = Vector512.LoadUnsafe(ref s, at + 16);
            var a2 = Vector512.LoadUnsafe(ref s, at + 32);
            var a3 = Vector512.LoadUnsafe(ref s, at + 48);
            var b0 = Vector512<float>.Zero;
            var b1 = Vector512<float>.Zero;
            var b2 = Vector512<float>.Zero;
            var b3 = Vector512<float>.Zero;
            int j = 0;
            for (; j + 2 <= columns; j += 2)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector512.Create(Unsafe.Add(ref xs, j));
                var xk = Vector512.Create(Unsafe.Add(ref xs, j + 1));
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w0, c), xj, a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w1, c), xj, a1);
                a2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w2, c), xj, a2);
                a3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w3, c), xj, a3);
                b0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w0, c + 16), xk, b0);
                b1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w1, c + 16), xk, b1);
                b2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w2, c + 16), xk, b2);
                b3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w3, c + 16), xk, b3);
            }
            if (j < columns)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector512.Create(Unsafe.Add(ref xs, j));
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w0, c), xj, a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w1, c), xj, a1);
                a2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w2, c), xj, a2);
                a3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref w3, c), xj, a3);
            }
            (a0 + b0).StoreUnsafe(ref ys, at);
            (a1 + b1).StoreUnsafe(ref ys, at + 16);
            (a2 + b2).StoreUnsafe(ref ys, at + 32);
            (a3 + b3).StoreUnsafe(ref ys, at + 48);
        }
        for (; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, p * panelStride);
            nuint at = (nuint)(p * PanelWidth);
            var a0 = Vector512.LoadUnsafe(ref s, at);
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            int j = 0;
            for (; j + 4 <= columns; j += 4)
            {
                nuint c = (nuint)(j * PanelWidth);
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, c), Vector512.Create(Unsafe.Add(ref xs, j)), a0);
                a1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, c + 16), Vector512.Create(Unsafe.Add(ref xs, j + 1)), a1);
                a2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, c + 32), Vector512.Create(Unsafe.Add(ref xs, j + 2)), a2);
                a3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, c + 48), Vector512.Create(Unsafe.Add(ref xs, j + 3)), a3);
            }
            for (; j < columns; j++)
                a0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref wp, (nuint)(j * PanelWidth)), Vector512.Create(Unsafe.Add(ref xs, j)), a0);
            ((a0 + a1) + (a2 + a3)).StoreUnsafe(ref ys, at);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector256Path(ref float w, ref float xs, ref float s, ref float ys, int columns, int panels)
    {
        nint panelStride = (nint)PanelWidth * columns;
        int p = 0;
        // Four panels (64 rows, eight 8-float accumulators) at a time: eight FMA chains, one broadcast per eight FMAs.
        for (; p + 4 <= panels; p += 4)
        {
            ref float w0 = ref Unsafe.Add(ref w, p * panelStride);
            ref float w1 = ref Unsafe.Add(ref w0, panelStride);
            ref float w2 = ref Unsafe.Add(ref w1, panelStride);
            ref float w3 = ref Unsafe.Add(ref w2, panelStride);
            nuint at = (nuint)(p * PanelWidth);
            var a0 = Vector256.LoadUnsafe(ref s, at);
            var a1 = Vector256.LoadUnsafe(ref s, at + 8);
            var a2 = Vector256.LoadUnsafe(ref s, at + 16);
            var a3 = Vector256.LoadUnsafe(ref s, at + 24);
            var a4 = Vector256.LoadUnsafe(ref s, at + 32);
            var a5 = Vector256.LoadUnsafe(ref s, at + 40);
            var a6 = Vector256.LoadUnsafe(ref s, at + 48);
            var a7 = Vector256.LoadUnsafe(ref s, at + 56);
            for (int j = 0; j < columns; j++)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector256.Create(Unsafe.Add(ref xs, j));
                a0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w0, c), xj, a0);
                a1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w0, c + 8), xj, a1);
                a2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w1, c), xj, a2);
                a3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w1, c + 8), xj, a3);
                a4 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w2, c), xj, a4);
                a5 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w2, c + 8), xj, a5);
                a6 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w3, c), xj, a6);
                a7 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref w3, c + 8), xj, a7);
            }
            a0.StoreUnsafe(ref ys, at);
            a1.StoreUnsafe(ref ys, at + 8);
            a2.StoreUnsafe(ref ys, at + 16);
            a3.StoreUnsafe(ref ys, at + 24);
            a4.StoreUnsafe(ref ys, at + 32);
            a5.StoreUnsafe(ref ys, at + 40);
            a6.StoreUnsafe(ref ys, at + 48);
            a7.StoreUnsafe(ref ys, at + 56);
        }
        for (; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, p * panelStride);
            nuint at = (nuint)(p * PanelWidth);
            var lo0 = Vector256.LoadUnsafe(ref s, at);
            var hi0 = Vector256.LoadUnsafe(ref s, at + 8);
            var lo1 = Vector256<float>.Zero;
            var hi1 = Vector256<float>.Zero;
            int j = 0;
            for (; j + 2 <= columns; j += 2)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector256.Create(Unsafe.Add(ref xs, j));
                var xk = Vector256.Create(Unsafe.Add(ref xs, j + 1));
                lo0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, c), xj, lo0);
                hi0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, c + 8), xj, hi0);
                lo1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, c + 16), xk, lo1);
                hi1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, c + 24), xk, hi1);
            }
            if (j < columns)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector256.Create(Unsafe.Add(ref xs, j));
                lo0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, c), xj, lo0);
                hi0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref wp, c + 8), xj, hi0);
            }
            (lo0 + lo1).StoreUnsafe(ref ys, at);
            (hi0 + hi1).StoreUnsafe(ref ys, at + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Vector128Path(ref float w, ref float xs, ref float s, ref float ys, int columns, int panels)
    {
        nint panelStride = (nint)PanelWidth * columns;
        int p = 0;
        // Two panels (32 rows, eight 4-float accumulators) at a time.
        for (; p + 2 <= panels; p += 2)
        {
            ref float w0 = ref Unsafe.Add(ref w, p * panelStride);
            ref float w1 = ref Unsafe.Add(ref w0, panelStride);
            nuint at = (nuint)(p * PanelWidth);
            var a0 = Vector128.LoadUnsafe(ref s, at);
            var a1 = Vector128.LoadUnsafe(ref s, at + 4);
            var a2 = Vector128.LoadUnsafe(ref s, at + 8);
            var a3 = Vector128.LoadUnsafe(ref s, at + 12);
            var a4 = Vector128.LoadUnsafe(ref s, at + 16);
            var a5 = Vector128.LoadUnsafe(ref s, at + 20);
            var a6 = Vector128.LoadUnsafe(ref s, at + 24);
            var a7 = Vector128.LoadUnsafe(ref s, at + 28);
            for (int j = 0; j < columns; j++)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector128.Create(Unsafe.Add(ref xs, j));
                a0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w0, c), xj, a0);
                a1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w0, c + 4), xj, a1);
                a2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w0, c + 8), xj, a2);
                a3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w0, c + 12), xj, a3);
                a4 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w1, c), xj, a4);
                a5 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w1, c + 4), xj, a5);
                a6 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w1, c + 8), xj, a6);
                a7 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref w1, c + 12), xj, a7);
            }
            a0.StoreUnsafe(ref ys, at);
            a1.StoreUnsafe(ref ys, at + 4);
            a2.StoreUnsafe(ref ys, at + 8);
            a3.StoreUnsafe(ref ys, at + 12);
            a4.StoreUnsafe(ref ys, at + 16);
            a5.StoreUnsafe(ref ys, at + 20);
            a6.StoreUnsafe(ref ys, at + 24);
            a7.StoreUnsafe(ref ys, at + 28);
        }
        for (; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, p * panelStride);
            nuint at = (nuint)(p * PanelWidth);
            var a0 = Vector128.LoadUnsafe(ref s, at);
            var a1 = Vector128.LoadUnsafe(ref s, at + 4);
            var a2 = Vector128.LoadUnsafe(ref s, at + 8);
            var a3 = Vector128.LoadUnsafe(ref s, at + 12);
            for (int j = 0; j < columns; j++)
            {
                nuint c = (nuint)(j * PanelWidth);
                var xj = Vector128.Create(Unsafe.Add(ref xs, j));
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarPath(ref float w, ref float xs, ref float s, ref float ys, int columns, int panels)
    {
        for (int p = 0; p < panels; p++)
        {
            ref float wp = ref Unsafe.Add(ref w, (nint)p * PanelWidth * columns);
            for (int r = 0; r < PanelWidth; r++)
            {
                int row = p * PanelWidth + r;
                float sum = Unsafe.Add(ref s, row);
                for (int j = 0; j < columns; j++)
                    sum += Unsafe.Add(ref wp, j * PanelWidth + r) * Unsafe.Add(ref xs, j);
                Unsafe.Add(ref ys, row) = sum;
            }
        }
    }
}
