using EdgeRnn.Generators.Tests.Support;

namespace EdgeRnn.Generators.Tests;

/// <summary>ERNN0032 through the whole generator: ModelGenerator hands the builder MSBuildProjectDirectory.</summary>
public class WeightsOutsideProjectDriverTests
{
    [Fact]
    public void A_weights_path_naming_etc_os_release_is_a_warning_naming_it_and_a_not_safetensors_error()
    {
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"lstm_i3_h5.safetensors\"", "\"/etc/os-release\"", StringComparison.Ordinal);
        var project = new TestProject()
            .AddModel("Models/m.edgernn.json", manifest)
            .AddAdditionalFile(TestProject.FullPath("obj/edgernn/os-release.0123abcd.b64"), Convert.ToBase64String("NAME=Debian\nID=debian\n"u8.ToArray()),
                new() { [TestProject.KindKey] = "weights", [TestProject.SourceKey] = "/etc/os-release" })
            .AddModelStruct("Models/m.edgernn.json");
        var run = project.Run();
        run.AssertNoGeneratorFailure();
        var warning = run.Single("ERNN0032");
        DiagnosticAssert.AtSnippet(warning, TestProject.FullPath("Models/m.edgernn.json"), manifest, "\"weights\"");
        Assert.Contains("resolves to '/etc/os-release', outside the project directory '/proj'", warning.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("not a safetensors file", run.Single("ERNN0012").GetMessage(), StringComparison.Ordinal);
    }
}
