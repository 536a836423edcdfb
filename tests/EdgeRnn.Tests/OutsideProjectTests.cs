using System.Globalization;

namespace EdgeRnn.Tests;

/// <summary>
/// A project outside this repository uses EdgeRnn from the checkout with one Import line, exactly as
/// README.md says: create it in a temporary directory, build, run, compare with PyTorch.
/// </summary>
[Trait("Category", "Integration")]
public class OutsideProjectTests
{
    [Fact]
    public void A_new_project_with_the_one_Import_line_builds_runs_and_matches_PyTorch()
    {
        string dir = Directory.CreateTempSubdirectory("edgernn-outside-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "models"));
            foreach (var ext in new[] { ".edgernn.json", ".safetensors", ".expected.json" })
                File.Copy(Path.Combine(Repo.Root, "tests", "EdgeRnn.Tests", "Models", "stack_lstm_gru_linear" + ext),
                          Path.Combine(dir, "models", "net" + ext));
            // The manifest names its weights file; it was renamed with the copy.
            string manifest = Path.Combine(dir, "models", "net.edgernn.json");
            File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("stack_lstm_gru_linear.safetensors", "net.safetensors"));

            string targets = Path.Combine(Repo.Root, "targets", "EdgeRnn.Source.targets");
            File.WriteAllText(Path.Combine(dir, "Outside.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <Import Project="{targets}" />
                  <ItemGroup>
                    <EdgeRnnModel Include="models/net.edgernn.json" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(dir, "Program.cs"), """
                using System.Globalization;
                using System.Text.Json;
                using EdgeRnn;

                var root = JsonDocument.Parse(File.ReadAllText(args[0])).RootElement;
                float[] inputs = root.GetProperty("inputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                float[] expected = root.GetProperty("outputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                var model = new Net();
                var output = new float[Net.OutputSize];
                float maxDiff = 0;
                for (int t = 0; t < inputs.Length / Net.InputSize; t++)
                {
                    model.Step(inputs.AsSpan(t * Net.InputSize, Net.InputSize), output);
                    for (int j = 0; j < Net.OutputSize; j++)
                        maxDiff = Math.Max(maxDiff, Math.Abs(output[j] - expected[t * Net.OutputSize + j]));
                }
                Console.WriteLine($"steps={inputs.Length / Net.InputSize} maxdiff={maxDiff.ToString("R", CultureInfo.InvariantCulture)}");

                [EdgeRnnModel("models/net.edgernn.json")]
                public partial struct Net;
                """);

            var build = DotNet.Run(dir, "build", "-nodeReuse:false", "-v:q");
            Assert.True(build.ExitCode == 0, "build failed:\n" + build.Output);
            var run = DotNet.Run(dir, "run", "--no-build", "--", Path.Combine(dir, "models", "net.expected.json"));
            Assert.True(run.ExitCode == 0, "run failed:\n" + run.Output);

            var line = run.Output.Split('\n').Single(l => l.StartsWith("steps=", StringComparison.Ordinal));
            var parts = line.Trim().Split(' ');
            Assert.Equal("steps=120", parts[0]);
            float maxDiff = float.Parse(parts[1]["maxdiff=".Length..], CultureInfo.InvariantCulture);
            Assert.InRange(maxDiff, 0f, ReferenceTests.Tolerance);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
