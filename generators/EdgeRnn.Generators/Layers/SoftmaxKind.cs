using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>softmax / log_softmax over the previous layer's outputs (no weights).</summary>
internal sealed class SoftmaxKind(bool log) : LayerKind
{
    private static readonly string[] s_properties = ["type", "name"];

    public bool Log { get; } = log;

    public override string TypeName => Log ? "log_softmax" : "softmax";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override LayerDecl Parse(LayerFields fields, LayerDecl decl) => decl;

    public override string FirstWeightName(LayerDecl decl, int subLayer) => "(no weights)";

    public override LayerSpec? Build(ModelBuilder b, LayerDecl decl, int subLayer, int previousWidth)
    {
        if (previousWidth <= 0)
        {
            b.Report(Descriptors.InvalidManifestValue, b.ManifestName, $"layer {decl.Index}: a {TypeName} needs a layer before it");
            return null;
        }
        return new LayerSpec(this, TypeName, previousWidth, previousWidth, Activation.None,
            EquatableArray<float>.Empty, EquatableArray<float>.Empty, EquatableArray<float>.Empty, EquatableArray<float>.Empty) { CellSize = previousWidth };
    }

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        int padded = KernelLayout.Padded(layer.OutputSize);
        return new(0, 0, padded, padded, padded);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights) { }

    public override string StepCall(LayerSpec layer, StepSite s) =>
        $"{Kernels}.Cells.Softmax({s.Input}, {s.Output}.Slice(0, {layer.OutputSize}), log: {Bool(Log)})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) =>
        $"{Kernels}.Sequences.Softmax({s.Input}, {s.InputStride}, n, {s.Output}, {s.OutputStride}, {layer.OutputSize}, log: {Bool(Log)})";
}
