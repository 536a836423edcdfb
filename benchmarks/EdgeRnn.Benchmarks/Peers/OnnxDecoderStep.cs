using Microsoft.ML.OnnxRuntime;

namespace EdgeRnn.Benchmarks.Peers;

/// <summary>
/// ONNX Runtime running P's <c>decoder_step.onnx</c> (tools/seq2seq/bench_decode_step.py; inputs and outputs in
/// docs/seq2seq-modules.md): one decoder step of the date model with the source already encoded. As in
/// <see cref="OnnxRnn"/>: one intra-op thread, sequential execution, every tensor a pre-allocated OrtValue over a
/// pinned managed array, bound once; the state (GRU hidden and the input-feeding vector) ping-pongs between two
/// bindings, so a step is one <c>RunWithBinding</c>.
/// </summary>
public sealed class OnnxDecoderStep : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run;
    private readonly OrtIoBinding[] _bindings = new OrtIoBinding[2];
    private readonly List<OrtValue> _values = [];
    private readonly long[] _previousToken = new long[1];
    private readonly float[] _hiddenA, _hiddenB, _feedA, _feedB, _logits, _attention;
    private int _parity;

    /// <param name="onnxPath">decoder_step.onnx.</param>
    /// <param name="encoderOutputs">[S, De] row-major: the encoder outputs of the source (EdgeRnn's Encode gives them).</param>
    /// <param name="hiddenSize">Hd: floats of the GRU state and of the input-feeding vector.</param>
    /// <param name="vocabSize">V: logits per step.</param>
    public OnnxDecoderStep(string onnxPath, ReadOnlySpan<float> encoderOutputs, int sourceLength, int hiddenSize, int vocabSize)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnxPath, _options);
        _run = new RunOptions();
        _hiddenA = new float[hiddenSize];
        _hiddenB = new float[hiddenSize];
        _feedA = new float[hiddenSize];
        _feedB = new float[hiddenSize];
        _logits = new float[vocabSize];
        _attention = new float[sourceLength];
        float[] sourceRows = encoderOutputs.ToArray();
        var token = OrtValue.CreateTensorValueFromMemory(_previousToken, [1]);
        _values.Add(token);
        OrtValue encoder = Value(sourceRows, [1, sourceLength, sourceRows.Length / sourceLength]);
        OrtValue logits = Value(_logits, [1, vocabSize]), attention = Value(_attention, [1, sourceLength]);
        OrtValue hiddenA = Value(_hiddenA, [1, 1, hiddenSize]), hiddenB = Value(_hiddenB, [1, 1, hiddenSize]);
        OrtValue feedA = Value(_feedA, [1, hiddenSize]), feedB = Value(_feedB, [1, hiddenSize]);
        for (int p = 0; p < 2; p++)
        {
            var b = _session.CreateIoBinding();
            b.BindInput("previous_token", token);
            b.BindInput("hidden", p == 0 ? hiddenA : hiddenB);
            b.BindInput("feed", p == 0 ? feedA : feedB);
            b.BindInput("encoder_outputs", encoder);
            b.BindOutput("logits", logits);
            b.BindOutput("attention", attention);
            b.BindOutput("new_hidden", p == 0 ? hiddenB : hiddenA);
            b.BindOutput("new_feed", p == 0 ? feedB : feedA);
            _bindings[p] = b;
        }
    }

    private OrtValue Value(float[] data, long[] shape)
    {
        var v = OrtValue.CreateTensorValueFromMemory(data, shape);
        _values.Add(v);
        return v;
    }

    /// <summary>Starts a decoding: the GRU state from <paramref name="hidden"/> (the bridge's h0), the input-feeding vector from <paramref name="feed"/> (zeros).</summary>
    public void Start(ReadOnlySpan<float> hidden, ReadOnlySpan<float> feed)
    {
        hidden.CopyTo(_hiddenA);
        feed.CopyTo(_feedA);
        _parity = 0;
    }

    /// <summary>One decoder step: consumes <paramref name="previousToken"/>, writes the logits and attention weights, advances the state.</summary>
    public void Step(int previousToken, Span<float> logits, Span<float> attention)
    {
        _previousToken[0] = previousToken;
        _session.RunWithBinding(_run, _bindings[_parity]);
        _parity ^= 1;
        _logits.CopyTo(logits);
        _attention.CopyTo(attention);
    }

    public void Dispose()
    {
        foreach (var b in _bindings) b?.Dispose();
        foreach (var v in _values) v.Dispose();
        _run.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
