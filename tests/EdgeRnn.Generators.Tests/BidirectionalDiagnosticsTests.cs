using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>Bidirectional layers: Run-only models; asking for streaming is ERNN0027 at the "streaming" value.</summary>
public class BidirectionalDiagnosticsTests
{
    private static byte[] BiLstm()
    {
        float[] Fill(int n) => [.. Enumerable.Range(0, n).Select(i => (i % 7 - 3) * 0.05f)];
        var tensors = new List<Tensor>();
        foreach (var suffix in new[] { "", "_reverse" })
        {
            tensors.Add(new Tensor($"rnn.weight_ih_l0{suffix}", [8, 3], Fill(24)));
            tensors.Add(new Tensor($"rnn.weight_hh_l0{suffix}", [8, 2], Fill(16)));
        }
        return Write(tensors);
    }

    private static GeneratorRun Run(string manifest) =>
        new TestProject()
            .AddModel("Models/bi.edgernn.json", manifest)
            .AddWeights("Models/bi.safetensors", BiLstm())
            .AddModelStruct("Models/bi.edgernn.json", "public partial struct Bi;")
            .Run();

    [Fact]
    public void ERNN0027_streaming_asked_of_a_bidirectional_model()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "bi.safetensors",
              "streaming": true,
              "layers": [ { "type": "lstm", "prefix": "rnn", "bidirectional": true } ] }
            """;
        var run = Run(manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0027");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/bi.edgernn.json"), manifest, "\"streaming\": true");
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void A_bidirectional_model_gets_Run_only_and_compiles()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "bi.safetensors",
              "layers": [ { "type": "lstm", "prefix": "rnn", "bidirectional": true } ] }
            """;
        var run = Run(manifest);
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.CompilationErrors());
        string source = run.SingleSource();
        Assert.Contains("global::EdgeRnn.ISequenceModel", source);
        Assert.Contains("public const int OutputSize = 4;", source);
        Assert.DoesNotContain("public void Step(", source);
    }

    [Fact]
    public void Reverse_tensors_without_bidirectional_are_an_error_not_a_silent_half_model()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "bi.safetensors",
              "layers": [ { "type": "lstm", "prefix": "rnn" } ] }
            """;
        var run = Run(manifest);
        Assert.Contains("add \"bidirectional\": true", run.Single("ERNN0007").GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Output_h_n_gives_one_row_from_the_final_hidden_state()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "bi.safetensors", "output": "h_n",
              "layers": [ { "type": "lstm", "prefix": "rnn", "bidirectional": true } ] }
            """;
        var run = Run(manifest);
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.CompilationErrors());
        string source = run.SingleSource();
        Assert.Contains("public const int FinalStateSize = 4;", source);
        // Row 0 takes the forward direction's final h; the backward half of row 0 already is the backward one's.
        Assert.Contains("finalState.Slice(0, 2).CopyTo(bufferA.Slice(0, 2));", source);
        Assert.Contains("for (int t = 0; t < 1; t++)", source);
    }

    [Fact]
    public void Output_h_n_with_skip_is_an_error()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "bi.safetensors", "output": "h_n", "skip": 1,
              "layers": [ { "type": "lstm", "prefix": "rnn", "bidirectional": true } ] }
            """;
        var run = Run(manifest);
        run.AssertNoGeneratorFailure();
        Assert.Contains("\"output\": \"h_n\" gives the final hidden state, which has no step to add the \"skip\" input to", run.Single("ERNN0007").GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void An_unknown_output_names_the_three_choices()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "bi.safetensors", "output": "final",
              "layers": [ { "type": "lstm", "prefix": "rnn", "bidirectional": true } ] }
            """;
        var d = Run(manifest).Single("ERNN0007");
        Assert.Contains("\"sequence\"", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("\"last\"", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("\"h_n\"", d.GetMessage(), StringComparison.Ordinal);
    }
}
