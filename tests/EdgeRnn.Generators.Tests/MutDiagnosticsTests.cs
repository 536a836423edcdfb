using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The MUT1–MUT3 layer kinds' tensor checks, on the committed mut* models: each cell reads only the tensors its equations
/// name, so a missing one is ERNN0016, one it does not read is ERNN0017, and MUT1 or MUT2 (which add x or tanh(x) to
/// hidden-sized vectors) with an input size other than H is ERNN0018; each located at the layer in the manifest.
/// </summary>
public class MutDiagnosticsTests
{
    private static string ManifestPath(string model) => TestProject.FullPath($"Models/{model}.edgernn.json");

    private static GeneratorRun Run(string model, byte[] weights, string? manifest = null) =>
        TestProject.ForModel(model, manifest ?? Repo.Manifest(model), weights).Run();

    private static void AssertMessage(Diagnostic d, params string[] fragments)
    {
        string message = d.GetMessage();
        foreach (var f in fragments) Assert.Contains(f, message, StringComparison.Ordinal);
    }

    /// <summary>Exactly one error, the given id, at the layer's "type" line, and nothing generated.</summary>
    private static Diagnostic SingleErrorAtLayer(GeneratorRun run, string id, string model, string manifest, string kind)
    {
        run.AssertNoGeneratorFailure();
        var errors = run.Diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 1, GeneratorRun.Describe(run.Diagnostics));
        Assert.Equal(id, errors[0].Id);
        Assert.Empty(run.GeneratedSources);
        DiagnosticAssert.AtSnippet(errors[0], ManifestPath(model), manifest, $"\"type\": \"{kind}\"");
        return errors[0];
    }

    [Theory]
    [InlineData("mut1_i5_h5")]
    [InlineData("mut2_i6_h6")]
    [InlineData("mut3_i4_h7")]
    [InlineData("mut3_nobias_2layer_i5_h6")]
    [InlineData("mut_stack_lstm_mut3_mut2")]
    public void The_committed_models_generate_without_diagnostics(string model)
    {
        var run = TestProject.ForModel(model).Run();
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.CompilationErrors());
    }

    [Theory]
    [InlineData("mut1_i5_h5", "mut1", "rnn.weight_xr_l0", "[5, 5]")]
    [InlineData("mut1_i5_h5", "mut1", "rnn.weight_hh_l0", "[H, H]")] // read first: it gives H
    [InlineData("mut2_i6_h6", "mut2", "rnn.weight_hz_l0", "[6, 6]")]
    [InlineData("mut2_i6_h6", "mut2", "rnn.weight_xh_l0", "[6, 6]")]
    [InlineData("mut3_i4_h7", "mut3", "rnn.weight_hz_l0", "[7, 7]")]
    [InlineData("mut3_i4_h7", "mut3", "rnn.weight_xh_l0", "[7, 4]")]
    [InlineData("mut3_2layer_i3_h9", "mut3", "rnn.weight_xr_l1", "[9, 9]")]
    public void ERNN0016_a_weight_the_equations_name_is_missing(string model, string kind, string tensor, string shape)
    {
        var weights = Edit(Repo.Weights(model), tensors => tensors.RemoveAll(t => t.Name == tensor));
        var d = SingleErrorAtLayer(Run(model, weights), "ERNN0016", model, Repo.Manifest(model), kind);
        AssertMessage(d, $"tensor '{tensor}' with shape {shape} is missing from '{model}.safetensors'");
    }

    [Fact]
    public void ERNN0016_one_bias_of_three_is_missing()
    {
        const string model = "mut2_i6_h6";
        var weights = Edit(Repo.Weights(model), tensors => tensors.RemoveAll(t => t.Name == "rnn.bias_r_l0"));
        var d = SingleErrorAtLayer(Run(model, weights), "ERNN0016", model, Repo.Manifest(model), "mut2");
        AssertMessage(d, "tensor 'rnn.bias_r_l0' with shape [6] is missing", "so the model has biases");
    }

    [Theory]
    [InlineData("mut1_i5_h5", "rnn.weight_xh_l0", new[] { 5, 5 })] // MUT1's candidate takes tanh(x), not W_xh x
    [InlineData("mut1_i5_h5", "rnn.weight_hz_l0", new[] { 5, 5 })] // MUT1's z reads x only
    [InlineData("mut2_i6_h6", "rnn.weight_xr_l0", new[] { 6, 6 })] // MUT2's r takes x itself
    public void ERNN0017_a_weight_the_equations_do_not_name_is_unused(string model, string tensor, int[] shape)
    {
        var weights = Edit(Repo.Weights(model), tensors => tensors.Add(new Tensor(tensor, shape, new float[shape[0] * shape[1]])));
        var run = Run(model, weights);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0017");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        AssertMessage(d, $"tensor '{tensor}' [{shape[0]}, {shape[1]}] in '{model}.safetensors' is not used by any layer");
        Assert.Single(run.Diagnostics);
        Assert.Single(run.GeneratedSources);
    }

    [Theory]
    [InlineData("mut1", "tanh(x)")]
    [InlineData("mut2", "x")]
    public void ERNN0018_mut1_and_mut2_need_the_input_size_to_equal_the_hidden_size(string kind, string term)
    {
        // mut3_i4_h7 has input 4 and hidden 7; keep the tensors the other kind reads.
        const string model = "mut3_i4_h7";
        string manifest = Repo.Manifest(model).Replace("\"type\": \"mut3\"", $"\"type\": \"{kind}\"", StringComparison.Ordinal);
        string unused = kind == "mut1" ? "rnn.weight_xh_l0|rnn.weight_hz_l0" : "rnn.weight_xr_l0";
        var weights = Edit(Repo.Weights(model), tensors => tensors.RemoveAll(t => unused.Split('|').Contains(t.Name)));
        var d = SingleErrorAtLayer(Run(model, weights, manifest), "ERNN0018", model, manifest, kind);
        AssertMessage(d, "tensor 'rnn.weight_xz_l0' should have shape [7, 7] but has [7, 4]", $"{term}", "input size must equal the hidden size 7");
    }

    [Fact]
    public void ERNN0018_a_recurrent_weight_with_the_wrong_shape()
    {
        const string model = "mut3_i4_h7";
        var weights = Edit(Repo.Weights(model), tensors =>
        {
            int i = tensors.FindIndex(t => t.Name == "rnn.weight_hr_l0");
            tensors[i] = tensors[i] with { Shape = [7, 4], Data = new float[28] };
        });
        var d = SingleErrorAtLayer(Run(model, weights), "ERNN0018", model, Repo.Manifest(model), "mut3");
        AssertMessage(d, "tensor 'rnn.weight_hr_l0' should have shape [7, 7] but has [7, 4]");
    }
}
