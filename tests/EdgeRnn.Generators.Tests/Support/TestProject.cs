using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace EdgeRnn.Generators.Tests.Support;

/// <summary>An AdditionalFile held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text, Encoding.UTF8);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>An AdditionalFile the build names but that is not on disk: Roslyn gives no text (and reports CS2001).</summary>
internal sealed class MissingAdditionalText(string path) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText? GetText(CancellationToken cancellationToken = default) => null;
}

/// <summary>Options keyed by name, as the build's generated .editorconfig provides them.</summary>
internal sealed class DictionaryOptions(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
{
    public static readonly DictionaryOptions Empty = new(new Dictionary<string, string>());

    public override bool TryGetValue(string key, out string value)
    {
        if (values.TryGetValue(key, out var v))
        {
            value = v;
            return true;
        }
        value = null!;
        return false;
    }
}

/// <summary>Per-AdditionalFile metadata (by path) and the global build properties.</summary>
internal sealed class TestOptionsProvider(IReadOnlyDictionary<string, DictionaryOptions> perFile, DictionaryOptions global)
    : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions => global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => DictionaryOptions.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        perFile.TryGetValue(textFile.Path, out var options) ? options : DictionaryOptions.Empty;
}

/// <summary>
/// A project as the build hands it to the generator: C# sources, AdditionalFiles marked the way
/// targets/EdgeRnn.targets marks them (EdgeRnnKind, EdgeRnnSource) and MSBuildProjectDirectory.
/// </summary>
internal sealed class TestProject
{
    public const string Directory = "/proj";
    public const string KindKey = "build_metadata.AdditionalFiles.EdgeRnnKind";
    public const string SourceKey = "build_metadata.AdditionalFiles.EdgeRnnSource";
    public const string ProjectDirectoryKey = "build_property.MSBuildProjectDirectory";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    private readonly List<AdditionalText> _texts = [];
    private readonly Dictionary<string, DictionaryOptions> _options = [];
    private readonly List<SyntaxTree> _trees = [];

    public IReadOnlyList<AdditionalText> AdditionalTexts => _texts;

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static string FullPath(string relative) => Directory + "/" + relative;

    /// <summary>The path of the base64 text the build prepares for a .safetensors file.</summary>
    public static string WeightsTextPath(string relative) =>
        FullPath("obj/edgernn/" + relative.Replace('/', '_') + ".0123abcd.b64");

    /// <summary>An &lt;EdgeRnnModel&gt; item (relative to the project directory).</summary>
    public TestProject AddModel(string relative, string json) =>
        AddAdditionalFile(FullPath(relative), json, new() { [KindKey] = "model" });

    /// <summary>The prepared weights of a .safetensors file (relative to the project directory).</summary>
    public TestProject AddWeights(string relative, byte[] bytes) => AddWeightsText(relative, Convert.ToBase64String(bytes));

    public TestProject AddWeightsText(string relative, string base64) =>
        AddAdditionalFile(WeightsTextPath(relative), base64, new() { [KindKey] = "weights", [SourceKey] = FullPath(relative) });

    /// <summary>Any AdditionalFile; without metadata it is a plain &lt;AdditionalFiles&gt; item.</summary>
    public TestProject AddAdditionalFile(string fullPath, string text, Dictionary<string, string>? metadata = null)
    {
        _texts.Add(new InMemoryAdditionalText(fullPath, text));
        if (metadata is not null) _options[fullPath] = new DictionaryOptions(metadata);
        return this;
    }

    /// <summary>An &lt;EdgeRnnModel&gt; item whose file does not exist.</summary>
    public TestProject AddMissingModel(string relative)
    {
        string fullPath = FullPath(relative);
        _texts.Add(new MissingAdditionalText(fullPath));
        _options[fullPath] = new DictionaryOptions(new Dictionary<string, string> { [KindKey] = "model" });
        return this;
    }

    public TestProject AddSource(string code, string fileName = "Model.cs")
    {
        _trees.Add(CSharpSyntaxTree.ParseText(code, ParseOptions, FullPath(fileName)));
        return this;
    }

    /// <summary>A struct carrying [EdgeRnnModel(path)].</summary>
    public TestProject AddModelStruct(string modelPath, string declaration = "public partial struct TestModel;") =>
        AddSource($$"""
            namespace TestModels;

            [global::EdgeRnn.EdgeRnnModel("{{modelPath}}")]
            {{declaration}}
            """);

    /// <summary>
    /// A committed model as a project has it: Models/NAME.edgernn.json, its weights next to it and a struct
    /// naming it. The manifest and weights can be replaced by edited versions.
    /// </summary>
    public static TestProject ForModel(string model, string? manifest = null, byte[]? weights = null, string? declaration = null)
    {
        var project = new TestProject()
            .AddModel($"Models/{model}.edgernn.json", manifest ?? Repo.Manifest(model))
            .AddWeights($"Models/{Repo.WeightsName(model)}", weights ?? Repo.Weights(model));
        return declaration is null
            ? project.AddModelStruct($"Models/{model}.edgernn.json")
            : project.AddModelStruct($"Models/{model}.edgernn.json", declaration);
    }

    public TestOptionsProvider OptionsProvider() =>
        new(new Dictionary<string, DictionaryOptions>(_options), new DictionaryOptions(new Dictionary<string, string> { [ProjectDirectoryKey] = Directory }));

    public CSharpCompilation Compilation() =>
        CSharpCompilation.Create("TestAssembly", _trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            _texts,
            ParseOptions,
            OptionsProvider(),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator and returns the updated compilation.</summary>
    public GeneratorRun Run()
    {
        var compilation = Compilation();
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorRun(driver, compilation, output);
    }

    /// <summary>Runs the generator only (no updated compilation): for the many runs of the robustness tests.</summary>
    public GeneratorDriverRunResult RunGeneratorsOnly(Compilation compilation) =>
        Driver().RunGenerators(compilation).GetRunResult();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(typeof(EdgeRnnModelAttribute).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed class GeneratorRun(GeneratorDriver driver, Compilation input, Compilation output)
{
    public GeneratorDriver Driver { get; } = driver;
    public Compilation Input { get; } = input;
    public Compilation Output { get; } = output;
    public GeneratorDriverRunResult Result { get; } = driver.GetRunResult();

    public GeneratorRunResult GeneratorResult => Result.Results[0];

    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    /// <summary>Generated models (the placeholders written for structs whose model failed are in <see cref="PlaceholderSources"/>).</summary>
    public ImmutableArray<GeneratedSourceResult> GeneratedSources => [.. ModelSources(GeneratorResult)];

    /// <summary>Sources that only keep a failed model's users compiling (EdgeRnn.Generators.Emit.ModelEmitter.EmitPlaceholder).</summary>
    public ImmutableArray<GeneratedSourceResult> PlaceholderSources => [.. GeneratorResult.GeneratedSources.Where(IsPlaceholder)];

    /// <summary>A run's generated models, without the placeholders of structs whose model failed.</summary>
    public static GeneratedSourceResult[] ModelSources(GeneratorRunResult result) => [.. result.GeneratedSources.Where(s => !IsPlaceholder(s))];

    private static bool IsPlaceholder(GeneratedSourceResult source) =>
        source.SourceText.ToString().Contains(EdgeRnn.Generators.Emit.ModelEmitter.PlaceholderMarker, StringComparison.Ordinal);

    /// <summary>The one generated file's text.</summary>
    public string SingleSource()
    {
        var source = Assert.Single(GeneratedSources);
        return source.SourceText.ToString();
    }

    /// <summary>Diagnostics with the given id.</summary>
    public Diagnostic[] WithId(string id) => [.. Diagnostics.Where(d => d.Id == id)];

    /// <summary>Asserts that exactly one diagnostic has the id, and returns it.</summary>
    public Diagnostic Single(string id)
    {
        var matches = WithId(id);
        Assert.True(matches.Length == 1,
            $"expected one {id}, got {matches.Length}; all diagnostics:\n{Describe(Diagnostics)}");
        return matches[0];
    }

    /// <summary>Errors of the compilation with the generated code added (the generator's own diagnostics included).</summary>
    public Diagnostic[] CompilationErrors() =>
        [.. Output.GetDiagnostics().Concat(Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error)];

    /// <summary>The generator did not throw, nor report an internal error.</summary>
    public void AssertNoGeneratorFailure()
    {
        Assert.Null(GeneratorResult.Exception);
        Assert.DoesNotContain(Diagnostics, d => d.Id is "CS8784" or "CS8785" or "ERNN0024");
    }

    public static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Select(d => d.ToString()));
}
