using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EdgeRnn.Benchmarks.Peers;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// One model, four implementations on the same weights: EdgeRnn's generated struct, ONNX Runtime (IOBinding),
/// TensorPrimitives and a naive loop. "Step": one streaming step, state carried. "Run": T = 100 steps;
/// BenchmarkDotNet divides by T (OperationsPerInvoke), so every row is nanoseconds per step.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[GenericTypeArguments(typeof(LstmH16))]
[GenericTypeArguments(typeof(LstmH32))]
[GenericTypeArguments(typeof(LstmH64))]
[GenericTypeArguments(typeof(LstmH128))]
[GenericTypeArguments(typeof(LstmH256))]
[GenericTypeArguments(typeof(GruH16))]
[GenericTypeArguments(typeof(GruH32))]
[GenericTypeArguments(typeof(GruH64))]
[GenericTypeArguments(typeof(GruH128))]
[GenericTypeArguments(typeof(GruH256))]
[GenericTypeArguments(typeof(AmpLstmH40))]
public class Rnn<TModel> where TModel : struct, IBenchModel
{
    /// <summary>Timesteps of a Run (and of the rotating input of Step).</summary>
    public const int T = 100;

    /// <summary>Steps compared across the four implementations before timing.</summary>
    public const int CheckSteps = 50;

    /// <summary>Largest difference allowed between any implementation and EdgeRnn.</summary>
    public const float Tolerance = 1e-4f;

    private TModel _model;
    private OnnxRnn _onnx = null!;
    private TensorPrimitivesRnn _tp = null!;
    private NaiveRnn _naive = null!;
    private float[] _xs = [], _ys = [], _y = [];
    private int _t;

    /// <summary>Model flops per step (read by <see cref="GflopsColumn"/>): 8·H·(I+H) LSTM, 6·H·(I+H) GRU, + 2·H for a dense head.</summary>
    public static double FlopsPerOperation
    {
        get
        {
            string name = TModel.ModelName;
            bool gru = name.StartsWith("gru", StringComparison.Ordinal);
            int h = gru ? TModel.StateSize : TModel.StateSize / 2, i = TModel.InputSize;
            double flops = 2.0 * (gru ? 3 : 4) * h * (i + h);
            return name.StartsWith("amp", StringComparison.Ordinal) ? flops + 2.0 * h : flops;
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        var weights = RnnWeights.Load(TModel.ModelName);
        if (weights.InputSize != TModel.InputSize || weights.OutputSize != TModel.OutputSize || weights.Layers.Count != 1)
            throw new InvalidOperationException($"{TModel.ModelName}: the safetensors file does not match the generated struct, or is not one layer (the peers here run one)");
        _onnx = new OnnxRnn(ModelFiles.PathOf(TModel.ModelName + ".onnx"), weights);
        _tp = new TensorPrimitivesRnn(weights);
        _naive = new NaiveRnn(weights);
        _model = new TModel();
        _xs = MakeInputs(T, TModel.InputSize);
        _ys = new float[T * TModel.OutputSize];
        _y = new float[TModel.OutputSize];
        Check();
        Console.WriteLine($"// {TModel.ModelName}: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, " +
                          $"Vector128 {Vector128.IsHardwareAccelerated}, AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, " +
                          $"AVX-512F {Avx512F.IsSupported}; all four within {Tolerance:G} of EdgeRnn over {CheckSteps} steps");
        ResetAll();
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx?.Dispose();

    /// <summary>A deterministic input sequence in [-1, 1]: a few sines of different frequency per channel.</summary>
    public static float[] MakeInputs(int steps, int inputSize)
    {
        var xs = new float[steps * inputSize];
        for (int t = 0; t < steps; t++)
            for (int k = 0; k < inputSize; k++)
                xs[t * inputSize + k] = (float)(0.6 * Math.Sin(0.21 * t + 0.37 * k) + 0.3 * Math.Cos(0.05 * t * (k % 5 + 1)));
        return xs;
    }

    private void ResetAll()
    {
        _model.Reset();
        _onnx.Reset();
        _tp.Reset();
        _naive.Reset();
        _t = 0;
    }

    /// <summary>Runs the same 50 steps through all four and throws unless every output is within 1e-4 of EdgeRnn's.</summary>
    private void Check()
    {
        ResetAll();
        int i = TModel.InputSize, o = TModel.OutputSize;
        var e = new float[o];
        var p = new float[o];
        var runOut = new float[CheckSteps * o];
        float worstOnnx = 0, worstTp = 0, worstNaive = 0, worstRun = 0;
        var stepOut = new float[CheckSteps * o];
        for (int t = 0; t < CheckSteps; t++)
        {
            var x = _xs.AsSpan(t % T * i, i);
            _model.Step(x, e);
            e.CopyTo(stepOut, t * o);
            _onnx.Step(x, p);
            worstOnnx = MathF.Max(worstOnnx, MaxAbsDiff(e, p));
            _tp.Step(x, p);
            worstTp = MathF.Max(worstTp, MaxAbsDiff(e, p));
            _naive.Step(x, p);
            worstNaive = MathF.Max(worstNaive, MaxAbsDiff(e, p));
        }
        var fresh = new TModel();
        fresh.Run(_xs.AsSpan(0, CheckSteps * i), runOut);
        worstRun = MaxAbsDiff(stepOut, runOut);
        string report = $"{TModel.ModelName}: max |peer - EdgeRnn| over {CheckSteps} steps: ONNX Runtime {worstOnnx:G3}, " +
                        $"TensorPrimitives {worstTp:G3}, naive {worstNaive:G3}, EdgeRnn Run vs Step {worstRun:G3}";
        if (!(worstOnnx <= Tolerance && worstTp <= Tolerance && worstNaive <= Tolerance && worstRun <= Tolerance))
            throw new InvalidOperationException(report + $" (tolerance {Tolerance:G})");
        Console.WriteLine("// " + report);
    }

    private static float MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float worst = 0;
        for (int k = 0; k < a.Length; k++)
        {
            float d = MathF.Abs(a[k] - b[k]);
            if (!(d <= worst)) worst = float.IsNaN(d) ? float.PositiveInfinity : d;
        }
        return worst;
    }

    /// <summary>The next input of the rotating 100-step sequence (the same for every implementation).</summary>
    private ReadOnlySpan<float> NextInput()
    {
        int t = _t + 1;
        if (t == T) t = 0;
        _t = t;
        return new ReadOnlySpan<float>(_xs, t * TModel.InputSize, TModel.InputSize);
    }

    // ---- one streaming step, state carried

    [Benchmark(Baseline = true), BenchmarkCategory("Step")]
    public void EdgeRnn_Step() => _model.Step(NextInput(), _y);

    [Benchmark, BenchmarkCategory("Step")]
    public void OnnxRuntime_Step() => _onnx.Step(NextInput(), _y);

    [Benchmark, BenchmarkCategory("Step")]
    public void TensorPrimitives_Step() => _tp.Step(NextInput(), _y);

    [Benchmark, BenchmarkCategory("Step")]
    public void Naive_Step() => _naive.Step(NextInput(), _y);

    // ---- a Run over T = 100 steps; reported per step

    [Benchmark(Baseline = true, OperationsPerInvoke = T), BenchmarkCategory("Run")]
    public void EdgeRnn_Run() => _model.Run(_xs, _ys);

    [Benchmark(OperationsPerInvoke = T), BenchmarkCategory("Run")]
    public void OnnxRuntime_Run()
    {
        int i = TModel.InputSize, o = TModel.OutputSize;
        for (int t = 0; t < T; t++)
            _onnx.Step(new ReadOnlySpan<float>(_xs, t * i, i), new Span<float>(_ys, t * o, o));
    }

    [Benchmark(OperationsPerInvoke = T), BenchmarkCategory("Run")]
    public void TensorPrimitives_Run()
    {
        int i = TModel.InputSize, o = TModel.OutputSize;
        for (int t = 0; t < T; t++)
            _tp.Step(new ReadOnlySpan<float>(_xs, t * i, i), new Span<float>(_ys, t * o, o));
    }

    [Benchmark(OperationsPerInvoke = T), BenchmarkCategory("Run")]
    public void Naive_Run()
    {
        int i = TModel.InputSize, o = TModel.OutputSize;
        for (int t = 0; t < T; t++)
            _naive.Step(new ReadOnlySpan<float>(_xs, t * i, i), new Span<float>(_ys, t * o, o));
    }
}
