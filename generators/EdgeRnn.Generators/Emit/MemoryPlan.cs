using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// Where the generated code's temporaries live, from each layer's <see cref="Layers.LayerFootprint"/>.
/// Step: one scratch span in the struct — gates [0, WorkOffset), the second work area, then a padded output row
/// per layer without state, then the gain-scaled input. Run: a stack chunk of <see cref="ChunkSteps"/> steps —
/// every step's gates, and two ping-pong buffers of layer outputs.
/// </summary>
internal sealed class MemoryPlan
{
    /// <summary>Steps per Run chunk at most; fewer when a step's rows are wide (the chunk stays about 48 KB of stack).</summary>
    private const int MaxChunkSteps = 8;

    private const int ChunkFloatsBudget = 12288;

    public MemoryPlan(ModelSpec model)
    {
        int gates = 0, work = 0;
        foreach (var layer in model.Layers)
        {
            var f = layer.Kind.Footprint(layer);
            gates = System.Math.Max(gates, f.StepGates);
            work = System.Math.Max(work, f.StepWork);
        }
        WorkOffset = gates;
        int offset = gates + work;
        StepOutputOffsets = new int[model.Layers.Length];
        for (int i = 0; i < model.Layers.Length; i++)
        {
            var f = model.Layers[i].Kind.Footprint(model.Layers[i]);
            if (f.StepOutput == 0) continue;
            StepOutputOffsets[i] = offset;
            offset += f.StepOutput;
        }
        ScaledInputOffset = offset;
        if (model.InputGain != 1f) offset += model.InputSize;
        Total = System.Math.Max(1, offset);

        int maxRows = 0, maxWidth = model.InputSize;
        foreach (var layer in model.Layers)
        {
            var f = layer.Kind.Footprint(layer);
            maxRows = System.Math.Max(maxRows, f.ChunkRowsPerStep);
            maxWidth = System.Math.Max(maxWidth, f.OutputStride);
        }
        ChunkSteps = System.Math.Max(1, System.Math.Min(MaxChunkSteps, ChunkFloatsBudget / (maxRows + 2 * maxWidth)));
        ChunkGatesSize = ChunkSteps * maxRows;
        ChunkBufferSize = ChunkSteps * maxWidth;
        ChunkTotal = ChunkGatesSize + 2 * ChunkBufferSize + (model.InputGain != 1f ? ChunkSteps * model.InputSize : 0);
    }

    /// <summary>Floats of the per-step scratch span.</summary>
    public int Total { get; }

    /// <summary>Start of the second work area (after the largest gate rows).</summary>
    public int WorkOffset { get; }

    /// <summary>Start of each stateless layer's output row (0 for recurrent layers, whose output is h).</summary>
    public int[] StepOutputOffsets { get; }

    public int ScaledInputOffset { get; }

    public int ChunkSteps { get; }
    public int ChunkGatesSize { get; }
    public int ChunkBufferSize { get; }
    public int ChunkTotal { get; }
}
