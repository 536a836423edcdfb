using EdgeRnn.Tests.Models;

namespace EdgeRnn.Tests;

/// <summary>Zero allocation is a tested property: the thread's allocated-bytes counter does not move.</summary>
public class AllocationTests
{
    public static TheoryData<string> Cases => ReferenceTests.Cases;

    [Theory, MemberData(nameof(Cases))]
    public void Ten_thousand_Steps_allocate_nothing(string name) =>
        Assert.Equal(0, ReferenceModels.All[name].AllocatedBytesOverSteps(10_000));

    [Theory, MemberData(nameof(Cases))]
    public void A_thousand_step_Run_allocates_nothing(string name) =>
        Assert.Equal(0, ReferenceModels.All[name].AllocatedBytesOverRun(1_000));

    [Theory, MemberData(nameof(Cases))]
    public void Prepare_allocates_nothing_and_leaves_new_models_at_their_reference(string name)
    {
        var reference = ReferenceModels.All[name];
        Assert.Equal(0, reference.AllocatedBytesOfPrepare());
        // Prepare steps a throwaway instance: a model made afterwards still starts from the initial state.
        reference.CheckStep(ReferenceTests.Tolerance);
    }

    [Fact]
    public void A_model_on_the_stack_allocates_nothing()
    {
        Span<float> output = stackalloc float[LstmI3H5.OutputSize];
        ReadOnlySpan<float> input = [0.5f, -0.25f, 1f];
        Span<float> state = stackalloc float[LstmI3H5.StateSize];
        var warm = new LstmI3H5();
        warm.Step(input, output);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var model = new LstmI3H5();
        model.Step(input, output);
        model.CopyStateTo(state);
        model.LoadState(state);
        model.Reset();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
