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

    [Theory]
    [InlineData("public partial class TestModel;", "not a class")]
    [InlineData("public partial record TestModel;", "not a record")]
    [InlineData("public partial interface TestModel;", "not an interface")]
    [InlineData("public ref partial struct TestModel;", "a ref struct cannot")]
    public void ERNN0025_declarations_that_cannot_hold_a_model(string declaration, string reason)
    {
        var run = ModelFiles().AddModelStruct($"Models/{Model}.edgernn.json", declaration).Run();
        run.AssertNoGeneratorFailure();
        var d = run.Single("ERNN0025");
        DiagnosticAssert.InSource(d, run.Input, "TestModel");
        Assert.Contains(reason, d.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
        Assert.Empty(run.PlaceholderSources);
    }

    [Fact]
    public void ERNN0025_a_type_named_like_a_generated_member()
    {
        var run = ModelFiles().AddModelStruct($"Models/{Model}.edgernn.json", "public partial struct InputSize;").Run();
        var d = SingleError(run, "ERNN0025");
        DiagnosticAssert.InSource(d, run.Input, "InputSize");
        Assert.Contains("its name 'InputSize' is also the name of a member EdgeRnn generates", d.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public void Step(int x) { }", "Step")]
    [InlineData("public const int StateSize = 3;", "StateSize")]
    [InlineData("private int L0InputWeights;", "L0InputWeights")]
    [InlineData("public const int Layer0OutputSize = 1;", "Layer0OutputSize")]
    public void ERNN0025_a_member_named_like_a_generated_one(string member, string name)
    {
        var run = ModelFiles().AddModelStruct($"Models/{Model}.edgernn.json", $"public partial struct TestModel {{ {member} }}").Run();
        var d = SingleError(run, "ERNN0025");
        DiagnosticAssert.InSource(d, run.Input, name);
        Assert.Contains($"its member '{name}' has the name of a member EdgeRnn generates", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Keyword_names_are_escaped()
    {
        var run = ModelFiles().AddSource($$"""
            namespace @event.@class;

            public partial class @static
            {
                [global::EdgeRnn.EdgeRnnModel("Models/{{Model}}.edgernn.json")]
                public partial struct @class;
            }
            """).Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.Diagnostics);
        Assert.Contains("partial struct @class", Assert.Single(run.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
        Assert.Empty(run.CompilationErrors());
    }

    [Fact]
    public void Names_that_differ_only_in_punctuation_get_their_own_files()
    {
        var run = ModelFiles()
            .AddModelStruct($"Models/{Model}.edgernn.json", "public partial struct A_B;")
            .AddSource($"namespace TestModels; [global::EdgeRnn.EdgeRnnModel(\"Models/{Model}.edgernn.json\")] public partial struct A\u203FB;", "B.cs")
            .Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.Diagnostics);
        Assert.Equal(2, run.GeneratedSources.Length);
        Assert.Equal(2, run.GeneratedSources.Select(s => s.HintName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Empty(run.CompilationErrors());
    }

    [Fact]
    public void The_attribute_on_two_parts_generates_once_and_the_compiler_reports_the_duplicate()
    {
        var run = ModelFiles()
            .AddModelStruct($"Models/{Model}.edgernn.json", "public partial struct TestModel;")
            .AddSource($"namespace TestModels; [global::EdgeRnn.EdgeRnnModel(\"Models/{Model}.edgernn.json\")] public partial struct TestModel;", "Part2.cs")
            .Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.GeneratedSources);
        Assert.Equal(["CS0579"], run.CompilationErrors().Select(d => d.Id).Distinct());
    }

    [Fact]
    public void A_failed_model_leaves_only_its_ERNN_error_not_errors_at_every_use()
    {
        string broken = Repo.Manifest(Model).Replace("\"lstm\"", "\"lstn\"", StringComparison.Ordinal);
        var run = new TestProject()
            .AddModel($"Models/{Model}.edgernn.json", broken)
            .AddWeights($"Models/{Model}.safetensors", Repo.Weights(Model))
            .AddModelStruct($"Models/{Model}.edgernn.json")
            .AddSource("""
                using System;
                namespace TestModels;
                public static class Uses
                {
                    public static float Go()
                    {
                        var model = new TestModel();
                        Span<float> y = stackalloc float[TestModel.OutputSize + 1];
                        model.Step(new float[TestModel.InputSize], y);
                        model.Run(ReadOnlySpan<float>.Empty, y);
                        model.Reset();
                        Span<float> state = stackalloc float[TestModel.StateSize];
                        model.CopyStateTo(state);
                        model.LoadState(state);
                        model.Step(3, y);
                        return Use(ref model);
                    }
                    private static float Use<T>(ref T model) where T : struct, global::EdgeRnn.IEdgeRnnModel => T.InputSize;
                }
                """, "Uses.cs")
            .Run();
        run.AssertNoGeneratorFailure();
        Assert.Equal(["ERNN0006"], run.CompilationErrors().Select(d => d.Id));
        Assert.Empty(run.GeneratedSources);
        Assert.Single(run.PlaceholderSources);
    }

    [Fact]
    public void A_model_item_whose_file_is_missing_adds_nothing_to_the_compilers_CS2001()
    {
        var run = new TestProject().AddMissingModel("Models/missing.edgernn.json").AddModelStruct("Models/missing.edgernn.json").Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.PlaceholderSources);
        Assert.Empty(run.CompilationErrors());
    }
}
