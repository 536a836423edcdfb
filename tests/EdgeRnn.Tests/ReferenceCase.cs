using System.Text.Json;

namespace EdgeRnn.Tests;

/// <summary>A PyTorch reference: inputs, per-step outputs and the final state, as tools/make_reference.py wrote them.</summary>
public sealed class ReferenceData
{
    public required string Name { get; init; }
    public required int InputSize { get; init; }
    public required int OutputSize { get; init; }
    public required int StateSize { get; init; }
    public required int Steps { get; init; }
    public required float[] Inputs { get; init; }
    public required float[] Outputs { get; init; }
    public required float[] FinalState { get; init; }

    /// <summary>A many-to-one model: Run writes only the last step's output (Outputs still holds every step's, as Step gives).</summary>
    public bool OutputLast { get; init; }

    /// <summary>Bidirectional cases: PyTorch's h_n, [layers · 2, hidden] flattened; null where the file has none.</summary>
    public float[]? FinalHidden { get; init; }

    /// <summary>Floats Run writes for <paramref name="steps"/> steps.</summary>
    public int RunOutputLength(int steps) => OutputLast ? OutputSize : steps * OutputSize;

    public static ReferenceData Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Models", name + ".expected.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return new ReferenceData
        {
            Name = name,
            InputSize = root.GetProperty("input_size").GetInt32(),
            OutputSize = root.GetProperty("output_size").GetInt32(),
            StateSize = root.GetProperty("state_size").GetInt32(),
            Steps = root.GetProperty("steps").GetInt32(),
            Inputs = Floats(root.GetProperty("inputs")),
            Outputs = Floats(root.GetProperty("outputs")),
            FinalState = Floats(root.GetProperty("final_state")),
            OutputLast = root.TryGetProperty("output_last", out var last) && last.GetBoolean(),
            FinalHidden = root.TryGetProperty("h_n", out var hn) ? Floats(hn) : null,
        };
    }
}

/// <summary>Checks one generated model against its reference; generic so calls go through the struct, never boxed.</summary>
public interface IReferenceCase
{
    string Name { get; }
    void CheckStep(float tolerance);
    void CheckRun(float tolerance);
    void CheckRunInChunks(float tolerance);
    void CheckStateRoundTrip();
    long AllocatedBytesOverSteps(int steps);
    long AllocatedBytesOverRun(int steps);
    long AllocatedBytesOfPrepare();
    void CheckResetAfterNaN(float tolerance);
}

public sealed class ReferenceCase<TModel>(string name) : IReferenceCase where TModel : struct, IEdgeRnnModel
{
    public string Name { get; } = name;

    private ReferenceData Data => field ??= ReferenceData.Load(Name);

    public void CheckStep(float tolerance)
    {
        var data = Data;
        CheckSizes(data);
        var model = new TModel();
        var output = new float[TModel.OutputSize];
        for (int t = 0; t < data.Steps; t++)
        {
            model.Step(data.Inputs.AsSpan(t * TModel.InputSize, TModel.InputSize), output);
            AssertClose(data.Outputs.AsSpan(t * TModel.OutputSize, TModel.OutputSize), output, tolerance, $"output at step {t}");
        }
        AssertFinalState(model, data, tolerance);
    }

    public void CheckRun(float tolerance)
    {
        var data = Data;
        CheckSizes(data);
        var model = new TModel();
        var outputs = new float[data.RunOutputLength(data.Steps)];
        model.Run(data.Inputs, outputs);
        if (data.OutputLast)
            AssertClose(data.Outputs.AsSpan((data.Steps - 1) * TModel.OutputSize, TModel.OutputSize), outputs, tolerance, "Run's last-step output");
        for (int t = 0; t < data.Steps && !data.OutputLast; t++)
            AssertClose(data.Outputs.AsSpan(t * TModel.OutputSize, TModel.OutputSize), outputs.AsSpan(t * TModel.OutputSize, TModel.OutputSize), tolerance, $"Run output at step {t}");
        AssertFinalState(model, data, tolerance);
    }

    /// <summary>Run over uneven chunks must equal one Run: the state is carried from call to call.</summary>
    public void CheckRunInChunks(float tolerance)
    {
        var data = Data;
        var model = new TModel();
        var outputs = new float[data.Steps * TModel.OutputSize];
        int t = 0, chunk = 1;
        while (t < data.Steps)
        {
            int n = Math.Min(chunk, data.Steps - t);
            // Many-to-one: each call writes its last step's row; the rows in between are filled by Step-equivalent chunks of 1.
            var destination = data.OutputLast
                ? outputs.AsSpan((t + n - 1) * TModel.OutputSize, TModel.OutputSize)
                : outputs.AsSpan(t * TModel.OutputSize, n * TModel.OutputSize);
            model.Run(data.Inputs.AsSpan(t * TModel.InputSize, n * TModel.InputSize), destination);
            if (data.OutputLast)
                AssertClose(data.Outputs.AsSpan((t + n - 1) * TModel.OutputSize, TModel.OutputSize), destination, tolerance, $"chunked Run's last row at step {t + n - 1}");
            t += n;
            chunk = chunk * 2 + 1;
        }
        if (!data.OutputLast) AssertClose(data.Outputs, outputs, tolerance, "chunked Run outputs");
        AssertFinalState(model, data, tolerance);
    }

    public void CheckStateRoundTrip()
    {
        var data = Data;
        int half = data.Steps / 2;
        var model = new TModel();
        var outputs = new float[data.RunOutputLength(half)];
        model.Run(data.Inputs.AsSpan(0, half * TModel.InputSize), outputs);
        var saved = new float[TModel.StateSize];
        model.CopyStateTo(saved);

        // A fresh model loaded with the saved state continues exactly where the first left off.
        var restored = new TModel();
        restored.LoadState(saved);
        var rest = new float[data.RunOutputLength(data.Steps - half)];
        var continued = new float[data.RunOutputLength(data.Steps - half)];
        restored.Run(data.Inputs.AsSpan(half * TModel.InputSize), rest);
        model.Run(data.Inputs.AsSpan(half * TModel.InputSize), continued);
        Assert.Equal(continued, rest);

        // Reset returns to the zero state: the first step repeats.
        var first = new float[TModel.OutputSize];
        var again = new float[TModel.OutputSize];
        var fresh = new TModel();
        fresh.Step(data.Inputs.AsSpan(0, TModel.InputSize), first);
        model.Reset();
        var zeros = new float[TModel.StateSize];
        model.CopyStateTo(saved);
        Assert.Equal(zeros, saved);
        model.Step(data.Inputs.AsSpan(0, TModel.InputSize), again);
        Assert.Equal(first, again);
    }

    /// <summary>
    /// NaN inputs poison the state; Reset must clear every trace of them (nothing stale in the scratch a later step
    /// reads), so the reference outputs follow. Token models take ids, not values, and are skipped.
    /// </summary>
    public void CheckResetAfterNaN(float tolerance)
    {
        if (typeof(ITokenModel).IsAssignableFrom(typeof(TModel))) return;
        var data = Data;
        var model = new TModel();
        var output = new float[TModel.OutputSize];
        var poison = new float[TModel.InputSize];
        poison.AsSpan().Fill(float.NaN);
        for (int t = 0; t < 3; t++) model.Step(poison, output);
        Assert.True(float.IsNaN(output[0]), "a NaN input should reach the output");
        model.Reset();
        for (int t = 0; t < data.Steps; t++)
        {
            model.Step(data.Inputs.AsSpan(t * TModel.InputSize, TModel.InputSize), output);
            AssertClose(data.Outputs.AsSpan(t * TModel.OutputSize, TModel.OutputSize), output, tolerance, $"output at step {t} after NaN and Reset");
        }
    }

    /// <summary>Prepare once (it compiles and unpacks), then the bytes a second Prepare allocates.</summary>
    public long AllocatedBytesOfPrepare()
    {
        TModel.Prepare();
        long before = GC.GetAllocatedBytesForCurrentThread();
        TModel.Prepare();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public long AllocatedBytesOverSteps(int steps)
    {
        var data = Data;
        var model = new TModel();
        Span<float> output = stackalloc float[TModel.OutputSize];
        ReadOnlySpan<float> input = data.Inputs.AsSpan(0, TModel.InputSize);
        for (int i = 0; i < 100; i++) model.Step(input, output); // warm-up: tiering, static init
        long least = long.MaxValue;
        for (int window = 0; window < Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++) model.Step(input, output);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }


    public long AllocatedBytesOverRun(int steps)
    {
        var inputs = new float[steps * TModel.InputSize];
        var outputs = new float[Data.RunOutputLength(steps)];
        var source = Data.Inputs;
        for (int i = 0; i < inputs.Length; i++) inputs[i] = source[i % source.Length];
        var model = new TModel();
        model.Run(inputs, outputs); // warm-up
        long least = long.MaxValue;
        for (int window = 0; window < Allocations.Windows && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Run(inputs, outputs);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    private static void CheckSizes(ReferenceData data)
    {
        Assert.Equal(data.InputSize, TModel.InputSize);
        Assert.Equal(data.OutputSize, TModel.OutputSize);
        Assert.Equal(data.StateSize, TModel.StateSize);
        Assert.Equal(data.Steps * data.InputSize, data.Inputs.Length);
        Assert.Equal(data.Steps * data.OutputSize, data.Outputs.Length);
        Assert.True(data.Steps >= 100, "reference sequences are at least 100 steps");
    }

    private static void AssertFinalState(TModel model, ReferenceData data, float tolerance)
    {
        var state = new float[TModel.StateSize];
        model.CopyStateTo(state);
        AssertClose(data.FinalState, state, tolerance, "final state");
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what) =>
        Close.Assert(expected, actual, tolerance, what);
}

/// <summary>
/// Allocation is measured over up to <see cref="Windows"/> windows, and the least is what counts: an allocation of the
/// model's happens in every window, while the runtime's one-time work (starting the tiered-compilation worker when
/// some helper first tiers up, seen once as 176 bytes on the calling thread) happens in one.
/// </summary>
/// <summary>Element-wise closeness with the first element outside the tolerance named (NaN never passes).</summary>
internal static class Close
{
    public static void Assert(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance, string what)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = MathF.Abs(expected[i] - actual[i]);
            if (!(diff <= tolerance))
                Xunit.Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (|diff| {diff:R} > {tolerance})");
        }
    }
}

internal static class Allocations
{
    public const int Windows = 3;
}
