using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// Attention over a source of S rows (encoder outputs, or their projections precomputed once per source): the
/// scores of one query, the context as the weighted sum of the rows. Rows are <c>stride</c> floats apart; only the
/// first <c>count</c> (the real source length) are read, so the softmax over them is the mask.
/// </summary>
/// <remarks>
/// Luong dot and general score with <see cref="DotScores"/> (general against the keys W·s_j), Luong concat and
/// Bahdanau with <see cref="AdditiveScores"/> (v · tanh(q′ + k_j), q′ the query's projection, k_j the key's).
/// Every loop goes 8 lanes, then 4, then scalar, as far down as <see cref="Isa.Widest"/> allows.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Attention
{
    /// <summary>scores[j] = query · rows[j], j &lt; count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotScores(ReadOnlySpan<float> rows, int stride, int count, ReadOnlySpan<float> query, Span<float> scores)
    {
        CheckRows(rows.Length, stride, count, query.Length, scores.Length);
        for (int j = 0; j < count; j++) scores[j] = Dot(rows.Slice(j * stride, query.Length), query);
    }

    /// <summary>
    /// scores[j] = v · tanh(projectedQuery + keys[j]) + vBias, j &lt; count; <paramref name="work"/> holds one
    /// tanh row (at least <c>v.Length</c> floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdditiveScores(ReadOnlySpan<float> keys, int stride, int count, ReadOnlySpan<float> projectedQuery,
        ReadOnlySpan<float> v, float vBias, Span<float> scores, Span<float> work)
    {
        int a = v.Length;
        CheckRows(keys.Length, stride, count, a, scores.Length);
        if (projectedQuery.Length < a || work.Length < a)
            throw new ArgumentException($"the projected query ({projectedQuery.Length}) and work ({work.Length}) must hold the attention size {a}");
        Span<float> row = work.Slice(0, a);
        for (int j = 0; j < count; j++)
        {
            AddTanh(projectedQuery.Slice(0, a), keys.Slice(j * stride, a), row);
            scores[j] = Dot(row, v) + vBias;
        }
    }

    /// <summary>context = Σ_j weights[j] · rows[j], j &lt; count (context.Length floats of each row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightedSum(ReadOnlySpan<float> rows, int stride, int count, ReadOnlySpan<float> weights, Span<float> context)
    {
        CheckRows(rows.Length, stride, count, context.Length, weights.Length);
        context.Clear();
        for (int j = 0; j < count; j++) MultiplyAdd(rows.Slice(j * stride, context.Length), weights[j], context);
    }

    /// <summary>Softmax over the first <paramref name="count"/> scores, in place (the source's real length: the mask).</summary>
    public static void Softmax(Span<float> scores, int count)
    {
        var real = scores.Slice(0, count);
        Cells.Softmax(real, real, log: false);
    }

    private static void CheckRows(int rowsLength, int stride, int count, int width, int perRow)
    {
        if (count < 0 || width > stride || (count > 0 && (long)(count - 1) * stride + width > rowsLength) || perRow < count)
            throw new ArgumentException($"{count} rows of {width} floats, {stride} apart, need {(count == 0 ? 0 : (long)(count - 1) * stride + width)} floats (have {rowsLength}) and {count} scores or weights (have {perRow})");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        ref float x = ref MemoryMarshal.GetReference(a);
        ref float y = ref MemoryMarshal.GetReference(b);
        int j = 0;
        float sum = 0f;
        if (Isa.Widest >= SimdWidth.Vector256 && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; j + 8 <= n; j += 8)
                acc = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, (nuint)j), Vector256.LoadUnsafe(ref y, (nuint)j), acc);
            sum += Vector256.Sum(acc);
        }
        if (Isa.Widest >= SimdWidth.Vector128 && j + 4 <= n)
        {
            var acc = Vector128<float>.Zero;
            for (; j + 4 <= n; j += 4)
                acc = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, (nuint)j), Vector128.LoadUnsafe(ref y, (nuint)j), acc);
            sum += Vector128.Sum(acc);
        }
        for (; j < n; j++) sum += Unsafe.Add(ref x, j) * Unsafe.Add(ref y, j);
        return sum;
    }

    /// <summary>destination = tanh(a + b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTanh(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> destination)
    {
        int n = destination.Length;
        ref float x = ref MemoryMarshal.GetReference(a);
        ref float y = ref MemoryMarshal.GetReference(b);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
            for (; j + 8 <= n; j += 8)
                VectorMath.Tanh(Vector256.LoadUnsafe(ref x, (nuint)j) + Vector256.LoadUnsafe(ref y, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        if (Isa.Widest >= SimdWidth.Vector128)
            for (; j + 4 <= n; j += 4)
                VectorMath.Tanh(Vector128.LoadUnsafe(ref x, (nuint)j) + Vector128.LoadUnsafe(ref y, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref d, j) = Activations.Tanh(Unsafe.Add(ref x, j) + Unsafe.Add(ref y, j));
    }

    /// <summary>destination += weight · row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(ReadOnlySpan<float> row, float weight, Span<float> destination)
    {
        int n = destination.Length;
        ref float r = ref MemoryMarshal.GetReference(row);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        if (Isa.Widest >= SimdWidth.Vector256)
        {
            var w = Vector256.Create(weight);
            for (; j + 8 <= n; j += 8)
                Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref r, (nuint)j), w, Vector256.LoadUnsafe(ref d, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        }
        if (Isa.Widest >= SimdWidth.Vector128)
        {
            var w = Vector128.Create(weight);
            for (; j + 4 <= n; j += 4)
                Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref r, (nuint)j), w, Vector128.LoadUnsafe(ref d, (nuint)j)).StoreUnsafe(ref d, (nuint)j);
        }
        for (; j < n; j++) Unsafe.Add(ref d, j) += Unsafe.Add(ref r, j) * weight;
    }
}
