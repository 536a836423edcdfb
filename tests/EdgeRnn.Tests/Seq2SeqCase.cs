using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using EdgeRnn.Decoding;
using Decoder = EdgeRnn.Decoding.Decoder;

namespace EdgeRnn.Tests;

/// <summary>What the tests reach of an encoder–decoder struct beyond <see cref="IStepDecoder"/>, per source kind.</summary>
public interface IEncoderUnderTest : IStepDecoder
{
    [UnscopedRef] ReadOnlySpan<float> EncoderOutputs { get; }
    void CopyEncoderFinalState(Span<float> destination);
}

/// <summary>An LSTM encoder also gives c_n.</summary>
public interface ICellEncoderUnderTest
{
    void CopyEncoderFinalCellState(Span<float> destination);
}

public interface ITokenSourceUnderTest : IEncoderUnderTest
{
    void Encode(ReadOnlySpan<int> sourceTokens);
}

public interface IFloatSourceUnderTest : IEncoderUnderTest
{
    void Encode(ReadOnlySpan<float> sourceSteps);
}

public interface ICaptionUnderTest : IStepDecoder
{
    void Start(ReadOnlySpan<float> features);
}

/// <summary>One example of a case's expected.json (contract §3), flattened row-major.</summary>
public sealed class Seq2SeqExample
{
    public int[] SourceTokens { get; init; } = [];
    public float[] SourceSteps { get; init; } = [];
    public float[] Features { get; init; } = [];
    public float[]? EncoderOutputs { get; init; }
    public float[]? EncoderHn { get; init; }
    public float[]? EncoderCn { get; init; }
    public required float[] DecoderH0 { get; init; }
    public float[]? DecoderC0 { get; init; }
    public required int[] TeacherTokens { get; init; }
    public required float[] Logits { get; init; }
    public float[]? Attention { get; init; }
    public required int[] Greedy { get; init; }
    public (int Width, int[] Tokens, float Score)[] Beams { get; init; } = [];

    /// <summary>S: source tokens or float steps (0 for captioning).</summary>
    public int SourceLength { get; init; }

    /// <summary>Rows of decoder_h0: the decoder's layers.</summary>
    public int DecoderLayers { get; init; }

    public static (float Tolerance, Seq2SeqExample[] Examples) Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Seq2Seq", name + ".expected.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var examples = root.GetProperty("examples").EnumerateArray().Select(Parse).ToArray();
        return (root.GetProperty("tolerance").GetSingle(), examples);
    }

    private static Seq2SeqExample Parse(JsonElement e)
    {
        static float[] Floats(JsonElement v) => v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().SelectMany(x => x.ValueKind == JsonValueKind.Array ? Floats(x) : [x.GetSingle()]).ToArray()
            : [v.GetSingle()];
        static int[] Ints(JsonElement v) => v.EnumerateArray().Select(x => x.GetInt32()).ToArray();
        float[]? Optional(string name) => e.TryGetProperty(name, out var v) ? Floats(v) : null;
        int[] tokens = [];
        float[] steps = [];
        if (e.TryGetProperty("source", out var source))
        {
            if (source[0].ValueKind == JsonValueKind.Array) steps = Floats(source);
            else tokens = Ints(source);
        }
        return new Seq2SeqExample
        {
            SourceLength = source.ValueKind == JsonValueKind.Array ? source.GetArrayLength() : 0,
            DecoderLayers = e.GetProperty("decoder_h0").GetArrayLength(),
            SourceTokens = tokens,
            SourceSteps = steps,
            Features = Optional("features") ?? [],
            EncoderOutputs = Optional("encoder_outputs"),
            EncoderHn = Optional("encoder_h_n"),
            EncoderCn = Optional("encoder_c_n"),
            DecoderH0 = Floats(e.GetProperty("decoder_h0")),
            DecoderC0 = Optional("decoder_c0"),
            TeacherTokens = Ints(e.GetProperty("teacher_tokens")),
            Logits = Floats(e.GetProperty("logits")),
            Attention = Optional("attention"),
            Greedy = Ints(e.GetProperty("greedy")),
            Beams = e.TryGetProperty("beam", out var beams)
                ? beams.EnumerateArray().Select(b => (b.GetProperty("width").GetInt32(), Ints(b.GetProperty("tokens")), b.GetProperty("score").GetSingle())).ToArray()
                : [],
        };
    }
}

public interface ISeq2SeqCase
{
    string Name { get; }
    void CheckEncoder();
    void CheckTeacherForcing();
    void CheckGreedy();
    void CheckDecoderGreedy();
    void CheckBeam();
    long AllocatedBytesOverGreedyAndBeam(int decodings);
    long AllocatedBytesOverDecodeSteps(int steps);
}

/// <summary>
/// Checks one generated encoder–decoder struct against its PyTorch reference: the encoder, the bridged initial state,
/// logits and attention under teacher forcing, greedy decoding, and allocation per step. Generic over the struct, so
/// every call is a constrained call on the struct itself (never boxed).
/// </summary>
public abstract class Seq2SeqCase<T>(string name) : ISeq2SeqCase where T : struct, IStepDecoder
{
    public string Name { get; } = name;

    private (float Tolerance, Seq2SeqExample[] Examples) Data => _data ??= Seq2SeqExample.Load(Name);
    private (float, Seq2SeqExample[])? _data;

    /// <summary>Encode the example's source (or Start from its features).</summary>
    protected abstract void Begin(ref T model, Seq2SeqExample example);

    /// <summary>The encoder's outputs and h_n against the reference (none for captioning).</summary>
    protected virtual void CheckEncoderOf(ref T model, Seq2SeqExample example, float tolerance) { }

    public void CheckEncoder()
    {
        var (tolerance, examples) = Data;
        foreach (var example in examples)
        {
            var model = new T();
            Begin(ref model, example);
            Assert.Equal(example.SourceLength, model.SourceLength);
            CheckEncoderOf(ref model, example, tolerance);
            // The bridged (or feature) initial state: per decoder layer h (then c for LSTM) in the decoder state.
            var state = new float[T.DecoderStateSize];
            model.CopyDecoderStateTo(state);
            int layers = example.DecoderLayers, hidden = example.DecoderH0.Length / layers;
            int perLayer = example.DecoderC0 is null ? hidden : 2 * hidden;
            for (int l = 0; l < layers; l++)
            {
                AssertClose(example.DecoderH0.AsSpan(l * hidden, hidden), state.AsSpan(l * perLayer, hidden), tolerance, $"decoder_h0 layer {l}");
                if (example.DecoderC0 is { } c0)
                    AssertClose(c0.AsSpan(l * hidden, hidden), state.AsSpan(l * perLayer + hidden, hidden), tolerance, $"decoder_c0 layer {l}");
            }
        }
    }

    public void CheckTeacherForcing()
    {
        var (tolerance, examples) = Data;
        foreach (var example in examples)
        {
            var model = new T();
            Begin(ref model, example);
            int s = example.SourceLength;
            var logits = new float[T.VocabSize];
            var attention = new float[s];
            for (int t = 0; t < example.TeacherTokens.Length; t++)
            {
                model.DecodeStep(example.TeacherTokens[t], logits, attention);
                AssertClose(example.Logits.AsSpan(t * T.VocabSize, T.VocabSize), logits, tolerance, $"logits at step {t}");
                if (example.Attention is { } expected)
                    AssertClose(expected.AsSpan(t * s, s), attention, tolerance, $"attention at step {t}");
            }
        }
    }

    /// <summary>Argmax decoding (lowest id on ties) from the start token, to the stop token or MaxDecodeLength (contract §4).</summary>
    public void CheckGreedy()
    {
        foreach (var example in Data.Examples)
        {
            var model = new T();
            Begin(ref model, example);
            var logits = new float[T.VocabSize];
            var tokens = new List<int>();
            int token = model.StartToken;
            while (tokens.Count < T.MaxDecodeLength)
            {
                model.DecodeStep(token, logits, default);
                token = 0;
                for (int v = 1; v < logits.Length; v++) if (logits[v] > logits[token]) token = v;
                tokens.Add(token);
                if (token == model.StopToken) break;
            }
            Assert.Equal(example.Greedy, tokens);
        }
    }

    /// <summary>The runtime's <see cref="Decoder.Greedy{T}"/> on the generated struct gives PyTorch's greedy tokens, with one attention row per token.</summary>
    public void CheckDecoderGreedy()
    {
        foreach (var example in Data.Examples)
        {
            var model = new T();
            Begin(ref model, example);
            var output = new int[T.MaxDecodeLength];
            var attention = new float[T.MaxDecodeLength * example.SourceLength];
            int count = Decoder.Greedy(ref model, output, attention);
            Assert.Equal(example.Greedy, output[..count]);
            // Each attention row is a softmax over the source: it sums to 1 (no rows for a model without attention).
            for (int t = 0; t < count && example.SourceLength > 0 && example.Attention is not null; t++)
                Assert.Equal(1f, attention.AsSpan(t * example.SourceLength, example.SourceLength).ToArray().Sum(), 5);
        }
    }

    /// <summary>
    /// <see cref="Decoder.Beam{T}(ref T, int, Span{int}, out float, Span{float})"/> on the generated struct gives PyTorch's
    /// beam tokens and score (a sum of up to MaxDecodeLength log-probabilities: within 10 × the case's tolerance).
    /// </summary>
    public void CheckBeam()
    {
        var (tolerance, examples) = Data;
        foreach (var example in examples)
        {
            Assert.NotEmpty(example.Beams);
            foreach (var (width, tokens, score) in example.Beams)
            {
                var model = new T();
                Begin(ref model, example);
                var output = new int[T.MaxDecodeLength];
                int count = Decoder.Beam(ref model, width, output, out float actualScore);
                Assert.Equal(tokens, output[..count]);
                Assert.InRange(actualScore, score - 10 * tolerance, score + 10 * tolerance);
            }
        }
    }

    public long AllocatedBytesOverGreedyAndBeam(int decodings)
    {
        var example = Data.Examples[0];
        var model = new T();
        Span<int> output = stackalloc int[T.MaxDecodeLength];
        Span<float> workspace = new float[Decoder.BeamWorkspaceSize<T>(T.MaxBeamWidth)];
        for (int i = 0; i < 3; i++) Decode(ref model, example, output, workspace); // warm-up
        long least = long.MaxValue;
        for (int window = 0; window < Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < decodings; i++) Decode(ref model, example, output, workspace);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;

        void Decode(ref T model, Seq2SeqExample example, Span<int> output, Span<float> workspace)
        {
            Begin(ref model, example);
            Decoder.Greedy(ref model, output);
            Begin(ref model, example);
            Decoder.Beam(ref model, T.MaxBeamWidth, workspace, output, out _);
        }
    }

    public long AllocatedBytesOverDecodeSteps(int steps)
    {
        var example = Data.Examples[0];
        var model = new T();
        Begin(ref model, example);
        Span<float> logits = stackalloc float[T.VocabSize];
        Span<float> attention = stackalloc float[Math.Max(1, example.SourceLength)];
        Span<float> state = stackalloc float[T.DecoderStateSize];
        model.CopyDecoderStateTo(state);
        for (int i = 0; i < 100; i++) model.DecodeStep(model.StartToken, logits, attention.Slice(0, model.SourceLength)); // warm-up
        long least = long.MaxValue;
        for (int window = 0; window < Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++)
            {
                // Restart from the initial state now and then, as a beam search does, so the state stays in range.
                if (i % 32 == 0) model.LoadDecoderState(state);
                model.DecodeStep(i % T.VocabSize, logits, attention.Slice(0, model.SourceLength));
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what) =>
        Close.Assert(expected, actual, tolerance, what);
}

/// <summary>A token-source model: Encode(ids), then the encoder's outputs and h_n are checked.</summary>
public sealed class TokenSourceCase<T>(string name) : Seq2SeqCase<T>(name) where T : struct, ITokenSourceUnderTest
{
    protected override void Begin(ref T model, Seq2SeqExample example) => model.Encode(example.SourceTokens);


    protected override void CheckEncoderOf(ref T model, Seq2SeqExample example, float tolerance) => EncoderChecks.Check(ref model, example, tolerance);
}

/// <summary>A float-source model: Encode(steps), then the encoder's outputs and h_n are checked.</summary>
public sealed class FloatSourceCase<T>(string name) : Seq2SeqCase<T>(name) where T : struct, IFloatSourceUnderTest
{
    protected override void Begin(ref T model, Seq2SeqExample example) => model.Encode(example.SourceSteps);



    protected override void CheckEncoderOf(ref T model, Seq2SeqExample example, float tolerance) => EncoderChecks.Check(ref model, example, tolerance);
}

/// <summary>A captioning model: Start(features); no source, no attention.</summary>
public sealed class CaptionCase<T>(string name) : Seq2SeqCase<T>(name) where T : struct, ICaptionUnderTest
{
    protected override void Begin(ref T model, Seq2SeqExample example) => model.Start(example.Features);

}

internal static class EncoderChecks
{
    public static void Check<T>(ref T model, Seq2SeqExample example, float tolerance) where T : struct, IEncoderUnderTest
    {
        Close.Assert(example.EncoderOutputs, model.EncoderOutputs, tolerance, "encoder_outputs");
        // Sized from the reference: CopyEncoderFinalState takes exactly EncoderFinalStateSize floats, so a layout of another size throws.
        var hn = new float[example.EncoderHn!.Length];
        model.CopyEncoderFinalState(hn);
        Close.Assert(example.EncoderHn, hn, tolerance, "encoder_h_n");
        if (example.EncoderCn is { } expectedCn)
        {
            // A readonly copy: boxing to reach the LSTM-only member changes nothing.
            if (model is not ICellEncoderUnderTest cell) throw new InvalidOperationException($"{typeof(T).Name} has an LSTM encoder: declare it ICellEncoderUnderTest");
            var cn = new float[expectedCn.Length];
            cell.CopyEncoderFinalCellState(cn);
            Close.Assert(expectedCn, cn, tolerance, "encoder_c_n");
        }
    }
}
