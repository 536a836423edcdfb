using System.Collections.Generic;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// nn.GRU (gates r, z, n): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h′ = (1 − z)⊙n + z⊙h, with the gate rows
/// interleaved in blocks (EdgeRnn.Kernels.GateBlocks). Keras' reset_after=False (r multiplies h before the recurrent
/// product, <see cref="LayerSpec.ResetAfter"/> false) keeps the r,z rows and the n rows as separate gate-major matrices.
/// </summary>
internal sealed class GruKind : RecurrentKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "bidirectional", "reset_after", "name"];

    public override string TypeName => "gru";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override int Gates => 3;

    /// <summary>Keras saves GRU gates z, r, h; PyTorch's order is r, z, n.</summary>
    public override int[]? KerasGateOrder => [1, 0, 2];

    protected override LayerDecl ParseRecurrentFields(LayerFields fields, LayerDecl decl) =>
        decl with { StatedResetAfter = fields.Bool("reset_after") };

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        int h = layer.OutputSize;
        if (!layer.ResetAfter)
        {
            int gates = KernelLayout.Padded(Gates * h);
            // r,z gates, n gates (each padded) and r⊙h.
            return new(gates, KernelLayout.Padded(2 * h) + KernelLayout.Padded(h) + h, 0, gates, h);
        }
        int rows = KernelLayout.InterleavedRows(h, Gates);
        return new(rows, rows / Gates, 0, rows, h);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights)
    {
        int h = layer.OutputSize, rows = Gates * h;
        if (!layer.ResetAfter)
        {
            weights.Comment($"{name} recurrent weights: rows r,z here; rows n in {name}CandidateWeights.");
            weights.Matrix($"{name}InputWeights", WeightPacking.Panels(layer.InputWeights, rows, layer.InputSize));
            weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(WeightPacking.Rows(layer.RecurrentWeights, 0, 2 * h, h), 2 * h, h));
            weights.Matrix($"{name}CandidateWeights", WeightPacking.Panels(WeightPacking.Rows(layer.RecurrentWeights, 2 * h, h, h), h, h));
            weights.Vector($"{name}InputBias", WeightPacking.Bias(layer.InputBias, rows));
            weights.Vector($"{name}RecurrentBias", WeightPacking.Bias(WeightPacking.Rows(layer.RecurrentBias, 0, 2 * h, 1), 2 * h));
            weights.Vector($"{name}CandidateBias", WeightPacking.Bias(WeightPacking.Rows(layer.RecurrentBias, 2 * h, h, 1), h));
            return;
        }
        // b_hn sits inside the r product, so the input and recurrent biases stay apart.
        int blocked = KernelLayout.InterleavedRows(h, Gates);
        weights.Matrix($"{name}InputWeights", WeightPacking.Panels(WeightPacking.InterleaveGates(layer.InputWeights, Gates, h, layer.InputSize), blocked, layer.InputSize));
        weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(WeightPacking.InterleaveGates(layer.RecurrentWeights, Gates, h, h), blocked, h, KernelLayout.BlockUnits(Gates) * Gates));
        weights.Vector($"{name}InputBias", WeightPacking.Bias(WeightPacking.InterleaveGates(layer.InputBias, Gates, h, 1), blocked));
        weights.Vector($"{name}RecurrentBias", WeightPacking.Bias(WeightPacking.InterleaveGates(layer.RecurrentBias, Gates, h, 1), blocked));
    }

    public override string StepCall(LayerSpec layer, StepSite s) => layer.ResetAfter
        ? $"{Kernels}.Cells.Gru({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Input}, {s.H}, {s.Gates}, {s.Work})"
        : $"{Kernels}.Cells.GruResetBefore({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}CandidateWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Weights}CandidateBias, {s.Input}, {s.H}, {s.Gates}, {s.Work})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) => layer.ResetAfter
        ? $"{Kernels}.Sequences.Gru({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Input}, {s.InputStride}, n, {s.H}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})"
        : $"{Kernels}.Sequences.GruResetBefore({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}CandidateWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Weights}CandidateBias, {s.Input}, {s.InputStride}, n, {s.H}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})";
}
