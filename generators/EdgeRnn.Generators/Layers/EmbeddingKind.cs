using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// nn.Embedding, the first layer of a token model: <c>weight</c> [V, E]; each token id selects a row, which is the
/// first recurrent layer's input. Not a step layer: the model's token API reads the table (<see cref="TableField"/>).
/// </summary>
internal sealed class EmbeddingKind : LayerKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_embeddings", "embedding_dim", "name"];

    /// <summary>The generated member holding the table, row-major [VocabSize, EmbeddingSize].</summary>
    public const string TableField = "Embedding";

    public override string TypeName => "embedding";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override int SubLayerCount(LayerDecl decl) => 0;

    public override LayerDecl Parse(LayerFields fields, LayerDecl decl) => decl with
    {
        Prefix = fields.String("prefix") ?? "",
        StatedInputSize = fields.Integer("num_embeddings", 1),
        StatedOutputSize = fields.Integer("embedding_dim", 1),
    };

    /// <param name="previousWidth">Unused: the embedding comes first. The stated vocabulary is checked by <see cref="BuildTable"/>.</param>
    public override LayerSpec? Build(ModelBuilder b, LayerDecl decl, int subLayer, int previousWidth) => BuildTable(b, decl, null);

    public LayerSpec? BuildTable(ModelBuilder b, LayerDecl decl, int? statedVocab)
    {
        string wName = ModelBuilder.Name(decl.Prefix, "weight");
        var w = b.Use(wName, "[vocab, dim]", "the embedding table");
        if (w is null) return null;
        if (w.Shape.Length != 2 || w.Shape[0] == 0 || w.Shape[1] == 0)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, wName, "[vocab, dim]", w.ShapeText, "an embedding table is a matrix");
            return null;
        }
        int vocab = w.Shape[0], dim = w.Shape[1];
        if (statedVocab is int v && v != vocab)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, "input.vocab", v, vocab, wName, w.ShapeText);
        if (decl.StatedInputSize is int n && n != vocab)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} num_embeddings", n, vocab, wName, w.ShapeText);
        if (decl.StatedOutputSize is int d && d != dim)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} embedding_dim", d, dim, wName, w.ShapeText);
        return new LayerSpec(this, decl.Prefix.Length == 0 ? TypeName : decl.Prefix, vocab, dim, Activation.None,
            w.Data, EquatableArray<float>.Empty, EquatableArray<float>.Empty, EquatableArray<float>.Empty) { CellSize = dim };
    }

    public override LayerFootprint Footprint(LayerSpec layer) => default;

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights) =>
        weights.Vector(TableField, layer.InputWeights.AsSpan().ToArray());

    // The token API reads a row of the table and hands it to the first layer: no call of its own.
    public override string StepCall(LayerSpec layer, StepSite site) => throw new System.InvalidOperationException("the embedding has no step call");

    public override string ChunkCall(LayerSpec layer, ChunkSite site) => throw new System.InvalidOperationException("the embedding has no chunk call");
}
