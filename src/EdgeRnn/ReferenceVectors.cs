using System.Text.Json;

namespace EdgeRnn;

/// <summary>
/// PyTorch's reference vectors for a model, from a <c>NAME.expected.json</c> that the exporter
/// (<c>tools/edgernn_export</c>) writes next to the manifest: one input sequence, every step's output and the final
/// state. A test of your own checks the compiled model against them in one line:
/// <code>Assert.True(ReferenceVectors.Load("models/amp.expected.json").MaxStepDifference&lt;Amp&gt;() &lt;= 1e-5f);</code>
/// </summary>
public sealed class ReferenceVectors
{
    private ReferenceVectors(int inputSize, int outputSize, int steps, float[] inputs, float[] outputs, float[] finalState, bool outputLast, bool sequenceOnly)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
        Steps = steps;
        Inputs = inputs;
        Outputs = outputs;
        FinalState = finalState;
        OutputLast = outputLast;
        SequenceOnly = sequenceOnly;
    }

    /// <summary>Floats per input step (1 for a token model: the ids as whole-number floats).</summary>
    public int InputSize { get; }

    /// <summary>Floats per output step.</summary>
    public int OutputSize { get; }

    /// <summary>Number of steps T.</summary>
    public int Steps { get; }

    /// <summary>[T, InputSize], row-major.</summary>
    public ReadOnlyMemory<float> Inputs { get; }

    /// <summary>[T, OutputSize], row-major: every step's output, also for a many-to-one model.</summary>
    public ReadOnlyMemory<float> Outputs { get; }

    /// <summary>The state after the last step, in the <c>CopyStateTo</c> layout (empty for a sequence-only model).</summary>
    public ReadOnlyMemory<float> FinalState { get; }

    /// <summary>A many-to-one model (<c>"output": "last"</c>): <c>Run</c> writes the last step's output only.</summary>
    public bool OutputLast { get; }

    /// <summary>A model with a bidirectional layer: it has <c>Run</c> only (<see cref="ISequenceModel"/>).</summary>
    public bool SequenceOnly { get; }

    /// <summary>Reads a <c>NAME.expected.json</c>. A relative path is taken from the current directory, then from the program's own.</summary>
    /// <exception cref="FileNotFoundException">Neither place has the file.</exception>
    /// <exception cref="FormatException">The file lacks a field or its sizes disagree.</exception>
    public static ReferenceVectors Load(string path)
    {
        string found = File.Exists(path) || Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
        if (!File.Exists(found)) throw new FileNotFoundException($"no reference vectors at '{path}' (nor under {AppContext.BaseDirectory})", path);
        using var document = JsonDocument.Parse(File.ReadAllBytes(found));
        var root = document.RootElement;
        int Int(string name) => Property(name).GetInt32();
        float[] Floats(string name)
        {
            var array = Property(name);
            var values = new float[array.GetArrayLength()];
            int i = 0;
            foreach (var value in array.EnumerateArray()) values[i++] = value.GetSingle();
            return values;
        }
        bool Flag(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
        JsonElement Property(string name) =>
            root.TryGetProperty(name, out var value) ? value : throw new FormatException($"{found}: no \"{name}\"");

        var vectors = new ReferenceVectors(Int("input_size"), Int("output_size"), Int("steps"), Floats("inputs"), Floats("outputs"),
            Floats("final_state"), Flag("output_last"), Flag("sequence_only"));
        if (vectors.Inputs.Length != vectors.Steps * vectors.InputSize || vectors.Outputs.Length != vectors.Steps * vectors.OutputSize)
            throw new FormatException($"{found}: {vectors.Steps} steps need {vectors.Steps * vectors.InputSize} inputs and {vectors.Steps * vectors.OutputSize} outputs, " +
                $"the file has {vectors.Inputs.Length} and {vectors.Outputs.Length}");
        return vectors;
    }

    /// <summary>
    /// Streams the inputs through a new <typeparamref name="TModel"/> one <c>Step</c> at a time and returns the largest
    /// absolute difference from PyTorch over every step's output and the final state (NaN if the model gave a NaN).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model's sizes are not the vectors' (another model's file?).</exception>
    public float MaxStepDifference<TModel>() where TModel : struct, IEdgeRnnModel
    {
        if (SequenceOnly) throw new InvalidOperationException("these vectors are for a sequence-only model (bidirectional): use MaxRunDifference");
        CheckSizes(typeof(TModel).Name, TModel.InputSize, TModel.OutputSize);
        if (TModel.StateSize != FinalState.Length)
            throw new InvalidOperationException($"{typeof(TModel).Name} has {TModel.StateSize} floats of state, the reference {FinalState.Length}");
        var model = new TModel();
        var output = new float[OutputSize];
        float largest = 0;
        for (int t = 0; t < Steps; t++)
        {
            model.Step(Inputs.Span.Slice(t * InputSize, InputSize), output);
            largest = MathF.Max(largest, MaxAbsDifference(output, Outputs.Span.Slice(t * OutputSize, OutputSize)));
        }
        var state = new float[TModel.StateSize];
        model.CopyStateTo(state);
        return MathF.Max(largest, MaxAbsDifference(state, FinalState.Span));
    }

    /// <summary>
    /// Runs the whole input sequence through a new <typeparamref name="TModel"/> (a model with a bidirectional layer)
    /// and returns the largest absolute difference from PyTorch's outputs.
    /// </summary>
    public float MaxRunDifference<TModel>() where TModel : struct, ISequenceModel
    {
        CheckSizes(typeof(TModel).Name, TModel.InputSize, TModel.OutputSize);
        var model = new TModel();
        var outputs = new float[OutputLast ? OutputSize : Steps * OutputSize];
        model.Run(Inputs.Span, outputs);
        return MaxAbsDifference(outputs, OutputLast ? Outputs.Span.Slice((Steps - 1) * OutputSize) : Outputs.Span);
    }

    private void CheckSizes(string model, int inputSize, int outputSize)
    {
        if (inputSize != InputSize || outputSize != OutputSize)
            throw new InvalidOperationException($"{model} takes {inputSize} and gives {outputSize} floats per step; the reference {InputSize} and {OutputSize}");
    }

    private static float MaxAbsDifference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        float largest = 0;
        for (int i = 0; i < actual.Length; i++) largest = MathF.Max(largest, MathF.Abs(actual[i] - expected[i]));
        return largest;
    }
}
