using EdgeRnn.Generators.Tests.Support;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The generated code of a few representative models, compared with committed snapshots so that any change to the
/// emitted code shows up in review as a diff (Snapshots/README.md says how to accept one).
/// </summary>
public class SnapshotTests
{
    /// <summary>Small models, one per code path of the emitter, so the weights part of each snapshot stays short.</summary>
    private static readonly Dictionary<string, Func<TestProject>> s_cases = new()
    {
        ["lstm_i3_h5"] = () => TestProject.ForModel("lstm_i3_h5"),                       // LSTM, streaming
        ["gru_i4_h7"] = () => TestProject.ForModel("gru_i4_h7"),                         // GRU
        ["rnn_relu_i5_h4"] = () => TestProject.ForModel("rnn_relu_i5_h4"),               // Elman RNN, relu
        ["mut3_i4_h7"] = () => TestProject.ForModel("mut3_i4_h7"),                       // MUT3 (mut1, mut2: the same calls, another MutVariant)
        ["bilstm_i3_h5"] = () => TestProject.ForModel("bilstm_i3_h5"),                   // bidirectional: sequence-only Run
        ["gru_head_sigmoid"] = () => TestProject.ForModel("gru_head_sigmoid"),           // linear head with an activation
        ["lstm_proj_i4_h9_p5"] = () => TestProject.ForModel("lstm_proj_i4_h9_p5"),       // LSTM with proj_size, then linear
        ["keras_gru_reset_before_i4_h6"] = () => TestProject.ForModel("keras_gru_reset_before_i4_h6"), // Keras GRU, reset_after=False
        ["amp_lstm_skip"] = () => TestProject.ForModel("amp_lstm_skip"),                 // skip connection
        ["token_lstm_tiny"] = TinyTokenModel,                                            // embedding → LSTM → linear → log_softmax
        ["seq2seq_general_lstm_bidir_concat_tanh"] = () => Seq2SeqDiagnosticsTests.Project("general_lstm_bidir_concat_tanh",
            Seq2SeqDiagnosticsTests.Manifest("general_lstm_bidir_concat_tanh")),       // encoder–decoder: bi-LSTM, bridge, general attention, input feeding
    };

    public static TheoryData<string> Cases => [.. s_cases.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_code_matches_its_verified_snapshot(string name)
    {
        var run = s_cases[name]().Run();
        run.AssertNoGeneratorFailure();
        Assert.True(run.Diagnostics.IsEmpty, GeneratorRun.Describe(run.Diagnostics));

        Snapshot.Match(name, run.SingleSource());
    }

    [Fact]
    public void Every_verified_snapshot_has_a_case()
    {
        // A snapshot whose case was removed or renamed would otherwise sit in the tree unchecked.
        var orphans = Snapshot.VerifiedNames().Where(n => !s_cases.ContainsKey(n)).ToArray();
        Assert.True(orphans.Length == 0, $"snapshots without a case in {nameof(SnapshotTests)}: {string.Join(", ", orphans)}");
    }

    /// <summary>
    /// The committed token model (token_lstm_lm: vocab 23, two LSTM layers of 17) would make a snapshot of thousands
    /// of weight lines, so this one is the same architecture at vocab 5, one LSTM layer of 4, embeddings of 3,
    /// with weights that are exact binary fractions.
    /// </summary>
    private static TestProject TinyTokenModel()
    {
        const int Vocab = 5, Embedding = 3, Hidden = 4;
        int next = 0;
        float[] Fill(int count)
        {
            // Multiples of 1/64 in [-30/64, 30/64], scrambled so no tensor is a ramp.
            var values = new float[count];
            for (int i = 0; i < count; i++, next++) values[i] = ((next * 37 % 61) - 30) / 64f;
            return values;
        }
        var weights = Write([
            new Tensor("embed.weight", [Vocab, Embedding], Fill(Vocab * Embedding)),
            new Tensor("rnn.weight_ih_l0", [4 * Hidden, Embedding], Fill(4 * Hidden * Embedding)),
            new Tensor("rnn.weight_hh_l0", [4 * Hidden, Hidden], Fill(4 * Hidden * Hidden)),
            new Tensor("rnn.bias_ih_l0", [4 * Hidden], Fill(4 * Hidden)),
            new Tensor("rnn.bias_hh_l0", [4 * Hidden], Fill(4 * Hidden)),
            new Tensor("head.weight", [Vocab, Hidden], Fill(Vocab * Hidden)),
            new Tensor("head.bias", [Vocab], Fill(Vocab)),
        ]);
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "token_lstm_tiny.safetensors",
              "layout": "pytorch",
              "input": { "vocab": 5 },
              "layers": [
                { "type": "embedding", "prefix": "embed" },
                { "type": "lstm", "prefix": "rnn" },
                { "type": "linear", "prefix": "head" },
                { "type": "log_softmax" }
              ]
            }
            """;
        return new TestProject()
            .AddModel("Models/token_lstm_tiny.edgernn.json", manifest)
            .AddWeights("Models/token_lstm_tiny.safetensors", weights)
            .AddModelStruct("Models/token_lstm_tiny.edgernn.json");
    }
}
