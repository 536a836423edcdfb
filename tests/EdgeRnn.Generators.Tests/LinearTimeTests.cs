using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>
/// Generator time stays linear in the input's size. Each input here took from 5 s to over 120 s when a step compared
/// every pair (duplicate JSON names, overlapping tensor data) or scanned the manifest from its start for every
/// diagnostic location. The bound is 2 s of generator CPU time (the process's, with no other test running): wall
/// time on a shared machine says more about its load than about the generator, so it only gets a loose sanity bound.
/// </summary>
[Collection(nameof(LinearTimeTests))]
public class LinearTimeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_cpuBound = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_wallBound = TimeSpan.FromSeconds(30);

    /// <summary>Runs the generator on the project (after one warm-up run so JIT time is not counted) and returns the run.</summary>
    private GeneratorDriverRunResult Timed(string what, TestProject project)
    {
        var warmUp = TestProject.ForModel("lstm_i3_h5");
        warmUp.RunGeneratorsOnly(warmUp.Compilation());
        var compilation = project.Compilation();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var result = project.RunGeneratorsOnly(compilation);
        stopwatch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        output.WriteLine($"{what}: {cpu.TotalMilliseconds:F0} ms CPU, {stopwatch.Elapsed.TotalMilliseconds:F0} ms wall, {result.Diagnostics.Length} diagnostics");
        Assert.True(result.Results[0].Exception is null, result.Results[0].Exception?.ToString());
        Assert.True(cpu < s_cpuBound, $"{what} took {cpu.TotalSeconds:F1} s of CPU time");
        Assert.True(stopwatch.Elapsed < s_wallBound, $"{what} took {stopwatch.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    [Fact]
    public void A_safetensors_header_of_100k_tensors()
    {
        var entries = Enumerable.Range(0, 100_000).Select(i => new Entry($"t{i}", "F32", [1], 4L * i, 4L * i + 4));
        var file = Build(Header(entries), new byte[400_000]);
        var result = Timed("100k tensors", TestProject.ForModel("lstm_i3_h5", weights: file));
        // The layer's tensors are missing; all 100k are unused.
        Assert.Contains(result.Diagnostics, d => d.Id == "ERNN0016");
    }

    [Fact]
    public void A_safetensors_header_of_100k_tensors_with_one_overlap_at_the_end()
    {
        var entries = Enumerable.Range(0, 100_000).Select(i => new Entry($"t{i}", "F32", [1], 4L * i, 4L * i + 4)).ToList();
        entries.Add(new Entry("late", "F32", [2], 8, 16));
        var file = Build(Header(entries), new byte[400_000]);
        var result = Timed("100k tensors, one overlap", TestProject.ForModel("lstm_i3_h5", weights: file));
        var d = Assert.Single(result.Diagnostics, x => x.Id == "ERNN0015");
        Assert.Contains("the data of tensor 'late' [8, 16] overlaps tensor 't2' [8, 12]", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_JSON_object_of_100k_keys()
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < 100_000; i++) sb.Append(CultureInfo.InvariantCulture, $"\"k{i}\": {i}, ");
        sb.Append("\"end\": 0}");
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"format\"", $"\"description\": {sb}, \"format\"", StringComparison.Ordinal);
        var result = Timed("100k keys", TestProject.ForModel("lstm_i3_h5", manifest));
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void A_JSON_object_of_100k_keys_with_a_duplicate_at_the_end()
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < 100_000; i++) sb.Append(CultureInfo.InvariantCulture, $"\"k{i}\": {i}, ");
        sb.Append("\"k17\": 0}");
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"format\"", $"\"description\": {sb}, \"format\"", StringComparison.Ordinal);
        var result = Timed("100k keys, one duplicate", TestProject.ForModel("lstm_i3_h5", manifest));
        Assert.Contains("duplicate property \"k17\"", Assert.Single(result.Diagnostics).GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_with_20k_unknown_properties()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) sb.Append(CultureInfo.InvariantCulture, $"\n  \"unknown{i}\": {i},");
        string manifest = Repo.Manifest("lstm_i3_h5").Replace("\"format\"", sb + "\n  \"format\"", StringComparison.Ordinal);
        var result = Timed("20k unknown properties", TestProject.ForModel("lstm_i3_h5", manifest));
        Assert.Equal(20_000, result.Diagnostics.Count(d => d.Id == "ERNN0008"));
        // Located on its own line: the last one on line 20,001 (0-based 20,000).
        var last = result.Diagnostics.Last(d => d.Id == "ERNN0008");
        Assert.Equal(DiagnosticAssert.LineOf(manifest, "\"unknown19999\""), last.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void A_manifest_of_10k_linear_layers()
    {
        const int Layers = 10_000;
        string manifest = $$"""
            {
              "format": "edgernn/1",
              "weights": "lin.safetensors",
              "layers": [{{string.Join(",\n    ", Enumerable.Repeat("{ \"type\": \"linear\", \"prefix\": \"lin\" }", Layers))}}]
            }
            """;
        var project = new TestProject()
            .AddModel("Models/lin.edgernn.json", manifest)
            .AddWeights("Models/lin.safetensors", Write([new Tensor("lin.weight", [4, 4], new float[16]), new Tensor("lin.bias", [4], new float[4])]))
            .AddModelStruct("Models/lin.edgernn.json");
        var result = Timed("10k linear layers", project);
        Assert.Empty(result.Diagnostics);
        Assert.Contains($"Layer{Layers - 1}OutputSize", Assert.Single(result.Results[0].GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The timed tests run alone (after the parallel ones), so the process's CPU time is the generator's.</summary>
[CollectionDefinition(nameof(LinearTimeTests), DisableParallelization = true)]
public class LinearTimeCollection;
