using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Abstractions;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// The mutation fuzzer: seeded edits of committed models — manifest text, JSON-aware edits of manifests, of the model
/// files read directly (RTNeural, NAM, state_dict JSON) and of safetensors headers, and safetensors bytes — each run
/// through the generator's stages in-process (parse, build, emit; every 100th case through the whole driver), checking
/// that nothing throws, every diagnostic is located in the model file and formats, code exists exactly when no error
/// does, and the emitted code parses (a sample of it compiles).
/// Short run by default: <see cref="DefaultCases"/> cases, fixed seeds. Long run on demand:
/// <c>EDGERNN_FUZZ_CASES=2000000 dotnet test tests/EdgeRnn.Generators.Tests --filter Category=Fuzz</c>
/// (and <c>EDGERNN_FUZZ_SEED=N</c> for other seeds). A failure names the seed and case, and the input that failed.
/// </summary>
[Trait("Category", "Fuzz")]
public class MutationFuzzTests(ITestOutputHelper output)
{
    private const int DefaultCases = 20_000;

    private static readonly int s_cases =
        int.TryParse(Environment.GetEnvironmentVariable("EDGERNN_FUZZ_CASES"), out int n) && n > 0 ? n : DefaultCases;

    private static readonly int s_seed =
        int.TryParse(Environment.GetEnvironmentVariable("EDGERNN_FUZZ_SEED"), out int seed) ? seed : 0;

    /// <summary>A seed input: a model file (manifest or model read directly) and, for manifests, its safetensors.</summary>
    public sealed record Seed(string Name, string ModelFile, string ModelText, string? WeightsFile, byte[]? Weights)
    {
        public override string ToString() => Name;
    }

    private static Seed Manifest(string model) =>
        new(model, $"Models/{model}.edgernn.json", Repo.Manifest(model), $"Models/{Repo.WeightsName(model)}", Repo.Weights(model));

    /// <summary>An encoder–decoder reference case ("model": "seq2seq") from tests/EdgeRnn.Tests/Seq2Seq.</summary>
    private static Seed Seq2Seq(string model) =>
        new(model, $"Models/{model}.edgernn.json", Seq2SeqDiagnosticsTests.Manifest(model), $"Models/{model}.safetensors",
            File.ReadAllBytes(Path.Combine(Repo.Root, "tests", "EdgeRnn.Tests", "Seq2Seq", model + ".safetensors")));

    private static Seed Direct(string fileName) =>
        new(fileName, "Models/" + fileName, ModelFiles.RealModel(fileName), null, null);

    /// <summary>A committed manifest whose "weights" is a JSON state_dict (read like safetensors, mutated as JSON).</summary>
    private static Seed WithJsonWeights(string manifestFile, string weightsFile) =>
        new(manifestFile, "Models/" + manifestFile, ModelFiles.RealModel(manifestFile), "Models/" + weightsFile,
            System.Text.Encoding.UTF8.GetBytes(ModelFiles.RealModel(weightsFile)));

    /// <summary>Each seed's share of the cases; every layer type, both layouts, token and sequence models, encoder–decoder models, the three direct formats, a JSON state_dict as weights.</summary>
    private static readonly Seed[] s_seeds =
    [
        Manifest("stack_lstm_gru_linear"),
        Manifest("lstm_proj_i4_h9_p5"),
        Manifest("bilstm_2layer_i4_h7_head"),
        Manifest("token_lstm_lm"),
        Manifest("keras_stack_lstm_gru_dense"),
        Manifest("amp_gru_skip_knob"),
        Seq2Seq("general_lstm_2layer_bidir"),
        Seq2Seq("bahdanau_gru_2layer_bidir_sum"),
        Seq2Seq("caption_lstm_feed"),
        Direct("rtneural_gru_1d.json"),
        Direct("nam_core_lstm_1x3.nam"),
        Direct("neuralseed_ts9_gru4.json"),
        WithJsonWeights("rtneural_gru_torch.edgernn.json", "rtneural_gru_torch.json"),
    ];

    public static TheoryData<int> SeedIndexes => [.. Enumerable.Range(0, s_seeds.Length)];

    [Theory]
    [MemberData(nameof(SeedIndexes))]
    public void Mutated_inputs_never_make_the_generator_fail(int seedIndex)
    {
        var seed = s_seeds[seedIndex];
        int cases = (s_cases + s_seeds.Length - 1) / s_seeds.Length;
        int rngSeed = 7919 * (seedIndex + 1) + s_seed;
        var mutator = new Mutator(new Random(rngSeed));
        var target = TargetOf(seed);
        var parsedSources = new HashSet<string>(StringComparer.Ordinal);
        var compiled = 0;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var stopwatch = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

        for (int i = 0; i < cases; i++)
        {
            string text = seed.ModelText;
            byte[]? weights = seed.Weights;
            int what = weights is null ? mutator.Next(3) : mutator.Next(5);
            switch (what)
            {
                case 0: text = mutator.MutateText(text); break;
                case 1:
                case 2: text = mutator.MutateJson(text); break;
                case 3: weights = MutateWeights(mutator, weights!); break;
                default: text = mutator.MutateJson(text); weights = MutateWeights(mutator, weights!); break;
            }
            string where = $"seed {rngSeed} ({seed.Name}) case {i}";
            try
            {
                string? source = i % 100 == 0 ? ThroughDriver(seed, text, weights) : ThroughStages(seed, target, text, weights, outcomes);
                if (source is not null && parsedSources.Count < 30 && parsedSources.Add(source))
                {
                    AssertParses(source);
                    if (compiled == 0) { AssertCompiles(seed, source); compiled++; }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Assert.Fail($"{where}: {e}\nmodel file:\n{Truncate(text)}\nweights (base64): {Truncate(weights is null ? "" : Convert.ToBase64String(weights))}");
            }
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        output.WriteLine($"{seed.Name}: {cases} cases in {stopwatch.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s CPU of the test process); {parsedSources.Count} distinct sources parsed, {compiled} compiled");
        output.WriteLine(string.Join(", ", outcomes.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
        // The mutations reach past the JSON reader: some cases still generate, some fail on the model's checks.
        Assert.True(outcomes.GetValueOrDefault("ok") > 0, "no mutated input generated code");
        Assert.True(outcomes.Keys.Count(k => k != "ok" && k != "ERNN0003") >= 3, "the mutations hardly reach the model checks");
    }

    /// <summary>A safetensors file at the byte level, a JSON state_dict as JSON (or text).</summary>
    private static byte[] MutateWeights(Mutator mutator, byte[] weights)
    {
        if (!JsonTensors.LooksLikeJson(weights)) return mutator.MutateSafetensors(weights);
        string json = System.Text.Encoding.UTF8.GetString(weights);
        return System.Text.Encoding.UTF8.GetBytes(mutator.Next(4) == 0 ? mutator.MutateText(json) : mutator.MutateJson(json));
    }

    /// <summary>The generator's stages as ModelGenerator wires them; returns the emitted source, if any.</summary>
    private static string? ThroughStages(Seed seed, TargetSpec target, string text, byte[]? weights, Dictionary<string, int> outcomes)
    {
        string path = TestProject.FullPath(seed.ModelFile);
        var manifest = ManifestParser.Parse(path, text);
        var files = weights is null
            ? ImmutableArray<WeightsFile>.Empty
            : [new WeightsFile(TestProject.FullPath(seed.WeightsFile!), JsonTensors.LooksLikeJson(weights) ? JsonTensors.ReadStateDict(weights) : SafetensorsReader.Read(weights))];
        var model = ModelBuilder.Build(manifest, files, TestProject.Directory);
        bool errors = false;
        foreach (var info in model.Diagnostics)
        {
            var d = info.ToDiagnostic();
            AssertWellFormed(d, path);
            errors |= d.Severity == DiagnosticSeverity.Error;
            outcomes[d.Id] = outcomes.GetValueOrDefault(d.Id) + 1;
        }
        Assert.True(errors == (model.Spec is null), $"errors: {errors}, model: {model.Spec is not null}\n{string.Join("\n", model.Diagnostics.Select(d => d.ToDiagnostic()))}");
        if (model.Spec is null) return null;
        outcomes["ok"] = outcomes.GetValueOrDefault("ok") + 1;
        return ModelEmitter.Emit(target, model.Spec);
    }

    /// <summary>The whole generator through Roslyn's driver (file classification, base64, matching, the guards).</summary>
    private static string? ThroughDriver(Seed seed, string text, byte[]? weights)
    {
        var project = new TestProject().AddModel(seed.ModelFile, text).AddModelStruct(seed.ModelFile);
        if (weights is not null) project.AddWeights(seed.WeightsFile!, weights);
        var result = project.RunGeneratorsOnly(project.Compilation());
        var generator = result.Results[0];
        Assert.True(generator.Exception is null, $"the generator threw {generator.Exception}");
        foreach (var d in result.Diagnostics) AssertWellFormed(d, TestProject.FullPath(seed.ModelFile));
        bool errors = result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        // A failed model still gives its struct a placeholder (its API, so uses bind), never a model.
        var models = GeneratorRun.ModelSources(generator);
        Assert.True(errors == (models.Length == 0), GeneratorRun.Describe(result.Diagnostics));
        Assert.Single(generator.GeneratedSources);
        return models.Length == 0 ? null : models[0].SourceText.ToString();
    }

    private static void AssertWellFormed(Diagnostic d, string modelPath)
    {
        Assert.False(d.Id is "CS8784" or "CS8785" or "ERNN0024", d.ToString());
        Assert.StartsWith("ERNN", d.Id, StringComparison.Ordinal);
        string message = d.GetMessage(CultureInfo.InvariantCulture);
        Assert.False(Regex.IsMatch(message, "\\{[0-9]\\}"), $"unformatted message: {message}");
        Assert.True(d.Location != Location.None, $"{d.Id} has no location: {d}");
        string path = d.Location.GetLineSpan().Path;
        Assert.True(path == modelPath || d.Location.IsInSource, $"{d} is at {path}");
    }

    /// <summary>No syntax error: text from the files never ends a comment or a string early.</summary>
    private static void AssertParses(string source)
    {
        var errors = CSharpSyntaxTree.ParseText(source, TestProject.ParseOptions).GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, $"the generated source does not parse:\n{GeneratorRun.Describe(errors.Take(5))}\n{Truncate(source)}");
    }

    private static void AssertCompiles(Seed seed, string source)
    {
        var compilation = new TestProject().AddModelStruct(seed.ModelFile).Compilation()
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, TestProject.ParseOptions, "/proj/Generated.g.cs"));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, $"the generated source does not compile:\n{GeneratorRun.Describe(errors.Take(5))}");
    }

    /// <summary>The struct's TargetSpec as the generator's Targets step produced it for the unmutated seed.</summary>
    private static TargetSpec TargetOf(Seed seed)
    {
        var project = new TestProject().AddModel(seed.ModelFile, seed.ModelText).AddModelStruct(seed.ModelFile);
        if (seed.Weights is not null) project.AddWeights(seed.WeightsFile!, seed.Weights);
        var run = project.Run();
        Assert.Empty(run.CompilationErrors());
        var step = run.GeneratorResult.TrackedSteps[ModelGenerator.Steps.Targets];
        return ((TargetDeclaration)step[0].Outputs[0].Value).Target;
    }

    private static string Truncate(string text) => text.Length <= 4000 ? text : text[..4000] + $"… ({text.Length} characters)";
}
