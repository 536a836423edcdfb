using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EdgeRnn.Benchmarks.Peers;
using EdgeRnn.Decoding;

namespace EdgeRnn.Benchmarks;

/// <summary>The DateNormalization sample's model (bi-GRU encoder, Luong general attention with input feeding, GRU decoder Hd 64, 14 tokens).</summary>
[EdgeRnnModel("../../samples/DateNormalization/Model/dates.edgernn.json")]
public partial struct DatesModel;

/// <summary>
/// <c>--decode-step</c>: one decoder step of the date model with the source <see cref="Example"/> (S = 21) encoded,
/// EdgeRnn's <c>DecodeStep</c> against ONNX Runtime running <c>decoder_step.onnx</c> (the same step exported by
/// tools/seq2seq/bench_decode_step.py, which times PyTorch's). Both decode the example's greedy output over and over:
/// the previous token cycles through it and the state restarts from the encoded one at each cycle, so every step is
/// a real step of a real decoding. Also timed: whole decodings (encode + greedy, encode + beam of width 4).
/// Before timing, the two step implementations are run side by side over the whole decoding (teacher-forced on
/// EdgeRnn's greedy tokens) and must agree within <see cref="Tolerance"/> on logits and attention weights.
/// </summary>
[MemoryDiagnoser]
public class DecodeStep
{
    public const string Example = "the 3rd of march 1998";

    /// <summary>Largest difference allowed between ONNX Runtime's and EdgeRnn's logits and attention weights.</summary>
    public const float Tolerance = 1e-4f;

    private DatesModel _model, _whole;
    private OnnxDecoderStep _onnx = null!;
    private int[] _source = [], _tokens = [], _output = [];
    private float[] _startState = [], _logits = [], _attention = [], _workspace = [];
    private int _t;

    [GlobalSetup]
    public void Setup()
    {
        _source = EncodeSource(Example);
        _model.Encode(_source);
        _startState = new float[DatesModel.DecoderStateSize];
        _model.CopyDecoderStateTo(_startState);
        _output = new int[DatesModel.MaxDecodeLength];
        _tokens = [_model.StartToken, .. _output.AsSpan(0, Decoder.Greedy(ref _model, _output))[..^1]]; // y_{t−1} of each step
        _onnx = new OnnxDecoderStep(Path.Combine(ModelDirectory, "decoder_step.onnx"), _model.EncoderOutputs, _source.Length,
            DatesModel.DecoderHiddenSize, DatesModel.VocabSize);
        _logits = new float[DatesModel.VocabSize];
        _attention = new float[_source.Length];
        _workspace = new float[Decoder.BeamWorkspaceSize<DatesModel>(4)];
        Console.WriteLine("// " + Check());
        _model.LoadDecoderState(_startState);
        StartOnnx();
        _t = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx?.Dispose();

    /// <summary>Teacher-forced over the example's decoding: throws unless ONNX Runtime's logits and attention are within <see cref="Tolerance"/> of EdgeRnn's.</summary>
    public string Check()
    {
        _model.LoadDecoderState(_startState);
        StartOnnx();
        var logits = new float[DatesModel.VocabSize];
        var attention = new float[_source.Length];
        float worstLogit = 0, worstAttention = 0;
        foreach (int token in _tokens)
        {
            _model.DecodeStep(token, _logits, _attention);
            _onnx.Step(token, logits, attention);
            worstLogit = MathF.Max(worstLogit, MaxDifference(_logits, logits));
            worstAttention = MathF.Max(worstAttention, MaxDifference(_attention, attention));
        }
        string report = $"dates decode step: max |ONNX Runtime - EdgeRnn| over {_tokens.Length} steps: logits {worstLogit:G3}, attention {worstAttention:G3}";
        if (!(worstLogit <= Tolerance && worstAttention <= Tolerance))
            throw new InvalidOperationException(report + $" (tolerance {Tolerance:G})");
        return report;
    }

    private static float MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= worst)) worst = float.IsNaN(d) ? float.PositiveInfinity : d;
        }
        return worst;
    }

    private void StartOnnx() =>
        _onnx.Start(_startState.AsSpan(0, DatesModel.DecoderHiddenSize), _startState.AsSpan(DatesModel.DecoderHiddenSize, DatesModel.DecoderHiddenSize));

    [Benchmark(Baseline = true)]
    public void EdgeRnn_DecodeStep()
    {
        int t = _t;
        if (t == 0) _model.LoadDecoderState(_startState);
        _model.DecodeStep(_tokens[t], _logits, _attention);
        _t = t + 1 == _tokens.Length ? 0 : t + 1;
    }

    [Benchmark]
    public void OnnxRuntime_DecodeStep()
    {
        int t = _t;
        if (t == 0) StartOnnx();
        _onnx.Step(_tokens[t], _logits, _attention);
        _t = t + 1 == _tokens.Length ? 0 : t + 1;
    }

    [Benchmark]
    public int EdgeRnn_EncodeAndGreedy()
    {
        _whole.Encode(_source);
        return Decoder.Greedy(ref _whole, _output);
    }

    [Benchmark]
    public int EdgeRnn_EncodeAndBeam4()
    {
        _whole.Encode(_source);
        return Decoder.Beam(ref _whole, 4, _workspace, _output, out _);
    }

    /// <summary>samples/DateNormalization/Model (its vocab.json and decoder_step.onnx), found through the path the build recorded.</summary>
    private static string ModelDirectory =>
        typeof(DecodeStep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(m => m.Key == "EdgeRnnDatesModel")?.Value is { } path && Directory.Exists(path)
            ? path
            : throw new DirectoryNotFoundException("samples/DateNormalization/Model not found (assembly metadata EdgeRnnDatesModel)");

    private static int[] EncodeSource(string text)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDirectory, "vocab.json")));
        var source = json.RootElement.GetProperty("source");
        var tokens = source.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        int unknown = source.GetProperty("unknown_token").GetInt32();
        return [.. text.Select(c => tokens.IndexOf(c.ToString()) is >= 0 and var id ? id : unknown)];
    }
}
