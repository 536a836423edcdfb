using EdgeRnn;
using EdgeRnn.Tests.Models;

namespace EdgeRnn.Tests;

/// <summary>The generated API's contract: sizes, argument checks naming the sizes, value semantics.</summary>
public class ApiTests
{
    [Fact]
    public void Constants_come_from_the_tensor_shapes()
    {
        Assert.Equal(4, StackLstmGruLinear.InputSize);
        Assert.Equal(3, StackLstmGruLinear.OutputSize);
        // enc LSTM h+c (2·9), dec GRU two sub-layers (6 + 6); the linear head has no state.
        Assert.Equal(2 * 9 + 6 + 6, StackLstmGruLinear.StateSize);
        Assert.Equal(4, StackLstmGruLinear.Layer0InputSize);
        Assert.Equal(9, StackLstmGruLinear.Layer0OutputSize);
        Assert.Equal(9, StackLstmGruLinear.Layer1InputSize);
        Assert.Equal(6, StackLstmGruLinear.Layer2OutputSize);
        Assert.Equal(3, StackLstmGruLinear.Layer3OutputSize);
    }

    [Fact]
    public void Step_rejects_wrong_input_length_naming_both_sizes()
    {
        var model = new LstmI3H5();
        var e = Assert.Throws<ArgumentException>(() => model.Step(new float[2], new float[5]));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("3", e.Message);
        Assert.Contains("2", e.Message);
    }

    [Fact]
    public void Step_rejects_wrong_output_length()
    {
        var model = new LstmI3H5();
        var e = Assert.Throws<ArgumentException>(() => model.Step(new float[3], new float[4]));
        Assert.Equal("output", e.ParamName);
        Assert.Contains("exactly 5", e.Message);
        Assert.Contains("has 4", e.Message);
    }

    [Fact]
    public void Run_rejects_partial_steps_and_wrong_output_length()
    {
        var model = new LstmI3H5();
        var partial = Assert.Throws<ArgumentException>(() => model.Run(new float[7], new float[10]));
        Assert.Equal("inputs", partial.ParamName);
        Assert.Contains("7", partial.Message);
        var wrongOut = Assert.Throws<ArgumentException>(() => model.Run(new float[6], new float[11]));
        Assert.Equal("outputs", wrongOut.ParamName);
        Assert.Contains("exactly 10", wrongOut.Message);
        Assert.Contains("has 11", wrongOut.Message);
    }

    [Fact]
    public void State_spans_are_checked()
    {
        var model = new LstmI3H5();
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => model.CopyStateTo(new float[9])).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => model.LoadState(new float[11])).ParamName);
    }

    [Fact]
    public void A_rejected_call_leaves_the_state_untouched()
    {
        var model = new LstmI3H5();
        model.Step([1f, 2f, 3f], new float[5]);
        var before = new float[LstmI3H5.StateSize];
        model.CopyStateTo(before);
        Assert.Throws<ArgumentException>(() => model.Run(new float[6], new float[9]));
        var after = new float[LstmI3H5.StateSize];
        model.CopyStateTo(after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Empty_Run_is_allowed_and_changes_nothing()
    {
        var model = new GruI4H7();
        model.Run([], []);
        var state = new float[GruI4H7.StateSize];
        model.CopyStateTo(state);
        Assert.All(state, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Models_are_values_copying_copies_the_state()
    {
        var a = new GruI4H7();
        a.Step([1f, 0f, -1f, 0.5f], new float[7]);
#pragma warning disable ERNN0028 // the copy is the point: this test pins the semantics ERNN0028 warns about
        var b = a; // a struct copy: independent state from here on
#pragma warning restore ERNN0028
        var outA = new float[7];
        var outB = new float[7];
        a.Step([0.1f, 0.2f, 0.3f, 0.4f], outA);
        b.Step([0.1f, 0.2f, 0.3f, 0.4f], outB);
        Assert.Equal(outA, outB);
        a.Reset();
        b.Step([0.1f, 0.2f, 0.3f, 0.4f], outB);
        a.Step([0.1f, 0.2f, 0.3f, 0.4f], outA);
        Assert.NotEqual(outA, outB);
    }

    [Fact]
    public void NaN_input_propagates_instead_of_being_hidden()
    {
        var model = new LstmI3H5();
        var output = new float[5];
        model.Step([float.NaN, 0f, 0f], output);
        Assert.All(output, v => Assert.True(float.IsNaN(v)));
    }
}

/// <summary>The token-model API: ids in, range-checked, and the float form of the span API.</summary>
public class TokenApiTests
{
    [Fact]
    public void Token_ids_outside_the_vocabulary_are_rejected_and_leave_the_state()
    {
        var model = new TokenLstmLm();
        var output = new float[TokenLstmLm.OutputSize];
        model.Step(3, output);
        var before = new float[TokenLstmLm.StateSize];
        model.CopyStateTo(before);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Step(TokenLstmLm.VocabSize, output));
        Assert.Equal("token", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Step(-1, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Run([1, 2, 99], new float[3 * TokenLstmLm.OutputSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Step([2.5f], output));
        var after = new float[TokenLstmLm.StateSize];
        model.CopyStateTo(after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Int_and_float_token_APIs_agree()
    {
        int[] tokens = [0, 5, 22, 7, 7, 1];
        var a = new TokenLstmLm();
        var b = new TokenLstmLm();
        var viaInts = new float[tokens.Length * TokenLstmLm.OutputSize];
        var viaFloats = new float[viaInts.Length];
        a.Run(tokens, viaInts);
        b.Run(tokens.Select(t => (float)t).ToArray(), viaFloats);
        Assert.Equal(viaInts, viaFloats);
    }

    [Fact]
    public void Generate_is_deterministic_for_a_seed_and_stays_in_the_vocabulary()
    {
        var options = new SamplerOptions { Temperature = 0.9f, Seed = 42 };
        var first = new int[50];
        var second = new int[50];
        var m1 = new TokenLstmLm();
        var m2 = new TokenLstmLm();
        m1.Generate([1, 2, 3], first, in options);
        m2.Generate([1, 2, 3], second, in options);
        Assert.Equal(first, second);
        Assert.All(first, t => Assert.InRange(t, 0, TokenLstmLm.VocabSize - 1));
    }
}
