using System.Text;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// Weights problems (ERNN0009–ERNN0021): a problem with one layer's tensors is located at that layer in the
/// manifest; problems with the file as a whole at the manifest's "weights" value,
/// and naming the weights file, the tensor and the shapes involved.
/// </summary>
public class WeightsDiagnosticsTests
{
    private const string Model = "lstm_i3_h5";
    private const string WeightsName = "lstm_i3_h5.safetensors";
    private static readonly string s_manifestPath = TestProject.FullPath($"Models/{Model}.edgernn.json");

    private static readonly string s_manifest = Repo.Manifest(Model);

    /// <summary>The committed model's tensors: weight_ih [20, 3], weight_hh [20, 5], bias_ih [20], bias_hh [20].</summary>
    private static List<Tensor> Tensors() => Read(Repo.Weights(Model));

    /// <summary>The committed model's header entries, contiguous F32, for editing one.</summary>
    private static List<Entry> Entries()
    {
        var entries = new List<Entry>();
        long offset = 0;
        foreach (var t in Tensors())
        {
            entries.Add(new Entry(t.Name, "F32", t.Shape, offset, offset + 4L * t.Data.Length));
            offset += 4L * t.Data.Length;
        }
        return entries;
    }

    private static byte[] DataSection() => Split(Repo.Weights(Model)).Data;

    private static GeneratorRun Run(byte[] weights, string? manifest = null) =>
        TestProject.ForModel(Model, manifest ?? s_manifest, weights).Run();

    /// <summary>Asserts one error with the id, at the manifest's "weights" line (or another snippet's), and no generated source.</summary>
    private static Diagnostic SingleError(GeneratorRun run, string id, string? manifest = null, string snippet = "\"weights\"")
    {
        run.AssertNoGeneratorFailure();
        var d = run.Single(id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        var errors = run.Diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 1, GeneratorRun.Describe(errors));
        Assert.Empty(run.GeneratedSources);
        DiagnosticAssert.AtSnippet(d, s_manifestPath, manifest ?? s_manifest, snippet);
        return d;
    }

    private static void AssertMessage(Diagnostic d, params string[] fragments)
    {
        string message = d.GetMessage();
        foreach (var f in fragments) Assert.Contains(f, message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_committed_weights_round_trip_through_the_test_writer()
    {
        var run = Run(Write(Tensors()));
        Assert.Empty(run.Diagnostics);
        Assert.Equal(TestProject.ForModel(Model).Run().SingleSource(), run.SingleSource());
    }

    [Fact]
    public void ERNN0009_weights_file_not_provided()
    {
        string manifest = s_manifest.Replace("\"lstm_i3_h5.safetensors\"", "\"sub/missing.safetensors\"", StringComparison.Ordinal);
        var d = SingleError(Run(Repo.Weights(Model), manifest), "ERNN0009", manifest);
        AssertMessage(d, "the weights file 'sub/missing.safetensors' (resolved to '/proj/Models/sub/missing.safetensors') was not found");
    }

    [Fact]
    public void ERNN0009_weights_resolve_relative_to_the_manifest_not_the_project()
    {
        // The weights sit in the project directory, but the manifest (in Models/) names them relative to itself.
        var project = new TestProject()
            .AddModel("Models/m.edgernn.json", s_manifest)
            .AddWeights(WeightsName, Repo.Weights(Model))
            .AddModelStruct("Models/m.edgernn.json");
        var run = project.Run();
        var d = run.Single("ERNN0009");
        AssertMessage(d, "(resolved to '/proj/Models/lstm_i3_h5.safetensors')");
        // The prepared file nobody uses is not reported: it belongs to no manifest.
        Assert.Single(run.Diagnostics);
    }

    [Fact]
    public void ERNN0010_file_shorter_than_the_length_prefix()
    {
        var d = SingleError(Run([1, 2, 3, 4, 5]), "ERNN0010");
        AssertMessage(d, $"'{WeightsName}': the safetensors file is 5 bytes long");
    }

    [Fact]
    public void ERNN0011_header_length_beyond_the_file()
    {
        var file = Build(Header(Entries()), DataSection(), declaredHeaderLength: 100_000);
        var d = SingleError(Run(file), "ERNN0011");
        AssertMessage(d, $"'{WeightsName}': the safetensors header claims 100000 bytes but only {file.Length - 8} bytes follow");
    }

    [Fact]
    public void ERNN0011_header_length_near_ulong_max()
    {
        var file = Build(Header(Entries()), DataSection(), declaredHeaderLength: ulong.MaxValue);
        var d = SingleError(Run(file), "ERNN0011");
        AssertMessage(d, $"claims {ulong.MaxValue} bytes");
    }

    [Fact]
    public void ERNN0012_header_is_not_json()
    {
        var d = SingleError(Run(Build("not json at all", DataSection())), "ERNN0012");
        AssertMessage(d, $"'{WeightsName}': malformed safetensors header: unexpected 'n', expected a value at header offset 0");
    }

    [Fact]
    public void ERNN0012_header_is_not_utf8()
    {
        var d = SingleError(Run(BuildExact([(byte)'{', 0xFF, 0xFE, (byte)'}', 32, 32, 32, 32], DataSection())), "ERNN0012");
        AssertMessage(d, "the header is not valid UTF-8");
    }

    [Fact]
    public void ERNN0012_entry_without_dtype()
    {
        string header = Header(Entries()).Replace("\"dtype\":\"F32\",\"shape\":[20,5]", "\"shape\":[20,5]", StringComparison.Ordinal);
        var d = SingleError(Run(Build(header, DataSection())), "ERNN0012");
        AssertMessage(d, "tensor 'rnn.weight_hh_l0' has no string \"dtype\"");
    }

    [Theory]
    [InlineData("[20,-5]", "tensor 'rnn.weight_hh_l0' has no \"shape\" array of non-negative integers")]
    [InlineData("[20,5.5]", "tensor 'rnn.weight_hh_l0' has no \"shape\" array of non-negative integers")]
    [InlineData("[20,99999999999]", "tensor 'rnn.weight_hh_l0' has a dimension too large (99999999999)")]
    [InlineData("[65536,65536]", "tensor 'rnn.weight_hh_l0' has too many elements")]
    public void ERNN0012_bad_shape(string shape, string expected)
    {
        string header = Header(Entries()).Replace("[20,5]", shape, StringComparison.Ordinal);
        var d = SingleError(Run(Build(header, DataSection())), "ERNN0012");
        AssertMessage(d, expected);
    }

    [Fact]
    public void ERNN0012_header_is_an_array()
    {
        var d = SingleError(Run(Build("[1, 2]", [])), "ERNN0012");
        AssertMessage(d, "the header is an array, expected an object");
    }

    [Fact]
    public void ERNN0012_prepared_text_is_not_base64()
    {
        var project = new TestProject()
            .AddModel($"Models/{Model}.edgernn.json", s_manifest)
            .AddWeightsText($"Models/{WeightsName}", "this is not base64!")
            .AddModelStruct($"Models/{Model}.edgernn.json");
        var d = SingleError(project.Run(), "ERNN0012");
        AssertMessage(d, "is not valid base64");
    }

    [Theory]
    [InlineData("I64")]
    [InlineData("F64")]
    public void ERNN0013_unsupported_dtype(string dtype)
    {
        var entries = Entries();
        // Same byte length (F64 [20, 5] would need 800 bytes): the dtype check comes first anyway.
        entries[1] = entries[1] with { Dtype = dtype };
        var d = SingleError(Run(Build(Header(entries), DataSection())), "ERNN0013");
        AssertMessage(d, $"'{WeightsName}': tensor 'rnn.weight_hh_l0' has dtype {dtype}; supported dtypes: F32, F16, BF16");
    }

    [Fact]
    public void ERNN0014_offsets_beyond_the_data()
    {
        var entries = Entries();
        entries[3] = entries[3] with { Begin = 720, End = 880 };
        var d = SingleError(Run(Build(Header(entries), DataSection())), "ERNN0014");
        AssertMessage(d, "tensor 'rnn.bias_hh_l0' has data_offsets [720, 880] but the data section is only 800 bytes long");
    }

    [Fact]
    public void ERNN0014_byte_length_differs_from_shape_times_element_size()
    {
        var entries = Entries();
        entries[0] = entries[0] with { End = 236 };
        var d = SingleError(Run(Build(Header(entries), DataSection())), "ERNN0014");
        AssertMessage(d, "tensor 'rnn.weight_ih_l0' has data_offsets [0, 236] but shape [20, 3] of F32 needs 240 bytes, not 236");
    }

    [Fact]
    public void ERNN0014_end_before_begin()
    {
        var entries = Entries();
        entries[2] = entries[2] with { Begin = 720, End = 640 };
        var d = SingleError(Run(Build(Header(entries), DataSection())), "ERNN0014");
        AssertMessage(d, "tensor 'rnn.bias_ih_l0' has data_offsets [720, 640] but the end is before the begin");
    }

    [Fact]
    public void ERNN0015_two_tensors_overlap()
    {
        var entries = Entries();
        entries[1] = entries[1] with { Begin = 200, End = 600 };
        var d = SingleError(Run(Build(Header(entries), DataSection())), "ERNN0015");
        AssertMessage(d, "the data of tensor 'rnn.weight_hh_l0' [200, 600] overlaps tensor 'rnn.weight_ih_l0' [0, 240]");
    }

    [Fact]
    public void ERNN0016_wrong_prefix()
    {
        string manifest = s_manifest.Replace("\"prefix\": \"rnn\"", "\"prefix\": \"lstm\"", StringComparison.Ordinal);
        var run = Run(Repo.Weights(Model), manifest);
        var d = SingleError(run, "ERNN0016", manifest, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, $"tensor 'lstm.weight_hh_l0' with shape [4·H, H] is missing from '{WeightsName}' (the recurrent weights of lstm sub-layer 0)");
        // What is there instead is listed as unused.
        Assert.Equal(4, run.WithId("ERNN0017").Length);
    }

    [Fact]
    public void ERNN0016_more_stacked_layers_than_the_file_has()
    {
        string manifest = s_manifest.Replace("\"prefix\": \"rnn\"", "\"prefix\": \"rnn\", \"num_layers\": 2", StringComparison.Ordinal);
        var d = SingleError(Run(Repo.Weights(Model), manifest), "ERNN0016", manifest, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, "tensor 'rnn.weight_hh_l1' with shape [4·H, H] is missing");
    }

    [Fact]
    public void ERNN0016_only_one_of_the_two_biases()
    {
        var weights = Write(Tensors().Where(t => t.Name != "rnn.bias_hh_l0"));
        var d = SingleError(Run(weights), "ERNN0016", null, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, $"tensor 'rnn.bias_hh_l0' with shape [20] is missing from '{WeightsName}' ('rnn.bias_ih_l0' exists, so the model has biases)");
    }

    [Fact]
    public void ERNN0016_bias_stated_true_but_absent()
    {
        string manifest = s_manifest.Replace("\"prefix\": \"rnn\"", "\"prefix\": \"rnn\", \"bias\": true", StringComparison.Ordinal);
        var weights = Write(Tensors().Where(t => !t.Name.StartsWith("rnn.bias", StringComparison.Ordinal)));
        var run = Run(weights, manifest);
        run.AssertNoGeneratorFailure();
        var missing = run.WithId("ERNN0016");
        Assert.Equal(2, missing.Length);
        Assert.Equal(2, run.Diagnostics.Length);
        Assert.Empty(run.GeneratedSources);
        foreach (var d in missing) DiagnosticAssert.AtSnippet(d, s_manifestPath, manifest, "\"type\": \"lstm\"");
        AssertMessage(missing[0], "tensor 'rnn.bias_ih_l0' with shape [20] is missing", "(the manifest states \"bias\": true)");
        AssertMessage(missing[1], "tensor 'rnn.bias_hh_l0' with shape [20] is missing", "(the manifest states \"bias\": true)");
    }

    [Fact]
    public void ERNN0017_extra_tensor_is_a_warning_and_the_model_still_generates()
    {
        var tensors = Tensors();
        tensors.Add(new Tensor("extra.weight", [2, 2], [1, 2, 3, 4]));
        var run = Run(Write(tensors));
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0017");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        DiagnosticAssert.AtSnippet(d, s_manifestPath, s_manifest, "\"weights\"");
        AssertMessage(d, $"tensor 'extra.weight' [2, 2] in '{WeightsName}' is not used by any layer");
        Assert.Single(run.Diagnostics);
        Assert.Contains("public const int InputSize = 3;", run.SingleSource(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rnn.weight_hh_l0", new[] { 20, 4 }, "tensor 'rnn.weight_hh_l0' should have shape [4·H, H] but has [20, 4] (an lstm layer keeps 4 gates per hidden unit)")]
    [InlineData("rnn.weight_hh_l0", new[] { 100 }, "tensor 'rnn.weight_hh_l0' should have shape [4·H, H] but has [100]")]
    [InlineData("rnn.weight_ih_l0", new[] { 16, 3 }, "tensor 'rnn.weight_ih_l0' should have shape [20, I] but has [16, 3] (4 gates × hidden size 5 from 'rnn.weight_hh_l0')")]
    [InlineData("rnn.bias_ih_l0", new[] { 10, 2 }, "tensor 'rnn.bias_ih_l0' should have shape [20] but has [10, 2] (one bias per gate row)")]
    public void ERNN0018_tensor_with_the_wrong_shape(string name, int[] shape, string expected)
    {
        var tensors = Tensors();
        int i = tensors.FindIndex(t => t.Name == name);
        int count = shape.Aggregate(1, (a, b) => a * b);
        tensors[i] = tensors[i] with { Shape = shape, Data = new float[count] };
        var d = SingleError(Run(Write(tensors)), "ERNN0018", null, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, expected);
    }

    [Fact]
    public void ERNN0018_empty_recurrent_weights_whose_gate_rows_overflow()
    {
        // [0, 2^30]: no data, and 4 × 2^30 wraps to 0 in 32-bit arithmetic. It is not a valid LSTM.
        var tensors = Tensors();
        tensors[1] = new Tensor("rnn.weight_hh_l0", [0, 1 << 30], []);
        tensors[0] = new Tensor("rnn.weight_ih_l0", [0, 3], []);
        var run = Run(Write(tensors.Take(2)));
        var d = SingleError(run, "ERNN0018", null, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, "tensor 'rnn.weight_hh_l0' should have shape [4·H, H] but has [0, 1073741824]");
    }

    [Fact]
    public void ERNN0019_linear_head_does_not_take_the_hidden_size()
    {
        string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn" },
                { "type": "linear", "prefix": "head" }
              ]
            }
            """;
        var tensors = Tensors();
        tensors.Add(new Tensor("head.weight", [2, 4], new float[8]));
        tensors.Add(new Tensor("head.bias", [2], [0.5f, -0.5f]));
        var run = Run(Write(tensors), manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0019");
        Assert.Single(run.Diagnostics);
        Assert.Empty(run.GeneratedSources);
        DiagnosticAssert.AtSnippet(d, s_manifestPath, manifest, "\"head\"");
        AssertMessage(d, "layer 1 (linear) takes inputs of size 4 (from 'head.weight' [2, 4]) but layer 0 (lstm) gives 5");
    }

    [Fact]
    public void ERNN0019_a_linear_head_that_chains_generates()
    {
        string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn" },
                { "type": "linear", "prefix": "head", "in_features": 5, "out_features": 2, "activation": "tanh" }
              ]
            }
            """;
        var tensors = Tensors();
        tensors.Add(new Tensor("head.weight", [2, 5], new float[10]));
        var run = Run(Write(tensors), manifest);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("public const int OutputSize = 2;", run.SingleSource(), StringComparison.Ordinal);
        Assert.Empty(run.CompilationErrors());
    }

    [Theory]
    [InlineData("rnn.weight_ih_l0", 7, float.NaN, "tensor 'rnn.weight_ih_l0' holds NaN at index 7; weights must be finite")]
    [InlineData("rnn.bias_hh_l0", 3, float.PositiveInfinity, "tensor 'rnn.bias_hh_l0' holds +Infinity at index 3")]
    [InlineData("rnn.weight_hh_l0", 99, float.NegativeInfinity, "tensor 'rnn.weight_hh_l0' holds -Infinity at index 99")]
    public void ERNN0021_non_finite_weight(string name, int index, float value, string expected)
    {
        var weights = Edit(Repo.Weights(Model), tensors => tensors.Single(t => t.Name == name).Data[index] = value);
        var d = SingleError(Run(weights), "ERNN0021", null, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, expected);
    }

    [Fact]
    public void ERNN0021_non_finite_f16_weight()
    {
        // An F16 infinity (0x7C00) stays infinite when widened.
        var entries = Entries();
        var data = DataSection();
        entries[2] = entries[2] with { Dtype = "F16", End = 680 };
        entries[3] = entries[3] with { Begin = 680, End = 720 };
        var bytes = data[..720];
        for (int i = 640; i < 720; i += 2) { bytes[i] = 0; bytes[i + 1] = 0x3C; } // 1.0
        bytes[650] = 0x00; bytes[651] = 0x7C;  // index 5 of bias_ih_l0: +inf
        entries[3] = entries[3] with { Dtype = "F16" };
        var d = SingleError(Run(Build(Header(entries), bytes)), "ERNN0021", null, snippet: "\"type\": \"lstm\"");
        AssertMessage(d, "tensor 'rnn.bias_ih_l0' holds +Infinity at index 5");
    }

    [Fact]
    public void ERNN0020_stated_linear_sizes_are_located_at_their_layer()
    {
        string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "input_size": 3, "hidden_size": 5 },
                { "type": "linear", "prefix": "head", "in_features": 5, "out_features": 3 }
              ]
            }
            """;
        var tensors = Tensors();
        tensors.Add(new Tensor("head.weight", [2, 5], new float[10]));
        var run = Run(Write(tensors), manifest);
        var d = run.Single("ERNN0020");
        Assert.Single(run.Diagnostics);
        DiagnosticAssert.AtSnippet(d, s_manifestPath, manifest, "\"head\"");
        AssertMessage(d, "the manifest states layer 1 out_features = 3 but the weights give 2 (from 'head.weight' [2, 5])");
    }

    [Fact]
    public void ERNN0020_stated_recurrent_input_size()
    {
        string manifest = s_manifest.Replace("\"prefix\": \"rnn\"", "\"prefix\": \"rnn\", \"input_size\": 4", StringComparison.Ordinal);
        var d = SingleError(Run(Repo.Weights(Model), manifest), "ERNN0020", manifest, snippet: "\"input_size\"");
        AssertMessage(d, "the manifest states layer 0 input_size = 4 but the weights give 3 (from 'rnn.weight_ih_l0' [20, 3])");
    }

    [Fact]
    public void Bidirectional_tensors_are_reported_at_the_layer()
    {
        var tensors = Tensors();
        tensors.Add(new Tensor("rnn.weight_ih_l0_reverse", [20, 3], new float[60]));
        var run = Run(Write(tensors));
        var d = run.Single("ERNN0007");
        DiagnosticAssert.AtSnippet(d, s_manifestPath, s_manifest, "\"type\": \"lstm\"");
        AssertMessage(d, "layer 0: 'rnn.weight_ih_l0_reverse' [20, 3] shows a bidirectional module; add \"bidirectional\": true to the layer");
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void A_missing_first_layer_does_not_cascade_into_size_errors_for_the_next()
    {
        // enc (lstm 4 -> 9) is misnamed; dec (gru 9 -> 6) must not be taken for the first layer and checked against input.size = 4.
        string manifest = Repo.Manifest("stack_lstm_gru_linear").Replace("\"prefix\": \"enc\"", "\"prefix\": \"encoder\"", StringComparison.Ordinal);
        var run = TestProject.ForModel("stack_lstm_gru_linear", manifest).Run();
        run.AssertNoGeneratorFailure();
        var errors = run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        var d = Assert.Single(errors);
        Assert.Equal("ERNN0016", d.Id);
        AssertMessage(d, "tensor 'encoder.weight_hh_l0' with shape [4·H, H] is missing");
        Assert.Equal(4, run.WithId("ERNN0017").Length); // the enc.* tensors
        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void A_missing_middle_layer_does_not_cascade_into_chaining_errors()
    {
        string manifest = Repo.Manifest("stack_lstm_gru_linear").Replace("\"prefix\": \"dec\"", "\"prefix\": \"decoder\"", StringComparison.Ordinal);
        var run = TestProject.ForModel("stack_lstm_gru_linear", manifest).Run();
        var d = Assert.Single(run.Diagnostics, x => x.Severity == DiagnosticSeverity.Error);
        Assert.Equal("ERNN0016", d.Id);
        Assert.Empty(run.WithId("ERNN0019"));
    }

    [Fact]
    public void Weights_messages_name_the_file_even_when_prepared_under_obj()
    {
        // The prepared text's path (obj/edgernn/...b64) never reaches the message: EdgeRnnSource does.
        var run = Run(Encoding.UTF8.GetBytes("tiny"));
        var d = run.Single("ERNN0010");
        Assert.DoesNotContain(".b64", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains(WeightsName, d.GetMessage(), StringComparison.Ordinal);
    }
}
