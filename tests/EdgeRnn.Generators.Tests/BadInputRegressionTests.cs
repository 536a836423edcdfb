using System.Globalization;
using System.Text.Json.Nodes;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The bad inputs of the robustness issue that got no located ERNN error (an internal error, code that didn't
/// compile, or nothing at all), kept as regression tests: each now gets a located diagnostic that says what is wrong.
/// </summary>
public class BadInputRegressionTests
{
    private const string NamName = "amp.nam";
    private static readonly string s_namPath = TestProject.FullPath("Models/" + NamName);

    private static Diagnostic SingleErrorAt(GeneratorRun run, string id, string path, string text, string snippet)
    {
        run.AssertNoGeneratorFailure();
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 1 && errors[0].Id == id, GeneratorRun.Describe(run.Diagnostics));
        Assert.Empty(run.GeneratedSources);
        DiagnosticAssert.AtSnippet(errors[0], path, text, snippet);
        return errors[0];
    }

    // ---- ERNN0024 from input: arithmetic past int ----------------------------------------------------------------

    [Theory]
    [InlineData(23170, 40)]        // 4H(I+H) passes int: was an OutOfMemoryException after ~20 s
    [InlineData(32768, 327_700)]   // wrapped to a negative size: was an ArgumentException from Array.Copy
    [InlineData(1_000_000, 12)]    // was "layer 0 ends at 1395447424", a wrapped int
    public void NAM_hidden_sizes_whose_weight_count_passes_int_are_reported_with_the_true_count(int hidden, int weights)
    {
        string text = ModelFiles.Nam(1, hidden, 1, weights);
        var run = ModelFiles.Project(NamName, text).Run();
        var d = SingleErrorAt(run, "ERNN0007", s_namPath, text, "\"weights\"");
        long end = ModelFiles.NamLayerEnd(1, hidden, 0);
        Assert.True(end > int.MaxValue || end > weights);
        Assert.Contains($"needs more than the {weights} weights given (layer 0 ends at {end.ToString(CultureInfo.InvariantCulture)})", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_dict_tensor_nested_40_deep_is_a_located_error_not_an_overflow()
    {
        string nested = ModelFiles.RaggedNested(40);
        string text = ModelFiles.StateDict(("rec.weight_ih_l0", nested));
        var run = ModelFiles.Project("model.json", text).Run();
        var d = SingleErrorAt(run, "ERNN0007", TestProject.FullPath("Models/model.json"), text, nested);
        Assert.Contains("tensor 'rec.weight_ih_l0' is not a rectangular array of numbers", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_JSON_weights_file_with_a_ragged_deep_tensor_is_a_malformed_weights_error()
    {
        string weights = "{\"rnn.weight_ih_l0\": " + ModelFiles.RaggedNested(40) + "}";
        var run = TestProject.ForModel("lstm_i3_h5", weights: System.Text.Encoding.UTF8.GetBytes(weights)).Run();
        run.AssertNoGeneratorFailure();
        Assert.Contains("is not a rectangular array of numbers", run.Single("ERNN0012").GetMessage(), StringComparison.Ordinal);
    }

    // ---- Generated code that didn't compile ----------------------------------------------------------------------

    public static TheoryData<string> LineBreaks => ["\u2028", "\u2029", "\u0085", "\r", "\n", "\u000B"];

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void A_prefix_with_a_line_break_character_does_not_break_the_generated_comments(string lineBreak)
    {
        string prefix = "rnn" + lineBreak + "x";
        string escaped = System.Text.Json.JsonSerializer.Serialize(prefix);
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"prefix\": \"rnn\"", $"\"prefix\": {escaped}", StringComparison.Ordinal);
        // The weights as a JSON state_dict, where a name is a JSON string with the line break escaped.
        var stateDict = new JsonObject();
        foreach (var t in Read(Repo.Weights("lstm_i3_h5")))
        {
            int columns = t.Shape.Length == 2 ? t.Shape[1] : t.Data.Length;
            JsonNode rows = t.Shape.Length == 2
                ? new JsonArray([.. t.Data.Chunk(columns).Select(r => (JsonNode)new JsonArray([.. r.Select(v => (JsonNode?)JsonValue.Create(v))]))])
                : new JsonArray([.. t.Data.Select(v => (JsonNode?)JsonValue.Create(v))]);
            stateDict[prefix + t.Name["rnn".Length..]] = rows;
        }
        var weights = System.Text.Encoding.UTF8.GetBytes(stateDict.ToJsonString());
        var run = TestProject.ForModel("lstm_i3_h5", manifest, weights).Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.CompilationErrors());
        Assert.DoesNotContain(lineBreak, run.SingleSource().Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_name_with_U2028_does_not_break_the_generated_header_comment()
    {
        const string name = "amp\u2028v2.edgernn.json";
        var project = new TestProject()
            .AddModel("Models/" + name, Repo.Manifest("lstm_i3_h5"))
            .AddWeights("Models/" + Repo.WeightsName("lstm_i3_h5"), Repo.Weights("lstm_i3_h5"))
            .AddModelStruct("Models/amp\\u2028v2.edgernn.json");
        var run = project.Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.CompilationErrors());
        Assert.DoesNotContain('\u2028', run.SingleSource());
    }

    // ---- Accepted silently ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData("in_gain", "1000")]    // was +Inf compiled into the struct (output NaN)
    [InlineData("out_gain", "1e308")]  // was +Inf
    [InlineData("in_gain", "-1000")]   // was 0: silence
    [InlineData("out_gain", "1e999")]
    [InlineData("in_gain", "\"6\"")]
    public void RTNeural_gains_past_the_supported_range_are_errors_at_the_value(string property, string value)
    {
        string text = ModelFiles.RtNeural((property, JsonNode.Parse(value)));
        var run = ModelFiles.Project("amp.json", text).Run();
        var d = SingleErrorAt(run, "ERNN0007", TestProject.FullPath("Models/amp.json"), text, $"\"{property}\"");
        Assert.Contains($"\"{property}\"", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void RTNeural_gains_inside_the_range_still_generate()
    {
        string text = ModelFiles.RtNeural(("in_gain", JsonValue.Create(120)), ("out_gain", JsonValue.Create(-120)));
        var run = ModelFiles.Project("amp.json", text).Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.CompilationErrors());
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("true")]
    public void RTNeural_in_skip_that_is_not_a_count_is_an_error(string value)
    {
        string text = ModelFiles.RtNeural(("in_skip", JsonNode.Parse(value)));
        var run = ModelFiles.Project("amp.json", text).Run();
        SingleErrorAt(run, "ERNN0007", TestProject.FullPath("Models/amp.json"), text, "\"in_skip\"");
    }

    [Fact]
    public void RTNeural_in_skip_larger_than_the_model_is_an_invalid_skip()
    {
        string text = ModelFiles.RtNeural(("in_skip", JsonValue.Create(5)));
        var run = ModelFiles.Project("amp.json", text).Run();
        SingleErrorAt(run, "ERNN0023", TestProject.FullPath("Models/amp.json"), text, "\"in_skip\"");
    }

    [Theory]
    [InlineData("[null, null, 0]")]
    [InlineData("[null, null, 99999999999999999999]")]
    [InlineData("[null, null, -3]")]
    public void RTNeural_in_shape_outside_the_size_range_is_an_error(string value)
    {
        string text = ModelFiles.RtNeural(("in_shape", JsonNode.Parse(value)));
        var run = ModelFiles.Project("amp.json", text).Run();
        SingleErrorAt(run, "ERNN0007", TestProject.FullPath("Models/amp.json"), text, "\"in_shape\"");
    }

    [Fact]
    public void An_RTNeural_file_with_no_layers_is_an_error_at_the_layers_array()
    {
        string text = ModelFiles.RtNeural(("layers", new JsonArray()));
        var run = ModelFiles.Project("amp.json", text).Run();
        var d = SingleErrorAt(run, "ERNN0007", TestProject.FullPath("Models/amp.json"), text, "\"layers\"");
        Assert.Contains("\"layers\" array is empty", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_whose_only_layer_is_an_embedding_is_an_error_at_that_layer()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "tok.safetensors",
              "input": { "vocab": 5 },
              "layers": [ { "type": "embedding", "prefix": "emb" } ]
            }
            """;
        var project = new TestProject()
            .AddModel("Models/tok.edgernn.json", manifest)
            .AddWeights("Models/tok.safetensors", Write([new Tensor("emb.weight", [5, 3], new float[15])]))
            .AddModelStruct("Models/tok.edgernn.json");
        var run = project.Run();
        var d = SingleErrorAt(run, "ERNN0007", TestProject.FullPath("Models/tok.edgernn.json"), manifest, "\"type\": \"embedding\"");
        Assert.Contains("only an embedding", d.GetMessage(), StringComparison.Ordinal);
    }

    // ---- Misleading messages -------------------------------------------------------------------------------------

    [Fact]
    public void More_dotdot_than_the_directory_depth_stops_at_the_root_as_MSBuild_resolves_it()
    {
        // MSBuild's Path.GetFullPath: /proj/Models/../../../../w.safetensors is /w.safetensors, and the build encodes that file.
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"lstm_i3_h5.safetensors\"", "\"../../../../w.safetensors\"", StringComparison.Ordinal);
        var project = new TestProject()
            .AddModel("Models/lstm_i3_h5.edgernn.json", manifest)
            .AddAdditionalFile(TestProject.FullPath("obj/edgernn/w.safetensors.0123abcd.b64"), Convert.ToBase64String(Repo.Weights("lstm_i3_h5")),
                new() { [TestProject.KindKey] = "weights", [TestProject.SourceKey] = "/w.safetensors" })
            .AddModelStruct("Models/lstm_i3_h5.edgernn.json");
        var run = project.Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.CompilationErrors());
    }

    [Fact]
    public void A_missing_weights_file_reports_the_path_resolved_as_the_file_system_does()
    {
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"lstm_i3_h5.safetensors\"", "\"../../../../w.safetensors\"", StringComparison.Ordinal);
        var run = TestProject.ForModel("lstm_i3_h5", manifest).Run();
        Assert.Contains("(resolved to '/w.safetensors')", run.Single("ERNN0009").GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void After_a_non_finite_weight_the_layers_other_tensors_are_not_reported_unused()
    {
        var weights = Edit(Repo.Weights("lstm_i3_h5"), tensors =>
        {
            int i = tensors.FindIndex(t => t.Name == "rnn.weight_hh_l0");
            var data = (float[])tensors[i].Data.Clone();
            data[3] = float.NaN;
            tensors[i] = tensors[i] with { Data = data };
        });
        var run = TestProject.ForModel("lstm_i3_h5", weights: weights).Run();
        run.AssertNoGeneratorFailure();
        Assert.Contains("'rnn.weight_hh_l0' holds NaN at index 3", run.Single("ERNN0021").GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.WithId("ERNN0017"));
        Assert.Empty(run.GeneratedSources);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\t")]
    public void An_empty_or_unreadable_model_file_says_so_instead_of_invalid_JSON(string text)
    {
        // A missing <EdgeRnnModel> file reaches the generator as no text (the compiler adds CS2001).
        var run = ModelFiles.Project("gone.edgernn.json", text).Run();
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0031");
        Assert.Empty(run.WithId("ERNN0003"));
        Assert.Equal(TestProject.FullPath("Models/gone.edgernn.json"), d.Location.GetLineSpan().Path);
        Assert.Contains("'gone.edgernn.json' is empty or could not be read", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_text_file_given_as_weights_is_not_dumped_as_a_byte_count()
    {
        const string osRelease = "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\n";
        var bytes = System.Text.Encoding.ASCII.GetBytes(osRelease);
        var run = TestProject.ForModel("lstm_i3_h5", weights: bytes).Run();
        run.AssertNoGeneratorFailure();
        string message = run.Single("ERNN0012").GetMessage();
        Assert.Contains("not a safetensors file: it starts with text", message, StringComparison.Ordinal);
        ulong asLength = BitConverter.ToUInt64(bytes, 0);
        Assert.DoesNotContain(asLength.ToString(CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
    }

    // ---- Limits (ERNN0030) ---------------------------------------------------------------------------------------

    /// <summary>A model of <paramref name="layers"/> layers of one shared tensor set (a tiny file), so the sums grow without the file.</summary>
    private static GeneratorRun Stack(int layers, string layer, params Tensor[] tensors)
    {
        string manifest = $$"""
            {
              "format": "edgernn/1",
              "weights": "w.safetensors",
              "layers": [{{string.Join(",\n    ", Enumerable.Repeat(layer, layers))}}]
            }
            """;
        return new TestProject()
            .AddModel("Models/big.edgernn.json", manifest)
            .AddWeights("Models/w.safetensors", Write(tensors))
            .AddModelStruct("Models/big.edgernn.json")
            .Run();
    }

    [Fact]
    public void Weights_past_the_limit_are_a_located_limit_error()
    {
        const int Width = 64;
        int layers = Generators.Model.ModelLimits.MaxWeights / (Width * Width + Width) + 1;
        var run = Stack(layers, "{ \"type\": \"linear\", \"prefix\": \"lin\" }",
            new Tensor("lin.weight", [Width, Width], new float[Width * Width]), new Tensor("lin.bias", [Width], new float[Width]));
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0030");
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath("Models/big.edgernn.json"), "{\n  \"format\": \"edgernn/1\",\n  \"weights\"", "\"weights\"");
        long weights = (long)layers * (Width * Width + Width);
        Assert.Contains($"the model's {weights} weights exceeds EdgeRnn's limit of {Generators.Model.ModelLimits.MaxWeights} floats", d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Working_memory_past_the_limit_is_a_located_limit_error()
    {
        // A linear layer 1,000,000 wide, then softmax layers of that width: few weights, much per-step memory.
        const int Width = 1_000_000;
        var run = Stack(1, "{ \"type\": \"linear\", \"prefix\": \"lin\" }, { \"type\": \"softmax\" }, { \"type\": \"softmax\" }, { \"type\": \"softmax\" }, { \"type\": \"softmax\" }",
            new Tensor("lin.weight", [Width, 1], new float[Width]));
        run.AssertNoGeneratorFailure();
        Assert.Contains("per-step working memory of 5 layers", run.Single("ERNN0030").GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
    }
}
