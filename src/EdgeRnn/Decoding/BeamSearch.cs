using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Decoding;

/// <summary>
/// The regions of a beam-search workspace (see <see cref="Decoder.BeamWorkspaceSize{T}"/>), carved out of one float
/// span. The double regions come first, so they are 8-byte aligned whenever the span is (stackalloc and float arrays
/// are); x64 and ARM64 read unaligned doubles correctly anyway.
/// </summary>
internal readonly ref struct BeamWorkspace
{
    /// <summary>Scores of the alive hypotheses (K), in rank order.</summary>
    public readonly Span<double> AliveScores;
    /// <summary>Scores of this step's best expansions (K), in rank order.</summary>
    public readonly Span<double> CandidateScores;
    /// <summary>The alive-hypothesis index each best expansion extends (K).</summary>
    public readonly Span<int> CandidateParents;
    /// <summary>The token each best expansion appends (K).</summary>
    public readonly Span<int> CandidateTokens;
    /// <summary>[L, K]: at step t, the alive hypothesis of step t that alive hypothesis j of step t + 1 extends.</summary>
    public readonly Span<int> Parents;
    /// <summary>[L, K]: at step t, the token alive hypothesis j of step t + 1 ends with.</summary>
    public readonly Span<int> Tokens;
    /// <summary>[2, K, D]: decoder states; at step t, half t mod 2 holds the inputs and the other half receives the stepped states.</summary>
    public readonly Span<float> States;
    /// <summary>[L, K, S]: the attention row of alive hypothesis j's step t.</summary>
    public readonly Span<float> Attention;
    /// <summary>[V]: the logits of the hypothesis being expanded.</summary>
    public readonly Span<float> Logits;

    private readonly int _width, _stateSize, _maxSourceLength;

    public BeamWorkspace(Span<float> workspace, int width, int stateSize, int maxLength, int maxSourceLength, int vocab)
    {
        _width = width;
        _stateSize = stateSize;
        _maxSourceLength = maxSourceLength;
        int offset = 0;
        AliveScores = MemoryMarshal.Cast<float, double>(Take(workspace, ref offset, 2 * width));
        CandidateScores = MemoryMarshal.Cast<float, double>(Take(workspace, ref offset, 2 * width));
        CandidateParents = MemoryMarshal.Cast<float, int>(Take(workspace, ref offset, width));
        CandidateTokens = MemoryMarshal.Cast<float, int>(Take(workspace, ref offset, width));
        Parents = MemoryMarshal.Cast<float, int>(Take(workspace, ref offset, maxLength * width));
        Tokens = MemoryMarshal.Cast<float, int>(Take(workspace, ref offset, maxLength * width));
        States = Take(workspace, ref offset, 2 * width * stateSize);
        Attention = Take(workspace, ref offset, maxLength * width * maxSourceLength);
        Logits = Take(workspace, ref offset, vocab);
    }

    /// <summary>The workspace length in floats; the layout of the constructor.</summary>
    public static int Size(int width, int stateSize, int maxLength, int maxSourceLength, int vocab)
    {
        long size = 6L * width + 2L * maxLength * width + 2L * width * stateSize
                    + (long)maxLength * width * maxSourceLength + vocab;
        if (size > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"a beam of width {width} needs {size} floats of workspace, more than a span can hold.");
        return (int)size;
    }

    public Span<float> State(int step, int hypothesis) =>
        States.Slice(((step & 1) * _width + hypothesis) * _stateSize, _stateSize);

    public Span<float> AttentionRow(int step, int hypothesis, int sourceLength) =>
        Attention.Slice((step * _width + hypothesis) * _maxSourceLength, sourceLength);

    private static Span<float> Take(Span<float> workspace, scoped ref int offset, int length)
    {
        Span<float> region = workspace.Slice(offset, length);
        offset += length;
        return region;
    }
}

/// <summary>The beam search of <see cref="Decoder.Beam{T}(ref T, int, Span{float}, Span{int}, out float, Span{float})"/>; arguments already checked.</summary>
internal static class BeamSearch
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Run<T>(ref T model, int width, Span<float> workspace, int maxLength, Span<int> output, out float score, Span<float> attention)
        where T : struct, IStepDecoder
    {
        int vocab = T.VocabSize;
        int sourceLength = model.SourceLength;
        int stop = model.StopToken;
        var ws = new BeamWorkspace(workspace, width, T.DecoderStateSize, T.MaxDecodeLength, T.MaxSourceLength, vocab);
        Span<float> logits = ws.Logits;

        // Step 0 expands the one hypothesis [start] from the model's current state.
        int alive = 1;
        ws.AliveScores[0] = 0;
        bool finished = false;
        double finishedScore = double.NegativeInfinity;
        int finishedStep = 0, finishedParent = 0;
        int step = 0;
        while (step < maxLength && alive > 0)
        {
            int candidates = 0;
            for (int j = 0; j < alive; j++)
            {
                int previousToken = model.StartToken;
                if (step > 0)
                {
                    model.LoadDecoderState(ws.State(step, ws.Parents[(step - 1) * width + j]));
                    previousToken = ws.Tokens[(step - 1) * width + j];
                }
                model.DecodeStep(previousToken, logits, ws.AttentionRow(step, j, sourceLength));
                model.CopyDecoderStateTo(ws.State(step + 1, j)); // the state every expansion of j starts from
                double logSumExp = LogSumExp(logits);
                double parentScore = ws.AliveScores[j];
                for (int token = 0; token < vocab; token++)
                    candidates = Insert(ws, width, candidates, parentScore + LogProbability(logits[token], logSumExp), j, token);
            }

            // Finished expansions leave the beam (only the best is kept: a later one wins only with a higher score,
            // since at equal scores the shorter, then the earlier, is preferred); the rest are the next alive ones.
            int nextAlive = 0;
            for (int c = 0; c < candidates; c++)
            {
                double candidateScore = ws.CandidateScores[c];
                int parent = ws.CandidateParents[c];
                int token = ws.CandidateTokens[c];
                if (token == stop)
                {
                    if (!finished || candidateScore > finishedScore)
                    {
                        finished = true;
                        finishedScore = candidateScore;
                        finishedStep = step;
                        finishedParent = parent;
                    }
                }
                else
                {
                    ws.AliveScores[nextAlive] = candidateScore;
                    ws.Parents[step * width + nextAlive] = parent;
                    ws.Tokens[step * width + nextAlive] = token;
                    nextAlive++;
                }
            }
            alive = nextAlive;
            step++;
            if (finished && alive > 0 && finishedScore >= ws.AliveScores[0]) break;
        }

        // The result: the best finished hypothesis, else the best alive one (rank 0 of the last step).
        int lastStep, lastParent, lastToken;
        if (finished)
        {
            (lastStep, lastParent, lastToken) = (finishedStep, finishedParent, stop);
            score = (float)finishedScore;
        }
        else
        {
            lastStep = step - 1;
            lastParent = ws.Parents[lastStep * width];
            lastToken = ws.Tokens[lastStep * width];
            score = (float)ws.AliveScores[0];
        }
        return Backtrack(ws, width, lastStep, lastParent, lastToken, sourceLength, output, attention);
    }

    /// <summary>
    /// Inserts an expansion into the step's best list (at most <paramref name="width"/>, score descending). An equal
    /// score goes after the ones already there: expansions arrive in hypothesis, then token order, the tie order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Insert(in BeamWorkspace ws, int width, int count, double score, int parent, int token)
    {
        Span<double> scores = ws.CandidateScores;
        if (count == width && !(score > scores[count - 1])) return count;
        int position = count < width ? count : count - 1;
        while (position > 0 && scores[position - 1] < score)
        {
            scores[position] = scores[position - 1];
            ws.CandidateParents[position] = ws.CandidateParents[position - 1];
            ws.CandidateTokens[position] = ws.CandidateTokens[position - 1];
            position--;
        }
        scores[position] = score;
        ws.CandidateParents[position] = parent;
        ws.CandidateTokens[position] = token;
        return count < width ? count + 1 : count;
    }

    /// <summary>Writes the hypothesis that ends with <paramref name="lastToken"/> at <paramref name="lastStep"/> by following the back-pointers.</summary>
    private static int Backtrack(in BeamWorkspace ws, int width, int lastStep, int lastParent, int lastToken, int sourceLength, Span<int> output, Span<float> attention)
    {
        bool withAttention = !attention.IsEmpty;
        output[lastStep] = lastToken;
        int hypothesis = lastParent; // alive at lastStep
        if (withAttention) ws.AttentionRow(lastStep, hypothesis, sourceLength).CopyTo(attention.Slice(lastStep * sourceLength, sourceLength));
        for (int step = lastStep - 1; step >= 0; step--)
        {
            output[step] = ws.Tokens[step * width + hypothesis];
            hypothesis = ws.Parents[step * width + hypothesis];
            if (withAttention) ws.AttentionRow(step, hypothesis, sourceLength).CopyTo(attention.Slice(step * sourceLength, sourceLength));
        }
        return lastStep + 1;
    }

    /// <summary>
    /// log Σ exp(x) over the logits in double, as <c>log_softmax(logits.double())</c> computes it: m + log Σ exp(x − m)
    /// with m the largest logit. NaN logits are left out (they count as −∞); all −∞ gives −∞, a +∞ logit +∞.
    /// </summary>
    internal static double LogSumExp(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float x in logits)
            if (x > max) max = x;
        if (float.IsInfinity(max)) return max;
        double sum = 0;
        foreach (float x in logits)
            if (!float.IsNaN(x)) sum += Math.Exp((double)x - max);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// A token's log-probability, <paramref name="logit"/> − <paramref name="logSumExp"/>, defined for the degenerate
    /// rows too: NaN gives −∞; where every logit is −∞ every token gets −∞; where some are +∞ those get 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double LogProbability(float logit, double logSumExp)
    {
        double logProbability = logit - logSumExp;
        if (double.IsNaN(logProbability)) return float.IsPositiveInfinity(logit) ? 0 : double.NegativeInfinity;
        return logProbability;
    }
}
