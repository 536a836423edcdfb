using System.Linq;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Seq2Seq;

/// <summary>The manifest's attention "type" (docs/manifest.md, "Encoder–decoder models").</summary>
internal enum AttentionType { None, Dot, General, Concat, Bahdanau }

/// <summary>How a bidirectional encoder's two final states become one: [h_fwd; h_bwd] or h_fwd + h_bwd.</summary>
internal enum DirectionMerge { Concat, Sum }

// ---- As the manifest states it (sizes still unknown: they come from the tensors) ----------------------------------

/// <summary>A <c>"model": "seq2seq"</c> manifest: an encoder and bridge, or a feature vector (captioning), and a decoder.</summary>
internal sealed record Seq2SeqDecl(EncoderDecl? Encoder, BridgeDecl? Bridge, FeaturesDecl? Features, DecoderDecl Decoder, LocationInfo Location);

/// <param name="Layers">An optional embedding, then one recurrent layer object (with its num_layers).</param>
internal sealed record EncoderDecl(int? StatedVocab, int? StatedInputSize, LocationInfo InputLocation, int MaxLength,
    EquatableArray<LayerDecl> Layers, LocationInfo Location);

/// <param name="Prefix">The module holding the linears <c>h</c> (and <c>c</c>); null: no linear, the merged state is h0.</param>
internal sealed record BridgeDecl(DirectionMerge Directions, string? Prefix, Activation Activation, LocationInfo Location);

internal sealed record FeaturesDecl(int? StatedSize, string Prefix, Activation Activation, bool Feed, LocationInfo Location);

internal sealed record AttentionDecl(AttentionType Type, string Prefix, bool InputFeeding, LocationInfo Location);

internal sealed record DecoderDecl(int? StatedVocab, int StartToken, int StopToken, int MaxLength, int MaxBeam,
    string Embedding, LayerDecl Rnn, AttentionDecl? Attention, string? Combine, string Head,
    LocationInfo Location, LocationInfo StartTokenLocation, LocationInfo StopTokenLocation);

// ---- Built from the weights: everything the emitter needs -------------------------------------------------------

/// <summary>
/// Attention's parameters as the kernels use them: keys k_j = KeyProjection(s_j) are computed once per source
/// (general: W s_j; concat: the W columns over s_j; Bahdanau: Ua s_j + b), the query's projection once per step
/// (concat: the W columns over q; Bahdanau: Wa q + b), then v · tanh(q′ + k_j) + VBias for the additive forms.
/// </summary>
internal sealed record AttentionSpec(AttentionType Type, bool InputFeeding, LayerSpec? KeyProjection, LayerSpec? QueryProjection,
    EquatableArray<float> V, float VBias)
{
    /// <summary>Floats per key row (before padding): Hd for general, A for the additive forms, 0 for dot (keys are the outputs).</summary>
    public int KeySize => KeyProjection?.OutputSize ?? 0;

    public bool IsAdditive => Type is AttentionType.Concat or AttentionType.Bahdanau;

    /// <summary>Bahdanau attends with h_{t−1} before the RNN step and feeds the context in; Luong after, through combine.</summary>
    public bool IsBahdanau => Type == AttentionType.Bahdanau;
}

/// <summary>A complete, validated encoder–decoder model.</summary>
/// <param name="SourceEmbedding">Token sources: the encoder's embedding [Vsrc, E]; null for float steps.</param>
/// <param name="SourceInputSize">Floats per source step (the embedding width for token sources).</param>
/// <param name="EncoderLayers">The encoder's sub-layers in order, a bidirectional one with its <c>Reverse</c>; empty for captioning.</param>
/// <param name="BridgeH">bridge.h (with its activation), or null: the merged state is h0. Likewise BridgeC for c0.</param>
/// <param name="FeaturesH">Captioning: features.h (and FeaturesC for LSTM decoders), with the activation.</param>
internal sealed record Seq2SeqSpec(
    LayerSpec? SourceEmbedding,
    int SourceInputSize,
    int MaxSourceLength,
    EquatableArray<LayerSpec> EncoderLayers,
    DirectionMerge Merge,
    LayerSpec? BridgeH,
    LayerSpec? BridgeC,
    int FeatureSize,
    LayerSpec? FeaturesH,
    LayerSpec? FeaturesC,
    bool FeedFeatures,
    LayerSpec TargetEmbedding,
    EquatableArray<LayerSpec> DecoderLayers,
    AttentionSpec? Attention,
    LayerSpec? Combine,
    LayerSpec Head,
    int StartToken,
    int StopToken,
    int MaxDecodeLength,
    int MaxBeamWidth)
{
    public bool IsCaptioning => EncoderLayers.Length == 0;

    public bool EncoderBidirectional => EncoderLayers.Length > 0 && EncoderLayers[0].Reverse is not null;

    public int Directions => EncoderBidirectional ? 2 : 1;

    /// <summary>He: the encoder's hidden size.</summary>
    public int EncoderHidden => EncoderLayers.Length == 0 ? 0 : EncoderLayers[0].OutputSize;

    /// <summary>De: floats per encoder output row.</summary>
    public int EncoderOutputSize => EncoderLayers.Length == 0 ? 0 : EncoderLayers[0].Width;

    public bool EncoderKeepsCell => EncoderLayers.Length > 0 && EncoderLayers[0].Kind.StateParts(EncoderLayers[0]).Count() > 1;

    /// <summary>Floats of h_n: [layers · directions, He].</summary>
    public int EncoderFinalStateSize => EncoderLayers.Length * Directions * EncoderHidden;

    /// <summary>Dc: the merged final state's width, the bridge's input.</summary>
    public int MergedStateSize => Merge == DirectionMerge.Concat ? Directions * EncoderHidden : EncoderHidden;

    /// <summary>Hd: the decoder's hidden size.</summary>
    public int DecoderHidden => DecoderLayers[0].OutputSize;

    public bool DecoderKeepsCell => DecoderLayers[0].Kind.StateParts(DecoderLayers[0]).Count() > 1;

    public int VocabSize => Head.OutputSize;

    public int TargetEmbeddingSize => TargetEmbedding.OutputSize;

    public bool InputFeeding => Attention is { InputFeeding: true, IsBahdanau: false };

    /// <summary>Floats of the decoder's RNN state: per layer h (and c).</summary>
    public int DecoderRnnStateSize
    {
        get
        {
            int size = 0;
            foreach (var layer in DecoderLayers) size += layer.StateSize;
            return size;
        }
    }

    /// <summary>Floats that change per decoded token: the RNN state, then h̃ with input feeding.</summary>
    public int DecoderStateSize => DecoderRnnStateSize + (InputFeeding ? DecoderHidden : 0);

    /// <summary>Floats of the decoder's first-layer input: the embedding, then h̃ (input feeding) or the context (Bahdanau), then the features (feed).</summary>
    public int DecoderInputSize => TargetEmbeddingSize + (InputFeeding ? DecoderHidden : 0)
        + (Attention is { IsBahdanau: true } ? EncoderOutputSize : 0) + (FeedFeatures ? FeatureSize : 0);
}
