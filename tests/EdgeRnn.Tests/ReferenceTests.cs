using EdgeRnn.Tests.Models;

namespace EdgeRnn.Tests;

/// <summary>Every generated model against PyTorch (float64 reference on the stored float32 weights), through Step and Run.</summary>
public class ReferenceTests
{
    public const float Tolerance = 1e-5f;

    public static TheoryData<string> Cases => [.. ReferenceModels.All.Keys.Order()];

    [Theory, MemberData(nameof(Cases))]
    public void Step_matches_PyTorch_at_every_step_and_final_state(string name) => ReferenceModels.All[name].CheckStep(Tolerance);

    [Theory, MemberData(nameof(Cases))]
    public void Run_matches_PyTorch_at_every_step_and_final_state(string name) => ReferenceModels.All[name].CheckRun(Tolerance);

    [Theory, MemberData(nameof(Cases))]
    public void Run_in_chunks_carries_state(string name) => ReferenceModels.All[name].CheckRunInChunks(Tolerance);

    [Theory, MemberData(nameof(Cases))]
    public void State_round_trips_and_Reset_returns_to_zero(string name) => ReferenceModels.All[name].CheckStateRoundTrip();

    [Theory, MemberData(nameof(Cases))]
    public void Reset_after_NaN_inputs_restores_the_reference(string name) => ReferenceModels.All[name].CheckResetAfterNaN(Tolerance);

    [Fact]
    public void Every_committed_reference_has_a_model()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Models"), "*.expected.json")
            .Select(f => Path.GetFileName(f)[..^".expected.json".Length]).Order().ToArray();
        Assert.True(files.Length >= 20, $"expected the committed reference set, found {files.Length}");
        Assert.Equal(files, ReferenceModels.All.Keys.Concat(SequenceModels.Checks.Keys).Order().ToArray());
    }
}
