using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Tests;

/// <summary>Project setup and C# declaration problems (ERNN0001, ERNN0002, ERNN0022, ERNN0025): located in the C# code.</summary>
public class DeclarationDiagnosticsTests
{
    private const string Model = "lstm_i3_h5";

    private static TestProject ModelFiles() => new TestProject()
        .AddModel($"Models/{Model}.edgernn.json", Repo.Manifest(Model))
        .AddWeights($"Models/{Model}.safetensors", Repo.Weights(Model));

    private static Diagnostic SingleError(GeneratorRun run, string id)
    {
        run.AssertNoGeneratorFailure();
        var d = run.Single(id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Single(run.Diagnostics);
        Assert.Empty(run.GeneratedSources);
        return d;
    }

    [Fact]
    public void ERNN0001_attribute_path_matches_no_additional_file()
    {
        var run = ModelFiles().AddModelStruct("Models/nope.edgernn.json").Run();
        var d = SingleError(run, "ERNN0001");
        DiagnosticAssert.InSource(d, run.Input, "\"Models/nope.edgernn.json\"");
        Assert.Equal(
            "The model file 'Models/nope.edgernn.json' named by [EdgeRnnModel] on 'TestModels.TestModel' is not among the compilation's AdditionalFiles; " +
            "add <EdgeRnnModel Include=\"Models/nope.edgernn.json\" /> to the project (EdgeRnnModel items in this project: lstm_i3_h5.edgernn.json)",
            d.GetMessage());
    }

    [Fact]
    public void ERNN0001_without_any_model_items_has_no_hint()
    {
        var run = new TestProject().AddModelStruct("Models/nope.edgernn.json").Run();
        var d = SingleError(run, "ERNN0001");
        Assert.EndsWith("to the project", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0001_empty_path()
    {
        var run = ModelFiles().AddModelStruct("").Run();
        SingleError(run, "ERNN0001");
    }

    [Fact]
    public void The_model_is_found_by_full_path_relative_to_the_project_or_by_path_suffix()
    {
        Assert.Single(ModelFiles().AddModelStruct($"./Models/../Models/{Model}.edgernn.json").Run().GeneratedSources);
        Assert.Single(ModelFiles().AddModelStruct($"/proj/Models/{Model}.edgernn.json").Run().GeneratedSources);
        Assert.Single(ModelFiles().AddModelStruct($"Models\\\\{Model}.edgernn.json").Run().GeneratedSources);
    }

    [Fact]
    public void ERNN0002_additional_file_without_edgernn_metadata()
    {
        var run = new TestProject()
            .AddAdditionalFile(TestProject.FullPath("Models/plain.edgernn.json"), Repo.Manifest(Model))
            .AddWeights($"Models/{Model}.safetensors", Repo.Weights(Model))
            .AddModelStruct("Models/plain.edgernn.json")
            .Run();
        var d = SingleError(run, "ERNN0002");
        DiagnosticAssert.InSource(d, run.Input, "\"Models/plain.edgernn.json\"");
        Assert.Contains("The file 'Models/plain.edgernn.json' is an AdditionalFile but not an <EdgeRnnModel> item", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0002_attribute_names_the_weights_text()
    {
        var run = ModelFiles().AddModelStruct(TestProject.WeightsTextPath($"Models/{Model}.safetensors")).Run();
        SingleError(run, "ERNN0002");
    }

    [Fact]
    public void ERNN0022_struct_is_not_partial()
    {
        var run = ModelFiles().AddModelStruct($"Models/{Model}.edgernn.json", "public struct TestModel;").Run();
        var d = SingleError(run, "ERNN0022");
        DiagnosticAssert.InSource(d, run.Input, "TestModel");
        Assert.StartsWith("'TestModels.TestModel' must be declared partial", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0022_partial_struct_nested_in_a_non_partial_class()
    {
        var run = ModelFiles().AddSource($$"""
            namespace TestModels;

            public class Outer
            {
                [global::EdgeRnn.EdgeRnnModel("Models/{{Model}}.edgernn.json")]
                public partial struct Inner;
            }
            """).Run();
        var d = SingleError(run, "ERNN0022");
        DiagnosticAssert.InSource(d, run.Input, "Inner");
        Assert.Contains("'TestModels.Outer.Inner' must be declared partial (and so must every type containing it)", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ERNN0025_generic_struct()
    {
        var run = ModelFiles().AddModelStruct($"Models/{Model}.edgernn.json", "public partial struct TestModel<T>;").Run();
        var d = SingleError(run, "ERNN0025");
        DiagnosticAssert.InSource(d, run.Input, "TestModel");
        Assert.Equal("'TestModels.TestModel<T>' cannot hold a generated model: generic model types are not supported", d.GetMessage());
    }

    [Fact]
    public void ERNN0025_readonly_struct()
    {
        var run = ModelFiles().AddModelStruct($"Models/{Model}.edgernn.json", "public readonly partial struct TestModel;").Run();
        var d = SingleError(run, "ERNN0025");
        DiagnosticAssert.InSource(d, run.Input, "TestModel");
        Assert.Contains("a readonly struct cannot carry the model's mutable state", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_errors_are_reported_once_even_without_a_struct_and_with_two_structs()
    {
        string broken = Repo.Manifest(Model).Replace("edgernn/1", "edgernn/9", StringComparison.Ordinal);
        var none = new TestProject().AddModel($"Models/{Model}.edgernn.json", broken).Run();
        Assert.Single(none.WithId("ERNN0004"));

        var two = new TestProject()
            .AddModel($"Models/{Model}.edgernn.json", broken)
            .AddModelStruct($"Models/{Model}.edgernn.json", "public partial struct A;")
            .AddSource($"[global::EdgeRnn.EdgeRnnModel(\"Models/{Model}.edgernn.json\")] public partial struct B;", "B.cs")
            .Run();
        Assert.Single(two.WithId("ERNN0004"));
        Assert.Empty(two.GeneratedSources);
    }

    [Fact]
    public void Two_structs_on_one_model_each_get_a_source()
    {
        var run = ModelFiles()
            .AddModelStruct($"Models/{Model}.edgernn.json", "public partial struct A;")
            .AddSource($"[global::EdgeRnn.EdgeRnnModel(\"Models/{Model}.edgernn.json\")] public partial struct B;", "B.cs")
            .Run();
        Assert.Empty(run.Diagnostics);
        Assert.Equal(["B.EdgeRnn.g.cs", "TestModels.A.EdgeRnn.g.cs"], run.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        Assert.Empty(run.CompilationErrors());
    }
}
