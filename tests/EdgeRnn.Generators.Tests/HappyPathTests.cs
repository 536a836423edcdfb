using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Tests;

public class HappyPathTests
{
    [Fact]
    public void Lstm_i3_h5_generates_one_source_that_compiles()
    {
        var run = TestProject.ForModel("lstm_i3_h5").Run();

        run.AssertNoGeneratorFailure();
        Assert.Empty(run.Diagnostics);
        string source = run.SingleSource();
        Assert.Contains("public const int InputSize = 3;", source, StringComparison.Ordinal);
        Assert.Contains("public const int OutputSize = 5;", source, StringComparison.Ordinal);
        Assert.Contains("partial struct TestModel : global::EdgeRnn.IEdgeRnnModel", source, StringComparison.Ordinal);
        Assert.Equal("TestModels.TestModel.EdgeRnn.g.cs", run.GeneratedSources[0].HintName);
        var errors = run.CompilationErrors();
        Assert.True(errors.Length == 0, GeneratorRun.Describe(errors));
    }

    public static TheoryData<string> CommittedModels =>
        [.. Directory.GetFiles(Repo.ModelsDirectory, "*.edgernn.json").Select(p => Path.GetFileName(p)[..^".edgernn.json".Length]).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(CommittedModels))]
    public void Every_committed_model_generates_a_source_that_compiles(string model)
    {
        var run = TestProject.ForModel(model).Run();

        run.AssertNoGeneratorFailure();
        Assert.True(run.Diagnostics.IsEmpty, GeneratorRun.Describe(run.Diagnostics));
        string source = run.SingleSource();
        using var manifest = System.Text.Json.JsonDocument.Parse(Repo.Manifest(model));
        if (manifest.RootElement.TryGetProperty("input", out var input) && input.TryGetProperty("size", out var size))
            Assert.Contains($"public const int InputSize = {size.GetInt32()};", source, StringComparison.Ordinal);
        if (manifest.RootElement.TryGetProperty("input", out input) && input.TryGetProperty("vocab", out var vocab))
            Assert.Contains($"public const int VocabSize = {vocab.GetInt32()};", source, StringComparison.Ordinal);
        var errors = run.CompilationErrors();
        Assert.True(errors.Length == 0, GeneratorRun.Describe(errors));
    }

    [Fact]
    public void Nested_namespace_and_containing_types_are_reopened()
    {
        var project = new TestProject()
            .AddModel("Models/m.edgernn.json", Repo.Manifest("lstm_i3_h5"))
            .AddWeights("Models/lstm_i3_h5.safetensors", Repo.Weights("lstm_i3_h5"))
            .AddSource("""
                namespace Outer.Inner
                {
                    public static partial class Holder
                    {
                        internal partial record struct Net
                        {
                            [global::EdgeRnn.EdgeRnnModel("Models/m.edgernn.json")]
                            public partial struct Model;
                        }
                    }
                }
                """);
        var run = project.Run();

        Assert.Empty(run.Diagnostics);
        Assert.Equal("Outer.Inner.Holder.Net.Model.EdgeRnn.g.cs", Assert.Single(run.GeneratedSources).HintName);
        var errors = run.CompilationErrors();
        Assert.True(errors.Length == 0, GeneratorRun.Describe(errors));
    }
}
