using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EdgeRnn.Benchmarks.Peers;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// EdgeRnn's <c>Step</c> against RTNeural's (compile-time API, Eigen, g++ -O3 -march=native; <see cref="RtNeuralRnn{TModel}"/>)
/// on the same weights and inputs, in the same run: I = H ∈ {8, …, 256} for LSTM and GRU, the amp models
/// (I = 1, Dense(H → 1), input added back) with LSTM H ∈ {12, 16, 20, 40} and GRU H = 8, and a 2-layer LSTM H = 64.
/// Runs only when the RTNeural shim was built (Program filters this type out otherwise and says why).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[GenericTypeArguments(typeof(LstmH8))]
[GenericTypeArguments(typeof(LstmH16))]
[GenericTypeArguments(typeof(LstmH32))]
[GenericTypeArguments(typeof(LstmH64))]
[GenericTypeArguments(typeof(LstmH128))]
[GenericTypeArguments(typeof(LstmH256))]
[GenericTypeArguments(typeof(GruH8))]
[GenericTypeArguments(typeof(GruH16))]
[GenericTypeArguments(typeof(GruH32))]
[GenericTypeArguments(typeof(GruH64))]
[GenericTypeArguments(typeof(GruH128))]
[GenericTypeArguments(typeof(GruH256))]
[GenericTypeArguments(typeof(AmpLstmH12))]
[GenericTypeArguments(typeof(AmpLstmH16))]
[GenericTypeArguments(typeof(AmpLstmH20))]
[GenericTypeArguments(typeof(AmpLstmH40))]
[GenericTypeArguments(typeof(AmpGruH8))]
[GenericTypeArguments(typeof(Lstm2H64))]
public class VsRtNeural<TModel> where TModel : struct, IBenchModel
{
    /// <summary>Steps compared before timing (one pass of the rotating input).</summary>
    public const int CheckSteps = Rnn<TModel>.T;

    /// <summary>Largest difference allowed between RTNeural's and EdgeRnn's outputs.</summary>
    public const float Tolerance = 1e-5f;

    private static readonly Lazy<double> s_flops = new(() => RnnWeights.Load(TModel.ModelName).FlopsPerStep);

    private TModel _model;
    private RtNeuralRnn<TModel> _rtNeural = null!;
    private float[] _xs = [], _y = [];
    private int _t;

    /// <summary>Model flops per step (read by <see cref="GflopsColumn"/>), from the model's tensors.</summary>
    public static double FlopsPerOperation => s_flops.Value;

    [GlobalSetup]
    public void Setup()
    {
        var weights = RnnWeights.Load(TModel.ModelName);
        if (weights.InputSize != TModel.InputSize || weights.OutputSize != TModel.OutputSize)
            throw new InvalidOperationException($"{TModel.ModelName}: the safetensors file does not match the generated struct");
        _rtNeural = new RtNeuralRnn<TModel>(weights);
        _model = new TModel();
        _xs = Rnn<TModel>.MakeInputs(Rnn<TModel>.T, TModel.InputSize);
        _y = new float[TModel.OutputSize];
        Console.WriteLine("// " + Check());
        _model.Reset();
        _rtNeural.Reset();
        _t = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _rtNeural?.Dispose();

    /// <summary>Runs <see cref="CheckSteps"/> steps through both from a reset state; throws unless every output is within <see cref="Tolerance"/>.</summary>
    public string Check()
    {
        _model.Reset();
        _rtNeural.Reset();
        int i = TModel.InputSize, o = TModel.OutputSize;
        var e = new float[o];
        var r = new float[o];
        float worst = 0;
        for (int t = 0; t < CheckSteps; t++)
        {
            var x = _xs.AsSpan(t * i, i);
            _model.Step(x, e);
            _rtNeural.Step(x, r);
            for (int k = 0; k < o; k++)
            {
                float d = MathF.Abs(e[k] - r[k]);
                if (!(d <= worst)) worst = float.IsNaN(d) ? float.PositiveInfinity : d;
            }
        }
        string report = $"{TModel.ModelName}: max |RTNeural - EdgeRnn| over {CheckSteps} steps: {worst:G3}";
        if (!(worst <= Tolerance))
            throw new InvalidOperationException(report + $" (tolerance {Tolerance:G})");
        return report;
    }

    private ReadOnlySpan<float> NextInput()
    {
        int t = _t + 1;
        if (t == Rnn<TModel>.T) t = 0;
        _t = t;
        return new ReadOnlySpan<float>(_xs, t * TModel.InputSize, TModel.InputSize);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Step")]
    public void EdgeRnn_Step() => _model.Step(NextInput(), _y);

    [Benchmark, BenchmarkCategory("Step")]
    public void RTNeural_Step() => _rtNeural.Step(NextInput(), _y);
}
