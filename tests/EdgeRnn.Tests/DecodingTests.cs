using EdgeRnn.Decoding;

namespace EdgeRnn.Tests;

/// <summary>
/// <see cref="Decoder"/>'s greedy, sampling and beam search over <see cref="TableDecoder{TShape}"/>, a decoder whose
/// logits come from a table: it checks the decoding logic independently of any network. Beam search is compared with
/// a literal implementation of the contract's rules (list-based, each hypothesis holding its own copy of the decoder
/// struct instead of saved states) and, where the width covers every hypothesis, with an exhaustive search.
/// </summary>
public class DecodingTests
{
    private const int Start = TableDecoder<Wide>.Start;
    private const int Stop = TableDecoder<Wide>.Stop;

    // ---------------------------------------------------------------------------------------------------------
    // Greedy
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void Greedy_takes_the_argmax_until_the_stop_token_and_returns_each_steps_attention()
    {
        bool sawStop = false, sawMaxLength = false;
        for (int node = 0; node < Wide.Nodes; node++)
        {
            var model = new TableDecoder<Wide>(node, sourceLength: 5);
            var output = new int[Wide.MaxLength];
            var attention = new float[Wide.MaxLength * 5];
            int written = Decoder.Greedy(ref model, output, attention);

            int[] expected = ArgMaxDecode(new TableDecoder<Wide>(node, 5), Wide.MaxLength);
            Assert.Equal(expected, output[..written]);
            Assert.Equal(expected.Length, written);
            Assert.Equal(Replay(new TableDecoder<Wide>(node, 5), output.AsSpan(0, written)).Attention, attention[..(written * 5)]);
            Assert.All(attention[(written * 5)..], a => Assert.Equal(0f, a)); // rows past the end untouched
            sawStop |= output[written - 1] == Stop;
            sawMaxLength |= written == Wide.MaxLength && output[written - 1] != Stop;
        }
        Assert.True(sawStop && sawMaxLength, "the table gives both a stopped and a maximum-length sequence");
    }

    [Fact]
    public void The_output_length_caps_the_decoded_length_and_MaxDecodeLength_caps_a_longer_output()
    {
        int node = FirstNode<Wide>(n => ArgMaxDecode(new TableDecoder<Wide>(n, 3), Wide.MaxLength) is { Length: Wide.MaxLength } s && s[^1] != Stop);
        int[] full = ArgMaxDecode(new TableDecoder<Wide>(node, 3), Wide.MaxLength);
        for (int length = 1; length <= Wide.MaxLength; length++)
        {
            var model = new TableDecoder<Wide>(node, 3);
            var output = new int[length];
            Assert.Equal(length, Decoder.Greedy(ref model, output));
            Assert.Equal(full[..length], output);
            Assert.Equal(length, model.DecodeSteps);
        }

        var longModel = new TableDecoder<Wide>(node, 3);
        var longOutput = Enumerable.Repeat(-1, Wide.MaxLength + 5).ToArray();
        Assert.Equal(Wide.MaxLength, Decoder.Greedy(ref longModel, longOutput));
        Assert.Equal(full, longOutput[..Wide.MaxLength]);
        Assert.All(longOutput[Wide.MaxLength..], t => Assert.Equal(-1, t));
    }

    [Fact]
    public void A_stop_token_at_the_first_step_gives_one_token()
    {
        var model = new TableDecoder<Detour>(Detour.StopsAtOnce, sourceLength: 2);
        var output = new int[Detour.MaxLength];
        Assert.Equal(1, Decoder.Greedy(ref model, output));
        Assert.Equal(Stop, output[0]);
        var beamModel = new TableDecoder<Detour>(Detour.StopsAtOnce, 2);
        Assert.Equal(1, Decoder.Beam(ref beamModel, 2, output, out float score));
        Assert.Equal(Stop, output[0]);
        Assert.Equal(ReplayScore(new TableDecoder<Detour>(Detour.StopsAtOnce, 2), output.AsSpan(0, 1)), score);
    }

    [Fact]
    public void A_model_without_attention_decodes_with_and_without_an_attention_span()
    {
        var model = new TableDecoder<Wide>(2, sourceLength: 0);
        var output = new int[Wide.MaxLength];
        int written = Decoder.Greedy(ref model, output, new float[4]);
        Assert.Equal(ArgMaxDecode(new TableDecoder<Wide>(2, 0), Wide.MaxLength), output[..written]);
        var beamModel = new TableDecoder<Wide>(2, 0);
        Assert.True(Decoder.Beam(ref beamModel, 3, output, out _) > 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sampling
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void Sampling_at_temperature_0_is_greedy()
    {
        for (int node = 0; node < Wide.Nodes; node++)
        {
            var greedyModel = new TableDecoder<Wide>(node, 4);
            var sampleModel = new TableDecoder<Wide>(node, 4);
            int[] greedy = new int[Wide.MaxLength], sampled = new int[Wide.MaxLength];
            float[] greedyAttention = new float[Wide.MaxLength * 4], sampledAttention = new float[Wide.MaxLength * 4];
            int g = Decoder.Greedy(ref greedyModel, greedy, greedyAttention);
            int s = Decoder.Sample(ref sampleModel, sampled, new SamplerOptions { Temperature = 0f, Seed = (ulong)node }, sampledAttention);
            Assert.Equal(greedy[..g], sampled[..s]);
            Assert.Equal(greedyAttention, sampledAttention);
        }
    }

    [Fact]
    public void Sampling_draws_each_token_with_the_sampler_from_a_generator_seeded_by_the_options()
    {
        var distinct = new HashSet<string>();
        for (ulong seed = 0; seed < 20; seed++)
        {
            var options = new SamplerOptions { Temperature = 1.3f, TopK = 4, TopP = 0.95f, Seed = seed };
            var model = new TableDecoder<Wide>(1, 6);
            var output = new int[Wide.MaxLength];
            var attention = new float[Wide.MaxLength * 6];
            int written = Decoder.Sample(ref model, output, options, attention);

            // The same run by hand: one Sampler.Sample per token, the generator seeded with options.Seed.
            var manual = new TableDecoder<Wide>(1, 6);
            var rng = new Xoshiro256StarStar(seed);
            var logits = new float[Wide.Vocab];
            var scratch = new float[Wide.Vocab];
            var row = new float[6];
            var expected = new List<int>();
            int token = Start;
            while (expected.Count < Wide.MaxLength && (expected.Count == 0 || expected[^1] != Stop))
            {
                manual.DecodeStep(token, logits, row);
                token = Sampler.Sample(logits, scratch, options, ref rng);
                expected.Add(token);
            }
            Assert.Equal(expected, output[..written]);
            Assert.Equal(Replay(new TableDecoder<Wide>(1, 6), output.AsSpan(0, written)).Attention, attention[..(written * 6)]);

            var again = new TableDecoder<Wide>(1, 6);
            var repeat = new int[Wide.MaxLength];
            Assert.Equal(written, Decoder.Sample(ref again, repeat, options));
            Assert.Equal(output, repeat);
            distinct.Add(string.Join(",", output[..written]));
        }
        Assert.True(distinct.Count > 1, "different seeds draw different sequences");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Beam search
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void Beam_search_finds_the_likelier_sequence_that_greedy_misses()
    {
        // Detour's table (see below): from the start, a has probability 0.6 and b 0.4; after a the stop token has
        // 0.3 (the arg-max), after b it has 0.9. Greedy takes a, stop (0.18); width 2 keeps b and finds b, stop (0.36).
        var greedyModel = new TableDecoder<Detour>(Detour.Fork, 3);
        var output = new int[Detour.MaxLength];
        int greedyLength = Decoder.Greedy(ref greedyModel, output);
        Assert.Equal([Detour.A, Stop], output[..greedyLength]);

        var narrow = new TableDecoder<Detour>(Detour.Fork, 3);
        int narrowLength = Decoder.Beam(ref narrow, 1, output, out float narrowScore);
        Assert.Equal([Detour.A, Stop], output[..narrowLength]);
        Assert.Equal(MathF.Log(0.6f * 0.3f), narrowScore, 1e-5f);

        var wide = new TableDecoder<Detour>(Detour.Fork, 3);
        var attention = new float[Detour.MaxLength * 3];
        int wideLength = Decoder.Beam(ref wide, 2, output, out float wideScore, attention);
        Assert.Equal([Detour.B, Stop], output[..wideLength]);
        Assert.Equal(MathF.Log(0.4f * 0.9f), wideScore, 1e-5f);
        Assert.Equal(Replay(new TableDecoder<Detour>(Detour.Fork, 3), output.AsSpan(0, wideLength)).Attention, attention[..(wideLength * 3)]);
    }

    [Fact]
    public void Of_equally_scored_finished_hypotheses_the_one_ranked_first_wins()
    {
        var model = new TableDecoder<Detour>(Detour.TiedFork, 3);
        var output = new int[Detour.MaxLength];
        int written = Decoder.Beam(ref model, 2, output, out float score);
        Assert.Equal([Detour.A, Stop], output[..written]); // b, stop has the same score but ranks after it
        Assert.Equal(ReplayScore(new TableDecoder<Detour>(Detour.TiedFork, 3), [Detour.B, Stop]), score);
        for (int node = 0; node < Detour.Nodes; node++)
            for (int width = 1; width <= Detour.MaxBeam; width++)
                CompareWithReference<Detour>(node, width, Detour.MaxLength, sourceLength: 3);
    }

    [Fact]
    public void Beam_width_1_is_greedy_decoding()
    {
        for (int node = 0; node < Wide.Nodes; node++)
        {
            var greedyModel = new TableDecoder<Wide>(node, 5);
            var beamModel = new TableDecoder<Wide>(node, 5);
            int[] greedy = new int[Wide.MaxLength], beam = new int[Wide.MaxLength];
            float[] greedyAttention = new float[Wide.MaxLength * 5], beamAttention = new float[Wide.MaxLength * 5];
            int g = Decoder.Greedy(ref greedyModel, greedy, greedyAttention);
            int b = Decoder.Beam(ref beamModel, 1, beam, out float score, beamAttention);
            Assert.Equal(greedy[..g], beam[..b]);
            Assert.Equal(greedyAttention, beamAttention);
            Assert.Equal(ReplayScore(new TableDecoder<Wide>(node, 5), beam.AsSpan(0, b)), score);
        }
    }

    [Fact]
    public void Beam_search_follows_the_contract_rules_for_every_width_and_length()
    {
        var outcomes = new HashSet<string>();
        for (int node = 0; node < Wide.Nodes; node++)
            for (int width = 1; width <= Wide.MaxBeam; width++)
                for (int length = 1; length <= Wide.MaxLength; length++)
                    outcomes.Add(CompareWithReference<Wide>(node, width, length, sourceLength: 1 + node % Wide.MaxSource));
        // The cases are not all alike: some finish, some run to the maximum length without a finished hypothesis.
        Assert.Contains("finished", outcomes);
        Assert.Contains("unfinished", outcomes);
    }

    [Fact]
    public void Beam_search_breaks_ties_by_hypothesis_then_token_as_the_contract_says()
    {
        // Ties' logits take three values only, so many expansions have exactly equal scores.
        for (int node = 0; node < Ties.Nodes; node++)
            for (int width = 1; width <= Ties.MaxBeam; width++)
                CompareWithReference<Ties>(node, width, Ties.MaxLength, sourceLength: 2);
    }

    [Fact]
    public void Beam_search_wide_enough_to_keep_every_hypothesis_finds_the_most_probable_sequence()
    {
        // Tiny: 3 tokens, at most 4 steps, width 81 = 3^4: no hypothesis is ever dropped, so the beam's result is
        // the most probable finished sequence over all of them (log-probabilities computed here in double).
        for (int node = 0; node < Tiny.Nodes; node++)
        {
            var (bestTokens, bestScore) = ExhaustiveBest(new TableDecoder<Tiny>(node, 2));
            var model = new TableDecoder<Tiny>(node, 2);
            var output = new int[Tiny.MaxLength];
            var attention = new float[Tiny.MaxLength * 2];
            int written = Decoder.Beam(ref model, Tiny.MaxBeam, output, out float score, attention);
            Assert.Equal(bestTokens, output[..written]);
            Assert.Equal(bestScore, score, 1e-5);
            Assert.Equal(Replay(new TableDecoder<Tiny>(node, 2), output.AsSpan(0, written)).Attention, attention[..(written * 2)]);
        }
    }

    [Fact]
    public void Beam_search_in_a_caller_workspace_gives_the_stack_result_and_needs_exactly_BeamWorkspaceSize()
    {
        for (int width = 1; width <= Wide.MaxBeam; width++)
        {
            int size = Decoder.BeamWorkspaceSize<TableDecoder<Wide>>(width);
            var stackModel = new TableDecoder<Wide>(3, 7);
            var stackOutput = new int[Wide.MaxLength];
            int stackLength = Decoder.Beam(ref stackModel, width, stackOutput, out float stackScore);

            foreach (int extra in new[] { 0, 13 })
            {
                var workspace = new float[size + extra];
                Array.Fill(workspace, float.NaN); // a workspace's old contents do not matter
                var model = new TableDecoder<Wide>(3, 7);
                var output = new int[Wide.MaxLength];
                Assert.Equal(stackLength, Decoder.Beam(ref model, width, workspace, output, out float score));
                Assert.Equal(stackOutput, output);
                Assert.Equal(stackScore, score);
            }

            var shortModel = new TableDecoder<Wide>(3, 7);
            var e = Assert.Throws<ArgumentException>(() => Decoder.Beam(ref shortModel, width, new float[size - 1], new int[4], out _));
            Assert.Equal("workspace", e.ParamName);
            Assert.Contains(size.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_beam_too_large_for_the_stack_asks_for_a_workspace()
    {
        Assert.True(Decoder.BeamWorkspaceSize<TableDecoder<LongSource>>(1) <= Decoder.MaxStackFloats);
        int size = Decoder.BeamWorkspaceSize<TableDecoder<LongSource>>(2);
        Assert.True(size > Decoder.MaxStackFloats);

        var onStack = new TableDecoder<LongSource>(0, LongSource.MaxSource);
        var output = new int[LongSource.MaxLength];
        Assert.True(Decoder.Beam(ref onStack, 1, output, out _) > 0);

        var model = new TableDecoder<LongSource>(0, LongSource.MaxSource);
        var e = Assert.Throws<ArgumentException>(() => Decoder.Beam(ref model, 2, output, out _));
        Assert.Contains("BeamWorkspaceSize", e.Message, StringComparison.Ordinal);

        CompareWithReference<LongSource>(0, 2, LongSource.MaxLength, LongSource.MaxSource);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Argument errors
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void A_beam_width_outside_1_to_MaxBeamWidth_is_refused_with_the_bound()
    {
        foreach (int width in new[] { 0, -1, Wide.MaxBeam + 1 })
        {
            var model = new TableDecoder<Wide>(0, 2);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Decoder.Beam(ref model, width, new int[4], out _));
            Assert.Equal("width", e.ParamName);
            Assert.Contains($"MaxBeamWidth ({Wide.MaxBeam}", e.Message, StringComparison.Ordinal);
            Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => Decoder.BeamWorkspaceSize<TableDecoder<Wide>>(width)).ParamName);
            Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => Decoder.Beam(ref model, width, new float[10_000], new int[4], out _)).ParamName);
            Assert.Equal(0, model.DecodeSteps);
        }
    }

    [Fact]
    public void An_empty_output_or_a_short_attention_span_is_refused_before_decoding()
    {
        var model = new TableDecoder<Wide>(0, 3);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Decoder.Greedy(ref model, [])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Decoder.Sample(ref model, [], default)).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentException>(() => Decoder.Beam(ref model, 2, [], out _)).ParamName);

        // Room for min(output.Length, MaxDecodeLength) rows of SourceLength floats is required.
        var e = Assert.Throws<ArgumentException>(() => Decoder.Greedy(ref model, new int[4], new float[4 * 3 - 1]));
        Assert.Equal("attention", e.ParamName);
        Assert.Contains("12", e.Message, StringComparison.Ordinal);
        Assert.Equal("attention", Assert.Throws<ArgumentException>(() => Decoder.Sample(ref model, new int[4], default, new float[11])).ParamName);
        Assert.Equal("attention", Assert.Throws<ArgumentException>(() => Decoder.Beam(ref model, 2, new int[4], out _, new float[11])).ParamName);
        Assert.Equal("attention", Assert.Throws<ArgumentException>(
            () => Decoder.Greedy(ref model, new int[Wide.MaxLength + 9], new float[Wide.MaxLength * 3 - 1])).ParamName);
        Assert.Equal(0, model.DecodeSteps);

        // An output longer than MaxDecodeLength needs attention rows for MaxDecodeLength tokens only.
        Assert.True(Decoder.Greedy(ref model, new int[Wide.MaxLength + 9], new float[Wide.MaxLength * 3]) > 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Allocation
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void Decoding_allocates_nothing_per_token()
    {
        var output = new int[Wide.MaxLength];
        var attention = new float[Wide.MaxLength * Wide.MaxSource];
        var workspace = new float[Decoder.BeamWorkspaceSize<TableDecoder<Wide>>(Wide.MaxBeam)];
        var sampling = new SamplerOptions { Temperature = 0.9f, TopK = 3, TopP = 0.9f, Seed = 3 };

        int DecodeAll(int rounds)
        {
            int tokens = 0;
            for (int i = 0; i < rounds; i++)
            {
                var model = new TableDecoder<Wide>(i % Wide.Nodes, Wide.MaxSource);
                tokens += Decoder.Greedy(ref model, output, attention);
                model = new TableDecoder<Wide>(i % Wide.Nodes, Wide.MaxSource);
                tokens += Decoder.Sample(ref model, output, sampling, attention);
                model = new TableDecoder<Wide>(i % Wide.Nodes, Wide.MaxSource);
                tokens += Decoder.Beam(ref model, Wide.MaxBeam, output, out _, attention);
                model = new TableDecoder<Wide>(i % Wide.Nodes, Wide.MaxSource);
                tokens += Decoder.Beam(ref model, 3, workspace, output, out _);
            }
            return tokens;
        }

        DecodeAll(50); // warm-up: JIT tiers, static tables
        long least = long.MaxValue;
        int decoded = 0;
        for (int window = 0; window < Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            decoded = DecodeAll(500);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
        Assert.True(decoded > 4 * 500, $"{decoded} tokens decoded");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers: references written from the contract's text, independent of Decoder's implementation.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Runs Decoder.Beam and the reference on the same start; asserts equal tokens, score and attention; says how it ended.</summary>
    private static string CompareWithReference<TShape>(int node, int width, int length, int sourceLength) where TShape : ITableShape
    {
        var model = new TableDecoder<TShape>(node, sourceLength);
        var output = Enumerable.Repeat(-1, length).ToArray();
        var attention = new float[Math.Min(length, TShape.MaxLength) * sourceLength];
        int maxLength = Math.Min(length, TShape.MaxLength);
        int size = Decoder.BeamWorkspaceSize<TableDecoder<TShape>>(width);
        float score;
        int written = size <= Decoder.MaxStackFloats
            ? Decoder.Beam(ref model, width, output, out score, attention)
            : Decoder.Beam(ref model, width, new float[size], output, out score, attention);

        var expected = ReferenceBeam(new TableDecoder<TShape>(node, sourceLength), width, maxLength);
        string context = $"{typeof(TShape).Name} node {node} width {width} length {length}";
        Assert.True(expected.Tokens.SequenceEqual(output[..written]),
            $"{context}: expected [{string.Join(", ", expected.Tokens)}], got [{string.Join(", ", output[..written])}]");
        Assert.Equal((float)expected.Score, score);
        Assert.Equal(expected.Attention, attention[..(written * sourceLength)]);
        Assert.True(model.DecodeSteps <= width * maxLength, $"{context}: {model.DecodeSteps} steps");
        return expected.Tokens[^1] == TableDecoder<TShape>.Stop ? "finished" : "unfinished";
    }

    private sealed record Hypothesis<TShape>(double Score, int[] Tokens, float[] Attention, TableDecoder<TShape> Model, int FinishOrder = 0)
        where TShape : ITableShape;

    /// <summary>Section 4 of the contract, literally: every expansion listed, sorted, the best K kept.</summary>
    private static (int[] Tokens, double Score, float[] Attention) ReferenceBeam<TShape>(TableDecoder<TShape> start, int width, int maxLength)
        where TShape : ITableShape
    {
        int stop = TableDecoder<TShape>.Stop;
        int sourceLength = start.SourceLength;
        var alive = new List<Hypothesis<TShape>> { new(0, [], [], start) };
        var finished = new List<Hypothesis<TShape>>();
        for (int emitted = 0; emitted < maxLength && alive.Count > 0; emitted++)
        {
            var expansions = new List<(double Score, int Hypothesis, int Token, Hypothesis<TShape> Next)>();
            for (int h = 0; h < alive.Count; h++)
            {
                var stepped = alive[h].Model; // a copy: this hypothesis's own decoder
                var logits = new float[TShape.Vocab];
                var row = new float[sourceLength];
                stepped.DecodeStep(alive[h].Tokens.Length == 0 ? stepped.StartToken : alive[h].Tokens[^1], logits, row);
                double logSumExp = BeamSearch.LogSumExp(logits);
                for (int token = 0; token < TShape.Vocab; token++)
                {
                    double score = alive[h].Score + BeamSearch.LogProbability(logits[token], logSumExp);
                    expansions.Add((score, h, token, new Hypothesis<TShape>(score, [.. alive[h].Tokens, token], [.. alive[h].Attention, .. row], stepped)));
                }
            }
            var best = expansions.OrderByDescending(e => e.Score).ThenBy(e => e.Hypothesis).ThenBy(e => e.Token).Take(width).ToList();
            alive = [];
            foreach (var e in best)
            {
                if (e.Token == stop) finished.Add(e.Next with { FinishOrder = finished.Count });
                else alive.Add(e.Next);
            }
            if (finished.Count > 0 && alive.Count > 0 && finished.Max(f => f.Score) >= alive.Max(a => a.Score)) break;
        }
        var result = finished.Count > 0
            ? finished.OrderByDescending(f => f.Score).ThenBy(f => f.Tokens.Length).ThenBy(f => f.FinishOrder).First()
            : alive.OrderByDescending(a => a.Score).First(); // stable: the best-ranked among equals
        return (result.Tokens, result.Score, result.Attention);
    }

    /// <summary>Every sequence up to the maximum length: the best one ending in the stop token (score, then shorter).</summary>
    private static (int[] Tokens, double Score) ExhaustiveBest<TShape>(TableDecoder<TShape> start) where TShape : ITableShape
    {
        int[] bestTokens = [];
        double bestScore = double.NegativeInfinity;
        void Visit(TableDecoder<TShape> model, int previous, List<int> tokens, double score)
        {
            if (tokens.Count == TShape.MaxLength) return;
            var logits = new float[TShape.Vocab];
            model.DecodeStep(previous, logits, new float[model.SourceLength]);
            double max = logits.Max(x => (double)x);
            double logSum = Math.Log(logits.Sum(x => Math.Exp(x - max)));
            for (int token = 0; token < TShape.Vocab; token++)
            {
                double next = score + (logits[token] - max - logSum);
                tokens.Add(token);
                if (token == TableDecoder<TShape>.Stop)
                {
                    if (next > bestScore || (next == bestScore && tokens.Count < bestTokens.Length))
                        (bestTokens, bestScore) = (tokens.ToArray(), next);
                }
                else Visit(model, token, tokens, next);
                tokens.RemoveAt(tokens.Count - 1);
            }
        }
        Visit(start, start.StartToken, [], 0);
        return (bestTokens, bestScore);
    }

    /// <summary>Greedy decoding written out: the first largest logit, until the stop token or the maximum length.</summary>
    private static int[] ArgMaxDecode<TShape>(TableDecoder<TShape> model, int maxLength) where TShape : ITableShape
    {
        var tokens = new List<int>();
        var logits = new float[TShape.Vocab];
        int token = model.StartToken;
        while (tokens.Count < maxLength)
        {
            model.DecodeStep(token, logits, new float[model.SourceLength]);
            token = Array.IndexOf(logits, logits.Max());
            tokens.Add(token);
            if (token == model.StopToken) break;
        }
        return [.. tokens];
    }

    /// <summary>Feeds a decoded sequence back (teacher forcing): the attention rows and logits of each of its steps.</summary>
    private static (float[] Attention, float[][] Logits) Replay<TShape>(TableDecoder<TShape> model, ReadOnlySpan<int> tokens) where TShape : ITableShape
    {
        var attention = new float[tokens.Length * model.SourceLength];
        var logits = new float[tokens.Length][];
        int previous = model.StartToken;
        for (int t = 0; t < tokens.Length; t++)
        {
            logits[t] = new float[TShape.Vocab];
            model.DecodeStep(previous, logits[t], attention.AsSpan(t * model.SourceLength, model.SourceLength));
            previous = tokens[t];
        }
        return (attention, logits);
    }

    /// <summary>The sum of the log-softmax of the replayed logits at the sequence's tokens, accumulated as the beam does.</summary>
    private static float ReplayScore<TShape>(TableDecoder<TShape> model, ReadOnlySpan<int> tokens) where TShape : ITableShape
    {
        var (_, logits) = Replay(model, tokens);
        double score = 0;
        for (int t = 0; t < tokens.Length; t++) score += BeamSearch.LogProbability(logits[t][tokens[t]], BeamSearch.LogSumExp(logits[t]));
        return (float)score;
    }

    private static int FirstNode<TShape>(Func<int, bool> predicate) where TShape : ITableShape
    {
        for (int node = 0; node < TShape.Nodes; node++)
            if (predicate(node)) return node;
        throw new InvalidOperationException($"no node of {typeof(TShape).Name} fits: change the table's seed");
    }

    [Fact]
    public void Log_probabilities_are_the_double_precision_log_softmax_and_defined_for_degenerate_rows()
    {
        float[] logits = [.. Enumerable.Range(0, 37).Select(i => MathF.Sin(i * 0.61f) * 7)];
        double logSumExp = BeamSearch.LogSumExp(logits);
        double probabilitySum = 0;
        foreach (float x in logits)
        {
            double direct = Math.Log(Math.Exp(x) / logits.Sum(y => Math.Exp(y)));
            Assert.Equal(direct, BeamSearch.LogProbability(x, logSumExp), 1e-12);
            probabilitySum += Math.Exp(BeamSearch.LogProbability(x, logSumExp));
        }
        Assert.Equal(1, probabilitySum, 1e-12);

        float[] withNaN = [1f, float.NaN, 1f];
        double half = BeamSearch.LogSumExp(withNaN);
        Assert.Equal(-Math.Log(2), BeamSearch.LogProbability(1f, half), 1e-15);
        Assert.Equal(double.NegativeInfinity, BeamSearch.LogProbability(float.NaN, half));
        double none = BeamSearch.LogSumExp([float.NegativeInfinity, float.NaN]);
        Assert.Equal(double.NegativeInfinity, BeamSearch.LogProbability(float.NegativeInfinity, none));
        double infinite = BeamSearch.LogSumExp([0f, float.PositiveInfinity, 3f]);
        Assert.Equal(0, BeamSearch.LogProbability(float.PositiveInfinity, infinite));
        Assert.Equal(double.NegativeInfinity, BeamSearch.LogProbability(3f, infinite));
    }
}

/// <summary>The sizes and tables of a <see cref="TableDecoder{TShape}"/>.</summary>
public interface ITableShape
{
    static abstract int Vocab { get; }
    static abstract int Nodes { get; }
    static abstract int MaxLength { get; }
    static abstract int MaxBeam { get; }
    static abstract int MaxSource { get; }

    /// <summary>Fills the logits [Nodes, Vocab] of the step that enters each node, and the node reached from each node by each token.</summary>
    static abstract void Fill(float[] logits, int[] next);
}

/// <summary>
/// A decoder that is a finite automaton: feeding token y in node n moves to node next[n, y] and writes that node's
/// row of logits; the attention row is a softmax of a fixed function of the node, the step and the source position.
/// Its decoder state (node, step, check value) is checked on load, so a state restored from the wrong place fails.
/// Argument checks are as strict as a generated model's: exact span lengths, token ids in range.
/// </summary>
public struct TableDecoder<TShape> : IStepDecoder where TShape : ITableShape
{
    public const int Start = 0, Stop = 1;
    private static readonly float[] LogitTable = new float[TShape.Nodes * TShape.Vocab];
    private static readonly int[] NextTable = new int[TShape.Nodes * TShape.Vocab];

    static TableDecoder() => TShape.Fill(LogitTable, NextTable);

    private float _node, _step;
    private readonly int _sourceLength;

    public TableDecoder(int startNode, int sourceLength)
    {
        _node = startNode;
        _sourceLength = sourceLength;
    }

    /// <summary>How many times <see cref="DecodeStep"/> ran on this copy.</summary>
    public int DecodeSteps { get; private set; }

    public static int VocabSize => TShape.Vocab;
    public static int DecoderStateSize => 3;
    public static int MaxDecodeLength => TShape.MaxLength;
    public static int MaxBeamWidth => TShape.MaxBeam;
    public static int MaxSourceLength => TShape.MaxSource;
    public readonly int StartToken => Start;
    public readonly int StopToken => Stop;
    public readonly int SourceLength => _sourceLength;

    public void DecodeStep(int previousToken, Span<float> logits, Span<float> attention)
    {
        if ((uint)previousToken >= (uint)TShape.Vocab) throw new ArgumentOutOfRangeException(nameof(previousToken));
        if (logits.Length != TShape.Vocab) throw new ArgumentException("logits must hold VocabSize floats", nameof(logits));
        if (attention.Length != _sourceLength) throw new ArgumentException("attention must hold SourceLength floats", nameof(attention));
        int node = NextTable[(int)_node * TShape.Vocab + previousToken];
        _node = node;
        _step++;
        LogitTable.AsSpan(node * TShape.Vocab, TShape.Vocab).CopyTo(logits);
        float sum = 0;
        for (int j = 0; j < attention.Length; j++) sum += attention[j] = MathF.Exp(MathF.Sin(node * 1.7f + _step * 0.3f + j * 0.9f));
        for (int j = 0; j < attention.Length; j++) attention[j] /= sum;
        DecodeSteps++;
    }

    public readonly void CopyDecoderStateTo(Span<float> destination)
    {
        if (destination.Length != DecoderStateSize) throw new ArgumentException("destination must hold DecoderStateSize floats", nameof(destination));
        destination[0] = _node;
        destination[1] = _step;
        destination[2] = Check(_node, _step);
    }

    public void LoadDecoderState(ReadOnlySpan<float> source)
    {
        if (source.Length != DecoderStateSize) throw new ArgumentException("source must hold DecoderStateSize floats", nameof(source));
        if (source[2] != Check(source[0], source[1])) throw new ArgumentException("not a state this decoder saved", nameof(source));
        _node = source[0];
        _step = source[1];
    }

    private static float Check(float node, float step) => node * 31f + step * 7f + 0.5f;
}

/// <summary>Random tables drawn from a seeded generator; <paramref name="levels"/> &gt; 0 quantizes the logits to that many values.</summary>
internal static class RandomTables
{
    public static void Fill(float[] logits, int[] next, int nodes, ulong seed, int levels = 0)
    {
        var rng = new Xoshiro256StarStar(seed);
        for (int i = 0; i < logits.Length; i++)
        {
            double u = rng.NextDouble();
            logits[i] = levels > 0 ? (float)Math.Floor(u * levels) : (float)(u * 6 - 3);
        }
        for (int i = 0; i < next.Length; i++) next[i] = (int)(rng.NextDouble() * nodes);
    }
}

public sealed class Wide : ITableShape
{
    public const int Vocab = 5, Nodes = 16, MaxLength = 8, MaxBeam = 6, MaxSource = 7;
    static int ITableShape.Vocab => Vocab;
    static int ITableShape.Nodes => Nodes;
    static int ITableShape.MaxLength => MaxLength;
    static int ITableShape.MaxBeam => MaxBeam;
    static int ITableShape.MaxSource => MaxSource;
    public static void Fill(float[] logits, int[] next) => RandomTables.Fill(logits, next, Nodes, seed: 11);
}

public sealed class Ties : ITableShape
{
    public const int Vocab = 4, Nodes = 5, MaxLength = 6, MaxBeam = 8, MaxSource = 2;
    static int ITableShape.Vocab => Vocab;
    static int ITableShape.Nodes => Nodes;
    static int ITableShape.MaxLength => MaxLength;
    static int ITableShape.MaxBeam => MaxBeam;
    static int ITableShape.MaxSource => MaxSource;
    public static void Fill(float[] logits, int[] next) => RandomTables.Fill(logits, next, Nodes, seed: 5, levels: 3);
}

public sealed class Tiny : ITableShape
{
    public const int Vocab = 3, Nodes = 6, MaxLength = 4, MaxBeam = 81, MaxSource = 2;
    static int ITableShape.Vocab => Vocab;
    static int ITableShape.Nodes => Nodes;
    static int ITableShape.MaxLength => MaxLength;
    static int ITableShape.MaxBeam => MaxBeam;
    static int ITableShape.MaxSource => MaxSource;
    public static void Fill(float[] logits, int[] next) => RandomTables.Fill(logits, next, Nodes, seed: 7);
}

/// <summary>Long sources: a beam of width 2 needs more working memory than the stack default allows.</summary>
public sealed class LongSource : ITableShape
{
    public const int Vocab = 3, Nodes = 4, MaxLength = 64, MaxBeam = 2, MaxSource = 300;
    static int ITableShape.Vocab => Vocab;
    static int ITableShape.Nodes => Nodes;
    static int ITableShape.MaxLength => MaxLength;
    static int ITableShape.MaxBeam => MaxBeam;
    static int ITableShape.MaxSource => MaxSource;
    public static void Fill(float[] logits, int[] next) => RandomTables.Fill(logits, next, Nodes, seed: 3);
}

/// <summary>
/// Hand-written tables. Tokens: 0 start, 1 stop, 2 a, 3 b.
/// From node Fork, where greedy and beam search differ, the start token leads to node 1: p(a) = 0.6, p(b) = 0.4.
/// Token a leads to node 2: p(stop) = 0.3 (the arg-max), p(a) = p(b) = 0.25, p(start) = 0.2. Token b leads to
/// node 3: p(stop) = 0.9, p(a) = p(b) = 0.05.
/// From node StopsAtOnce the start token leads to node 4, where the stop token is the most probable; every move
/// not listed goes to node 4.
/// From node TiedFork the start token leads to node 6: p(a) = p(b) = 0.45, p(stop) = 0.1. Tokens a and b lead to
/// nodes 7 and 8, which have equal rows: p(stop) = 0.9. So a, stop and b, stop finish at the same step with
/// exactly equal scores.
/// </summary>
public sealed class Detour : ITableShape
{
    public const int Vocab = 4, Nodes = 9, MaxLength = 6, MaxBeam = 4, MaxSource = 3;
    public const int A = 2, B = 3, Fork = 0, StopsAtOnce = 4, TiedFork = 5;
    static int ITableShape.Vocab => Vocab;
    static int ITableShape.Nodes => Nodes;
    static int ITableShape.MaxLength => MaxLength;
    static int ITableShape.MaxBeam => MaxBeam;
    static int ITableShape.MaxSource => MaxSource;

    public static void Fill(float[] logits, int[] next)
    {
        float[][] probabilities =
        [
            [0.25f, 0.25f, 0.25f, 0.25f], // node 0 (Fork): never entered
            [1e-6f, 1e-6f, 0.6f, 0.4f],   // node 1: after the start token
            [0.2f, 0.3f, 0.25f, 0.25f],   // node 2: after a
            [1e-6f, 0.9f, 0.05f, 0.05f],  // node 3: after b
            [0.1f, 0.5f, 0.2f, 0.2f],     // node 4: elsewhere
            [0.25f, 0.25f, 0.25f, 0.25f], // node 5 (TiedFork): never entered
            [1e-6f, 0.1f, 0.45f, 0.45f],  // node 6: after the start token
            [1e-6f, 0.9f, 0.05f, 0.05f],  // node 7: after a
            [1e-6f, 0.9f, 0.05f, 0.05f],  // node 8: after b
        ];
        for (int n = 0; n < Nodes; n++)
            for (int y = 0; y < Vocab; y++) logits[n * Vocab + y] = MathF.Log(probabilities[n][y]);
        Array.Fill(next, 4);
        next[Fork * Vocab + TableDecoder<Detour>.Start] = 1;
        next[1 * Vocab + A] = 2;
        next[1 * Vocab + B] = 3;
        next[TiedFork * Vocab + TableDecoder<Detour>.Start] = 6;
        next[6 * Vocab + A] = 7;
        next[6 * Vocab + B] = 8;
    }
}

/// <summary>
/// The DateNormalization sample's model (a real encoder–decoder with attention): <see cref="Decoder"/> on the
/// generated struct reproduces PyTorch's greedy and beam predictions of the whole held-out set
/// (samples/DateNormalization/data/heldout.tsv, written by tools/seq2seq/train_dates.py through modules.greedy / modules.beam).
/// </summary>
public class DateModelDecodingTests
{
    private static string SampleDir => Path.Combine(Repo.Root, "samples", "DateNormalization");

    [Fact]
    public void Greedy_and_beam_decoding_give_PyTorchs_predictions_on_every_held_out_date()
    {
        var (sourceIds, unknown, target) = Vocabulary();
        string[] lines = File.ReadAllLines(Path.Combine(SampleDir, "data", "heldout.tsv"));
        string[] header = lines[0].Split('\t');
        int source = Array.IndexOf(header, "source"), greedyColumn = Array.IndexOf(header, "pytorch_greedy"), beamColumn = Array.IndexOf(header, "pytorch_beam4");
        Assert.True(source >= 0 && greedyColumn >= 0 && beamColumn >= 0, "heldout.tsv has the columns source, pytorch_greedy, pytorch_beam4");

        var model = new DatesModel();
        var output = new int[DatesModel.MaxDecodeLength];
        var attention = new float[DatesModel.MaxDecodeLength * DatesModel.MaxSourceLength];
        string Text(int count) => string.Concat(output.Take(count).Where(t => t != model.StartToken && t != model.StopToken).Select(t => target[t]));
        int checkedLines = 0;
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] fields = line.Split('\t');
            int[] tokens = [.. fields[source].Select(c => sourceIds.GetValueOrDefault(c, unknown))];

            model.Encode(tokens);
            int greedy = Decoder.Greedy(ref model, output, attention);
            Assert.Equal(fields[greedyColumn], Text(greedy));
            for (int t = 0; t < greedy; t++) Assert.Equal(1f, attention.AsSpan(t * tokens.Length, tokens.Length).ToArray().Sum(), 5);

            model.Encode(tokens);
            int beam = Decoder.Beam(ref model, 4, output, out float score, attention);
            Assert.Equal(fields[beamColumn], Text(beam));
            Assert.True(score <= 0 && output[beam - 1] == model.StopToken, $"{fields[source]}: a finished hypothesis, score {score}");
            checkedLines++;
        }
        Assert.True(checkedLines >= 100, $"heldout.tsv holds {checkedLines} dates");
    }

    [Fact]
    public void Decoding_a_date_allocates_nothing()
    {
        var (sourceIds, unknown, _) = Vocabulary();
        int[] tokens = [.. "the 3rd of march 1998".Select(c => sourceIds.GetValueOrDefault(c, unknown))];
        var model = new DatesModel();
        var output = new int[DatesModel.MaxDecodeLength];
        var attention = new float[DatesModel.MaxDecodeLength * tokens.Length];
        var workspace = new float[Decoder.BeamWorkspaceSize<DatesModel>(DatesModel.MaxBeamWidth)];
        var sampling = new SamplerOptions { Temperature = 0.7f, Seed = 1 };
        int DecodeAll(ref DatesModel m, int rounds)
        {
            int decoded = 0;
            for (int i = 0; i < rounds; i++)
            {
                m.Encode(tokens);
                decoded += Decoder.Greedy(ref m, output, attention);
                m.Encode(tokens);
                decoded += Decoder.Sample(ref m, output, sampling, attention);
                m.Encode(tokens);
                decoded += Decoder.Beam(ref m, DatesModel.MaxBeamWidth, output, out _, attention);
                m.Encode(tokens);
                decoded += Decoder.Beam(ref m, 2, workspace, output, out _);
            }
            return decoded;
        }
        DecodeAll(ref model, 20); // warm-up
        long least = long.MaxValue;
        for (int window = 0; window < Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(DecodeAll(ref model, 100) > 100 * 4 * 5);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    private static (Dictionary<char, int> SourceIds, int Unknown, string[] Target) Vocabulary()
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(SampleDir, "Model", "vocab.json")));
        var source = json.RootElement.GetProperty("source");
        var ids = new Dictionary<char, int>();
        int id = 0;
        foreach (var token in source.GetProperty("tokens").EnumerateArray())
        {
            string text = token.GetString()!;
            if (text.Length == 1) ids[text[0]] = id;
            id++;
        }
        Assert.Equal(DatesModel.SourceVocabSize, id);
        string[] target = [.. json.RootElement.GetProperty("target").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!)];
        Assert.Equal(DatesModel.VocabSize, target.Length);
        return (ids, source.GetProperty("unknown_token").GetInt32(), target);
    }
}

/// <summary>The DateNormalization sample's model. Needs, in EdgeRnn.Tests.csproj:
/// <c>&lt;EdgeRnnModel Include="../../samples/DateNormalization/Model/dates.edgernn.json" /&gt;</c>.</summary>
[EdgeRnnModel("../../samples/DateNormalization/Model/dates.edgernn.json")]
public partial struct DatesModel;
