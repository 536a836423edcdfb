using Microsoft.ML.OnnxRuntime;

namespace EdgeRnn.Benchmarks.Peers;

/// <summary>
/// ONNX Runtime's fastest allocation-free path for a streaming step: one intra-op thread, sequential
/// execution, every tensor a pre-allocated OrtValue over a pinned managed array, bound once with
/// OrtIoBinding. The state is fed back by ping-pong: binding 0 reads (h, c) from buffers A and writes
/// them to B, binding 1 the other way round, so a step is one <c>RunWithBinding</c> with no re-binding.
/// The model (NAME.onnx) is one step of the fused LSTM / GRU operator with explicit state inputs and outputs.
/// </summary>
public sealed class OnnxRnn : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run;
    private readonly OrtIoBinding[] _bindings = new OrtIoBinding[2];
    private readonly List<OrtValue> _values = [];
    private readonly float[] _x, _y, _hA, _hB, _cA, _cB;
    private int _parity;

    public OnnxRnn(string onnxPath, RnnWeights w)
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
        int h = w.HiddenSize;
        bool lstm = w.Kind == "lstm";
        _x = new float[w.InputSize];
        _y = new float[w.OutputSize];
        _hA = new float[h];
        _hB = new float[h];
        _cA = new float[lstm ? h : 0];
        _cB = new float[lstm ? h : 0];
        OrtValue x = Value(_x, [1, 1, w.InputSize]), y = Value(_y, [1, 1, w.OutputSize]);
        OrtValue hA = Value(_hA, [1, 1, h]), hB = Value(_hB, [1, 1, h]);
        OrtValue? cA = lstm ? Value(_cA, [1, 1, h]) : null, cB = lstm ? Value(_cB, [1, 1, h]) : null;
        for (int p = 0; p < 2; p++)
        {
            var b = _session.CreateIoBinding();
            b.BindInput("x", x);
            b.BindInput("h0", p == 0 ? hA : hB);
            b.BindOutput("y", y);
            b.BindOutput("hn", p == 0 ? hB : hA);
            if (lstm)
            {
                b.BindInput("c0", p == 0 ? cA! : cB!);
                b.BindOutput("cn", p == 0 ? cB! : cA!);
            }
            _bindings[p] = b;
        }
    }

    private OrtValue Value(float[] data, long[] shape)
    {
        var v = OrtValue.CreateTensorValueFromMemory(data, shape);
        _values.Add(v);
        return v;
    }

    public void Reset()
    {
        Array.Clear(_hA);
        Array.Clear(_cA);
        _parity = 0;
    }

    public void Step(ReadOnlySpan<float> x, Span<float> y)
    {
        x.CopyTo(_x);
        _session.RunWithBinding(_run, _bindings[_parity]);
        _parity ^= 1;
        _y.CopyTo(y);
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
