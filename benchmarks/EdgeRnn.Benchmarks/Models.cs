using EdgeRnn;

namespace EdgeRnn.Benchmarks;

/// <summary>A benchmark model: the generated EdgeRnn struct plus the name of its files in Models/.</summary>
public interface IBenchModel : IEdgeRnnModel
{
    /// <summary>The file name stem in Models/: NAME.edgernn.json, NAME.safetensors, NAME.onnx.</summary>
    static abstract string ModelName { get; }
}

// Written by tools/export_benchmark_models.py: nn.LSTM / nn.GRU(H, H) and the amp model LSTM(1, 40) + Linear(40, 1) + skip.
[EdgeRnnModel("Models/lstm_h16.edgernn.json")] public partial struct LstmH16 : IBenchModel { public static string ModelName => "lstm_h16"; }
[EdgeRnnModel("Models/lstm_h32.edgernn.json")] public partial struct LstmH32 : IBenchModel { public static string ModelName => "lstm_h32"; }
[EdgeRnnModel("Models/lstm_h64.edgernn.json")] public partial struct LstmH64 : IBenchModel { public static string ModelName => "lstm_h64"; }
[EdgeRnnModel("Models/lstm_h128.edgernn.json")] public partial struct LstmH128 : IBenchModel { public static string ModelName => "lstm_h128"; }
[EdgeRnnModel("Models/lstm_h256.edgernn.json")] public partial struct LstmH256 : IBenchModel { public static string ModelName => "lstm_h256"; }
[EdgeRnnModel("Models/gru_h16.edgernn.json")] public partial struct GruH16 : IBenchModel { public static string ModelName => "gru_h16"; }
[EdgeRnnModel("Models/gru_h32.edgernn.json")] public partial struct GruH32 : IBenchModel { public static string ModelName => "gru_h32"; }
[EdgeRnnModel("Models/gru_h64.edgernn.json")] public partial struct GruH64 : IBenchModel { public static string ModelName => "gru_h64"; }
[EdgeRnnModel("Models/gru_h128.edgernn.json")] public partial struct GruH128 : IBenchModel { public static string ModelName => "gru_h128"; }
[EdgeRnnModel("Models/gru_h256.edgernn.json")] public partial struct GruH256 : IBenchModel { public static string ModelName => "gru_h256"; }
[EdgeRnnModel("Models/amp_lstm_h40.edgernn.json")] public partial struct AmpLstmH40 : IBenchModel { public static string ModelName => "amp_lstm_h40"; }
