using System.Globalization;
using System.Text.Json;
using EdgeRnn;

namespace EdgeRnn.Tests.RealModels;

// Published amp and pedal models, read directly in the formats they ship in.
[EdgeRnnModel("RealModels/neuralseed_ts9_gru4.json")] public partial struct NeuralSeedGru4;
[EdgeRnnModel("RealModels/neuralseed_ts9_gru7.json")] public partial struct NeuralSeedGru7;
[EdgeRnnModel("RealModels/neuralseed_ts9_gru8.json")] public partial struct NeuralSeedGru8;
[EdgeRnnModel("RealModels/neuralseed_ts9_lstm8.json")] public partial struct NeuralSeedLstm8;
[EdgeRnnModel("RealModels/chowcentaur_gru8_gain0.json")] public partial struct ChowCentaurGain0;
[EdgeRnnModel("RealModels/chowcentaur_gru8_gain50.json")] public partial struct ChowCentaurGain50;
[EdgeRnnModel("RealModels/chowcentaur_gru8_gain100.json")] public partial struct ChowCentaurGain100;
[EdgeRnnModel("RealModels/nam_core_lstm_1x3.nam")] public partial struct NamLstm1x3;
[EdgeRnnModel("RealModels/rtneural_gru_1d.json")] public partial struct RtNeuralGru1d;
[EdgeRnnModel("RealModels/rtneural_lstm_1d.json")] public partial struct RtNeuralLstm1d;
[EdgeRnnModel("RealModels/rtneural_gru_torch.edgernn.json")] public partial struct RtNeuralGruTorch;
[EdgeRnnModel("RealModels/rtneural_lstm_torch.edgernn.json")] public partial struct RtNeuralLstmTorch;

/// <summary>Every real model against its reference output, through Step and Run.</summary>
public class RealModelTests
{
    private const float ReferenceTolerance = 2e-4f;
    private const float RtNeuralTolerance = 1e-5f;

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "RealModels", file);

    private static (float[] Input, float[] Output) Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(name + ".expected.json")));
        float[] Read(string key) => doc.RootElement.GetProperty(key).EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return (Read("input"), Read("output"));
    }

    private static float[] Csv(string file) =>
        File.ReadAllLines(PathOf(file)).Where(l => l.Length > 0).Select(l => (float)double.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    private static void Check<TModel>(float[] input, float[] expected, float tolerance) where TModel : struct, IEdgeRnnModel
    {
        Assert.Equal(1, TModel.InputSize);
        Assert.Equal(1, TModel.OutputSize);
        Assert.Equal(expected.Length, input.Length);

        var model = new TModel();
        var y = new float[1];
        for (int t = 0; t < input.Length; t++)
        {
            model.Step(input.AsSpan(t, 1), y);
            float diff = MathF.Abs(y[0] - expected[t]);
            Assert.True(diff <= tolerance, $"Step sample {t}: expected {expected[t]:R}, got {y[0]:R} (|diff| {diff:R})");
        }

        var run = new float[input.Length];
        var fresh = new TModel();
        fresh.Run(input, run);
        for (int t = 0; t < input.Length; t++)
        {
            float diff = MathF.Abs(run[t] - expected[t]);
            Assert.True(diff <= tolerance, $"Run sample {t}: expected {expected[t]:R}, got {run[t]:R} (|diff| {diff:R})");
        }
    }

    private static void CheckReference<TModel>(string name) where TModel : struct, IEdgeRnnModel
    {
        var (input, output) = Expected(name);
        Assert.Equal(2000, input.Length);
        Check<TModel>(input, output, ReferenceTolerance);
    }

    private static void CheckFixture<TModel>(string name) where TModel : struct, IEdgeRnnModel =>
        Check<TModel>(Csv(name + "_x.csv"), Csv(name + "_y.csv"), RtNeuralTolerance);

    [Fact] public void NeuralSeed_GRU4_format_A() => CheckReference<NeuralSeedGru4>("neuralseed_ts9_gru4");
    [Fact] public void NeuralSeed_GRU7_format_A() => CheckReference<NeuralSeedGru7>("neuralseed_ts9_gru7");
    [Fact] public void NeuralSeed_GRU8_format_A() => CheckReference<NeuralSeedGru8>("neuralseed_ts9_gru8");
    [Fact] public void NeuralSeed_LSTM8_format_A() => CheckReference<NeuralSeedLstm8>("neuralseed_ts9_lstm8");
    [Fact] public void ChowCentaur_gain0_format_B() => CheckReference<ChowCentaurGain0>("chowcentaur_gru8_gain0");
    [Fact] public void ChowCentaur_gain50_format_B() => CheckReference<ChowCentaurGain50>("chowcentaur_gru8_gain50");
    [Fact] public void ChowCentaur_gain100_format_B() => CheckReference<ChowCentaurGain100>("chowcentaur_gru8_gain100");
    [Fact] public void NAM_LSTM_format_C_starts_from_its_learned_state() => CheckReference<NamLstm1x3>("nam_core_lstm_1x3");
    [Fact] public void RTNeural_GRU_Keras_fixture() => CheckFixture<RtNeuralGru1d>("rtneural_gru_1d");
    [Fact] public void RTNeural_LSTM_Keras_fixture() => CheckFixture<RtNeuralLstm1d>("rtneural_lstm_1d");
    [Fact] public void RTNeural_GRU_PyTorch_fixture() => CheckFixture<RtNeuralGruTorch>("rtneural_gru_torch");
    [Fact] public void RTNeural_LSTM_PyTorch_fixture() => CheckFixture<RtNeuralLstmTorch>("rtneural_lstm_torch");

    [Fact]
    public void NAM_Reset_returns_to_the_learned_state_not_zeros()
    {
        var model = new NamLstm1x3();
        var initial = new float[NamLstm1x3.StateSize];
        model.CopyStateTo(initial);
        Assert.Contains(initial, v => v != 0f);
        model.Run(new float[100], new float[100]);
        model.Reset();
        var after = new float[NamLstm1x3.StateSize];
        model.CopyStateTo(after);
        Assert.Equal(initial, after);
    }

    [Fact]
    public void Real_models_allocate_nothing_per_sample()
    {
        var model = new ChowCentaurGain50();
        Span<float> y = stackalloc float[1];
        ReadOnlySpan<float> x = [0.25f];
        for (int i = 0; i < 100; i++) model.Step(x, y);
        long least = long.MaxValue; // the least over a few windows: see EdgeRnn.Tests.Allocations
        for (int window = 0; window < EdgeRnn.Tests.Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++) model.Step(x, y);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }
}
