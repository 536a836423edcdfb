using System.Collections.Generic;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>nn.RNN (Elman): h′ = tanh or relu(W_ih x + b_ih + W_hh h + b_hh).</summary>
internal sealed class RnnKind : RecurrentKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "bidirectional", "nonlinearity", "name"];

    public override string TypeName => "rnn";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    protected override LayerDecl ParseRecurrentFields(LayerFields fields, LayerDecl decl)
    {
        string nonlinearity = fields.String("nonlinearity") ?? "tanh";
        switch (nonlinearity)
        {
            case "tanh": return decl with { Activation = Activation.Tanh };
            case "relu": return decl with { Activation = Activation.Relu };
            default:
                fields.Invalid("nonlinearity", $"unknown nonlinearity \"{nonlinearity}\"; supported: tanh, relu");
                return decl with { Activation = Activation.Tanh };
        }
    }

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        int rows = KernelLayout.Padded(layer.OutputSize);
        return new(rows, 0, 0, rows, layer.OutputSize);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights)
    {
        int rows = layer.OutputSize;
        weights.Matrix($"{name}InputWeights", WeightPacking.Panels(layer.InputWeights, rows, layer.InputSize));
        weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(layer.RecurrentWeights, rows, layer.OutputSize));
        // b_ih + b_hh folded once: only ever added.
        weights.Vector($"{name}Bias", WeightPacking.SumBias(layer.InputBias, layer.RecurrentBias, rows));
    }

    public override string StepCall(LayerSpec layer, StepSite s) =>
        $"{Kernels}.Cells.Rnn({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}Bias, {s.Input}, {s.H}, {s.Gates}, relu: {Bool(layer.Activation == Activation.Relu)})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) =>
        $"{Kernels}.Sequences.Rnn({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}Bias, {s.Input}, {s.InputStride}, n, {s.H}, {s.Gates}, relu: {Bool(layer.Activation == Activation.Relu)}, {s.Output}, {s.OutputStride})";
}
