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

    private static (TestProject Project, CSharpCompilation Compilation, GeneratorDriver Driver) FirstRun()
    {
        var project = TestProject.ForModel(Model);
        var compilation = project.Compilation();
        var driver = project.Driver().RunGenerators(compilation);
        var result = driver.GetRunResult().Results[0];
        Assert.Null(result.Exception);
        Assert.Single(result.GeneratedSources);
        foreach (var step in s_allSteps)
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked on the first run");
        return (project, compilation, driver);
    }

    [Fact]
    public void An_unrelated_syntax_change_is_served_from_the_cache()
    {
        var (_, compilation, driver) = FirstRun();

        var changed = compilation.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X; }", TestProject.ParseOptions, TestProject.FullPath("Unrelated.cs")));
        driver = driver.RunGenerators(changed);
        var second = driver.GetRunResult().Results[0];

        foreach (var step in s_pipelineSteps) AssertCached(second, step);
        AssertCached(second, ModelGenerator.Steps.Files);
        AssertCached(second, ModelGenerator.Steps.Targets);
        AssertOutputsCached(second);
        Assert.Single(second.GeneratedSources);
    }

    [Fact]
    public void Editing_the_model_struct_file_elsewhere_keeps_the_generation_unchanged()
    {
        var (_, compilation, driver) = FirstRun();
        var tree = compilation.SyntaxTrees.Single();
        var edited = tree.WithChangedText(tree.GetText().Replace(0, 0, "// a comment above\n"));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));
        var second = driver.GetRunResult().Results[0];

        // The attribute moved one line down, so the target (which keeps its location for diagnostics) is new...
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, ModelGenerator.Steps.Targets));
        // ...but the model pipeline is untouched.
        foreach (var step in new[] { ModelGenerator.Steps.Manifests, ModelGenerator.Steps.Weights, ModelGenerator.Steps.Models })
            AssertCached(second, step);
    }

    [Fact]
    public void Whitespace_in_the_manifest_reruns_the_parse_but_not_the_generation()
    {
        var (project, compilation, driver) = FirstRun();
        string before = driver.GetRunResult().Results[0].GeneratedSources[0].SourceText.ToString();

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
    public void Changing_a_weight_changes_the_generated_source()
    {
        var (project, compilation, driver) = FirstRun();
        string before = driver.GetRunResult().Results[0].GeneratedSources[0].SourceText.ToString();

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
