using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// What PyTorch's nn.LSTM, nn.GRU and nn.RNN share (torch.nn.RNNBase): <c>num_layers</c> stacked sub-layers with
/// tensors <c>weight_ih_l{k}</c> [G·H, I], <c>weight_hh_l{k}</c> [G·H, H], both biases or neither, and a
/// <c>_reverse</c> set per sub-layer when bidirectional.
/// </summary>
internal abstract class RecurrentKind : StackedKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "bidirectional", "name"];

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override string FirstWeightName(LayerDecl decl, int subLayer) => ModelBuilder.Name(decl.Prefix, $"weight_ih_l{subLayer}");

    /// <summary>PyTorch's modules add <c>bidirectional</c>; LSTM and GRU add theirs through <see cref="ParseRecurrentFields"/>.</summary>
    protected sealed override LayerDecl ParseKindFields(LayerFields fields, LayerDecl decl) =>
        ParseRecurrentFields(fields, decl with { Bidirectional = fields.Bool("bidirectional") == true });

    protected virtual LayerDecl ParseRecurrentFields(LayerFields fields, LayerDecl decl) => decl;

    public override LayerSpec? Build(ModelBuilder b, LayerDecl decl, int subLayer, int previousWidth)
    {
        var forward = BuildDirection(b, decl, subLayer, "");
        if (forward is null || !decl.Bidirectional) return forward;
        var reverse = BuildDirection(b, decl, subLayer, "_reverse");
        if (reverse is null) return null;
        if (reverse.InputSize != forward.InputSize || reverse.OutputSize != forward.OutputSize || reverse.CellSize != forward.CellSize)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, ModelBuilder.Name(decl.Prefix, $"weight_ih_l{subLayer}_reverse"),
                $"[{Gates * forward.CellSize}, {forward.InputSize}]", TensorSpec.FormatShape(reverse.InputWeights.Length == 0 ? [] : [Gates * reverse.CellSize, reverse.InputSize]),
                "the reverse direction has the forward direction's sizes");
            return null;
        }
        return forward with { Reverse = reverse };
    }

    /// <summary>
    /// The recurrent matrix of one direction: <c>weight_hh_l{k}</c> [G·H, H] and the cell and output widths it gives;
    /// LSTM overrides it for proj_size.
    /// </summary>
    protected virtual (TensorSpec Hh, int Cell, int Width, EquatableArray<float> Projection)? RecurrentMatrix(ModelBuilder b, LayerDecl decl, int k, string suffix)
    {
        string gateText = Gates == 1 ? "H" : $"{Gates}·H";
        string hhName = ModelBuilder.Name(decl.Prefix, $"weight_hh_l{k}{suffix}");
        var hh = b.Use(hhName, $"[{gateText}, H]", $"the recurrent weights of {TypeName} sub-layer {k}");
        if (hh is null) return null;
        int cell = hh.Shape.Length == 2 ? hh.Shape[1] : 0;
        if (hh.Shape.Length != 2 || hh.Shape[0] != (long)Gates * cell || cell == 0)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, hhName, $"[{gateText}, H]", hh.ShapeText,
                $"{(TypeName == "lstm" ? "an" : "a")} {TypeName} layer keeps {Gates} gate{(Gates > 1 ? "s" : "")} per hidden unit");
            return null;
        }
        if (decl.StatedOutputSize is int statedHidden && statedHidden != cell)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} hidden_size", statedHidden, cell, hhName, hh.ShapeText);
        return (hh, cell, cell, EquatableArray<float>.Empty);
    }

    /// <summary>One direction of sub-layer <paramref name="k"/>: tensors named …_l{k} plus <paramref name="suffix"/> ("" or "_reverse").</summary>
    private LayerSpec? BuildDirection(ModelBuilder b, LayerDecl decl, int k, string suffix)
    {
        if (RecurrentMatrix(b, decl, k, suffix) is not { } recurrent) return null;
        var (hh, cell, hidden, projection) = recurrent;
        string hhName = hh.Name;
        int rows = Gates * cell;

        string ihName = ModelBuilder.Name(decl.Prefix, $"weight_ih_l{k}{suffix}");
        var ih = b.Use(ihName, $"[{rows}, I]", $"the input weights of {TypeName} sub-layer {k}");
        if (ih is null) return null;
        if (ih.Shape.Length != 2 || ih.Shape[0] != rows || ih.Shape[1] == 0)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, ihName, $"[{rows}, I]", ih.ShapeText,
                $"{Gates} gate{(Gates > 1 ? "s" : "")} × hidden size {cell} from '{hhName}'");
            return null;
        }
        int input = ih.Shape[1];
        int below = decl.Bidirectional ? 2 * hidden : hidden;
        if (k > 0 && input != below)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, ihName, $"[{rows}, {below}]", ih.ShapeText,
                $"stacked sub-layer {k} takes the {(decl.Bidirectional ? "[forward ‖ backward] " : "")}output of sub-layer {k - 1}");
            return null;
        }
        if (k == 0 && decl.StatedInputSize is int statedInput && statedInput != input)
            b.ReportAt(Descriptors.StatedSizeMismatch, decl.Location, b.ManifestName, $"layer {decl.Index} input_size", statedInput, input, ihName, ih.ShapeText);

        var (biasIh, biasHh) = b.Biases(decl, ModelBuilder.Name(decl.Prefix, $"bias_ih_l{k}{suffix}"), ModelBuilder.Name(decl.Prefix, $"bias_hh_l{k}{suffix}"), rows);
        if (biasIh is null) return null;

        string name = (decl.Prefix.Length == 0 ? TypeName : decl.Prefix) + (decl.NumLayers > 1 ? $" l{k}" : "");
        return new LayerSpec(this, name, input, hidden, decl.Activation, ih.Data, hh.Data, biasIh.Value, biasHh!.Value)
        {
            ResetAfter = !decl.ResetBefore,
            ProjectionWeights = projection,
            CellSize = cell,
        };
    }

    /// <summary>A <c>_reverse</c> tensor means a bidirectional module the manifest doesn't declare as such.</summary>
    public override void CheckDeclaration(ModelBuilder b, LayerDecl decl)
    {
        string reverse = ModelBuilder.Name(decl.Prefix, "weight_ih_l0_reverse");
        if (!decl.Bidirectional && b.TryGetTensor(reverse, out var r))
            b.ReportAt(Descriptors.InvalidManifestValue, decl.Location, b.ManifestName,
                $"layer {decl.Index}: '{reverse}' {r.ShapeText} shows a bidirectional module; add \"bidirectional\": true to the layer");
    }
}
