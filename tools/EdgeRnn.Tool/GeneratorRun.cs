using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using EdgeRnn.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace EdgeRnn.Tool;

/// <summary>
/// Runs EdgeRnn's source generator on one model file the way a build does (targets/EdgeRnn.targets): the model as an
/// AdditionalFile marked EdgeRnnKind=model, its weights as base64 text marked EdgeRnnKind=weights, and a struct with
/// [EdgeRnnModel] naming the file. What comes back is the build's own answer: the generated code and the diagnostics.
/// </summary>
internal sealed class GeneratorRun
{
    public const string StructName = "Model";

    private GeneratorRun(string source, ImmutableArray<Diagnostic> diagnostics, string? weightsPath)
    {
        GeneratedSource = source;
        Diagnostics = diagnostics;
        WeightsPath = weightsPath;
    }

    /// <summary>The generated C# (empty when nothing was generated).</summary>
    public string GeneratedSource { get; }

    /// <summary>The generator's ERNN diagnostics, located in the model file (or in the tool's one-line declaration).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>The weights file the model names, when it names one and it exists.</summary>
    public string? WeightsPath { get; }

    public static GeneratorRun Run(string modelPath)
    {
        string model = Path.GetFullPath(modelPath);
        string directory = Path.GetDirectoryName(model)!;
        string text = File.ReadAllText(model);
        var files = new List<(AdditionalText Text, Dictionary<string, string> Options)>
        {
            (new FileText(model, text), new() { ["build_metadata.AdditionalFiles.EdgeRnnKind"] = "model" }),
        };
        string? weights = WeightsNamedBy(text, directory);
        if (weights is not null)
        {
            files.Add((new FileText(weights + ".b64", Convert.ToBase64String(File.ReadAllBytes(weights))), new()
            {
                ["build_metadata.AdditionalFiles.EdgeRnnKind"] = "weights",
                ["build_metadata.AdditionalFiles.EdgeRnnSource"] = weights,
            }));
        }

        string declaration = $"[global::EdgeRnn.EdgeRnnModel({SymbolDisplay.FormatLiteral(Path.GetFileName(model), quote: true)})]\npublic partial struct {StructName};\n";
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("EdgeRnnInspect",
            [CSharpSyntaxTree.ParseText(declaration, parse, path: Path.Combine(directory, "Model.cs"))],
            References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: false));
        var options = new OptionsProvider(files.ToDictionary(f => f.Text.Path, f => f.Options),
            new Dictionary<string, string> { ["build_property.MSBuildProjectDirectory"] = directory });
        var driver = CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], files.Select(f => f.Text), parse, options)
            .RunGenerators(compilation);
        var result = driver.GetRunResult();
        string source = string.Concat(result.GeneratedTrees.Select(t => t.GetText().ToString()));
        return new GeneratorRun(source, result.Diagnostics, weights);
    }

    /// <summary>The "weights" file of a manifest, relative to it, as the build resolves it; null when there is none.</summary>
    private static string? WeightsNamedBy(string text, string directory)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("weights", out var weights) && weights.ValueKind == JsonValueKind.String)
            {
                string path = Path.GetFullPath(Path.Combine(directory, weights.GetString()!));
                return File.Exists(path) ? path : null;
            }
        }
        catch (JsonException)
        {
            // The generator reports malformed JSON itself (ERNN0003).
        }
        return null;
    }

    private static IEnumerable<MetadataReference> References()
    {
        string platform = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        foreach (string path in platform.Split(Path.PathSeparator))
            yield return MetadataReference.CreateFromFile(path);
        yield return MetadataReference.CreateFromFile(typeof(EdgeRnnModelAttribute).Assembly.Location);
    }

    private sealed class FileText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }

    private sealed class OptionsProvider(Dictionary<string, Dictionary<string, string>> perFile, Dictionary<string, string> global)
        : AnalyzerConfigOptionsProvider
    {
        private static readonly Options None = new([]);

        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            perFile.TryGetValue(textFile.Path, out var values) ? new Options(values) : None;
    }
}
