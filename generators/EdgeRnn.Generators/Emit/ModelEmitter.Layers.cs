using System.Globalization;
using EdgeRnn.Generators.Layers;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// The bodies that run the layers: StepCore (one step, state carried), RunChunk (Run's chunks of steps) and
/// RunSequence (bidirectional models). Each layer's kernel call comes from its kind (<see cref="LayerKind.StepCall"/>,
/// <see cref="LayerKind.ChunkCall"/>); this file wires operands, state slices and scratch.
/// </summary>
internal static partial class ModelEmitter
{
    /// <summary>One step of one layer (one direction) with its operands placed by the memory plan.</summary>
    private static string StepCall(LayerSpec layer, string weights, string input, string h, string c, MemoryPlan layout, string output)
    {
        var footprint = layer.Kind.Footprint(layer);
        var site = new StepSite(weights, input, h, c,
            Gates: $"scratch.Slice(0, {footprint.StepGates})",
            Work: $"scratch.Slice({layout.WorkOffset}, {footprint.StepWork})",
            Output: output);
        return layer.Kind.StepCall(layer, site);
    }

    /// <summary>
    /// Models with a bidirectional layer: Run over a whole sequence, layer by layer — each direction from the initial
    /// (zero) state, the backward one from the last step — through two [steps, SequenceWidth] buffers.
    /// </summary>
    private static void EmitSequenceRun(SourceWriter w, ModelSpec model, MemoryPlan layout)
    {
        int width = 0, directionState = 1;
        foreach (var layer in model.Layers)
        {
            width = System.Math.Max(width, layer.IsRecurrent ? layer.Width : layer.Kind.Footprint(layer).OutputStride);
            directionState = System.Math.Max(directionState, layer.StateSize);
        }
        w.Line($"private const int SequenceWidth = {width};");
        w.Line();
        // The final hidden state of the last Run, in the struct: Run keeps nothing else between calls.
        w.Line($"[global::System.Runtime.CompilerServices.InlineArray({System.Math.Max(1, model.FinalStateSize)})]");
        w.Open("private struct FinalStateStorage");
        w.Line("private float _element0;");
        w.Close();
        w.Line("private FinalStateStorage _finalState;");
        w.Line();
        EmitFinalStateMembers(w, model, "the last Run");
        w.Open($"public readonly void CopyFinalState({Span} destination)");
        w.Line("if (destination.Length != FinalStateSize) global::EdgeRnn.ThrowHelper.ThrowLengthMismatch(nameof(destination), FinalStateSize, destination.Length, \"FinalStateSize\");");
        w.Line($"(({ReadOnlySpan})_finalState).Slice(0, FinalStateSize).CopyTo(destination);");
        w.Close();
        w.Line();
        // Two [steps, SequenceWidth] buffers must fit in an int (and a span): beyond this, a clear exception, not a wrapped size.
        w.Line("/// <summary>The longest sequence <see cref=\"Run(global::System.ReadOnlySpan{float}, global::System.Span{float})\"/> takes: its workspace of 2 × steps × SequenceWidth floats must fit in an int.</summary>");
        w.Line($"public const int MaxSequenceSteps = {int.MaxValue / (2 * System.Math.Max(1, width))};");
        w.Line();
        w.Line("/// <summary>Floats of workspace <see cref=\"Run(global::System.ReadOnlySpan{float}, global::System.Span{float}, global::System.Span{float})\"/> needs for a sequence of <paramref name=\"steps\"/> steps.</summary>");
        w.Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"steps\"/> is negative or above <see cref=\"MaxSequenceSteps\"/>.</exception>");
        w.Open("public static int WorkspaceSize(int steps)");
        w.Line("if ((uint)steps > MaxSequenceSteps) throw new global::System.ArgumentOutOfRangeException(nameof(steps), steps, $\"steps must be from 0 to MaxSequenceSteps ({MaxSequenceSteps}): the workspace of 2 × steps × {SequenceWidth} floats must fit in an int.\");");
        w.Line("return 2 * steps * SequenceWidth;");
        w.Close();
        w.Line();
        w.Line("/// <summary>Runs a whole sequence <c>[T, InputSize]</c> → " + (model.OutputLast ? "the last step's <c>[OutputSize]</c>" : "<c>[T, OutputSize]</c>") + ", from the initial state: a bidirectional layer's backward direction reads the sequence from its end, so nothing is carried between calls.</summary>");
        w.Line("/// <remarks>Workspace: on the stack for short sequences, otherwise rented from <see cref=\"global::System.Buffers.ArrayPool{T}.Shared\"/> (no allocation once the pool holds a buffer); pass your own with the three-argument overload.</remarks>");
        w.Line(HotPath);
        w.Open($"public void Run({ReadOnlySpan} inputs, {Span} outputs)");
        w.Line("int steps = CheckRun(inputs, outputs);");
        w.Line("int size = WorkspaceSize(steps);");
        w.Open("if (size <= 8192)");
        w.Line($"{Span} stack = stackalloc float[8192];");
        w.Line("RunSequence(inputs, outputs, steps, stack.Slice(0, size));");
        w.Line("return;");
        w.Close();
        w.Line("float[] rented = global::System.Buffers.ArrayPool<float>.Shared.Rent(size);");
        w.Line("try { RunSequence(inputs, outputs, steps, new global::System.Span<float>(rented, 0, size)); }");
        w.Line("finally { global::System.Buffers.ArrayPool<float>.Shared.Return(rented); }");
        w.Close();
        w.Line();
        w.Line("/// <summary>Run with a caller-provided workspace of at least <see cref=\"WorkspaceSize\"/> floats (a longer one is fine).</summary>");
        w.Line(HotPath);
        w.Open($"public void Run({ReadOnlySpan} inputs, {Span} outputs, {Span} workspace)");
        w.Line("int steps = CheckRun(inputs, outputs);");
        w.Line("int size = WorkspaceSize(steps);");
        w.Line("if (workspace.Length < size) throw new global::System.ArgumentException($\"workspace must hold at least {size} floats (WorkspaceSize({steps})) but has {workspace.Length}.\", nameof(workspace));");
        w.Line("RunSequence(inputs, outputs, steps, workspace.Slice(0, size));");
        w.Close();
        w.Line();
        w.Open($"private static int CheckRun({ReadOnlySpan} inputs, {Span} outputs)");
        w.Line("if (inputs.Length % InputSize != 0) global::EdgeRnn.ThrowHelper.ThrowNotMultiple(nameof(inputs), InputSize, inputs.Length);");
        w.Line("int steps = inputs.Length / InputSize;");
        w.Line("if (steps > MaxSequenceSteps) throw new global::System.ArgumentException($\"inputs holds {steps} steps, more than MaxSequenceSteps ({MaxSequenceSteps}).\", nameof(inputs));");
        EmitOutputsCheck(w, model, "inputs");
        w.Line("return steps;");
        w.Close();
        w.Line();

        w.Line(HotPath);
        w.Open($"private void RunSequence({ReadOnlySpan} x, {Span} y, int steps, {Span} workspace)");
        w.Line($"{Span} finalState = _finalState;");
        w.Line("finalState.Clear();");
        w.Line("if (steps == 0) return;");
        w.Line($"{Span} scratch = stackalloc float[ScratchSize];");
        w.Line($"{Span} state = stackalloc float[{directionState}];");
        w.Line($"{Span} bufferA = workspace.Slice(0, steps * SequenceWidth);");
        w.Line($"{Span} bufferB = workspace.Slice(steps * SequenceWidth, steps * SequenceWidth);");
        string current = "x";
        int stride = model.InputSize;
        int lastRecurrent = -1, finalOffset = 0;
        for (int i = 0; i < model.Layers.Length; i++) if (model.Layers[i].IsRecurrent) lastRecurrent = i;
        // "output": "h_n": after the last recurrent layer, row 0 holds its h_n and the layers after it run on that one row.
        string rows = "steps";
        for (int i = 0; i < model.Layers.Length; i++)
        {
            var layer = model.Layers[i];
            string target = current == "bufferA" ? "bufferB" : "bufferA";
            string input = $"{current}.Slice(t * {stride}, {layer.InputSize})";
            w.Line($"// Layer {i}: {layer.Kind.TypeName} '{Escape(layer.Name)}' {layer.InputSize} -> {layer.Width}{(layer.Reverse is null ? "" : " (bidirectional)")}");
            if (layer.IsRecurrent)
            {
                int h = layer.OutputSize;
                foreach (var (direction, name, loop, offset) in new[]
                {
                    (layer, $"L{i}", "for (int t = 0; t < steps; t++)", 0),
                    (layer.Reverse, $"L{i}R", "for (int t = steps - 1; t >= 0; t--)", h),
                })
                {
                    if (direction is null) continue;
                    w.Line("state.Clear();");
                    w.Open(loop);
                    w.Line(StepCall(direction, name, input, $"state.Slice(0, {h})", $"state.Slice({h}, {layer.CellSize})", layout, "") + ";");
                    w.Line($"state.Slice(0, {h}).CopyTo({target}.Slice(t * SequenceWidth + {offset}, {h}));");
                    w.Close();
                    w.Line($"state.Slice(0, {h}).CopyTo(finalState.Slice({finalOffset + offset}, {h}));");
                }
                if (model.OutputFinalState && i == lastRecurrent)
                {
                    // Row 0's backward half is already the backward final state; its forward half becomes the forward one.
                    w.Line($"finalState.Slice({finalOffset}, {h}).CopyTo({target}.Slice(0, {h}));");
                    rows = "1";
                }
                finalOffset += layer.Width;
            }
            else
            {
                w.Open($"for (int t = 0; t < {rows}; t++)");
                w.Line(StepCall(layer, $"L{i}", input, "", "", layout, $"{target}.Slice(t * SequenceWidth, {layer.Kind.Footprint(layer).StepOutput})") + ";");
                w.Close();
            }
            current = target;
            stride = width;
        }
        w.Open(model.OutputFinalState ? "for (int t = 0; t < 1; t++)" : model.OutputLast ? "for (int t = steps - 1; t < steps; t++)" : "for (int t = 0; t < steps; t++)");
        w.Line($"{ReadOnlySpan} last = {current}.Slice(t * SequenceWidth, OutputSize);");
        w.Line($"{Span} row = y.Slice({(model.OutputLast ? "0" : "t * OutputSize")}, OutputSize);");
        w.Line("last.CopyTo(row);");
        if (model.Skip > 0) w.Line($"for (int i = 0; i < {model.Skip}; i++) row[i] += x[t * InputSize + i];");
        w.Close();
        w.Close();
        w.Line();
    }

    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    /// <summary>Where fixed steps run: SIMD of some width, and not turned off (EDGERNN_FIXED_STEPS=0).</summary>
    private const string FixedStepsCondition = "if (global::System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated && global::EdgeRnn.Kernels.SimdPaths.FixedSteps)";

    /// <summary>Run steps through StepCore when every recurrent layer has a fixed step (see <see cref="FixedLayers"/>).</summary>
    private static bool RunsFixedSteps(ModelSpec model)
    {
        var fixedLayers = FixedLayers(model);
        bool any = false;
        for (int i = 0; i < fixedLayers.Length; i++)
        {
            if (!model.Layers[i].IsRecurrent) continue;
            if (!fixedLayers[i]) return false;
            any = true;
        }
        return any;
    }

    /// <summary>The layers that run fixed step code (<see cref="LayerKind.HasFixedStep"/>; not bidirectional ones).</summary>
    private static bool[] FixedLayers(ModelSpec model)
    {
        var result = new bool[model.Layers.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = model.Layers[i].Reverse is null && model.Layers[i].Kind.HasFixedStep(model.Layers[i]);
        return result;
    }

    private static void EmitStepCore(SourceWriter w, ModelSpec model, MemoryPlan layout)
    {
        var fixedLayers = FixedLayers(model);
        w.Line(HotPath);
        w.Open($"private void StepCore({ReadOnlySpan} input, {Span} output, {Span} scratch)");
        w.Line($"{Span} state = _state;");
        if (model.InputGain != 1f)
        {
            w.Line($"// Input gain {model.InputGain.ToString("R", CultureInfo.InvariantCulture)}: applied before the model and the skip.");
            w.Line($"{Span} scaled = scratch.Slice({layout.ScaledInputOffset}, InputSize);");
            w.Line($"for (int i = 0; i < InputSize; i++) scaled[i] = input[i] * {FloatLiteral(model.InputGain)};");
            w.Line("input = scaled;");
        }
        string current = EmitLayerSteps(w, model, layout, fixedLayers);

        if (model.Skip > 0)
        {
            w.Line($"// Skip: the first {model.Skip} input channel(s) are added to the output.");
            w.Line($"{ReadOnlySpan} last = {current};");
            w.Line($"for (int i = 0; i < {model.Skip}; i++) output[i] = last[i] + input[i];");
            if (model.Skip < model.OutputSize) w.Line($"last.Slice({model.Skip}).CopyTo(output.Slice({model.Skip}));");
        }
        else
        {
            w.Line($"{current}.CopyTo(output);");
        }
        if (model.OutputGain != 1f)
            w.Line($"for (int i = 0; i < OutputSize; i++) output[i] *= {FloatLiteral(model.OutputGain)};");
        w.Close();
        w.Line();
        EmitFixedLayerSteps(w, model, fixedLayers);
    }

    /// <summary>
    /// The layer calls of one step; with fixed layers, twice: their fixed steps where Vector128 is accelerated (the
    /// other layers' kernel calls between them), the general kernels otherwise. Returns the last layer's output span.
    /// </summary>
    private static string EmitLayerSteps(SourceWriter w, ModelSpec model, MemoryPlan layout, bool[] fixedLayers)
    {
        bool anyFixed = System.Array.IndexOf(fixedLayers, true) >= 0;
        if (anyFixed)
        {
            w.Open(FixedStepsCondition);
            w.Line($"ref float stateRef = ref {MemoryMarshal}.GetReference(state);");
            w.Line($"ref float scratchRef = ref {MemoryMarshal}.GetReference(scratch);");
            EmitLayerCalls(w, model, layout, fixedLayers);
            w.Close();
            w.Open("else");
        }
        string current = EmitLayerCalls(w, model, layout, new bool[model.Layers.Length]);
        if (anyFixed) w.Close();
        return current;
    }

    private static string EmitLayerCalls(SourceWriter w, ModelSpec model, MemoryPlan layout, bool[] fixedLayers)
    {
        string current = "input";
        string currentRef = $"{MemoryMarshal}.GetReference(input)";
        int stateOffset = 0;
        for (int i = 0; i < model.Layers.Length; i++)
        {
            var layer = model.Layers[i];
            int h = layer.OutputSize;
            int outputOffset = layout.StepOutputOffsets[i];
            w.Line($"// Layer {i}: {layer.Kind.TypeName} '{Escape(layer.Name)}' {layer.InputSize} -> {h}{(fixedLayers[i] ? ", fixed step" : "")}");
            if (fixedLayers[i])
            {
                w.Line($"L{i}Step(ref {currentRef}, ref {Unsafe}.Add(ref stateRef, {stateOffset}), ref scratchRef, ref {Unsafe}.Add(ref scratchRef, {layout.WorkOffset}), ref {Unsafe}.Add(ref scratchRef, {outputOffset}));");
            }
            else
            {
                w.Line(StepCall(layer, $"L{i}", current, $"state.Slice({stateOffset}, {h})", $"state.Slice({stateOffset + h}, {layer.CellSize})",
                    layout, $"scratch.Slice({outputOffset}, {layer.Kind.Footprint(layer).StepOutput})") + ";");
            }
            current = layer.IsRecurrent ? $"state.Slice({stateOffset}, {h})" : $"scratch.Slice({outputOffset}, {h})";
            currentRef = layer.IsRecurrent ? $"{Unsafe}.Add(ref stateRef, {stateOffset})" : $"{Unsafe}.Add(ref scratchRef, {outputOffset})";
            stateOffset += layer.StateSize;
        }
        return current;
    }

    /// <summary>One method per fixed layer, its body written by the kind (<see cref="LayerKind.EmitFixedStep"/>).</summary>
    private static void EmitFixedLayerSteps(SourceWriter w, ModelSpec model, bool[] fixedLayers)
    {
        for (int i = 0; i < model.Layers.Length; i++)
        {
            if (!fixedLayers[i]) continue;
            var layer = model.Layers[i];
            w.Line($"// Layer {i} ({layer.Kind.TypeName} '{Escape(layer.Name)}', {layer.InputSize} -> {layer.OutputSize}): one step with every size a constant.");
            w.Line(HotPath);
            w.Open($"private static void L{i}Step(ref float x, ref float state, ref float gates, ref float work, ref float y)");
            layer.Kind.EmitFixedStep(w, layer, $"L{i}");
            w.Close();
            w.Line();
        }
    }

    private static void EmitRunChunk(SourceWriter w, ModelSpec model, MemoryPlan layout)
    {
        w.Line(HotPath);
        w.Open($"private void RunChunk({ReadOnlySpan} x, {Span} y, int n, {Span} scratch, {Span} chunk)");
        w.Line($"{Span} state = _state;");
        w.Line($"{Span} gates = chunk.Slice(0, {layout.ChunkGatesSize});");
        w.Line($"{Span} bufferA = chunk.Slice({layout.ChunkGatesSize}, {layout.ChunkBufferSize});");
        w.Line($"{Span} bufferB = chunk.Slice({layout.ChunkGatesSize + layout.ChunkBufferSize}, {layout.ChunkBufferSize});");
        if (model.InputGain != 1f)
        {
            w.Line($"{Span} scaled = chunk.Slice({layout.ChunkGatesSize + 2 * layout.ChunkBufferSize}, n * InputSize);");
            w.Line($"for (int i = 0; i < n * InputSize; i++) scaled[i] = x[i] * {FloatLiteral(model.InputGain)};");
            w.Line("x = scaled;");
        }
        string current = "x";
        int stride = model.InputSize;
        int stateOffset = 0;
        for (int i = 0; i < model.Layers.Length; i++)
        {
            var layer = model.Layers[i];
            int h = layer.OutputSize;
            string target = current == "bufferA" ? "bufferB" : "bufferA";
            w.Line($"// Layer {i}: {layer.Kind.TypeName} '{Escape(layer.Name)}' {layer.InputSize} -> {h}");
            var footprint = layer.Kind.Footprint(layer);
            var site = new ChunkSite($"L{i}", current, stride, $"state.Slice({stateOffset}, {h})", $"state.Slice({stateOffset + h}, {layer.CellSize})",
                "gates", $"scratch.Slice(0, {footprint.StepWork})", target, footprint.OutputStride);
            w.Line(layer.Kind.ChunkCall(layer, site) + ";");
            current = target;
            stride = footprint.OutputStride;
            stateOffset += layer.StateSize;
        }
        w.Open("for (int t = 0; t < n; t++)");
        w.Line($"{ReadOnlySpan} last = {current}.Slice(t * {stride}, OutputSize);");
        w.Line($"{Span} row = y.Slice(t * OutputSize, OutputSize);");
        if (model.Skip > 0)
        {
            w.Line($"{ReadOnlySpan} input = x.Slice(t * InputSize, InputSize);");
            w.Line($"for (int i = 0; i < {model.Skip}; i++) row[i] = last[i] + input[i];");
            if (model.Skip < model.OutputSize) w.Line($"last.Slice({model.Skip}).CopyTo(row.Slice({model.Skip}));");
        }
        else
        {
            w.Line("last.CopyTo(row);");
        }
        if (model.OutputGain != 1f)
            w.Line($"for (int i = 0; i < OutputSize; i++) row[i] *= {FloatLiteral(model.OutputGain)};");
        w.Close();
        w.Close();
        w.Line();
    }
}
