using System.Collections.Generic;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// What every recurrent cell kind shares: state h (kinds with more add theirs), <c>num_layers</c> stacked sub-layers,
/// and the manifest fields of a stack (<c>prefix</c>, <c>num_layers</c>, <c>input_size</c>, <c>hidden_size</c>, <c>bias</c>).
/// </summary>
internal abstract class StackedKind : LayerKind
{
    public override bool IsRecurrent => true;

    public override int SubLayerCount(LayerDecl decl) => decl.NumLayers;

    public override IEnumerable<(string Name, int Size)> StateParts(LayerSpec layer) => [("h", layer.OutputSize)];

    public override string Describe(LayerDecl decl, int subLayer) => $"{TypeName} sub-layer {subLayer}";

    /// <summary>The stack's fields; a kind adds its own in <see cref="ParseKindFields"/>.</summary>
    public sealed override LayerDecl Parse(LayerFields fields, LayerDecl decl)
    {
        decl = decl with
        {
            Prefix = fields.String("prefix") ?? "",
            NumLayers = fields.Integer("num_layers", 1) ?? 1,
            StatedInputSize = fields.Integer("input_size", 1),
            StatedOutputSize = fields.Integer("hidden_size", 1),
            StatedBias = fields.Bool("bias"),
        };
        return ParseKindFields(fields, decl);
    }

    protected virtual LayerDecl ParseKindFields(LayerFields fields, LayerDecl decl) => decl;
}
