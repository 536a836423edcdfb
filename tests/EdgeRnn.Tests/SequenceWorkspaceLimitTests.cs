using System.Globalization;
using EdgeRnn.Tests.Models;

namespace EdgeRnn.Tests;

/// <summary>
/// A sequence model's workspace is 2 × steps × its widest layer floats. Past <c>MaxSequenceSteps</c> that no longer fits
/// in an int: WorkspaceSize throws an exception naming the limit instead of returning a wrapped (negative) size.
/// </summary>
public class SequenceWorkspaceLimitTests
{
    [Fact]
    public void The_issue_case_67108864_steps_of_a_width_16_model_is_past_the_limit_not_a_negative_size()
    {
        // bilstm_2layer_i4_h7_head: its linear head's padded width, 16, is the widest: 2 × 67,108,864 × 16 = 2^31.
        int width = Bilstm2layerI4H7Head.WorkspaceSize(1) / 2;
        Assert.Equal(16, width);
        Assert.True(Bilstm2layerI4H7Head.MaxSequenceSteps == int.MaxValue / (2 * width));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Bilstm2layerI4H7Head.WorkspaceSize(67_108_864));
        Assert.Equal("steps", e.ParamName);
        Assert.Contains($"MaxSequenceSteps ({Bilstm2layerI4H7Head.MaxSequenceSteps.ToString(CultureInfo.InvariantCulture)})", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Negative_or_huge_step_counts_throw(int steps)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BilstmI3H5.WorkspaceSize(steps));
        Assert.Equal("steps", e.ParamName);
    }

    [Fact]
    public void Up_to_the_limit_the_size_is_exact()
    {
        int width = BilstmI3H5.WorkspaceSize(1) / 2;
        int max = BilstmI3H5.MaxSequenceSteps;
        Assert.Equal(2L * max * width, BilstmI3H5.WorkspaceSize(max));
        Assert.True(2L * (max + 1) * width > int.MaxValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => BilstmI3H5.WorkspaceSize(max + 1));
        Assert.Equal(0, BilstmI3H5.WorkspaceSize(0));
    }

    [Fact]
    public void A_longer_workspace_is_accepted_and_a_short_one_is_rejected_with_at_least()
    {
        var model = new BilstmI3H5();
        var inputs = new float[10 * BilstmI3H5.InputSize];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = MathF.Sin(i);
        var expected = new float[10 * BilstmI3H5.OutputSize];
        model.Run(inputs, expected);

        var outputs = new float[expected.Length];
        model.Run(inputs, outputs, new float[BilstmI3H5.WorkspaceSize(10) + 100]);
        Assert.Equal(expected, outputs);

        var e = Assert.Throws<ArgumentException>(() => model.Run(inputs, outputs, new float[BilstmI3H5.WorkspaceSize(10) - 1]));
        Assert.Equal("workspace", e.ParamName);
        Assert.Contains($"at least {BilstmI3H5.WorkspaceSize(10).ToString(CultureInfo.InvariantCulture)} floats", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("exactly", e.Message, StringComparison.Ordinal);
    }
}
