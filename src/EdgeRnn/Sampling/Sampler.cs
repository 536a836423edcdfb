using System.Runtime.CompilerServices;
using System.Diagnostics.CodeAnalysis;

namespace EdgeRnn;

/// <summary>
/// Chooses a token from a vector of logits: greedy (arg-max), or a random draw after temperature, top-k and
/// top-p (nucleus) filtering, with a seeded <see cref="Xoshiro256StarStar"/>. Allocation-free: the only working
/// memory is the caller's <c>scratch</c> span.
/// </summary>
/// <remarks>
/// <para>
/// <b>Arithmetic.</b> With m the largest logit and T the temperature, token i gets the weight
/// w_i = exp((x_i − m) / T), computed in float32 (<see cref="MathF.Exp"/>). Subtracting the maximum first is the
/// standard stable softmax: every weight lies in [0, 1], the largest is exactly 1, nothing overflows, and a very
/// small T underflows the other weights to 0 rather than overflowing. The weights that survive the filters are
/// summed in float64 and the token is the first i whose running float64 sum exceeds u · total, where u is one
/// <see cref="Xoshiro256StarStar.NextDouble"/> in [0, 1). So the probability of token i is w_i / total: softmax(x / T)
/// renormalized over the kept tokens, to float32 precision.
/// </para>
/// <para>
/// <b>Filters</b>, in this order: top-k keeps the k largest logits; top-p then keeps the smallest set of the
/// most probable kept tokens whose probabilities add up to at least p. Equal values are ordered by token id
/// (lower first) in both, so the result never depends on anything but the logits. The most probable token
/// always survives. Both use a three-way-partition quickselect inside <c>scratch</c> (expected O(n), no sorting).
/// </para>
/// <para>
/// <b>Determinism.</b> A greedy call uses no random number; any other call draws exactly one double, whatever the
/// filters keep. So the same logits, options and generator state always give the same token (across platforms too,
/// unless <see cref="MathF.Exp"/>, which comes from the platform's C library, rounds a weight differently right at a
/// draw's boundary).
/// </para>
/// <para>
/// <b>Special values.</b> NaN logits are treated as −∞ (never chosen unless every logit is NaN or −∞, in which
/// case token 0 is returned). If a logit is +∞, the result is the first +∞ logit, as in greedy decoding.
/// </para>
/// </remarks>
public static class Sampler
{
    /// <summary>The index of the largest logit; the lowest index among equal maxima. NaN never wins (all NaN: 0).</summary>
    /// <param name="logits">The logits; at least one.</param>
    /// <returns>The arg-max.</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) ThrowEmpty();
        int best = 0;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            if (logits[i] > bestValue)
            {
                bestValue = logits[i];
                best = i;
            }
        }
        return best;
    }

    /// <summary>Chooses a token from <paramref name="logits"/> as <paramref name="options"/> say (see the class remarks).</summary>
    /// <param name="logits">The model's output for the next token: unnormalized log-probabilities (log-softmax outputs work too).</param>
    /// <param name="scratch">Working memory of at least <c>logits.Length</c> floats; its contents are overwritten.</param>
    /// <param name="options">Temperature, top-k and top-p. Their <see cref="SamplerOptions.Seed"/> is not used here: <paramref name="rng"/> is.</param>
    /// <param name="rng">The random generator, advanced by one <see cref="Xoshiro256StarStar.NextDouble"/> unless the options are greedy.</param>
    /// <returns>The chosen token id, in [0, <c>logits.Length</c>).</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty, or <paramref name="scratch"/> is shorter than it.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Sample(ReadOnlySpan<float> logits, Span<float> scratch, in SamplerOptions options, ref Xoshiro256StarStar rng)
    {
        int n = logits.Length;
        if (n == 0) ThrowEmpty();
        if (scratch.Length < n) ThrowScratch(n, scratch.Length);
        scratch = scratch[..n];

        int best = ArgMax(logits);
        float max = logits[best];
        float temperature = options.Temperature;
        int topK = options.TopK;
        if (temperature <= 0f || topK == 1) return best;
        if (!float.IsFinite(max))
        {
            // Every logit is -inf or NaN (best = 0), or one is +inf (best = the first): there is nothing to weigh.
            _ = rng.NextDouble(); // keep "one draw per non-greedy call"
            return best;
        }

        // Top-k: the k-th largest logit and how many logits equal to it are kept (the lowest ids first).
        bool useTopK = topK > 0 && topK < n;
        float kThreshold = float.NegativeInfinity;
        int kTies = 0;
        if (useTopK)
        {
            for (int i = 0; i < n; i++) scratch[i] = NaNToNegativeInfinity(logits[i]);
            kThreshold = SelectThreshold(scratch, topK, byMass: false, out kTies);
        }

        // Weights of the top-k survivors, in token order.
        double total = 0;
        int kTieCount = 0;
        for (int i = 0; i < n; i++)
        {
            float w = !useTopK || KeepTopK(logits[i], kThreshold, kTies, ref kTieCount) ? Weight(logits[i], max, temperature) : 0f;
            scratch[i] = w;
            total += w;
        }

        // Top-p: the smallest set of the largest weights whose sum reaches p · total.
        float topP = options.TopP;
        if (topP < 1f)
        {
            float pThreshold = SelectThreshold(scratch, topP * total, byMass: true, out int pTies);
            // The selection permuted scratch: recompute the weights in token order, keeping the nucleus only.
            total = 0;
            kTieCount = 0;
            int pTieCount = 0;
            for (int i = 0; i < n; i++)
            {
                float w = !useTopK || KeepTopK(logits[i], kThreshold, kTies, ref kTieCount) ? Weight(logits[i], max, temperature) : 0f;
                if (w < pThreshold || (w == pThreshold && pTieCount++ >= pTies)) w = 0f;
                scratch[i] = w;
                total += w;
            }
        }

        // Draw: the first token whose running sum exceeds u · total.
        double target = rng.NextDouble() * total;
        double cumulative = 0;
        int last = best;
        for (int i = 0; i < n; i++)
        {
            float w = scratch[i];
            if (w > 0f)
            {
                cumulative += w;
                last = i;
                if (target < cumulative) return i;
            }
        }
        return last; // only when u · total rounded up to total
    }

    private static float NaNToNegativeInfinity(float x) => float.IsNaN(x) ? float.NegativeInfinity : x;

    private static float Weight(float logit, float max, float temperature) =>
        float.IsNaN(logit) ? 0f : MathF.Exp((logit - max) / temperature);

    private static bool KeepTopK(float logit, float threshold, int ties, ref int tieCount)
    {
        float x = NaNToNegativeInfinity(logit);
        if (x > threshold) return true;
        return x == threshold && tieCount++ < ties;
    }

    /// <summary>
    /// Taking <paramref name="values"/> from the largest down, finds where the running amount (1 per value when
    /// counting, the value itself when <paramref name="byMass"/>) first reaches <paramref name="target"/>: returns
    /// that value, the threshold, and in <paramref name="take"/> how many values equal to it the prefix holds (≥ 1).
    /// If even all values fall short (rounding), returns the smallest with <paramref name="take"/> = all of them.
    /// Quickselect with a three-way partition and a median-of-three pivot; permutes <paramref name="values"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float SelectThreshold(Span<float> values, double target, bool byMass, out int take)
    {
        int lo = 0, hi = values.Length;
        double above = 0; // the amount of everything known to be larger than values[lo..hi)
        while (true)
        {
            float pivot = MedianOfThree(values[lo], values[lo + ((hi - lo) >> 1)], values[hi - 1]);

            // [lo, gtEnd) > pivot, [gtEnd, eqEnd) == pivot, [eqEnd, hi) < pivot
            int gtEnd = lo, i = lo, ltStart = hi;
            while (i < ltStart)
            {
                float v = values[i];
                if (v > pivot)
                {
                    values[i] = values[gtEnd];
                    values[gtEnd] = v;
                    gtEnd++;
                    i++;
                }
                else if (v < pivot)
                {
                    ltStart--;
                    values[i] = values[ltStart];
                    values[ltStart] = v;
                }
                else
                {
                    i++;
                }
            }

            double greater = 0;
            if (byMass)
                for (int j = lo; j < gtEnd; j++) greater += values[j];
            else
                greater = gtEnd - lo;

            if (gtEnd > lo && above + greater >= target)
            {
                hi = gtEnd; // the threshold is among the larger values
                continue;
            }
            above += greater;

            int equal = ltStart - gtEnd;
            double unit = byMass ? pivot : 1.0;
            if (above + equal * unit >= target || ltStart == hi)
            {
                double reached = above + unit;
                int count = 1;
                while (count < equal && reached < target)
                {
                    reached += unit;
                    count++;
                }
                take = count;
                return pivot;
            }
            above += equal * unit;
            lo = ltStart; // the threshold is among the smaller values
        }
    }

    private static float MedianOfThree(float a, float b, float c) => MathF.Max(MathF.Min(a, b), MathF.Min(MathF.Max(a, b), c));

    [DoesNotReturn]
    private static void ThrowEmpty() =>
        throw new ArgumentException("logits must hold at least one value.", "logits");

    [DoesNotReturn]
    private static void ThrowScratch(int needed, int actual) =>
        throw new ArgumentException($"scratch must hold at least logits.Length = {needed} floats but has {actual}.", "scratch");
}
