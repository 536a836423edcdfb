using EdgeRnn.Generators.Layers;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>The model's API: state storage, Reset, Step, Run, the token overloads, CopyStateTo and LoadState.</summary>
internal static partial class ModelEmitter
{
    private static void EmitState(SourceWriter w, ModelSpec model)
    {
        // InlineArray needs a length of at least one, even for a model without state.
        w.Line($"[global::System.Runtime.CompilerServices.InlineArray({System.Math.Max(1, model.StateSize)})]");
        w.Open("private struct StateStorage");
        w.Line("private float _element0;");
        w.Close();
        w.Line();
        w.Line("private StateStorage _state;");
        w.Line();
        // Per-step temporaries live in the struct: a stackalloc would be zeroed on every step (SkipLocalsInit needs /unsafe).
        w.Line("[global::System.Runtime.CompilerServices.InlineArray(ScratchSize)]");
        w.Open("private struct ScratchStorage");
        w.Line("private float _element0;");
        w.Close();
        w.Line();
        w.Line("private ScratchStorage _scratch;");
        w.Line();
    }

    private static void EmitPublicMethods(SourceWriter w, TargetSpec target, ModelSpec model)
    {
        if (model.InitialState.Length == 0)
        {
            w.Line("/// <summary>Returns the state to zeros, the model's initial state.</summary>");
            w.Line($"public void Reset() => (({Span})_state).Clear();");
        }
        else
        {
            // A learned initial state (NAM's h0, c0): new() starts there and Reset() returns there.
            w.Line("/// <summary>Starts at the model's learned initial state (default(T) instead starts at zeros).</summary>");
            w.Line($"public {target.Type.Name}() => Reset();");
            w.Line();
            w.Line("/// <summary>Returns the state to the model's learned initial state.</summary>");
            w.Line($"public void Reset() => InitialState.CopyTo(({Span})_state);");
        }
        w.Line();

        if (model.Embedding is null)
        {
            w.Line("/// <summary>Runs one timestep: reads <see cref=\"InputSize\"/> floats and writes <see cref=\"OutputSize\"/> floats; the state carries over.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentException\">A span does not have exactly the expected length.</exception>");
            w.Line(HotPath);
            w.Open($"public void Step({ReadOnlySpan} input, {Span} output)");
            w.Line("if (input.Length != InputSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(input), InputSize, input.Length, \"InputSize\");");
            w.Line("if (output.Length != OutputSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(output), OutputSize, output.Length, \"OutputSize\");");
            w.Line($"{Span} scratch = _scratch;");
            w.Line("StepCore(input, output, scratch);");
            w.Close();
            w.Line();

            w.Line("/// <summary>Runs T timesteps over row-major <c>[T, InputSize]</c> into <c>[T, OutputSize]</c>, T = inputs.Length / InputSize; starts from the current state and leaves the final one.</summary>");
            w.Line("/// <remarks>Works through the sequence in chunks of <see cref=\"RunChunkSteps\"/> steps: each layer projects a whole chunk's inputs at once (matrix-matrix), then runs its recurrence.</remarks>");
            w.Line("/// <exception cref=\"global::System.ArgumentException\">inputs is not a whole number of steps, or outputs is not T × OutputSize long.</exception>");
            w.Line(HotPath);
            w.Open($"public void Run({ReadOnlySpan} inputs, {Span} outputs)");
            w.Line("if (inputs.Length % InputSize != 0) global::EdgeRnn.ThrowHelper.ThrowNotMultiple(nameof(inputs), InputSize, inputs.Length);");
            w.Line("int steps = inputs.Length / InputSize;");
            EmitOutputsCheck(w, model, "inputs");
            // Many-to-one: every step runs, only the last step's output is written.
            if (model.OutputLast) w.Line($"{Span} rows = stackalloc float[RunChunkSteps * OutputSize];");
            else w.Line("if (steps == 0) return;");
            w.Line($"{Span} scratch = _scratch;");
            if (RunsFixedSteps(model))
            {
                // Every recurrent layer has a fixed step: one fused step per timestep beats projecting a chunk's
                // inputs first at these sizes (measured on the amp models: 52 against 62 ns per sample).
                w.Open(FixedStepsCondition);
                w.Open("for (int t = 0; t < steps; t++)");
                w.Line(model.OutputLast
                    ? "StepCore(inputs.Slice(t * InputSize, InputSize), rows.Slice(0, OutputSize), scratch);"
                    : "StepCore(inputs.Slice(t * InputSize, InputSize), outputs.Slice(t * OutputSize, OutputSize), scratch);");
                w.Close();
                if (model.OutputLast) w.Line("if (steps > 0) rows.Slice(0, OutputSize).CopyTo(outputs);");
                w.Line("return;");
                w.Close();
            }
            w.Line($"{Span} chunk = stackalloc float[RunChunkScratchSize];");
            w.Line("int n = 0;");
            w.Open("for (int t = 0; t < steps; t += RunChunkSteps)");
            w.Line("n = global::System.Math.Min(RunChunkSteps, steps - t);");
            w.Line(model.OutputLast
                ? "RunChunk(inputs.Slice(t * InputSize, n * InputSize), rows.Slice(0, n * OutputSize), n, scratch, chunk);"
                : "RunChunk(inputs.Slice(t * InputSize, n * InputSize), outputs.Slice(t * OutputSize, n * OutputSize), n, scratch, chunk);");
            w.Close();
            if (model.OutputLast) w.Line("rows.Slice((n - 1) * OutputSize, OutputSize).CopyTo(outputs);");
            w.Close();
            w.Line();


        }
        else
        {
            w.Line("/// <summary>Runs one timestep on token <paramref name=\"token\"/> (0 ≤ token &lt; <see cref=\"VocabSize\"/>): writes <see cref=\"OutputSize\"/> floats; the state carries over.</summary>");
            w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The token id is outside the vocabulary.</exception>");
            w.Line(HotPath);
            w.Open($"public void Step(int token, {Span} output)");
            w.Line("if ((uint)token >= (uint)VocabSize) global::EdgeRnn.ThrowHelper.ThrowTokenOutOfRange(nameof(token), token, VocabSize);");
            w.Line("if (output.Length != OutputSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(output), OutputSize, output.Length, \"OutputSize\");");
            w.Line($"{Span} scratch = _scratch;");
            w.Line($"StepCore({EmbeddingKind.TableField}.Slice(token * EmbeddingSize, EmbeddingSize), output, scratch);");
            w.Close();
            w.Line();
            w.Line("/// <summary>One timestep with the token id given as a float (<c>input[0]</c>, a whole number), for code written against <see cref=\"global::EdgeRnn.IEdgeRnnModel\"/>.</summary>");
            w.Line(HotPath);
            w.Open($"public void Step({ReadOnlySpan} input, {Span} output)");
            w.Line("if (input.Length != InputSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(input), InputSize, input.Length, \"InputSize: one token id\");");
            w.Line("Step(global::EdgeRnn.ThrowHelper.TokenFromFloat(nameof(input), input[0], VocabSize), output);");
            w.Close();
            w.Line();
            string runSummary = model.OutputLast
                ? "/// <summary>Runs every token (state carried from and left for the next call) and writes the last step's <see cref=\"OutputSize\"/> outputs.</summary>"
                : "/// <summary>Runs every token (state carried from and left for the next call) into <c>[T, OutputSize]</c>, T = tokens.Length.</summary>";
            w.Line(runSummary);
            w.Line(HotPath);
            w.Open($"public void Run(global::System.ReadOnlySpan<int> tokens, {Span} outputs)");
            EmitTokenRunBody(w, model, "tokens.Length", "tokens[t]", "tokens");
            w.Close();
            w.Line();
            w.Line("/// <summary>Run with token ids given as floats (whole numbers), for code written against <see cref=\"global::EdgeRnn.IEdgeRnnModel\"/>.</summary>");
            w.Line(HotPath);
            w.Open($"public void Run({ReadOnlySpan} inputs, {Span} outputs)");
            EmitTokenRunBody(w, model, "inputs.Length", "global::EdgeRnn.ThrowHelper.TokenFromFloat(nameof(inputs), inputs[t], VocabSize)", "inputs");
            w.Close();
            w.Line();
            w.Line("/// <summary>Feeds the prompt, then samples <c>output.Length</c> tokens one at a time (each fed back), allocation-free. The model's outputs are taken as logits.</summary>");
            w.Line("public int Generate(global::System.ReadOnlySpan<int> prompt, global::System.Span<int> output, in global::EdgeRnn.SamplerOptions options) =>");
            w.Line("    global::EdgeRnn.Generation.Generate(ref this, prompt, output, in options);");
            w.Line();

        }
        w.Line("/// <summary>Copies the state into <paramref name=\"destination\"/> of exactly <see cref=\"StateSize\"/> floats (layers in order; per layer h, then c for LSTM).</summary>");
        w.Open($"public readonly void CopyStateTo({Span} destination)");
        w.Line("if (destination.Length != StateSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(destination), StateSize, destination.Length, \"StateSize\");");
        w.Line($"(({ReadOnlySpan})_state).Slice(0, StateSize).CopyTo(destination);");
        w.Close();
        w.Line();

        w.Line("/// <summary>Replaces the state from <paramref name=\"source\"/> of exactly <see cref=\"StateSize\"/> floats, in the layout of <see cref=\"CopyStateTo\"/>.</summary>");
        w.Open($"public void LoadState({ReadOnlySpan} source)");
        w.Line("if (source.Length != StateSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(source), StateSize, source.Length, \"StateSize\");");
        w.Line($"source.CopyTo(({Span})_state);");
        w.Close();
        w.Line();

        EmitFinalStateMembers(w, model, "the current state: after Run or Step, PyTorch's h_n");
        w.Line($"public readonly void CopyFinalState({Span} destination)");
        w.Line("{");
        w.Line("    if (destination.Length != FinalStateSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(destination), FinalStateSize, destination.Length, \"FinalStateSize\");");
        int stateOffset = 0, finalOffset = 0;
        foreach (var layer in model.Layers)
        {
            if (layer.IsRecurrent)
            {
                // h comes first in each recurrent layer's state (then c for LSTM).
                w.Line($"    (({ReadOnlySpan})_state).Slice({stateOffset}, {layer.OutputSize}).CopyTo(destination.Slice({finalOffset}, {layer.OutputSize}));");
                finalOffset += layer.OutputSize;
            }
            stateOffset += layer.StateSize;
        }
        w.Line("}");
        w.Line();
    }

    /// <summary>FinalStateSize and its interface members; the caller writes CopyFinalState's body.</summary>
    private static void EmitFinalStateMembers(SourceWriter w, ModelSpec model, string source)
    {
        w.Line("/// <summary>Floats of the final hidden state h_n (<see cref=\"CopyFinalState\"/>): each recurrent layer's h, forward then backward direction, layers in order.</summary>");
        w.Line($"public const int FinalStateSize = {model.FinalStateSize};");
        // Only ISequenceModel has it: IEdgeRnnModel has hand-written implementers, and its state holds h already.
        if (model.IsSequenceOnly) w.Line("static int global::EdgeRnn.ISequenceModel.FinalStateSize => FinalStateSize;");
        w.Line();
        w.Line($"/// <summary>Copies the final hidden state h_n from {source}: <c>[sub-layers · directions, hidden]</c>, layer-major, forward then backward — exactly PyTorch's h_n for a model with one recurrent module.</summary>");
    }

    /// <summary>The outputs span of Run: T rows, or exactly one row (and at least one step) for a many-to-one model.</summary>
    private static void EmitOutputsCheck(SourceWriter w, ModelSpec model, string inputsName)
    {
        if (model.OutputLast)
        {
            w.Line("if (outputs.Length != OutputSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(outputs), OutputSize, outputs.Length, \"OutputSize: this model's output is the last step's only\");");
            w.Line($"if (steps == 0) global::EdgeRnn.ThrowHelper.ThrowNoSteps(nameof({inputsName}));");
        }
        else
        {
            w.Line("if (outputs.Length != steps * OutputSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(outputs), steps * OutputSize, outputs.Length, $\"{steps} steps × OutputSize {OutputSize}\");");
        }
    }

    private static void EmitTokenRunBody(SourceWriter w, ModelSpec model, string count, string tokenAt, string name)
    {
        w.Line($"int steps = {count};");
        EmitOutputsCheck(w, model, name);
        // Check every id before touching the state: a bad id leaves the model as it was.
        w.Line($"for (int t = 0; t < steps; t++) if ((uint)({tokenAt}) >= (uint)VocabSize) global::EdgeRnn.ThrowHelper.ThrowTokenOutOfRange(nameof({name}), {tokenAt}, VocabSize);");
        w.Line($"{Span} scratch = _scratch;");
        w.Open("for (int t = 0; t < steps; t++)");
        w.Line($"int token = {tokenAt};");
        w.Line(model.OutputLast
            ? $"StepCore({EmbeddingKind.TableField}.Slice(token * EmbeddingSize, EmbeddingSize), outputs, scratch);"
            : $"StepCore({EmbeddingKind.TableField}.Slice(token * EmbeddingSize, EmbeddingSize), outputs.Slice(t * OutputSize, OutputSize), scratch);");
        w.Close();
    }

    /// <summary>
    /// <c>Prepare()</c>: one Step and one single-step Run on a throwaway instance, so the JIT compiles the hot path
    /// (fully optimised: it is marked AggressiveOptimization) and the weights are unpacked before the first real call.
    /// </summary>
    private static void EmitPrepare(SourceWriter w, TargetSpec target, ModelSpec model)
    {
        bool streaming = !model.IsSequenceOnly;
        w.Line("/// <summary>");
        w.Line($"/// Compiles the {(streaming ? "step and run paths" : "run path")} and unpacks the weights now, on a throwaway instance, so the first real");
        w.Line($"/// {(streaming ? "Step" : "Run")} runs at full speed: call it once at start-up, before a real-time loop (an audio callback) starts. The");
        w.Line("/// first call costs what the JIT takes to compile the model (milliseconds; nothing under NativeAOT), later calls about one step.");
        w.Line("/// </summary>");
        w.Open("public static void Prepare()");
        // The switches the step code branches on are static readonly: read first, so they are initialised when the
        // JIT compiles the step below and it folds them (only the taken path is compiled).
        w.Line("_ = global::EdgeRnn.Kernels.SimdPaths.FixedSteps;");
        w.Line($"{target.Type.Name} model = default;");
        // On the stack unless large (a vocabulary of logits): Prepare runs once, so one array there is no cost.
        static string Buffer(int size, string constant) => size <= 4096 ? $"stackalloc float[{constant}]" : $"new float[{constant}]";
        w.Line($"{Span} output = {Buffer(model.OutputSize, "OutputSize")};");
        if (model.Embedding is not null && streaming)
        {
            w.Line("model.Step(0, output);");
            w.Line("model.Run(stackalloc int[1], output);");
        }
        else
        {
            w.Line($"{Span} input = {Buffer(model.InputSize, "InputSize")};");
            if (streaming) w.Line("model.Step(input, output);");
            w.Line("model.Run(input, output);");
        }
        w.Close();
        w.Line();
    }
}
