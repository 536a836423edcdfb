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

    /// <summary>ERNN0025's name-clash check knows every member the emitter writes (so a new member can't slip past it).</summary>
    [Theory]
    [MemberData(nameof(CommittedModels))]
    public void Every_generated_member_name_is_one_the_clash_check_knows(string model)
    {
        AssertClashCheckKnowsEveryMember(TestProject.ForModel(model).Run().SingleSource(), "TestModel");
    }

    internal static void AssertClashCheckKnowsEveryMember(string source, string typeName)
    {
                var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source);
        var type = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax>().First(t => t.Identifier.Text == typeName);
        var names = new List<string>();
        foreach (var member in type.Members)
        {
            switch (member)
            {
                case Microsoft.CodeAnalysis.CSharp.Syntax.FieldDeclarationSyntax field: names.AddRange(field.Declaration.Variables.Select(v => v.Identifier.Text)); break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property: names.Add(property.Identifier.Text); break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax method: names.Add(method.Identifier.Text); break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax nested: names.Add(nested.Identifier.Text); break;
            }
        }
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(EdgeRnn.Generators.Model.TargetDeclaration.ClashesWithGenerated(name), $"'{name}' is generated but not in TargetDeclaration's list"));
    }
}
