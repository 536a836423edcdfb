using System.Collections;
using System.Reflection;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace EdgeRnn.Generators.Tests;

public class IncrementalityTests
{
    private const string Model = "lstm_i3_h5";

    /// <summary>Every tracking name the generator declares.</summary>
    private static readonly string[] s_allSteps = [.. typeof(ModelGenerator.Steps)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)];

    private static readonly string[] s_pipelineSteps =
        [ModelGenerator.Steps.Manifests, ModelGenerator.Steps.Weights, ModelGenerator.Steps.Models, ModelGenerator.Steps.Generation];

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step {step} was not tracked");
        return [.. runs.SelectMany(r => r.Outputs).Select(o => o.Reason)];
    }

    private static void AssertCached(GeneratorRunResult result, string step)
    {
        var reasons = Reasons(result, step);
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
    }

    private static void AssertOutputsCached(GeneratorRunResult result)
    {
        var reasons = result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {r}"));
    }

    private static (TestProject Project, CSharpCompilation Compilation, GeneratorDriver Driver) FirstRun(TestProject? project = null)
    {
        project ??= TestProject.ForModel(Model);
        var compilation = project.Compilation();
        var driver = project.Driver().RunGenerators(compilation);
        var result = driver.GetRunResult().Results[0];
        Assert.Null(result.Exception);
        Assert.Single(ModelSources(result));
        foreach (var step in s_allSteps)
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked on the first run");
        return (project, compilation, driver);
    }

    private static string GeneratedText(GeneratorDriver driver) =>
        ModelSources(driver.GetRunResult().Results[0]).Single().SourceText.ToString();

    /// <summary>Generated models, without the placeholders of structs whose model failed.</summary>
    private static GeneratedSourceResult[] ModelSources(GeneratorRunResult result) => GeneratorRun.ModelSources(result);

    /// <summary>Generation and its output were served from the cache: the emitter did not run, the source is the same.</summary>
    private static void AssertGenerationCached(GeneratorRunResult second, string before)
    {
        AssertCached(second, ModelGenerator.Steps.Generation);
        AssertOutputsCached(second);
        Assert.Equal(before, second.GeneratedSources.Single().SourceText.ToString());
    }

    /// <summary>Edits to the struct's file that leave the attribute and the struct's name as they are.</summary>
    public static readonly TheoryData<string> s_editsElsewhereInTheStructFile =
    [
        "a comment line above the struct",
        "a method in another type of the same file",
        "a method in the struct's own body",
        "blank lines between the attribute and the struct",
    ];

    private static (string Declaration, Func<string, string> Edit) EditElsewhere(string edit) => edit switch
    {
        "a comment line above the struct" =>
            ("public partial struct TestModel;", text => "// a comment above\n" + text),
        "a method in another type of the same file" =>
            ("public partial struct TestModel;\n\npublic class Helper { public int A() => 1; }",
             text => text.Replace("public int A() => 1;", "public int A() => 1;\n    public int B() => 2;", StringComparison.Ordinal)),
        "a method in the struct's own body" =>
            ("public partial struct TestModel { public int Extra; }",
             text => text.Replace("public int Extra;", "public int Extra;\n    public int Twice() => 2 * Extra;", StringComparison.Ordinal)),
        "blank lines between the attribute and the struct" =>
            ("public partial struct TestModel;", text => text.Replace("\npublic partial struct", "\n\n\npublic partial struct", StringComparison.Ordinal)),
        _ => throw new ArgumentOutOfRangeException(nameof(edit), edit, null),
    };

    private static CSharpCompilation EditSingleTree(CSharpCompilation compilation, Func<string, string> edit)
    {
        var tree = compilation.SyntaxTrees.Single();
        string before = tree.GetText().ToString();
        string after = edit(before);
        Assert.NotEqual(before, after);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(after)));
    }

    [Theory]
    [MemberData(nameof(s_editsElsewhereInTheStructFile))]
    public void An_edit_elsewhere_in_the_struct_file_keeps_generation_cached(string edit)
    {
        var (declaration, change) = EditElsewhere(edit);
        var (_, compilation, driver) = FirstRun(TestProject.ForModel(Model, declaration: declaration));
        string before = GeneratedText(driver);

        driver = driver.RunGenerators(EditSingleTree(compilation, change));
        var second = driver.GetRunResult().Results[0];

        // The declaration is looked at again (its tree changed)...
        Assert.NotEmpty(Reasons(second, ModelGenerator.Steps.Targets));
        // ...but the model pipeline is untouched, and the emitter does not run.
        foreach (var step in new[] { ModelGenerator.Steps.Manifests, ModelGenerator.Steps.Weights, ModelGenerator.Steps.Models })
            AssertCached(second, step);
        AssertCached(second, ModelGenerator.Steps.TargetDiagnostics);
        AssertGenerationCached(second, before);
        Assert.Empty(driver.GetRunResult().Diagnostics);
    }

    [Fact]
    public void A_comment_above_the_struct_moves_the_declaration_but_not_the_generation()
    {
        // The edit the issue reported: before diagnostics flowed apart, the moved location reached the emitter.
        var (_, compilation, driver) = FirstRun();
        string before = GeneratedText(driver);

        driver = driver.RunGenerators(EditSingleTree(compilation, text => "// a comment above\n" + text));
        var second = driver.GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Targets)); // the attribute's location moved
        AssertCached(second, ModelGenerator.Steps.ResolvedTargets);                                       // no diagnostic carries it
        AssertGenerationCached(second, before);
    }

    [Fact]
    public void Diagnostics_follow_a_moved_attribute_while_generation_stays_cached()
    {
        // One good struct and two broken ones in the same file: a missing model (ERNN0001, on the attribute
        // argument) and a struct that is not partial (ERNN0022, on its name).
        const string declarations = """
            public partial struct TestModel;

            [global::EdgeRnn.EdgeRnnModel("Models/missing.edgernn.json")]
            public partial struct Orphan;

            [global::EdgeRnn.EdgeRnnModel("Models/lstm_i3_h5.edgernn.json")]
            public struct NotPartial;
            """;
        var (_, compilation, driver) = FirstRun(TestProject.ForModel(Model, declaration: declarations));
        string before = GeneratedText(driver);
        AssertLocatedAt(driver, compilation, "ERNN0001", "\"Models/missing.edgernn.json\"");
        AssertLocatedAt(driver, compilation, "ERNN0022", "NotPartial");

        var edited = EditSingleTree(compilation, text => "// one line\n// and another\n" + text);
        driver = driver.RunGenerators(edited);
        var second = driver.GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.TargetDiagnostics));
        AssertLocatedAt(driver, edited, "ERNN0001", "\"Models/missing.edgernn.json\"");
        AssertLocatedAt(driver, edited, "ERNN0022", "NotPartial");
        AssertCached(second, ModelGenerator.Steps.Generation);
        Assert.Equal(before, ModelSources(second).Single().SourceText.ToString());
    }

    /// <summary>The run reported the diagnostic once, at the place in the compilation's (single) tree that holds <paramref name="text"/>.</summary>
    private static void AssertLocatedAt(GeneratorDriver driver, Compilation compilation, string id, string text)
    {
        var diagnostic = Assert.Single(driver.GetRunResult().Diagnostics, d => d.Id == id);
        var source = compilation.SyntaxTrees.Single().GetText();
        int start = source.ToString().IndexOf(text, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{text}' is not in the source");
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(start, text.Length), diagnostic.Location.SourceSpan);
        var line = diagnostic.Location.GetLineSpan();
        Assert.Equal(source.Lines.GetLinePosition(start), line.StartLinePosition);
        Assert.Equal(compilation.SyntaxTrees.Single().FilePath, line.Path);
    }

    [Fact]
    public void A_new_file_is_served_from_the_cache()
    {
        var (_, compilation, driver) = FirstRun();
        string before = GeneratedText(driver);

        var changed = compilation.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X; }", TestProject.ParseOptions, TestProject.FullPath("Unrelated.cs")));
        driver = driver.RunGenerators(changed);
        var second = driver.GetRunResult().Results[0];

        foreach (var step in s_pipelineSteps) AssertCached(second, step);
        AssertCached(second, ModelGenerator.Steps.Files);
        AssertCached(second, ModelGenerator.Steps.Targets);
        AssertGenerationCached(second, before);
    }

    [Fact]
    public void Editing_an_unrelated_additional_file_keeps_generation_cached()
    {
        var project = TestProject.ForModel(Model).AddAdditionalFile(TestProject.FullPath("notes.txt"), "first draft");
        var (_, compilation, driver) = FirstRun(project);
        string before = GeneratedText(driver);

        var notes = project.AdditionalTexts.Single(t => t.Path.EndsWith("notes.txt", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(notes, new InMemoryAdditionalText(notes.Path, "second draft")).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        foreach (var step in new[] { ModelGenerator.Steps.Files, ModelGenerator.Steps.Manifests, ModelGenerator.Steps.Weights, ModelGenerator.Steps.Models })
            AssertCached(second, step);
        AssertGenerationCached(second, before);
    }

    [Fact]
    public void Adding_an_unrelated_additional_file_keeps_generation_cached()
    {
        var (_, compilation, driver) = FirstRun();
        string before = GeneratedText(driver);

        driver = driver.AddAdditionalTexts([new InMemoryAdditionalText(TestProject.FullPath("notes.txt"), "new")]).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        // The file index changed, so structs are matched again, to the same model file.
        Assert.Contains(IncrementalStepRunReason.New, Reasons(second, ModelGenerator.Steps.Files));
        AssertCached(second, ModelGenerator.Steps.ResolvedTargets);
        AssertCached(second, ModelGenerator.Steps.Models);
        AssertGenerationCached(second, before);
    }

    [Fact]
    public void Changing_the_manifest_regenerates()
    {
        var (project, compilation, driver) = FirstRun();
        string before = GeneratedText(driver);

        var manifest = project.AdditionalTexts.Single(t => t.Path.EndsWith(".edgernn.json", StringComparison.Ordinal));
        string text = manifest.GetText()!.ToString();
        string manyToOne = text.Replace("\"layout\"", "\"output\": \"last\", \"layout\"", StringComparison.Ordinal);
        Assert.NotEqual(text, manyToOne);
        driver = driver.ReplaceAdditionalText(manifest, new InMemoryAdditionalText(manifest.Path, manyToOne)).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Manifests));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Models));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Generation));
        AssertCached(second, ModelGenerator.Steps.ResolvedTargets); // the struct still names the same file
        Assert.NotEqual(before, second.GeneratedSources.Single().SourceText.ToString());
        Assert.Empty(driver.GetRunResult().Diagnostics);
    }

    [Fact]
    public void Renaming_the_struct_regenerates()
    {
        var (_, compilation, driver) = FirstRun();

        driver = driver.RunGenerators(EditSingleTree(compilation, text => text.Replace("TestModel", "RenamedModel", StringComparison.Ordinal)));
        var second = driver.GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Generation));
        var source = Assert.Single(second.GeneratedSources);
        Assert.Contains("RenamedModel", source.HintName, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_in_the_manifest_reruns_the_parse_but_not_the_generation()
    {
        var (project, compilation, driver) = FirstRun();
        string before = GeneratedText(driver);

        var manifest = project.AdditionalTexts.Single(t => t.Path.EndsWith(".edgernn.json", StringComparison.Ordinal));
        // Leading whitespace moves every position, so the parsed manifest (which keeps positions for diagnostics) changes.
        var edited = new InMemoryAdditionalText(manifest.Path, "\n\n  " + manifest.GetText()!.ToString());
        driver = driver.ReplaceAdditionalText(manifest, edited).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Files));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Manifests));
        AssertCached(second, ModelGenerator.Steps.Weights);
        AssertCached(second, ModelGenerator.Steps.Models);          // the model spec is equal
        AssertCached(second, ModelGenerator.Steps.Generation);
        AssertOutputsCached(second);
        Assert.Equal(before, second.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void A_moved_manifest_warning_is_reported_again_without_regenerating()
    {
        var project = TestProject.ForModel(Model, manifest: Repo.Manifest(Model).Replace("\"layout\"", "\"typo\": 1, \"layout\"", StringComparison.Ordinal));
        var (_, compilation, driver) = FirstRun(project);
        string before = GeneratedText(driver);
        var warning = Assert.Single(driver.GetRunResult().Diagnostics, d => d.Id == "ERNN0008");

        var manifest = project.AdditionalTexts.Single(t => t.Path.EndsWith(".edgernn.json", StringComparison.Ordinal));
        driver = driver.ReplaceAdditionalText(manifest, new InMemoryAdditionalText(manifest.Path, "\n" + manifest.GetText()!.ToString())).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        // The warning moved one line down: the model result (which carries it) changed, its spec did not.
        var moved = Assert.Single(driver.GetRunResult().Diagnostics, d => d.Id == "ERNN0008");
        Assert.Equal(warning.Location.GetLineSpan().StartLinePosition.Line + 1, moved.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.ModelDiagnostics));
        AssertCached(second, ModelGenerator.Steps.Generation);
        Assert.Equal(before, second.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Changing_a_weight_changes_the_generated_source()
    {
        var (project, compilation, driver) = FirstRun();
        string before = GeneratedText(driver);

        var weights = project.AdditionalTexts.Single(t => t.Path.EndsWith(".b64", StringComparison.Ordinal));
        var bytes = SafetensorsFile.Edit(Repo.Weights(Model), tensors => tensors[0].Data[0] += 0.25f);
        driver = driver.ReplaceAdditionalText(weights, new InMemoryAdditionalText(weights.Path, Convert.ToBase64String(bytes))).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        AssertCached(second, ModelGenerator.Steps.Manifests);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Weights));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Models));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Generation));
        string after = second.GeneratedSources.Single().SourceText.ToString();
        Assert.NotEqual(before, after);
        // Only weight data changed: the sizes and code around them are the same.
        Assert.Equal(before.Split('\n').Length, after.Split('\n').Length);
    }

    [Fact]
    public void Rewriting_the_same_weights_in_another_header_order_is_unchanged()
    {
        var (project, compilation, driver) = FirstRun();
        var weights = project.AdditionalTexts.Single(t => t.Path.EndsWith(".b64", StringComparison.Ordinal));
        var tensors = SafetensorsFile.Read(Repo.Weights(Model));
        tensors.Reverse();
        var bytes = SafetensorsFile.Write(tensors);
        driver = driver.ReplaceAdditionalText(weights, new InMemoryAdditionalText(weights.Path, Convert.ToBase64String(bytes))).RunGenerators(compilation);
        var second = driver.GetRunResult().Results[0];

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Weights));
        AssertCached(second, ModelGenerator.Steps.Models);
        AssertCached(second, ModelGenerator.Steps.Generation);
    }

    [Fact]
    public void No_compiler_objects_are_kept_in_the_pipeline()
    {
        var (project, compilation, driver) = FirstRun();
        // A second run with diagnostics in play (warnings carry locations), to cover those records too.
        var manifest = project.AdditionalTexts.Single(t => t.Path.EndsWith(".edgernn.json", StringComparison.Ordinal));
        var withWarning = new InMemoryAdditionalText(manifest.Path, manifest.GetText()!.ToString().Replace("\"layout\"", "\"typo\": 1, \"layout\"", StringComparison.Ordinal));
        var driver2 = driver.ReplaceAdditionalText(manifest, withWarning).RunGenerators(compilation);
        Assert.Single(driver2.GetRunResult().Diagnostics, d => d.Id == "ERNN0008");

        foreach (var result in new[] { driver.GetRunResult().Results[0], driver2.GetRunResult().Results[0] })
        {
            foreach (var step in s_allSteps)
            {
                foreach (var run in result.TrackedSteps[step])
                {
                    foreach (var (value, _) in run.Outputs)
                        AssertNoCompilerObjects(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    /// <summary>Walks an object graph through its fields: nothing that would root a compilation may be cached.</summary>
    private static void AssertNoCompilerObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null) return;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is string or decimal) return;
        Assert.False(value is ISymbol or Compilation or SyntaxNode or SyntaxTree or SemanticModel or Location or SyntaxToken or SyntaxTrivia
                     or AttributeData or TypedConstant,
            $"{path} holds a {type.FullName}");
        if (!type.IsValueType && !visited.Add(value)) return;

        if (value is Array array)
        {
            var element = type.GetElementType()!;
            if (element.IsPrimitive || element.IsEnum || element == typeof(string)) return;
            int i = 0;
            foreach (var item in (IEnumerable)array) AssertNoCompilerObjects(item, $"{path}[{i++}]", visited);
            return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                AssertNoCompilerObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
        }
    }

    [Fact]
    public void Pipeline_records_declare_no_compiler_types()
    {
        // The static view of the same rule: no property of a pipeline record is typed as a compiler object.
        var assembly = typeof(ModelGenerator).Assembly;
        var banned = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location) };
        var records = assembly.GetTypes().Where(t => t.GetMethod("<Clone>$") is not null || t.Name.StartsWith("EquatableArray", StringComparison.Ordinal));
        foreach (var record in records)
        {
            foreach (var property in record.GetProperties(BindingFlags.Instance | BindingFlags.Public))
            {
                foreach (var b in banned)
                    Assert.False(b.IsAssignableFrom(property.PropertyType), $"{record.Name}.{property.Name} is a {property.PropertyType.Name}");
            }
        }
    }
}
