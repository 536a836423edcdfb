// The encoder–decoder part of DeviceCheck: one seq2seq reference case of tests/EdgeRnn.Tests/Seq2Seq (bidirectional
// LSTM encoder, concat bridge, Bahdanau attention, LSTM decoder) against PyTorch's expected.json, copied next to the binary.
// Prints:
//   out s2s.K VALUE                                    logits and attention of the first example's last teacher-forced
//                                                      step (compared with the JIT run by verify.sh, like the amp outputs)
//   seq2seq examples=N maxdiff=X scorediff=Y tokens=equal|DIFFERENT
//                                                      maxdiff: largest difference from PyTorch over the encoder outputs and
//                                                      the teacher-forced logits and attention; scorediff: over the beam
//                                                      scores; tokens: greedy and beam decodings token for token
//   alloc_seq2seq decodes=N bytes=B                    GC.GetTotalAllocatedBytes(true) delta over N × (Encode, greedy, beam)
using System.Diagnostics;
using System.Text.Json;
using EdgeRnn;
using EdgeRnn.Decoding;
using Decoder = EdgeRnn.Decoding.Decoder;

internal static class Seq2SeqCheck
{
    private const string CaseName = "bahdanau_lstm_bidir_concat_tanh";
    private const int MeasuredDecodes = 1000;

    /// <summary>One example of the reference (contract §3 of docs/seq2seq-modules.md), flattened row-major.</summary>
    private sealed record Example(int[] Source, float[] EncoderOutputs, int[] TeacherTokens, float[] Logits, float[] Attention,
                                  int[] Greedy, Beam[] Beams);

    private sealed record Beam(int Width, int[] Tokens, float Score);

    /// <summary>Runs every check; false when any of them fails (or the reference is missing).</summary>
    public static bool Run()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "models", CaseName + ".expected.json");
        if (!File.Exists(path))
        {
            Console.WriteLine("seq2seq missing=" + path);
            return false;
        }
        var (tolerance, examples) = Load(path);

        float maxDiff = 0, scoreDiff = 0;
        bool tokensEqual = true;
        Span<float> logits = stackalloc float[Seq2SeqModel.VocabSize];
        Span<float> attention = stackalloc float[Seq2SeqModel.MaxSourceLength];
        Span<int> output = stackalloc int[Seq2SeqModel.MaxDecodeLength];
        for (int e = 0; e < examples.Length; e++)
        {
            var example = examples[e];
            int s = example.Source.Length, v = Seq2SeqModel.VocabSize;

            // Encoder outputs, then teacher forcing: logits and attention of every step.
            var model = new Seq2SeqModel();
            model.Encode(example.Source);
            maxDiff = Math.Max(maxDiff, MaxAbsDiff(example.EncoderOutputs, model.EncoderOutputs));
            for (int t = 0; t < example.TeacherTokens.Length; t++)
            {
                model.DecodeStep(example.TeacherTokens[t], logits, attention[..s]);
                maxDiff = Math.Max(maxDiff, MaxAbsDiff(example.Logits.AsSpan(t * v, v), logits));
                maxDiff = Math.Max(maxDiff, MaxAbsDiff(example.Attention.AsSpan(t * s, s), attention[..s]));
            }
            if (e == 0)
            {
                // The last teacher-forced step of the first example, for verify.sh's JIT-vs-AOT comparison of "out" lines.
                for (int i = 0; i < v; i++) Console.WriteLine($"out s2s.logit{i} {logits[i].ToString("R")}");
                for (int i = 0; i < s; i++) Console.WriteLine($"out s2s.attention{i} {attention[i].ToString("R")}");
            }

            // The runtime's decoders on the generated struct: greedy, then every beam width the reference has.
            model.Encode(example.Source);
            int count = Decoder.Greedy(ref model, output);
            tokensEqual &= output[..count].SequenceEqual(example.Greedy);
            foreach (var (width, tokens, score) in example.Beams)
            {
                model.Encode(example.Source);
                count = Decoder.Beam(ref model, width, output, out float actualScore);
                tokensEqual &= output[..count].SequenceEqual(tokens);
                scoreDiff = Math.Max(scoreDiff, Math.Abs(actualScore - score));
            }
        }
        Console.WriteLine($"seq2seq examples={examples.Length} maxdiff={maxDiff.ToString("R")} scorediff={scoreDiff.ToString("R")} " +
                          $"tokens={(tokensEqual ? "equal" : "DIFFERENT")}");

        long allocated = AllocatedOverDecodes(examples[0].Source);
        Console.WriteLine($"alloc_seq2seq decodes={MeasuredDecodes} bytes={allocated}");

        // A beam score is a sum of up to MaxDecodeLength log-probabilities: within 10 × the tolerance, as in the tests.
        return maxDiff <= tolerance && scoreDiff <= 10 * tolerance && tokensEqual && allocated == 0;
    }

    /// <summary>Bytes allocated over whole decodes (Encode, greedy; Encode, beam of the largest width).</summary>
    private static long AllocatedOverDecodes(int[] source)
    {
        var model = new Seq2SeqModel();
        Span<int> output = stackalloc int[Seq2SeqModel.MaxDecodeLength];
        Span<float> workspace = stackalloc float[Decoder.BeamWorkspaceSize<Seq2SeqModel>(Seq2SeqModel.MaxBeamWidth)];
        // Warm-up, as for the amp steps: the JIT tiers up (NativeAOT has nothing to warm).
        long warmUp = Stopwatch.GetTimestamp();
        for (int i = 0; i < 100 || Stopwatch.GetElapsedTime(warmUp).TotalMilliseconds < 500; i++) Decode(ref model, source, output, workspace);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < MeasuredDecodes; i++) Decode(ref model, source, output, workspace);
        return GC.GetTotalAllocatedBytes(precise: true) - before;

        static void Decode(ref Seq2SeqModel model, int[] source, Span<int> output, Span<float> workspace)
        {
            model.Encode(source);
            Decoder.Greedy(ref model, output);
            model.Encode(source);
            Decoder.Beam(ref model, Seq2SeqModel.MaxBeamWidth, workspace, output, out _);
        }
    }

    private static float MaxAbsDiff(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length) return float.PositiveInfinity;
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            if (!(diff <= max)) max = diff; // a NaN makes it NaN, which fails every "<=" check
        }
        return max;
    }

    /// <summary>
    /// Reads the reference with JsonDocument (no reflection: NativeAOT-safe), in plain loops: written with LINQ and
    /// tuples holding arrays, the NativeAOT binary was 240 KB larger (it took in the runtime's type loader).
    /// </summary>
    private static (float Tolerance, Example[] Examples) Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var examples = new List<Example>();
        foreach (var e in root.GetProperty("examples").EnumerateArray())
        {
            var beams = new List<Beam>();
            foreach (var b in e.GetProperty("beam").EnumerateArray())
                beams.Add(new Beam(b.GetProperty("width").GetInt32(), Ints(b.GetProperty("tokens")), b.GetProperty("score").GetSingle()));
            examples.Add(new Example(
                Ints(e.GetProperty("source")),
                Floats(e.GetProperty("encoder_outputs")),
                Ints(e.GetProperty("teacher_tokens")),
                Floats(e.GetProperty("logits")),
                Floats(e.GetProperty("attention")),
                Ints(e.GetProperty("greedy")),
                beams.ToArray()));
        }
        return (root.GetProperty("tolerance").GetSingle(), examples.ToArray());

        // Nested arrays flattened row-major.
        static float[] Floats(JsonElement v)
        {
            var values = new List<float>();
            Add(v, values);
            return values.ToArray();

            static void Add(JsonElement v, List<float> values)
            {
                if (v.ValueKind != JsonValueKind.Array) { values.Add(v.GetSingle()); return; }
                foreach (var x in v.EnumerateArray()) Add(x, values);
            }
        }

        static int[] Ints(JsonElement v)
        {
            var values = new int[v.GetArrayLength()];
            for (int i = 0; i < values.Length; i++) values[i] = v[i].GetInt32();
            return values;
        }
    }
}

[EdgeRnnModel("../../tests/EdgeRnn.Tests/Seq2Seq/bahdanau_lstm_bidir_concat_tanh.edgernn.json")]
public partial struct Seq2SeqModel;
