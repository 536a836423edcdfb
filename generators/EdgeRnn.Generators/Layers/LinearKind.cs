using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>nn.Linear with an optional activation: y = act(W x + b), <c>weight</c> [out, in], <c>bias</c> [out] or none.</summary>
internal sealed class LinearKind : LayerKind
{
    private static readonly string[] s_properties = ["type", "prefix", "activation", "in_features", "out_features", "output_size", "bias", "name"];

    public override string TypeName => "linear";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override LayerDecl Parse(LayerFields fields, LayerDecl decl)
    {
        string activation = fields.String("activation") ?? "none";
        var known = DenseActivation(activation);
        if (known is null) fields.Invalid("activation", $"unknown activation \"{activation}\"; supported: none (or linear), tanh, sigmoid, relu");
        return decl with
        {
            Prefix = fields.String("prefix") ?? "",
            StatedBias = fields.Bool("bias"),
            StatedInputSize = fields.Integer("in_features", 1),
            StatedOutputSize = fields.Integer("out_features", 1) ?? fields.Integer("output_size", 1),
            Activation = known ?? Activation.None,
        };
    }

    /// <summary>A dense layer's activation by name — the manifest's and RTNeural's alike; null when unknown.</summary>
    public static Activation? DenseActivation(string name) => name switch
    {
        "none" or "linear" => Activation.None,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "relu" => Activation.Relu,
        _ => null,
    };

    public override LayerSpec? Build(ModelBuilder b, LayerDecl decl, int subLayer, int previousWidth)
    {
        string wName = ModelBuilder.Name(decl.Prefix, "weight");
        var w = b.Use(wName, "[out, in]", "the weights of a linear layer");
        if (w is null) return null;
        if (w.Shape.Length != 2 || w.Shape[0] == 0 || w.Shape[1] == 0)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, wName, "[out, in]", w.ShapeText, "a linear layer's weight is a matrix");
            return null;
        }
        int output = w.Shape[0], input = w.Shape[1];
        if (decl.StatedOutputSize is int so && so != output)
            b.ReportAt(Descriptors.StatedSizeMismatch, decl.Location, b.ManifestName, $"layer {decl.Index} out_features", so, output, wName, w.ShapeText);
        if (decl.StatedInputSize is int si && si != input)
            b.ReportAt(Descriptors.StatedSizeMismatch, decl.Location, b.ManifestName, $"layer {decl.Index} in_features", si, input, wName, w.ShapeText);

        string bName = ModelBuilder.Name(decl.Prefix, "bias");
        EquatableArray<float> bias = EquatableArray<float>.Empty;
        if (b.TryGetTensor(bName, out var bt))
        {
            b.MarkUsed(bName);
            if (decl.StatedBias == false)
                b.ReportAt(Descriptors.StatedSizeMismatch, decl.Location, b.ManifestName, $"layer {decl.Index} bias", "false", "a bias", bName, bt.ShapeText);
            if (bt.Shape.Length != 1 || bt.Shape[0] != output)
            {
                b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, bName, $"[{output}]", bt.ShapeText, $"one bias per output of '{wName}'");
                return null;
            }
            if (!b.CheckFinite(bt)) return null;
            bias = bt.Data;
        }
        else if (decl.StatedBias == true)
        {
            b.Report(Descriptors.MissingTensor, b.ManifestName, bName, $"[{output}]", b.WeightsName, "the manifest states \"bias\": true");
            return null;
        }
        string name = decl.Prefix.Length == 0 ? TypeName : decl.Prefix;
        return new LayerSpec(this, name, input, output, decl.Activation, w.Data,
            EquatableArray<float>.Empty, bias, EquatableArray<float>.Empty) { CellSize = output };
    }

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        int padded = KernelLayout.Padded(layer.OutputSize);
        return new(0, 0, padded, padded, padded);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights)
    {
        weights.Matrix($"{name}Weights", WeightPacking.Panels(layer.InputWeights, layer.OutputSize, layer.InputSize));
        weights.Vector($"{name}Bias", WeightPacking.Bias(layer.InputBias, layer.OutputSize));
        // The fixed step's copy: row-major, rows zero-padded to whole Vector256s, one dot product per output.
        if (HasFixedStep(layer))
            weights.Matrix($"{name}Rows", WeightPacking.PaddedRows(layer.InputWeights, layer.OutputSize, layer.InputSize, FixedRowAlignment));
    }

    /// <summary>
    /// Most outputs given fixed step code. A head this narrow (the amp models' one output, a few classes) wastes most
    /// of a 16-row panel in the general kernel; wider layers fill their panels.
    /// </summary>
    public const int FixedStepMaxOutputs = 4;

    private const int FixedRowAlignment = 8;

    public override bool HasFixedStep(LayerSpec layer) => layer.OutputSize <= FixedStepMaxOutputs;

    /// <summary>
    /// y = act(W x + b): one dot product per output, the input read a vector at a time and its last, partial vector
    /// lane by lane (x is exactly I floats: a state's h, an earlier layer's output or the input).
    /// </summary>
    public override void EmitFixedStep(SourceWriter w, LayerSpec layer, string name)
    {
        int inputs = layer.InputSize, outputs = layer.OutputSize, stride = (inputs + FixedRowAlignment - 1) / FixedRowAlignment * FixedRowAlignment;
        w.Line(WeightsRef("rows", $"{name}Rows"));
        w.Line(WeightsRef("bias", $"{name}Bias"));
        FixedStep.EmitDispatch(w, registerBound: false, (v, _) =>
        {
            int whole = inputs / v.Lanes, tail = inputs - whole * v.Lanes;
            w.Line($"// {(outputs == 1 ? "The output" : $"Each of the {outputs} outputs")}: a dot product of its row with x ({whole} whole vector{(whole == 1 ? "" : "s")}{(tail > 0 ? $" and {tail} float{(tail == 1 ? "" : "s")}" : "")})");
            for (int o = 0; o < outputs; o++)
                w.Line($"var s{o} = global::System.Runtime.Intrinsics.{v.Name}<float>.Zero;");
            if (whole <= FixedStep.UnrollLimit)
            {
                for (int k = 0; k < whole; k++)
                {
                    w.OpenBlock();
                    w.Line($"var e = {v.Load("x", (k * v.Lanes).ToString())};");
                    for (int o = 0; o < outputs; o++)
                        w.Line($"s{o} = {v.Fma(v.Load("rows", (o * stride + k * v.Lanes).ToString()), "e", $"s{o}")};");
                    w.Close();
                }
            }
            else
            {
                w.Open($"for (nuint k = 0; k < {whole * v.Lanes}; k += {v.Lanes})");
                w.Line($"var e = {v.Load("x", "k")};");
                for (int o = 0; o < outputs; o++)
                    w.Line($"s{o} = {v.Fma(v.Load("rows", o == 0 ? "k" : $"k + {o * stride}"), "e", $"s{o}")};");
                w.Close();
            }
            if (tail > 0)
            {
                // The rows are zero past I, the partial vector zero past x's end.
                w.OpenBlock();
                w.Line($"var e = {v.LoadPartial("x", whole * v.Lanes, tail)};");
                for (int o = 0; o < outputs; o++)
                    w.Line($"s{o} = {v.Fma(v.Load("rows", (o * stride + whole * v.Lanes).ToString()), "e", $"s{o}")};");
                w.Close();
            }
            for (int o = 0; o < outputs; o++)
                w.Line($"{VectorWidth.Element("y", o.ToString())} = {ScalarActivation(layer.Activation, $"{v.T}.Sum(s{o}) + {VectorWidth.Element("bias", o.ToString())}")};");
        });
    }

    private static string ScalarActivation(Activation activation, string value) => activation switch
    {
        Activation.None => value,
        _ => $"{Kernels}.Activations.{activation}({value})",
    };

    public override string StepCall(LayerSpec layer, StepSite s) =>
        $"{Kernels}.Cells.Linear({s.Weights}Weights, {s.Weights}Bias, {s.Input}, {s.Output}, {layer.OutputSize}, {Kernels}.ActivationKind.{layer.Activation})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) =>
        $"{Kernels}.Sequences.Linear({s.Weights}Weights, {s.Weights}Bias, {s.Input}, {s.InputStride}, n, {s.Output}, {layer.OutputSize}, {Kernels}.ActivationKind.{layer.Activation})";
}
