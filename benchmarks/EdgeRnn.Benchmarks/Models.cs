using EdgeRnn;

namespace EdgeRnn.Benchmarks;

/// <summary>A benchmark model: the generated EdgeRnn struct plus the name of its files in Models/.</summary>
public interface IBenchModel : IEdgeRnnModel
{
    /// <summary>The file name stem in Models/: NAME.edgernn.json, NAME.safetensors, NAME.onnx.</summary>
    static abstract string ModelName { get; }
}

// Written by tools/export_benchmark_models.py: nn.LSTM / nn.GRU(H, H), the amp models LSTM / GRU(1, H) + Linear(H, 1) + skip,
// and a 2-layer nn.LSTM(64, 64). H = 8, the amp models other than H = 40 and the 2-layer LSTM are in the RTNeural
// comparison only (VsRtNeural<>), so they have no .onnx file.
[EdgeRnnModel("Models/lstm_h8.edgernn.json")] public partial struct LstmH8 : IBenchModel { public static string ModelName => "lstm_h8"; }
[EdgeRnnModel("Models/lstm_h16.edgernn.json")] public partial struct LstmH16 : IBenchModel { public static string ModelName => "lstm_h16"; }
[EdgeRnnModel("Models/lstm_h32.edgernn.json")] public partial struct LstmH32 : IBenchModel { public static string ModelName => "lstm_h32"; }
[EdgeRnnModel("Models/lstm_h64.edgernn.json")] public partial struct LstmH64 : IBenchModel { public static string ModelName => "lstm_h64"; }
[EdgeRnnModel("Models/lstm_h128.edgernn.json")] public partial struct LstmH128 : IBenchModel { public static string ModelName => "lstm_h128"; }
[EdgeRnnModel("Models/lstm_h256.edgernn.json")] public partial struct LstmH256 : IBenchModel { public static string ModelName => "lstm_h256"; }
[EdgeRnnModel("Models/gru_h8.edgernn.json")] public partial struct GruH8 : IBenchModel { public static string ModelName => "gru_h8"; }
[EdgeRnnModel("Models/gru_h16.edgernn.json")] public partial struct GruH16 : IBenchModel { public static string ModelName => "gru_h16"; }
[EdgeRnnModel("Models/gru_h32.edgernn.json")] public partial struct GruH32 : IBenchModel { public static string ModelName => "gru_h32"; }
[EdgeRnnModel("Models/gru_h64.edgernn.json")] public partial struct GruH64 : IBenchModel { public static string ModelName => "gru_h64"; }
[EdgeRnnModel("Models/gru_h128.edgernn.json")] public partial struct GruH128 : IBenchModel { public static string ModelName => "gru_h128"; }
[EdgeRnnModel("Models/gru_h256.edgernn.json")] public partial struct GruH256 : IBenchModel { public static string ModelName => "gru_h256"; }
[EdgeRnnModel("Models/amp_lstm_h40.edgernn.json")] public partial struct AmpLstmH40 : IBenchModel { public static string ModelName => "amp_lstm_h40"; }
[EdgeRnnModel("Models/amp_lstm_h12.edgernn.json")] public partial struct AmpLstmH12 : IBenchModel { public static string ModelName => "amp_lstm_h12"; }
[EdgeRnnModel("Models/amp_lstm_h16.edgernn.json")] public partial struct AmpLstmH16 : IBenchModel { public static string ModelName => "amp_lstm_h16"; }
[EdgeRnnModel("Models/amp_lstm_h20.edgernn.json")] public partial struct AmpLstmH20 : IBenchModel { public static string ModelName => "amp_lstm_h20"; }
[EdgeRnnModel("Models/amp_gru_h8.edgernn.json")] public partial struct AmpGruH8 : IBenchModel { public static string ModelName => "amp_gru_h8"; }
[EdgeRnnModel("Models/lstm2_h64.edgernn.json")] public partial struct Lstm2H64 : IBenchModel { public static string ModelName => "lstm2_h64"; }
