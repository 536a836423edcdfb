using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Tests;

/// <summary>Manifest problems (ERNN0003–ERNN0008, ERNN0020, ERNN0023): located in the manifest, at the line they concern.</summary>
public class ManifestDiagnosticsTests
{
    private const string Model = "lstm_i3_h5";
    private static readonly string s_manifestPath = TestProject.FullPath($"Models/{Model}.edgernn.json");

    private static GeneratorRun Run(string manifest, string model = Model) => TestProject.ForModel(model, manifest).Run();

    /// <summary>Runs a manifest that has exactly one error, with the given id, on the line holding <paramref name="snippet"/>.</summary>
    private static Diagnostic SingleError(string manifest, string id, string snippet, string model = Model)
    {
        var run = Run(manifest, model);
        run.AssertNoGeneratorFailure();
        var d = run.Single(id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        var errors = run.Diagnostics.Where(x => x.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 1, GeneratorRun.Describe(errors));
        Assert.Empty(run.GeneratedSources);
        DiagnosticAssert.AtSnippet(d, TestProject.FullPath($"Models/{model}.edgernn.json"), manifest, snippet);
        return d;
    }

    [Fact]
    public void ERNN0003_malformed_json_reports_line_and_column()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors"
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """;
        var d = SingleError(manifest, "ERNN0003", "\"layers\"");
        string message = d.GetMessage();
        Assert.Contains("'lstm_i3_h5.edgernn.json' is not valid JSON", message, StringComparison.Ordinal);
        Assert.Contains("expected ',' or '}' in object at line 4, column 3", message, StringComparison.Ordinal);
        Assert.Equal(2, d.Location.GetLineSpan().StartLinePosition.Character);
    }

    [Fact]
    public void ERNN0003_trailing_comma_in_an_array()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn" },
              ]
            }
            """;
        var d = SingleError(manifest, "ERNN0003", "  ]");
        Assert.Contains("unexpected ']', expected a value at line 6, column 3", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0003_unterminated_string_points_at_its_opening_quote()
    {
        const string manifest = "{\n  \"format\": \"edgernn/1\",\n  \"weights\": \"lstm_i3_h5.safetensors";
        var d = SingleError(manifest, "ERNN0003", "\"lstm_i3_h5");
        Assert.Contains("unterminated string at line 3, column 14", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0003_raw_newline_in_a_string()
    {
        const string manifest = "{\n  \"format\": \"edgernn/1\",\n  \"weights\": \"lstm_i3_h5.safetensors\n}";
        var d = SingleError(manifest, "ERNN0003", "\"lstm_i3_h5");
        Assert.Contains("control character in string at line 3, column 37", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0004_missing_format()
    {
        const string manifest = """
            {
              "weights": "lstm_i3_h5.safetensors",
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """;
        var d = SingleError(manifest, "ERNN0004", "{");
        Assert.Contains("the \"format\" property is missing and the file is not one of the model formats read directly", d.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("the supported format is \"edgernn/1\"", d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"edgernn/2\"", "unknown format \"edgernn/2\"")]
    [InlineData("1", "unknown format a number")]
    public void ERNN0004_wrong_format(string format, string expected)
    {
        string manifest = $$"""
            {
              "weights": "lstm_i3_h5.safetensors",
              "format": {{format}},
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """;
        var d = SingleError(manifest, "ERNN0004", "\"format\"");
        Assert.Contains(expected, d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0005_unknown_layout()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layout": "onnx",
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """;
        var d = SingleError(manifest, "ERNN0005", "\"onnx\"");
        Assert.Contains("unknown layout \"onnx\"; supported layouts: \"pytorch\", \"keras\"", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0006_unknown_layer_type()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn" },
                { "type": "transformer", "prefix": "attn" }
              ]
            }
            """;
        var d = SingleError(manifest, "ERNN0006", "\"transformer\"");
        Assert.Contains("layer 1 has unknown type \"transformer\"", d.GetMessage(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "num_layers": "2" }
              ]
            }
            """,
            "\"num_layers\": \"2\"",
            "\"num_layers\" must be an integer from 1 to 1000000, not a string"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "num_layers": 0 }
              ]
            }
            """,
            "\"num_layers\": 0",
            "\"num_layers\" must be an integer from 1 to 1000000, not 0"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "hidden_size": 5.0 }
              ]
            }
            """,
            "\"hidden_size\"",
            "\"hidden_size\" must be an integer from 1 to 1000000, not 5.0"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": []
            }
            """,
            "\"layers\": []",
            "\"layers\" must be a non-empty array of layer objects"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn" },
                { "type": "linear", "prefix": "head", "activation": "softmax" }
              ]
            }
            """,
            "\"softmax\"",
            "layer 1 (linear): unknown activation \"softmax\"; supported: none (or linear), tanh, sigmoid, relu"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "rnn", "prefix": "rnn",
                  "nonlinearity": "gelu" }
              ]
            }
            """,
            "\"gelu\"",
            "layer 0 (rnn): unknown nonlinearity \"gelu\"; supported: tanh, relu"
        },
        {
            """
            {
              "format": "edgernn/1",
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """,
            "{",
            "the manifest has no \"weights\""
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "",
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """,
            "\"weights\"",
            "\"weights\" must be a non-empty string"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn",
                  "bidirectional": "yes" }
              ]
            }
            """,
            "\"yes\"",
            "\"bidirectional\" must be true or false, not a string"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "input": 3,
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """,
            "\"input\"",
            "\"input\" must be an object such as {\"size\": 1}, not a number"
        },
        {
            """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [ { "type": "lstm", "prefix": "rnn" } ],
              "skip": -1
            }
            """,
            "\"skip\"",
            "\"skip\" must be an integer from 0 to 1000000, not -1"
        },
        {
            """
            [ "format", "edgernn/1" ]
            """,
            "[",
            "the manifest must be a JSON object, not an array"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void ERNN0007_invalid_manifest_value(string manifest, string snippet, string expected)
    {
        var d = SingleError(manifest, "ERNN0007", snippet);
        Assert.Contains(expected, d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0008_unknown_property_is_a_warning_and_the_model_still_generates()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn",
                  "num_layer": 2 }
              ]
            }
            """;
        var run = Run(manifest);
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0008");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        DiagnosticAssert.AtSnippet(d, s_manifestPath, manifest, "\"num_layer\"");
        Assert.Equal("\"num_layer\"", manifest.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        string message = d.GetMessage();
        Assert.Contains("unknown property \"num_layer\" in layer 0 (lstm) is ignored", message, StringComparison.Ordinal);
        Assert.Contains("num_layers", message, StringComparison.Ordinal);
        Assert.Single(run.Diagnostics);
        Assert.Contains("public const int InputSize = 3;", run.SingleSource(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0008_unknown_top_level_and_input_properties()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "input": { "size": 3,
                "sise": 3 },
              "layer": [],
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """;
        var run = Run(manifest);
        var warnings = run.WithId("ERNN0008");
        Assert.Equal(2, warnings.Length);
        DiagnosticAssert.AtSnippet(warnings.Single(w => w.GetMessage().Contains("\"sise\" in \"input\"", StringComparison.Ordinal)),
            s_manifestPath, manifest, "\"sise\"");
        DiagnosticAssert.AtSnippet(warnings.Single(w => w.GetMessage().Contains("\"layer\" in the manifest", StringComparison.Ordinal)),
            s_manifestPath, manifest, "\"layer\"");
        Assert.Single(run.GeneratedSources);
    }

    [Fact]
    public void ERNN0020_stated_input_size_differs_from_the_weights()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "input": {
                "size": 4
              },
              "layers": [ { "type": "lstm", "prefix": "rnn" } ]
            }
            """;
        var d = SingleError(manifest, "ERNN0020", "\"size\"");
        Assert.Contains("the manifest states input.size = 4 but the weights give 3 (from 'rnn.weight_ih_l0' [20, 3])",
            d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0020_stated_hidden_size_differs_from_the_weights()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "hidden_size": 6 }
              ]
            }
            """;
        var d = SingleError(manifest, "ERNN0020", "\"hidden_size\"");
        Assert.Contains("layer 0 hidden_size = 6 but the weights give 5 (from 'rnn.weight_hh_l0' [20, 5])",
            d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0020_stated_bias_false_but_the_file_has_biases()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "bias": false }
              ]
            }
            """;
        var d = SingleError(manifest, "ERNN0020", "\"bias\"");
        Assert.Contains("layer 0 bias = false but the weights give bias tensors (from 'rnn.bias_ih_l0' [20])",
            d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0023_skip_larger_than_the_outputs()
    {
        string manifest = """
            {
              "format": "edgernn/1",
              "weights": "amp_lstm_skip.safetensors",
              "layers": [
                { "type": "lstm", "prefix": "rec" },
                { "type": "linear", "prefix": "lin" }
              ],
              "skip": 2
            }
            """;
        var d = SingleError(manifest, "ERNN0023", "\"skip\"", model: "amp_lstm_skip");
        Assert.Contains("\"skip\": 2 adds the first 2 input channel(s) to the output, but the model has 1 input(s) and 1 output(s)",
            d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_manifest_error_is_reported_not_just_the_first()
    {
        const string manifest = """
            {
              "format": "edgernn/1",
              "weights": "lstm_i3_h5.safetensors",
              "layout": "onnx",
              "layers": [
                { "type": "lstm", "prefix": "rnn", "num_layers": "2" },
                { "type": "transformer" }
              ]
            }
            """;
        var run = Run(manifest);
        Assert.Single(run.WithId("ERNN0005"));
        Assert.Single(run.WithId("ERNN0006"));
        Assert.Single(run.WithId("ERNN0007"));
        Assert.Empty(run.GeneratedSources);
    }
}
