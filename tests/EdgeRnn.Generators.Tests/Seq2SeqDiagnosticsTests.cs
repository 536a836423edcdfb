using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The <c>"model": "seq2seq"</c> form: a reference case generates an IStepDecoder that compiles, and each problem
/// particular to encoder–decoder models is an error located in the manifest (ERNN0033–ERNN0035).
/// </summary>
public class Seq2SeqDiagnosticsTests
{
    private static string CasesDirectory => Path.Combine(Repo.Root, "tests", "EdgeRnn.Tests", "Seq2Seq");

    internal static string Manifest(string name) => File.ReadAllText(Path.Combine(CasesDirectory, name + ".edgernn.json"));

    /// <summary>A committed reference case with its manifest text replaced (its weights as they are).</summary>
    internal static GeneratorRun Run(string name, string manifest) => Project(name, manifest).Run();

    internal static TestProject Project(string name, string manifest) =>
        new TestProject()
            .AddModel($"Models/{name}.edgernn.json", manifest)
            .AddWeights($"Models/{name}.safetensors", File.ReadAllBytes(Path.Combine(CasesDirectory, name + ".safetensors")))
            .AddModelStruct($"Models/{name}.edgernn.json");

    private static string Edit(string name, string from, string to)
    {
        string manifest = Manifest(name);
        Assert.Contains(from, manifest);
        return manifest.Replace(from, to);
    }

    [Theory]
    [InlineData("general_lstm_bidir_concat_tanh")]
    [InlineData("bahdanau_gru_2layer_bidir_sum")]
    [InlineData("float_source_general_gru")]
    [InlineData("caption_lstm_feed")]
    public void A_reference_case_generates_a_step_decoder_that_compiles(string name)
    {
        var run = Run(name, Manifest(name));
        run.AssertNoGeneratorFailure();
        Assert.True(run.Diagnostics.IsEmpty, GeneratorRun.Describe(run.Diagnostics));
        Assert.Empty(run.CompilationErrors());
        string source = run.SingleSource();
        Assert.Contains("global::EdgeRnn.Decoding.IStepDecoder", source);
        Assert.Contains("public void DecodeStep(int previousToken,", source);
        Assert.Contains(name.StartsWith("caption", StringComparison.Ordinal) ? "public void Start(" : "public void Encode(", source);
        // ERNN0025's name-clash check knows every member this emitter writes.
        HappyPathTests.AssertClashCheckKnowsEveryMember(source, "TestModel");
    }

    [Fact]
    public void ERNN0033_merged_encoder_state_does_not_match_the_decoder_without_bridge_linears()
    {
        // Bidirectional LSTM encoder (He) into a decoder of 2·He: "concat" fits, "sum" gives He.
        string manifest = Edit("dot_lstm_bidir_concat", "\"directions\": \"concat\"", "\"directions\": \"sum\"");
        var run = Run("dot_lstm_bidir_concat", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0033");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("the merged encoder state (\"sum\" of two directions", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("the decoder's hidden size", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/dot_lstm_bidir_concat.edgernn.json"), manifest, "\"bridge\"");
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void ERNN0033_dot_attention_needs_the_encoder_output_as_wide_as_the_decoder()
    {
        // general_lstm_bidir_concat_tanh maps 2·He to Hd through linear_in; as "dot" the widths must match, and do not.
        string manifest = Edit("general_lstm_bidir_concat_tanh", "\"type\": \"general\"", "\"type\": \"dot\"");
        var run = Run("general_lstm_bidir_concat_tanh", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0033");
        Assert.Contains("dot attention scores h_t · s_j", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/general_lstm_bidir_concat_tanh.edgernn.json"), manifest, "\"attention\"");
    }

    [Fact]
    public void ERNN0033_decoder_input_without_the_fed_back_attentional_state()
    {
        // The decoder RNN was trained with input feeding (embedding + h̃): without it the input is too narrow.
        string manifest = Edit("general_lstm_bidir_concat_tanh", "\"input_feeding\": true", "\"input_feeding\": false");
        var run = Run("general_lstm_bidir_concat_tanh", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0033");
        Assert.Contains("the decoder's step input [embedding", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/general_lstm_bidir_concat_tanh.edgernn.json"), manifest, "\"rnn\"");
    }

    [Fact]
    public void ERNN0034_input_feeding_with_bahdanau_attention()
    {
        string manifest = Edit("bahdanau_gru", "\"input_feeding\": false", "\"input_feeding\": true");
        var run = Run("bahdanau_gru", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0034");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Contains("\"input_feeding\" with Bahdanau attention", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/bahdanau_gru.edgernn.json"), manifest, "\"input_feeding\": true");
    }

    [Fact]
    public void ERNN0034_a_bidirectional_decoder()
    {
        string manifest = Edit("bahdanau_gru", "\"prefix\": \"decoder.rnn\"", "\"prefix\": \"decoder.rnn\", \"bidirectional\": true");
        var run = Run("bahdanau_gru", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0034");
        Assert.Contains("a bidirectional decoder", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/bahdanau_gru.edgernn.json"), manifest, "\"rnn\"");
    }

    [Fact]
    public void ERNN0034_a_linear_layer_in_the_encoder()
    {
        string manifest = Edit("bahdanau_gru", "{ \"type\": \"embedding\", \"prefix\": \"encoder.embedding\" },",
            "{ \"type\": \"embedding\", \"prefix\": \"encoder.embedding\" },\n      { \"type\": \"linear\", \"prefix\": \"encoder.proj\" },");
        var run = Run("bahdanau_gru", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0034");
        Assert.Contains("encoder layer 1 (linear)", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/bahdanau_gru.edgernn.json"), manifest, "encoder.proj");
    }

    [Fact]
    public void ERNN0034_attention_in_a_captioning_model()
    {
        string manifest = Edit("caption_lstm_feed", "\"head\": \"decoder.out\"", "\"head\": \"decoder.out\",\n    \"attention\": { \"type\": \"dot\" }");
        var run = Run("caption_lstm_feed", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0034");
        Assert.Contains("attention with \"features\"", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/caption_lstm_feed.edgernn.json"), manifest, "{ \"type\": \"dot\" }");
    }

    [Fact]
    public void ERNN0035_stop_token_outside_the_target_vocabulary()
    {
        string manifest = Edit("bahdanau_gru", "\"stop_token\": 2", "\"stop_token\": 10");
        var run = Run("bahdanau_gru", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0035");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.StartsWith("'bahdanau_gru.edgernn.json': \"stop_token\": 10 is outside the target vocabulary of 10 tokens (from 'decoder.out.weight' [10, ", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/bahdanau_gru.edgernn.json"), manifest, "\"stop_token\": 10");
    }

    [Fact]
    public void ERNN0007_unknown_model_form()
    {
        string manifest = Edit("bahdanau_gru", "\"model\": \"seq2seq\"", "\"model\": \"seq2sequence\"");
        var run = Run("bahdanau_gru", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0007");
        Assert.Contains("unknown \"model\": \"seq2sequence\"", d.GetMessage(), StringComparison.Ordinal);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/bahdanau_gru.edgernn.json"), manifest, "\"seq2sequence\"");
    }

    [Fact]
    public void ERNN0020_stated_decoder_vocabulary_differs_from_the_head()
    {
        string manifest = Edit("bahdanau_gru", "\"vocab\": 10", "\"vocab\": 11");
        var run = Run("bahdanau_gru", manifest);
        run.AssertNoGeneratorFailure();
        Assert.Contains("decoder.vocab = 11 but the weights give 10", run.Single("ERNN0020").GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0030_a_source_bound_whose_buffers_pass_the_storage_limit()
    {
        // Every buffer is sized by encoder.max_length at compile time: a million steps of encoder outputs and keys is too much.
        string manifest = Edit("general_lstm_bidir_concat_tanh", "\"max_length\": 7", "\"max_length\": 1000000");
        var run = Run("general_lstm_bidir_concat_tanh", manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0030");
        Assert.Contains("the struct's storage for a source of 1000000 steps", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("lower \"encoder\".\"max_length\"", d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
    }
}
