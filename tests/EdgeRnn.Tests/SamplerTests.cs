namespace EdgeRnn.Tests;

/// <summary>The random generator, <see cref="SamplerOptions"/> and <see cref="Sampler"/>.</summary>
public class SamplerTests
{
    // ----------------------------------------------------------------------------------------------------------
    // The expected values below come from this independent Python implementation (run with /usr/bin/python3):
    //
    //   M = (1 << 64) - 1
    //   def splitmix64(seed):
    //       x = seed
    //       while True:
    //           x = (x + 0x9E3779B97F4A7C15) & M
    //           z = x
    //           z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    //           z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    //           yield z ^ (z >> 31)
    //   def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
    //   def xoshiro(seed):                    # xoshiro256** seeded with four SplitMix64 outputs
    //       g = splitmix64(seed); s = [next(g) for _ in range(4)]
    //       while True:
    //           r = (rotl((s[1] * 5) & M, 7) * 9) & M
    //           t = (s[1] << 17) & M
    //           s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
    //           yield r
    //   g = xoshiro(42); print([next(g) for _ in range(20)])
    //   g = xoshiro(42); print([repr((next(g) >> 11) * 2.0**-53) for _ in range(5)])
    //
    // SplitMix64(1234567) also matches the values published with the algorithm's reference C code.
    // ----------------------------------------------------------------------------------------------------------

    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        var rng = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        foreach (ulong e in expected) Assert.Equal(e, rng.NextUInt64());
    }

    [Fact]
    public void Xoshiro256StarStar_first_20_outputs_for_seed_42_match_the_Python_implementation()
    {
        ulong[] expected =
        [
            1546998764402558742, 6990951692964543102, 12544586762248559009, 17057574109182124193,
            18295552978065317476, 14199186830065750584, 13267978908934200754, 15679888225317814407,
            14044878350692344958, 10760895422300929085, 12589033428110817649, 5362058279183681893,
            14776290213336893110, 5928998142081247042, 13118401031821625293, 16191947441114085370,
            11377242330661449621, 15705374977869497556, 13051817940444453495, 13057145599690755898,
        ];
        var rng = new Xoshiro256StarStar(42);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], rng.NextUInt64());
    }

    [Fact]
    public void NextDouble_is_the_top_53_bits_scaled_to_0_1()
    {
        double[] expected = [0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876, 0.9918039142821028];
        var rng = new Xoshiro256StarStar(42);
        foreach (double e in expected) Assert.Equal(e, rng.NextDouble()); // exact
        var many = new Xoshiro256StarStar(7);
        for (int i = 0; i < 100_000; i++)
        {
            double u = many.NextDouble();
            Assert.True(u >= 0 && u < 1, $"draw {i}: {u}");
        }
    }

    [Fact]
    public void A_default_generator_behaves_as_seed_0()
    {
        var zero = default(Xoshiro256StarStar);
        var seeded = new Xoshiro256StarStar(0);
        ulong[] expected = [11091344671253066420, 13793997310169335082, 1900383378846508768]; // xoshiro(0) above
        foreach (ulong e in expected)
        {
            Assert.Equal(e, seeded.NextUInt64());
            Assert.Equal(e, zero.NextUInt64());
        }
    }

    [Fact]
    public void Copying_a_generator_copies_its_position()
    {
        var a = new Xoshiro256StarStar(99);
        a.NextUInt64();
        var b = a;
        for (int i = 0; i < 10; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    // ---------------------------------------------------------------------------------------------- options

    [Fact]
    public void Default_options_mean_plain_sampling()
    {
        foreach (var o in new[] { default, new SamplerOptions() })
        {
            Assert.Equal(1f, o.Temperature);
            Assert.Equal(0, o.TopK);
            Assert.Equal(1f, o.TopP);
            Assert.Equal(0UL, o.Seed);
            Assert.False(o.IsGreedy);
        }
        Assert.True(SamplerOptions.Greedy.IsGreedy);
        Assert.Equal(0f, SamplerOptions.Greedy.Temperature);
        Assert.True(new SamplerOptions { TopK = 1 }.IsGreedy);
        Assert.True(new SamplerOptions { Temperature = -2 }.IsGreedy);
        Assert.Equal(new SamplerOptions { Temperature = 1, TopP = 1 }, default(SamplerOptions));
        Assert.NotEqual(new SamplerOptions { Seed = 1 }, default(SamplerOptions));
        Assert.Equal("Temperature=0.8, TopK=40, TopP=0.95, Seed=3",
            new SamplerOptions { Temperature = 0.8f, TopK = 40, TopP = 0.95f, Seed = 3 }.ToString());
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(-0.1f, "-0.1")]
    [InlineData(1.5f, "1.5")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void An_invalid_TopP_is_rejected_naming_the_value(float topP, string shown)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { TopP = topP });
        Assert.Equal("TopP", e.ParamName);
        Assert.Equal(topP, e.ActualValue);
        Assert.Contains(shown, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_Temperature_or_TopK_is_rejected()
    {
        var t = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { Temperature = float.NaN });
        Assert.Equal("Temperature", t.ParamName);
        Assert.Contains("NaN", t.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { Temperature = float.PositiveInfinity });
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerOptions { TopK = -3 });
        Assert.Equal("TopK", k.ParamName);
        Assert.Contains("-3", k.Message, StringComparison.Ordinal);
        // 'with' goes through the same checks
        var ok = new SamplerOptions { TopP = 0.5f };
        Assert.Throws<ArgumentOutOfRangeException>(() => ok with { TopP = 2f });
    }

    // ---------------------------------------------------------------------------------------------- sampler

    private static readonly float[] Logits8 = [1.5f, -0.25f, 0.75f, 2.0f, 0.0f, -1.0f, 0.5f, 1.0f];

    // The same Python file as above, continued: an independent sampler built on sorting (the C# one uses
    // quickselect), with float32 weights exp((x - max) / T) and float64 sums as documented:
    //
    //   import numpy as np
    //   def sample(logits, T, k, p, rng):
    //       x = np.array(logits, dtype=np.float32); n = len(x); m = x.max()
    //       w = np.exp(((x - m) / np.float32(T)).astype(np.float32)).astype(np.float32)
    //       order = sorted(range(n), key=lambda i: (-float(x[i]), i))          # logit desc, id asc
    //       keep = np.ones(n, bool)
    //       if 0 < k < n: keep[:] = False; keep[order[:k]] = True
    //       w = np.where(keep, w, np.float32(0))
    //       if p < 1:
    //           total = sum(float(v) for v in w)
    //           cum = 0.0; nucleus = []
    //           for i in sorted(range(n), key=lambda i: (-float(w[i]), i)):
    //               nucleus.append(i); cum += float(w[i])
    //               if cum >= p * total: break
    //           keep2 = np.zeros(n, bool); keep2[nucleus] = True
    //           w = np.where(keep2, w, np.float32(0))
    //       total = sum(float(v) for v in w)
    //       r = ((next(rng) >> 11) * 2.0**-53) * total; c = 0.0
    //       for i in range(n):
    //           if w[i] > 0:
    //               c += float(w[i])
    //               if r < c: return i
    //   logits = [1.5, -0.25, 0.75, 2.0, 0.0, -1.0, 0.5, 1.0]
    //   for (T, k, p) in [(1.0, 0, 1.0), (0.7, 3, 1.0), (1.3, 0, 0.8)]:
    //       rng = xoshiro(2024); print([sample(logits, T, k, p, rng) for _ in range(20)])
    public static TheoryData<float, int, float, int[]> PythonDraws => new()
    {
        { 1.0f, 0, 1.0f, [0, 5, 0, 0, 5, 1, 3, 2, 3, 0, 4, 7, 7, 3, 5, 0, 0, 3, 6, 3] },
        { 0.7f, 3, 1.0f, [0, 3, 0, 0, 3, 0, 3, 0, 3, 0, 3, 7, 7, 3, 3, 0, 0, 3, 3, 3] },
        { 1.3f, 0, 0.8f, [0, 6, 0, 0, 6, 2, 3, 2, 3, 0, 3, 7, 7, 2, 6, 0, 0, 3, 6, 3] },
    };

    [Theory, MemberData(nameof(PythonDraws))]
    public void A_fixed_seed_gives_the_draws_of_the_independent_Python_sampler(float temperature, int topK, float topP, int[] expected)
    {
        var options = new SamplerOptions { Temperature = temperature, TopK = topK, TopP = topP };
        var rng = new Xoshiro256StarStar(2024);
        Span<float> scratch = stackalloc float[Logits8.Length];
        var got = new int[expected.Length];
        for (int i = 0; i < got.Length; i++) got[i] = Sampler.Sample(Logits8, scratch, options, ref rng);
        Assert.Equal(expected, got);
    }

    [Fact]
    public void A_fixed_seed_gives_a_fixed_sequence_and_another_seed_another()
    {
        var options = new SamplerOptions { Temperature = 0.9f, TopK = 6, TopP = 0.95f };
        int[] Draw(ulong seed)
        {
            var rng = new Xoshiro256StarStar(seed);
            var scratch = new float[Logits8.Length];
            var result = new int[200];
            for (int i = 0; i < result.Length; i++) result[i] = Sampler.Sample(Logits8, scratch, options, ref rng);
            return result;
        }
        Assert.Equal(Draw(5), Draw(5));
        Assert.NotEqual(Draw(5), Draw(6));
    }

    [Fact]
    public void Greedy_equals_the_argmax()
    {
        var source = new Xoshiro256StarStar(11);
        var logits = new float[37];
        var scratch = new float[37];
        var rng = new Xoshiro256StarStar(1);
        for (int trial = 0; trial < 1000; trial++)
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(source.NextDouble() * 20 - 10);
            int expected = 0;
            for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[expected]) expected = i;

            var before = rng;
            Assert.Equal(expected, Sampler.Sample(logits, scratch, SamplerOptions.Greedy, ref rng));
            Assert.Equal(expected, Sampler.Sample(logits, scratch, new SamplerOptions { TopK = 1, Seed = 9 }, ref rng));
            Assert.Equal(expected, Sampler.ArgMax(logits));
            Assert.Equal(before.NextUInt64(), rng.NextUInt64()); // greedy draws no random number
            rng = before;
        }
    }

    [Fact]
    public void Greedy_breaks_ties_by_the_lowest_index_and_never_picks_NaN()
    {
        var rng = new Xoshiro256StarStar(1);
        float[] scratch = new float[5];
        Assert.Equal(1, Sampler.Sample([0f, 3f, 1f, 3f, 3f], scratch, SamplerOptions.Greedy, ref rng));
        Assert.Equal(2, Sampler.Sample([float.NaN, -1f, 4f, float.NaN, 4f], scratch, SamplerOptions.Greedy, ref rng));
        Assert.Equal(0, Sampler.ArgMax([float.NaN, float.NaN]));
        Assert.Equal(0, Sampler.ArgMax([float.NegativeInfinity, float.NegativeInfinity]));
    }

    [Fact]
    public void NaN_logits_are_never_sampled()
    {
        float[] logits = [float.NaN, 0.5f, float.NaN, 0.25f, float.NaN];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(3);
        var seen = new int[logits.Length];
        for (int i = 0; i < 10_000; i++) seen[Sampler.Sample(logits, scratch, default, ref rng)]++;
        Assert.Equal(0, seen[0] + seen[2] + seen[4]);
        Assert.True(seen[1] > seen[3] && seen[3] > 0);
        // with top-k and top-p too
        for (int i = 0; i < 1000; i++)
            Assert.Equal(1, Sampler.Sample(logits, scratch, new SamplerOptions { TopK = 2, TopP = 0.01f }, ref rng));
    }

    [Fact]
    public void Top_k_never_leaves_the_k_largest()
    {
        // 12 tokens; the 4 largest are ids 3, 7, 0, 10. Flat-ish so that every kept token is drawn often.
        float[] logits = [1.1f, 0.2f, -0.3f, 1.6f, 0.9f, 0.4f, -1.0f, 1.3f, 0.0f, 0.5f, 1.0f, 0.8f];
        int[] top4 = [0, 3, 7, 10];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(17);
        var seen = new int[logits.Length];
        var options = new SamplerOptions { TopK = 4, Temperature = 1.5f };
        for (int i = 0; i < 10_000; i++) seen[Sampler.Sample(logits, scratch, options, ref rng)]++;
        for (int t = 0; t < logits.Length; t++)
        {
            if (top4.Contains(t)) Assert.True(seen[t] > 1000, $"token {t} drawn only {seen[t]} times");
            else Assert.Equal(0, seen[t]);
        }
    }

    [Fact]
    public void Top_k_breaks_ties_at_the_boundary_by_the_lowest_index()
    {
        // Five tokens share the 2nd-largest logit; top-3 keeps the largest (id 4) and the two lowest ids of the tie (1, 2).
        float[] logits = [-1f, 0.5f, 0.5f, 0.5f, 2f, 0.5f, 0.5f];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(5);
        var seen = new int[logits.Length];
        for (int i = 0; i < 10_000; i++) seen[Sampler.Sample(logits, scratch, new SamplerOptions { TopK = 3 }, ref rng)]++;
        Assert.Equal([1, 2, 4], Enumerable.Range(0, logits.Length).Where(t => seen[t] > 0).ToArray());
    }

    [Fact]
    public void Top_p_never_picks_outside_the_nucleus()
    {
        var source = new Xoshiro256StarStar(23);
        var logits = new float[50];
        var scratch = new float[50];
        var rng = new Xoshiro256StarStar(2);
        foreach (float p in new[] { 0.3f, 0.6f, 0.9f })
        {
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(source.NextDouble() * 6 - 3);
            bool[] nucleus = Nucleus(logits, p);
            var seen = new int[logits.Length];
            var options = new SamplerOptions { TopP = p };
            for (int i = 0; i < 10_000; i++) seen[Sampler.Sample(logits, scratch, options, ref rng)]++;
            for (int t = 0; t < logits.Length; t++)
                if (!nucleus[t]) Assert.True(seen[t] == 0, $"p = {p}: token {t} is outside the nucleus but was drawn {seen[t]} times");
            Assert.True(seen.Count(s => s > 0) >= nucleus.Count(b => b) * 9 / 10, $"p = {p}: most of the nucleus should be drawn");
        }
    }

    [Fact]
    public void Top_p_0_keeps_only_the_most_probable_token_and_top_p_renormalizes()
    {
        float[] logits = [0f, 2f, 1.9f, -5f];
        var scratch = new float[4];
        var rng = new Xoshiro256StarStar(8);
        for (int i = 0; i < 1000; i++) Assert.Equal(1, Sampler.Sample(logits, scratch, new SamplerOptions { TopP = 0f }, ref rng));

        // p(1) = 0.490, p(2) = 0.443 (softmax): top-p 0.9 keeps {1, 2}; renormalized p(1) = 0.525.
        const int N = 100_000;
        int ones = 0;
        var options = new SamplerOptions { TopP = 0.9f };
        for (int i = 0; i < N; i++)
        {
            int t = Sampler.Sample(logits, scratch, options, ref rng);
            Assert.True(t is 1 or 2);
            if (t == 1) ones++;
        }
        double expected = Math.Exp(2.0) / (Math.Exp(2.0) + Math.Exp(1.9f));
        Assert.InRange(ones / (double)N, expected - 0.005, expected + 0.005); // ±3.2 standard deviations (0.00158)
    }

    /// <summary>Chi-square statistic of observed counts against expected probabilities.</summary>
    private static double ChiSquare(int[] observed, double[] probabilities, int n)
    {
        double chi2 = 0;
        for (int i = 0; i < observed.Length; i++)
        {
            double e = n * probabilities[i];
            chi2 += (observed[i] - e) * (observed[i] - e) / e;
        }
        return chi2;
    }

    private static double[] Softmax(float[] logits, double temperature)
    {
        double max = logits.Max();
        double[] p = logits.Select(x => Math.Exp((x - max) / temperature)).ToArray();
        double sum = p.Sum();
        return p.Select(v => v / sum).ToArray();
    }

    [Fact]
    public void At_temperature_1_the_draws_follow_the_softmax_chi_square()
    {
        // Critical values of the chi-square distribution at significance 0.001 (upper tail), from the table in the
        // NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7.4: df = 5: 20.515.
        // The draws are seeded, so this test is deterministic; the threshold guards against a biased sampler.
        const double Critical_df5_p001 = 20.515;
        float[] logits = [0.3f, -1.2f, 1.1f, 0.0f, -0.4f, 0.8f];
        double[] expected = Softmax(logits, 1.0);
        const int N = 100_000;
        var observed = new int[logits.Length];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(20_240_601);
        for (int i = 0; i < N; i++) observed[Sampler.Sample(logits, scratch, default, ref rng)]++;
        double chi2 = ChiSquare(observed, expected, N);
        Assert.True(chi2 < Critical_df5_p001, $"chi-square {chi2:F3} ≥ {Critical_df5_p001} (df 5, p 0.001); observed {string.Join(", ", observed)}");

        // The same sampler against a wrong distribution (temperature 1.25's) is rejected: the test has power.
        Assert.True(ChiSquare(observed, Softmax(logits, 1.25), N) > Critical_df5_p001);
    }

    [Fact]
    public void Temperature_and_top_k_together_follow_the_renormalized_softmax_chi_square()
    {
        // NIST/SEMATECH e-Handbook 1.3.6.7.4, upper-tail critical value at 0.001 for df = 2: 13.816.
        const double Critical_df2_p001 = 13.816;
        float[] logits = [0.3f, -1.2f, 1.1f, 0.0f, -0.4f, 0.8f];
        int[] kept = [2, 5, 0]; // the 3 largest
        double[] all = Softmax(logits, 0.5);
        double keptMass = kept.Sum(t => all[t]);
        double[] expected = kept.Select(t => all[t] / keptMass).ToArray();
        const int N = 100_000;
        var counts = new int[logits.Length];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(77);
        var options = new SamplerOptions { Temperature = 0.5f, TopK = 3 };
        for (int i = 0; i < N; i++) counts[Sampler.Sample(logits, scratch, options, ref rng)]++;
        Assert.Equal(N, kept.Sum(t => counts[t]));
        double chi2 = ChiSquare(kept.Select(t => counts[t]).ToArray(), expected, N);
        Assert.True(chi2 < Critical_df2_p001, $"chi-square {chi2:F3} ≥ {Critical_df2_p001} (df 2, p 0.001)");
    }

    [Fact]
    public void As_the_temperature_goes_to_0_sampling_approaches_the_argmax()
    {
        float[] logits = [0.5f, 1.0f, 0.2f, 0.9f, -0.3f]; // argmax 1, runner-up 0.1 lower
        var scratch = new float[logits.Length];
        double previous = 0;
        foreach (float t in new[] { 2f, 1f, 0.5f, 0.2f, 0.1f, 0.05f })
        {
            var rng = new Xoshiro256StarStar(31);
            int hits = 0;
            for (int i = 0; i < 10_000; i++) if (Sampler.Sample(logits, scratch, new SamplerOptions { Temperature = t }, ref rng) == 1) hits++;
            double share = hits / 10_000.0;
            Assert.True(share > previous, $"T = {t}: argmax share {share} is not above {previous}");
            Assert.InRange(share, Softmax(logits, t)[1] - 0.02, Softmax(logits, t)[1] + 0.02);
            previous = share;
        }
        var cold = new Xoshiro256StarStar(32);
        for (int i = 0; i < 10_000; i++)
            Assert.Equal(1, Sampler.Sample(logits, scratch, new SamplerOptions { Temperature = 0.002f }, ref cold)); // runner-up weight e^-50
    }

    [Fact]
    public void Extreme_logits_do_not_overflow()
    {
        float[] logits = [3e38f, -3e38f, 2.9e38f, float.NegativeInfinity];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(4);
        for (int i = 0; i < 1000; i++)
        {
            int t = Sampler.Sample(logits, scratch, new SamplerOptions { Temperature = 1e-3f }, ref rng);
            Assert.Equal(0, t);
        }
        for (int i = 0; i < 100; i++)
            Assert.Equal(1, Sampler.Sample([0f, float.PositiveInfinity, 1f, float.PositiveInfinity], scratch, default, ref rng));
        Assert.Equal(0, Sampler.Sample([float.NegativeInfinity, float.NaN], scratch, default, ref rng));
    }

    [Fact]
    public void Bad_spans_are_rejected()
    {
        var rng = new Xoshiro256StarStar(1);
        var e = Assert.Throws<ArgumentException>(() => Sampler.Sample([1f, 2f, 3f], new float[2], default, ref rng));
        Assert.Equal("scratch", e.ParamName);
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Sampler.Sample([], new float[2], default, ref rng)).ParamName);
        Assert.Throws<ArgumentException>(() => Sampler.ArgMax([]));
        // a longer scratch is fine
        Assert.Equal(2, Sampler.Sample([0f, 0f, 9f], new float[10], SamplerOptions.Greedy, ref rng));
    }

    [Fact]
    public void Sampling_allocates_nothing()
    {
        float[] logits = [.. Enumerable.Range(0, 300).Select(i => MathF.Sin(i * 0.37f) * 4)];
        var scratch = new float[logits.Length];
        var rng = new Xoshiro256StarStar(1);
        var options = new SamplerOptions { Temperature = 0.8f, TopK = 40, TopP = 0.9f };
        Sampler.Sample(logits, scratch, options, ref rng);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 10_000; i++) sum += Sampler.Sample(logits, scratch, options, ref rng);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    /// <summary>The top-p nucleus by sorting: the smallest prefix (probability desc, id asc) whose sum reaches p.</summary>
    private static bool[] Nucleus(float[] logits, double p)
    {
        double[] probs = Softmax(logits, 1.0);
        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => probs[i]).ThenBy(i => i).ToArray();
        var nucleus = new bool[logits.Length];
        double cumulative = 0;
        foreach (int i in order)
        {
            nucleus[i] = true;
            cumulative += probs[i];
            if (cumulative >= p) break;
        }
        return nucleus;
    }
}

/// <summary><see cref="Generation.Generate{TModel}"/> with hand-written token models (the generated ones have their own tests).</summary>
public class SamplerGenerationTests
{
    [Fact]
    public void Greedy_generation_follows_the_argmax_chain()
    {
        // TransitionTableModel's argmax successor: 0→1, 1→2, 2→3, 3→4, 4→0.
        var model = new TransitionTableModel();
        var output = new int[12];
        Assert.Equal(12, Generation.Generate(ref model, [3], output, SamplerOptions.Greedy));
        Assert.Equal([4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0], output);
        Assert.Equal(0, model.LastToken);   // the state consumed the last generated token
        Assert.Equal(13, model.Steps);      // 1 prompt token + 12 generated, each fed back
    }

    [Fact]
    public void The_prompt_is_fed_through_Step_in_order_and_the_state_carries_over()
    {
        var model = new TransitionTableModel();
        var output = new int[1];
        Generation.Generate(ref model, [0, 4, 1], output, SamplerOptions.Greedy);
        Assert.Equal(2, output[0]); // predicted from the last prompt token, 1
        Assert.Equal(4, model.Steps);
        Generation.Generate(ref model, [2], output, SamplerOptions.Greedy); // continues from the carried state
        Assert.Equal(3, output[0]);
        Assert.Equal(6, model.Steps);
    }

    [Fact]
    public void A_fixed_seed_gives_a_fixed_sequence()
    {
        var options = new SamplerOptions { Temperature = 1.2f, Seed = 1234 };
        int[] Run(SamplerOptions o)
        {
            var model = new TransitionTableModel();
            var output = new int[300];
            Generation.Generate(ref model, [0, 1], output, o);
            return output;
        }
        int[] first = Run(options);
        Assert.Equal(first, Run(options));
        Assert.NotEqual(first, Run(options with { Seed = 1235 }));
        Assert.True(first.Distinct().Count() == TransitionTableModel.VocabSize, "temperature 1.2 should visit every token");
    }

    [Fact]
    public void Generate_is_Step_plus_Sampler_with_a_generator_seeded_from_the_options()
    {
        var options = new SamplerOptions { Temperature = 0.9f, TopK = 4, TopP = 0.95f, Seed = 77 };
        var model = new TransitionTableModel();
        var output = new int[200];
        Generation.Generate(ref model, [2, 2], output, options);

        var manual = new TransitionTableModel();
        var logits = new float[TransitionTableModel.OutputSize];
        var scratch = new float[TransitionTableModel.OutputSize];
        var rng = new Xoshiro256StarStar(77);
        manual.Step(2, logits);
        manual.Step(2, logits);
        for (int i = 0; i < output.Length; i++)
        {
            int next = Sampler.Sample(logits, scratch, options, ref rng);
            Assert.Equal(next, output[i]);
            manual.Step(next, logits);
        }
    }

    [Fact]
    public void Generating_a_thousand_tokens_allocates_nothing()
    {
        var output = new int[1000];
        ReadOnlySpan<int> prompt = [1, 2, 3];
        var sampling = new SamplerOptions { Temperature = 0.8f, TopK = 4, TopP = 0.9f, Seed = 5 };
        var model = new TransitionTableModel();
        Generation.Generate(ref model, prompt, output, sampling);              // warm-up (JIT)
        Generation.Generate(ref model, prompt, output, SamplerOptions.Greedy);

        long before = GC.GetAllocatedBytesForCurrentThread();
        model.Reset();
        int written = Generation.Generate(ref model, prompt, output, sampling);
        written += Generation.Generate(ref model, prompt, output, SamplerOptions.Greedy);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2000, written);
        Assert.Equal(2 * (3 + 1000), model.StepsSinceReset); // every prompt token and every generated token went through Step
    }

    [Fact]
    public void An_empty_prompt_is_an_ArgumentException()
    {
        var model = new TransitionTableModel();
        var e = Assert.Throws<ArgumentException>(() => Generation.Generate(ref model, [], new int[4], default));
        Assert.Equal("prompt", e.ParamName);
        Assert.Equal(0, model.Steps);
    }

    [Fact]
    public void An_out_of_range_prompt_token_is_the_models_ArgumentOutOfRangeException()
    {
        var model = new TransitionTableModel();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Generation.Generate(ref model, [1, 5], new int[4], default));
        Assert.Equal("token", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Generation.Generate(ref model, [-1], new int[4], default));
    }

    [Fact]
    public void An_empty_output_only_primes_the_state()
    {
        var model = new TransitionTableModel();
        Assert.Equal(0, Generation.Generate(ref model, [4, 2], Span<int>.Empty, default));
        Assert.Equal(2, model.LastToken);
        Assert.Equal(2, model.Steps);
    }

    [Fact]
    public void A_model_whose_outputs_are_not_vocabulary_logits_cannot_generate()
    {
        var model = new TokenClassifierModel();
        var e = Assert.Throws<ArgumentException>(() => Generation.Generate(ref model, [1], new int[4], default));
        Assert.Contains("OutputSize (2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("VocabSize (3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vocabulary_too_large_for_the_stack_uses_the_array_pool_and_stays_deterministic()
    {
        Assert.True(LargeVocabularyModel.VocabSize > Generation.MaxStackVocabulary);
        var options = new SamplerOptions { Temperature = 0.7f, TopK = 50, Seed = 3 };
        int[] Run()
        {
            var model = new LargeVocabularyModel();
            var output = new int[50];
            Generation.Generate(ref model, [123], output, options);
            return output;
        }
        int[] a = Run();
        Assert.Equal(a, Run());
        Assert.All(a, t => Assert.InRange(t, 0, LargeVocabularyModel.VocabSize - 1));
        var greedy = new LargeVocabularyModel();
        var g = new int[3];
        Generation.Generate(ref greedy, [10], g, SamplerOptions.Greedy);
        Assert.Equal([LargeVocabularyModel.Successor(10), LargeVocabularyModel.Successor(LargeVocabularyModel.Successor(10)),
                      LargeVocabularyModel.Successor(LargeVocabularyModel.Successor(LargeVocabularyModel.Successor(10)))], g);
    }
}

/// <summary>
/// A tiny hand-written token model: the next-token logits depend only on the previous token, through a fixed 5×5
/// table (a Markov chain). Its state is the last token. It implements the whole <see cref="ITokenModel"/> contract,
/// as a generated struct does, with token ids checked.
/// </summary>
internal struct TransitionTableModel : ITokenModel
{
    // A static array (created once with the type), not a ReadOnlySpan<float> property: without optimization (Debug
    // builds, the tests' default) such a property allocates a new array on every call.
    private static readonly float[] Table =
    [
        // to:  0      1      2      3      4          argmax
        -1.0f, 2.0f, 0.5f, 0.0f, 1.0f,       // from 0 → 1
        0.3f, -0.5f, 1.5f, 1.0f, -2.0f,      // from 1 → 2
        0.0f, 0.2f, -1.0f, 1.8f, 0.9f,       // from 2 → 3
        1.2f, 0.0f, 0.4f, -0.3f, 1.6f,       // from 3 → 4
        2.2f, 1.0f, 0.0f, -1.0f, 0.5f,       // from 4 → 0
    ];

    private int _last;

    public static int VocabSize => 5;
    public static int InputSize => 5;   // a one-hot row for the float API
    public static int OutputSize => 5;
    public static int StateSize => 1;

    public int LastToken => _last;
    public int Steps { get; private set; }
    public int StepsSinceReset { get; private set; }

    public void Step(int token, Span<float> output)
    {
        if ((uint)token >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token must be in [0, {VocabSize}).");
        if (output.Length != OutputSize) throw new ArgumentException("output must hold 5 floats.", nameof(output));
        Table.AsSpan(token * 5, 5).CopyTo(output);
        _last = token;
        Steps++;
        StepsSinceReset++;
    }

    public void Step(ReadOnlySpan<float> input, Span<float> output) => Step(Sampler.ArgMax(input), output);

    public void Run(ReadOnlySpan<int> tokens, Span<float> outputs)
    {
        for (int t = 0; t < tokens.Length; t++) Step(tokens[t], outputs.Slice(t * OutputSize, OutputSize));
    }

    public void Run(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        for (int t = 0; t < inputs.Length / InputSize; t++)
            Step(inputs.Slice(t * InputSize, InputSize), outputs.Slice(t * OutputSize, OutputSize));
    }

    public void Reset()
    {
        _last = 0;
        StepsSinceReset = 0;
    }

    public void CopyStateTo(Span<float> destination) => destination[0] = _last;

    public void LoadState(ReadOnlySpan<float> source) => _last = (int)source[0];
}

/// <summary>A token model with 2 outputs over 3 tokens (a classifier): not something to generate from.</summary>
internal struct TokenClassifierModel : ITokenModel
{
    public static int VocabSize => 3;
    public static int InputSize => 3;
    public static int OutputSize => 2;
    public static int StateSize => 0;

    public void Step(int token, Span<float> output) => output.Fill(token);
    public void Step(ReadOnlySpan<float> input, Span<float> output) => output.Fill(0);
    public void Run(ReadOnlySpan<int> tokens, Span<float> outputs) => outputs.Fill(0);
    public void Run(ReadOnlySpan<float> inputs, Span<float> outputs) => outputs.Fill(0);
    public void Reset() { }
    public void CopyStateTo(Span<float> destination) { }
    public void LoadState(ReadOnlySpan<float> source) { }
}

/// <summary>A 20,000-token model whose logits peak at a fixed successor of the last token.</summary>
internal struct LargeVocabularyModel : ITokenModel
{
    public static int VocabSize => 20_000;
    public static int InputSize => 1;
    public static int OutputSize => 20_000;
    public static int StateSize => 0;

    public static int Successor(int token) => (int)((token * 7919L + 13) % VocabSize);

    public void Step(int token, Span<float> output)
    {
        if ((uint)token >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(token));
        int peak = Successor(token);
        for (int j = 0; j < output.Length; j++) output[j] = -Math.Abs(j - peak) * 0.01f;
    }

    public void Step(ReadOnlySpan<float> input, Span<float> output) => Step((int)input[0], output);
    public void Run(ReadOnlySpan<int> tokens, Span<float> outputs) => throw new NotSupportedException();
    public void Run(ReadOnlySpan<float> inputs, Span<float> outputs) => throw new NotSupportedException();
    public void Reset() { }
    public void CopyStateTo(Span<float> destination) { }
    public void LoadState(ReadOnlySpan<float> source) { }
}
