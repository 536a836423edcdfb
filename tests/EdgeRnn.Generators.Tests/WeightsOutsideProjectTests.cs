using System.Collections.Immutable;
using EdgeRnn.Generators.Model;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// ERNN0032: the build encodes whatever file a manifest's "weights" names, so a path leaving the project
/// (a typo'd "../", an absolute path such as /etc/os-release) is a warning naming the file actually read.
/// The model builder is given the project directory (build_property.MSBuildProjectDirectory).
/// </summary>
public class WeightsOutsideProjectTests
{
    private const string ManifestPath = TestProject.Directory + "/Models/m.edgernn.json";

    private static Diagnostic[] Build(string weightsPath, string resolvedSource, byte[] bytes, string projectDirectory = TestProject.Directory)
    {
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"lstm_i3_h5.safetensors\"", System.Text.Json.JsonSerializer.Serialize(weightsPath), StringComparison.Ordinal);
        var parsed = ManifestParser.Parse(ManifestPath, manifest);
        var weights = ImmutableArray.Create(new WeightsFile(resolvedSource, SafetensorsReader.Read(bytes)));
        var result = ModelBuilder.Build(parsed, weights, projectDirectory);
        return [.. result.Diagnostics.Select(d => d.ToDiagnostic())];
    }

    [Fact]
    public void An_absolute_path_outside_the_project_is_a_warning_naming_the_resolved_file_and_never_its_bytes()
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes("PRETTY_NAME=\"Debian GNU/Linux\"\nID=debian\n");
        var diagnostics = Build("/etc/os-release", "/etc/os-release", bytes);
        var warning = Assert.Single(diagnostics, d => d.Id == "ERNN0032");
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Contains("the weights file '/etc/os-release' resolves to '/etc/os-release', outside the project directory '/proj'", warning.GetMessage(), StringComparison.Ordinal);
        var error = Assert.Single(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("ERNN0012", error.Id);
        Assert.DoesNotContain(BitConverter.ToUInt64(bytes, 0).ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_path_climbing_out_of_the_project_is_a_warning_and_the_model_still_builds()
    {
        var diagnostics = Build("../../shared/w.safetensors", "/shared/w.safetensors", Repo.Weights("lstm_i3_h5"));
        var warning = Assert.Single(diagnostics);
        Assert.Equal("ERNN0032", warning.Id);
        Assert.Contains("resolves to '/shared/w.safetensors'", warning.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lstm_i3_h5.safetensors", "/proj/Models/lstm_i3_h5.safetensors")]
    [InlineData("../weights/w.safetensors", "/proj/weights/w.safetensors")]
    public void Weights_inside_the_project_get_no_warning(string weightsPath, string resolved)
    {
        Assert.Empty(Build(weightsPath, resolved, Repo.Weights("lstm_i3_h5")));
    }

    [Fact]
    public void A_model_kept_outside_the_project_with_its_weights_beside_it_gets_no_warning()
    {
        // The manifest itself is an item of another project (as the tests include samples/CharLm's model).
        Assert.Empty(Build("lstm_i3_h5.safetensors", "/proj/Models/lstm_i3_h5.safetensors", Repo.Weights("lstm_i3_h5"), projectDirectory: "/elsewhere/app"));
        var climbing = Build("../../shared/w.safetensors", "/shared/w.safetensors", Repo.Weights("lstm_i3_h5"), projectDirectory: "/elsewhere/app");
        Assert.Equal("ERNN0032", Assert.Single(climbing).Id);
    }

    [Fact]
    public void A_sibling_directory_sharing_the_project_name_prefix_is_outside()
    {
        var diagnostics = Build("../../proj-other/w.safetensors", "/proj-other/w.safetensors", Repo.Weights("lstm_i3_h5"));
        Assert.Equal("ERNN0032", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void Without_a_project_directory_nothing_is_reported()
    {
        Assert.Empty(Build("/elsewhere/w.safetensors", "/elsewhere/w.safetensors", Repo.Weights("lstm_i3_h5"), projectDirectory: ""));
    }

    [Theory]
    [InlineData("/a/b/../../../../c", "/c")]
    [InlineData("a/../../b", "../b")]
    [InlineData("C:/x/../../..", "C:")]
    [InlineData("C:\\x\\..\\y", "C:/y")]
    [InlineData("/..", "/")]
    public void Paths_resolve_dotdot_as_the_file_system_does(string path, string expected) =>
        Assert.Equal(expected, PathUtil.Normalize(path));
}
