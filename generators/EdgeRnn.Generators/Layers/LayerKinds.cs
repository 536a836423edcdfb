using System.Collections.Generic;
using System.Linq;

namespace EdgeRnn.Generators.Layers;

/// <summary>The registry: every layer type the manifest accepts. Adding a kind is its file plus one line here.</summary>
internal static class LayerKinds
{
    public static readonly EmbeddingKind Embedding = new();
    public static readonly LstmKind Lstm = new();
    public static readonly GruKind Gru = new();
    public static readonly RnnKind Rnn = new();
    public static readonly LinearKind Linear = new();
    public static readonly SoftmaxKind Softmax = new(log: false);
    public static readonly SoftmaxKind LogSoftmax = new(log: true);
    public static readonly MutKind Mut1 = new(1), Mut2 = new(2), Mut3 = new(3);

    public static readonly IReadOnlyList<LayerKind> All = [Embedding, Lstm, Gru, Rnn, Mut1, Mut2, Mut3, Linear, Softmax, LogSoftmax];

    /// <summary>The kind a manifest <c>"type"</c> names; null when unknown.</summary>
    public static LayerKind? FromTypeName(string type) => All.FirstOrDefault(k => k.TypeName == type);

    /// <summary>"embedding, lstm, gru, …" for messages.</summary>
    public static string TypeNames => string.Join(", ", All.Select(k => k.TypeName));
}
