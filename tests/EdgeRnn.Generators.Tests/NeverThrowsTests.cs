using System.Text;
using System.Text.RegularExpressions;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// ERNN0024 (internal error) cannot be triggered from input by design: whatever the manifest and weights hold,
/// the generator reports diagnostics and never throws. These tests feed it seeded random mutations of valid
/// files, and outright garbage, and check that no run fails.
/// </summary>
public partial class NeverThrowsTests
{
    /// <summary>
    /// 200 by default. For a longer search locally: EDGERNN_FUZZ_ITERATIONS=20000, EDGERNN_FUZZ_SEED=N for other seeds,
    /// EDGERNN_FUZZ_STATS=/tmp/stats.txt to see which diagnostics the mutations reach.
    /// </summary>
    private static readonly int s_iterations =
        int.TryParse(Environment.GetEnvironmentVariable("EDGERNN_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 200;

    private static readonly int s_seedOffset =
        int.TryParse(Environment.GetEnvironmentVariable("EDGERNN_FUZZ_SEED"), out int seed) ? seed : 0;

    private static readonly string? s_statsFile = Environment.GetEnvironmentVariable("EDGERNN_FUZZ_STATS");

    private const string Model = "stack_lstm_gru_linear";
    private static readonly string s_manifestRelative = $"Models/{Model}.edgernn.json";
    private static readonly string s_weightsRelative = $"Models/{Repo.WeightsName(Model)}";
    private static readonly string s_manifest = Repo.Manifest(Model);
    private static readonly byte[] s_weights = Repo.Weights(Model);

    private const string Alphabet = "{}[]\":,-+.eE0123456789 \n\t\\/abcdefnrstuly_\u0000\u00e9\uFEFF\uD800";

    private static readonly string[] s_tokens =
    [
        "-1", "0", "1", "2", "3", "7", "1e999", "-1e999", "1e-999", "99999999999999999999", "1000001", "2147483648", "1.5", "-0",
        "null", "true", "false", "[]", "{}", "\"\"", "[[[[", "]]", "\"rnn\"", "\"lstm\"", "\"gru\"", "\"linear\"", "\"enc\"", "\"dec\"", "\"head\"",
        "\"weights\": \"x.safetensors\"", ", \"skip\": 3", ", \"skip\": 1", ", \"num_layers\": 3", ", \"num_layers\": 1",
        ", \"input\": {\"size\": 7}", ", \"bias\": false", ", \"bias\": true", ", \"hidden_size\": 9", ", \"in_features\": 0",
        ", \"bidirectional\": true", ", \"proj_size\": 2", ", \"nonlinearity\": \"relu\"", ", \"activation\": \"relu\"",
        ", { \"type\": \"linear\", \"prefix\": \"head\" }", ", { \"type\": \"rnn\" }", "\\u0000", "\\uD800", "\"\\\"\"",
    ];

    private static readonly Lazy<CSharpCompilation> s_compilation = new(() =>
        new TestProject().AddModelStruct(s_manifestRelative).Compilation());

    [GeneratedRegex("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex StringPattern();

    private static readonly object s_statsLock = new();

    private static readonly int[] s_structuredOps = [4, 5, 6, 9];

    private static readonly string[] s_names =
    [
        "format", "weights", "layout", "input", "layers", "skip", "size", "type", "prefix", "num_layers", "hidden_size", "input_size",
        "bias", "bidirectional", "proj_size", "nonlinearity", "activation", "in_features", "out_features", "output_size", "name",
        "num_layer", "dtype", "shape", "data_offsets", "__metadata__", "",
    ];

    private static string MutateText(string text, Random rng)
    {
        if (rng.Next(12) == 0)
        {
            // Garbage from scratch.
            var sb = new StringBuilder();
            int length = rng.Next(0, 200);
            for (int i = 0; i < length; i++) sb.Append(rng.Next(4) == 0 ? (char)rng.Next(0, 0xFFFF) : Alphabet[rng.Next(Alphabet.Length)]);
            return sb.ToString();
        }
        int mutations = rng.Next(1, 5);
        bool structured = rng.Next(2) == 0; // edits that keep the JSON well-formed, to reach the model checks
        for (int m = 0; m < mutations; m++)
        {
            int at = rng.Next(text.Length + 1);
            switch (structured ? s_structuredOps[rng.Next(s_structuredOps.Length)] : rng.Next(10))
            {
                case 0: // delete a short range
                    text = text.Remove(Math.Min(at, text.Length), Math.Min(rng.Next(1, 9), text.Length - Math.Min(at, text.Length)));
                    break;
                case 1: // insert a character
                    text = text.Insert(at, Alphabet[rng.Next(Alphabet.Length)].ToString());
                    break;
                case 2: // replace a character
                    if (text.Length > 0)
                    {
                        int i = rng.Next(text.Length);
                        text = text[..i] + Alphabet[rng.Next(Alphabet.Length)] + text[(i + 1)..];
                    }
                    break;
                case 3: // insert a token
                    text = text.Insert(at, s_tokens[rng.Next(s_tokens.Length)]);
                    break;
                case 4:
                case 5: // replace a number (keeps the JSON valid more often, to reach the model checks)
                {
                    var numbers = NumberPattern().Matches(text);
                    if (numbers.Count == 0) break;
                    var n = numbers[rng.Next(numbers.Count)];
                    string replacement = rng.Next(3) == 0 ? rng.Next(-3, 70).ToString(System.Globalization.CultureInfo.InvariantCulture) : s_tokens[rng.Next(14)];
                    text = text[..n.Index] + replacement + text[(n.Index + n.Length)..];
                    break;
                }
                case 6: // replace a string
                {
                    var strings = StringPattern().Matches(text);
                    if (strings.Count == 0) break;
                    var s = strings[rng.Next(strings.Count)];
                    text = text[..s.Index] + s_tokens[rng.Next(s_tokens.Length)] + text[(s.Index + s.Length)..];
                    break;
                }
                case 7: // duplicate a range
                {
                    int start = rng.Next(text.Length + 1);
                    int length = Math.Min(rng.Next(1, 40), text.Length - start);
                    text = text.Insert(rng.Next(text.Length + 1), text.Substring(start, length));
                    break;
                }
                case 8: // truncate
                    text = text[..rng.Next(text.Length + 1)];
                    break;
                default: // add a property to an object
                {
                    var braces = Enumerable.Range(0, text.Length).Where(i => text[i] == '{').ToArray();
                    if (braces.Length == 0) break;
                    int brace = braces[rng.Next(braces.Length)];
                    string value = s_tokens[rng.Next(24)];
                    text = text.Insert(brace + 1, $"\"{s_names[rng.Next(s_names.Length)]}\": {value}, ");
                    break;
                }
            }
        }
        return text;
    }

    private static byte[] MutateWeights(byte[] file, Random rng)
    {
        var (header, data) = SafetensorsFile.Split(file);
        switch (rng.Next(10))
        {
            case 0: // random bytes
            {
                var bytes = new byte[rng.Next(0, rng.Next(2) == 0 ? 16 : 400)];
                rng.NextBytes(bytes);
                return bytes;
            }
            case 1: // flip bits anywhere
            {
                var bytes = (byte[])file.Clone();
                for (int i = rng.Next(1, 5); i > 0; i--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                return bytes;
            }
            case 2: // flip bits in the length prefix or header
            {
                var bytes = (byte[])file.Clone();
                int headerEnd = 8 + Encoding.UTF8.GetByteCount(header);
                for (int i = rng.Next(1, 4); i > 0; i--) bytes[rng.Next(headerEnd)] ^= (byte)(1 << rng.Next(8));
                return bytes;
            }
            case 3: // truncate
                return file[..rng.Next(file.Length)];
            case 4: // another declared header length
            {
                ulong length = rng.Next(3) switch
                {
                    0 => (ulong)Math.Max(0, Encoding.UTF8.GetByteCount(header) + rng.Next(-16, 17)),
                    1 => (ulong)rng.NextInt64(),
                    _ => ulong.MaxValue - (ulong)rng.Next(100),
                };
                return SafetensorsFile.BuildExact(Encoding.UTF8.GetBytes(header), data, length);
            }
            case 5:
            case 6:
            case 7: // edit the header text (shapes, offsets, dtypes, names), keep the file consistent otherwise
            {
                string edited = MutateText(header, rng);
                if (rng.Next(3) == 0) edited = edited.Replace("F32", rng.Next(2) == 0 ? "F16" : "BF16", StringComparison.Ordinal);
                return SafetensorsFile.Build(edited, data);
            }
            case 8: // non-finite or extreme data
            {
                var bytes = (byte[])file.Clone();
                int dataStart = file.Length - data.Length;
                int at = dataStart + 4 * rng.Next(data.Length / 4);
                uint bits = rng.Next(4) switch { 0 => 0x7FC00000u, 1 => 0x7F800000u, 2 => 0xFF800000u, _ => (uint)rng.Next() };
                BitConverter.GetBytes(bits).CopyTo(bytes, at);
                return bytes;
            }
            default: // drop or add a tensor
            {
                var tensors = SafetensorsFile.Read(file);
                if (rng.Next(2) == 0 && tensors.Count > 0) tensors.RemoveAt(rng.Next(tensors.Count));
                else tensors.Add(new SafetensorsFile.Tensor("head.extra_" + rng.Next(3), [rng.Next(0, 3), rng.Next(0, 3)], []));
                var last = tensors[^1];
                if (last.Data.Length != last.Shape.Aggregate(1, (a, b) => a * b))
                    tensors[^1] = last with { Data = new float[last.Shape.Aggregate(1, (a, b) => a * b)] };
                return SafetensorsFile.Write(tensors);
            }
        }
    }

    private static TestProject Project(string manifest, byte[]? weights, string? weightsText = null)
    {
        var project = new TestProject().AddModel(s_manifestRelative, manifest);
        return weightsText is not null
            ? project.AddWeightsText(s_weightsRelative, weightsText)
            : project.AddWeights(s_weightsRelative, weights!);
    }

    /// <summary>The generator survived, every diagnostic renders and points somewhere, and a source exists exactly when no error does.</summary>
    private static void Check(TestProject project, string what, Dictionary<string, string> sources)
    {
        var result = project.RunGeneratorsOnly(s_compilation.Value);
        var generator = result.Results[0];
        Assert.True(generator.Exception is null, $"{what}: the generator threw {generator.Exception}");
        foreach (var d in result.Diagnostics)
        {
            Assert.False(d.Id is "CS8784" or "CS8785" or "ERNN0024", $"{what}: {d}");
            Assert.StartsWith("ERNN", d.Id, StringComparison.Ordinal);
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(Regex.IsMatch(message, "\\{[0-9]\\}"), $"{what}: unformatted message {message}");
            Assert.True(d.Location != Location.None, $"{what}: {d.Id} has no location");
            var span = d.Location.GetLineSpan();
            Assert.True(span.Path == TestProject.FullPath(s_manifestRelative) || d.Location.IsInSource, $"{what}: {d} is at {span.Path}");
        }
        bool errors = result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        // A failed model still gives its struct a placeholder (the API, so uses bind), never a model.
        var models = GeneratorRun.ModelSources(generator);
        Assert.True(errors == (models.Length == 0),
            $"{what}: {(errors ? "errors and a model source" : "neither errors nor a model source")}\n{GeneratorRun.Describe(result.Diagnostics)}");
        Assert.Single(generator.GeneratedSources);
        foreach (var source in models) sources.TryAdd(source.SourceText.ToString(), what);
        if (s_statsFile is not null)
        {
            lock (s_statsLock)
                File.AppendAllText(s_statsFile, string.Join(",", result.Diagnostics.Select(d => d.Id).Distinct().DefaultIfEmpty(models.Length == 0 ? "none" : "ok")) + "\n");
        }
    }

    /// <summary>Whatever the generator emitted for mutated-but-accepted inputs compiles.</summary>
    private static void AssertSourcesCompile(Dictionary<string, string> sources)
    {
        foreach (var (text, what) in sources.Take(8))
        {
            var compilation = s_compilation.Value.AddSyntaxTrees(CSharpSyntaxTree.ParseText(text, TestProject.ParseOptions, "/proj/Generated.g.cs"));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            Assert.True(errors.Length == 0, $"{what}: the generated source does not compile:\n{GeneratorRun.Describe(errors.Take(5))}");
        }
    }

    [Fact]
    public void The_unmutated_model_generates()
    {
        var sources = new Dictionary<string, string>();
        Check(Project(s_manifest, s_weights), "valid", sources);
        Assert.Single(sources);
    }

    [Fact]
    public void Random_manifests_never_make_the_generator_fail()
    {
        var rng = new Random(20240611 + s_seedOffset);
        var sources = new Dictionary<string, string>();
        for (int i = 0; i < s_iterations; i++)
        {
            string manifest = MutateText(s_manifest, rng);
            Check(Project(manifest, s_weights), $"manifest #{i}: {manifest}", sources);
        }
        AssertSourcesCompile(sources);
    }

    [Fact]
    public void Random_weights_never_make_the_generator_fail()
    {
        var rng = new Random(4242 + s_seedOffset);
        var sources = new Dictionary<string, string>();
        for (int i = 0; i < s_iterations; i++)
        {
            byte[] weights = MutateWeights(s_weights, rng);
            if (rng.Next(20) == 0)
                Check(Project(s_manifest, null, MutateText(Convert.ToBase64String(weights), rng)), $"weights text #{i}", sources);
            else
                Check(Project(s_manifest, weights), $"weights #{i}: {Convert.ToBase64String(weights)}", sources);
        }
        AssertSourcesCompile(sources);
    }

    public static TheoryData<string> NastyManifests =>
    [
        "", " ", "null", "0", "\"\"", "[]", "{}", "\uFEFF", "\uFEFF{}", "\0", "\uD800", "{\"format\": \"edgernn/1\"}",
        new string('[', 5000), new string('{', 5000), "[" + string.Join(",", Enumerable.Repeat("1e999", 100)) + "]",
        """{"format": "edgernn/1", "weights": "stack_lstm_gru_linear.safetensors", "layers": [null, 1, "lstm", [], {}]}""",
        """{"format": "edgernn/1", "weights": "stack_lstm_gru_linear.safetensors", "layers": [{"type": "lstm", "prefix": "enc", "num_layers": 1000000}]}""",
        """{"format": "edgernn/1", "weights": "stack_lstm_gru_linear.safetensors", "layers": [{"type": "lstm", "prefix": "enc"}], "skip": 1000000}""",
        """{"format": "edgernn/1", "weights": "/", "layers": [{"type": "lstm"}]}""",
        """{"format": "edgernn/1", "weights": "../../../../..", "layers": [{"type": "lstm"}]}""",
        """{"format": "edgernn/1", "weights": "\\\\server\\share\\x", "layers": [{"type": "lstm"}]}""",
        """{"format": "edgernn/1", "weights": "C:", "layers": [{"type": 7}]}""",
        """{"format": "edgernn/1", "weights": "stack_lstm_gru_linear.safetensors", "input": {}, "layers": [{"type": "linear", "prefix": "enc", "activation": null}]}""",
    ];

    [Theory]
    [MemberData(nameof(NastyManifests))]
    public void Nasty_manifests(string manifest) => Check(Project(manifest, s_weights), manifest, []);

    public static TheoryData<string> NastyHeaders =>
    [
        "", "{}", "{\"__metadata__\": 1}", "{\"a\": null}", "{\"a\": {}}", "{\"a\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 0]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 1e3]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [1e400, 1e400]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [99999999999999999999, 99999999999999999999]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}",
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [2147483647, 0], \"data_offsets\": [0, 0]}}",
        "{\"enc.weight_hh_l0\": {\"dtype\": \"F32\", \"shape\": [0, 1073741824], \"data_offsets\": [0, 0]}, \"enc.weight_ih_l0\": {\"dtype\": \"F32\", \"shape\": [0, 4], \"data_offsets\": [0, 0]}}",
        "{\"enc.weight_hh_l0\": {\"dtype\": \"F32\", \"shape\": [0, 0], \"data_offsets\": [0, 0]}}",
        "{\"head.weight\": {\"dtype\": \"F32\", \"shape\": [0, 5], \"data_offsets\": [0, 0]}}",
    ];

    [Theory]
    [MemberData(nameof(NastyHeaders))]
    public void Nasty_weights_headers(string header) =>
        Check(Project(s_manifest, SafetensorsFile.Build(header, new byte[64])), header, []);
}
