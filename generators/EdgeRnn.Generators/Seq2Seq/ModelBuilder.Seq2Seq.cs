using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Layers;
using EdgeRnn.Generators.Seq2Seq;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// Builds a <c>"model": "seq2seq"</c> manifest against its weights: the encoder's and decoder's recurrent stacks and
/// embeddings through the layer kinds, the bridge, features, attention, combine and head as linears, then checks that
/// the parts fit each other (ERNN0033), that the form is one EdgeRnn runs (ERNN0034) and that the decoder's tokens are
/// in its vocabulary (ERNN0035). The module and tensor names are those of docs/seq2seq-modules.md.
/// </summary>
internal sealed partial class ModelBuilder
{
    private ModelSpec? BuildSeq2Seq(Seq2SeqDecl manifest, EquatableArray<TensorSpec> tensors)
    {
        int errorsBefore = ErrorCount();
        var spec = BuildSeq2SeqParts(manifest);
        ReportUnusedTensors(tensors);
        if (spec is null || ErrorCount() > errorsBefore || !Seq2SeqWithinLimits(spec)) return null;
        return new ModelSpec(spec.SourceInputSize, spec.VocabSize, 0, EquatableArray<LayerSpec>.Empty) { Seq2Seq = spec };
    }

    private Seq2SeqSpec? BuildSeq2SeqParts(Seq2SeqDecl manifest)
    {
        var decoder = manifest.Decoder;
        LayerSpec? sourceEmbedding = null;
        var encoderLayers = new List<LayerSpec>();
        int sourceInput = 0;
        if (manifest.Encoder is { } encoder && !BuildEncoder(encoder, encoderLayers, out sourceEmbedding, out sourceInput)) return null;

        if (decoder.Rnn.Bidirectional)
        {
            ReportAt(Descriptors.UnsupportedSeq2SeqForm, decoder.Rnn.Location, _manifestName, "a bidirectional decoder",
                "the decoder produces one token after another, so it runs forward only; remove \"bidirectional\"");
            return null;
        }
        var decoderLayers = BuildRecurrentStack(decoder.Rnn, -1, "the decoder's \"rnn\"");
        if (decoderLayers is null) return null;
        int hd = decoderLayers[0].OutputSize;
        bool decoderLstm = decoderLayers[0].Kind == LayerKinds.Lstm;

        var targetEmbedding = LayerKinds.Embedding.BuildTable(this,
            new LayerDecl(0, LayerKinds.Embedding, decoder.Embedding, 1, Activation.None, null, null, null, decoder.Location), null);
        var head = Linear(decoder.Head, Activation.None, decoder.Location);
        if (targetEmbedding is null || head is null) return null;

        var spec = new Seq2SeqSpec(sourceEmbedding, sourceInput, manifest.Encoder?.MaxLength ?? 1, new EquatableArray<LayerSpec>([.. encoderLayers]),
            manifest.Bridge?.Directions ?? DirectionMerge.Concat, null, null, 0, null, null, manifest.Features?.Feed ?? false,
            targetEmbedding, new EquatableArray<LayerSpec>([.. decoderLayers]), null, null, head,
            decoder.StartToken, decoder.StopToken, decoder.MaxLength, decoder.MaxBeam);

        if (manifest.Encoder is not null)
        {
            if (encoderLayers.Count != decoderLayers.Count)
            {
                ReportAt(Descriptors.Seq2SeqPartsDoNotFit, decoder.Rnn.Location, _manifestName, "the encoder's number of layers", encoderLayers.Count,
                    "the decoder's", decoderLayers.Count, "the bridge hands encoder layer l's final state to decoder layer l; give both the same \"num_layers\"");
                return null;
            }
            spec = BuildBridge(manifest.Bridge!, spec, hd, decoderLstm);
        }
        else if (manifest.Features is { } features)
        {
            spec = BuildFeatures(features, spec, hd, decoderLstm);
        }
        if (spec is null) return null;

        if (decoder.Attention is { } attention)
        {
            spec = spec with { Attention = BuildAttention(attention, spec.EncoderOutputSize, hd) };
            if (spec.Attention is null) return null;
        }
        bool luong = spec.Attention is { IsBahdanau: false };
        if (decoder.Combine is string combinePrefix)
        {
            if (!luong)
            {
                ReportAt(Descriptors.UnsupportedSeq2SeqForm, decoder.Location, _manifestName, "\"combine\" without Luong attention",
                    "combine makes h̃ = tanh(combine([context; h_t])) from a Luong (dot, general, concat) attention's context; remove it");
                return null;
            }
            var combine = Linear(combinePrefix, Activation.Tanh, decoder.Location);
            if (combine is null) return null;
            int de = spec.EncoderOutputSize;
            if (!Fits(decoder.Location, $"'{Name(combinePrefix, "weight")}' {ShapeOf(Name(combinePrefix, "weight"))}", combine.InputSize, combine.OutputSize,
                    "[context; h_t]", de + hd, hd, $"combine maps the context ({de}) and the decoder's h ({hd}) to h̃ of the decoder's hidden size"))
                return null;
            spec = spec with { Combine = combine };
        }
        else if (luong)
        {
            Invalid(decoder.Location, "Luong attention (dot, general, concat) needs \"combine\": the linear that makes h̃ = tanh(combine([context; h_t]))");
            return null;
        }

        if (!Fits(decoder.Location, $"the head '{Name(decoder.Head, "weight")}' {ShapeOf(Name(decoder.Head, "weight"))}", head.InputSize, head.OutputSize,
                luong ? "h̃" : "the decoder's h", hd, targetEmbedding.InputSize, $"the head reads {(luong ? "h̃" : "h")} ({hd}) and gives one logit per token of the target embedding's vocabulary ({targetEmbedding.InputSize})"))
            return null;
        if (decoder.StatedVocab is int vocab && vocab != head.OutputSize)
        {
            ReportAt(Descriptors.StatedSizeMismatch, decoder.Location, _manifestName, "decoder.vocab", vocab, head.OutputSize, Name(decoder.Head, "weight"), ShapeOf(Name(decoder.Head, "weight")));
            return null;
        }
        bool tokensOk = true;
        foreach (var (name, token, at) in new[] { ("start_token", decoder.StartToken, decoder.StartTokenLocation), ("stop_token", decoder.StopToken, decoder.StopTokenLocation) })
        {
            if (token < head.OutputSize) continue;
            ReportAt(Descriptors.TokenOutsideVocabulary, at, _manifestName, name, token, head.OutputSize, Name(decoder.Head, "weight"), ShapeOf(Name(decoder.Head, "weight")));
            tokensOk = false;
        }
        if (!tokensOk) return null;

        var first = decoderLayers[0];
        if (first.InputSize != spec.DecoderInputSize)
        {
            var parts = new List<string> { $"embedding {spec.TargetEmbeddingSize}" };
            if (spec.InputFeeding) parts.Add($"h̃ {hd} (input feeding)");
            if (spec.Attention is { IsBahdanau: true }) parts.Add($"context {spec.EncoderOutputSize} (Bahdanau)");
            if (spec.FeedFeatures) parts.Add($"features {spec.FeatureSize} (feed)");
            ReportAt(Descriptors.Seq2SeqPartsDoNotFit, decoder.Rnn.Location, _manifestName, "the decoder's step input [" + string.Join("; ", parts) + "]",
                spec.DecoderInputSize, $"the input of '{Name(decoder.Rnn.Prefix, "weight_ih_l0")}' {ShapeOf(Name(decoder.Rnn.Prefix, "weight_ih_l0"))}", first.InputSize,
                "the decoder RNN's input size is the embedding width plus what the form appends to it (see docs/manifest.md, \"Encoder–decoder models\")");
            return null;
        }
        return spec;
    }

    private bool BuildEncoder(EncoderDecl encoder, List<LayerSpec> layers, out LayerSpec? embedding, out int sourceInput)
    {
        embedding = null;
        sourceInput = 0;
        LayerDecl? rnn = null;
        foreach (var decl in encoder.Layers)
        {
            if (decl.Kind == LayerKinds.Embedding && decl.Index == 0)
            {
                _layerLocation = decl.Location;
                embedding = LayerKinds.Embedding.BuildTable(this, decl, encoder.StatedVocab);
                _layerLocation = null;
                if (embedding is null) return false;
            }
            else if (decl.Kind is RecurrentKind && rnn is null)
            {
                rnn = decl;
            }
            else
            {
                ReportAt(Descriptors.UnsupportedSeq2SeqForm, decl.Location, _manifestName,
                    $"encoder layer {decl.Index} ({decl.Kind.TypeName}{(rnn is not null && decl.Kind is RecurrentKind ? ", a second recurrent layer" : "")})",
                    "the encoder is an optional embedding first, then one recurrent layer (lstm, gru or rnn) whose \"num_layers\" stacks it");
                return false;
            }
        }
        if (rnn is null)
        {
            Invalid(encoder.Location, "the encoder has no recurrent layer (lstm, gru or rnn)");
            return false;
        }
        if ((encoder.StatedVocab is null) != (embedding is null))
        {
            Invalid(encoder.InputLocation, embedding is null
                ? "\"input\": {\"vocab\"} makes a token source, whose first encoder layer must be an \"embedding\""
                : "an encoder with an embedding reads token ids: state \"input\": {\"vocab\": V}, not \"size\"");
            return false;
        }
        int input = embedding?.OutputSize ?? encoder.StatedInputSize ?? -1;
        var stack = BuildRecurrentStack(rnn, input, embedding is null ? "the encoder's input.size" : "the encoder's embedding");
        if (stack is null) return false;
        if (embedding is null && encoder.StatedInputSize is int stated && stated != stack[0].InputSize)
        {
            ReportAt(Descriptors.StatedSizeMismatch, encoder.InputLocation, _manifestName, "encoder.input.size", stated, stack[0].InputSize,
                Name(rnn.Prefix, "weight_ih_l0"), ShapeOf(Name(rnn.Prefix, "weight_ih_l0")));
            return false;
        }
        layers.AddRange(stack);
        sourceInput = stack[0].InputSize;
        return true;
    }

    /// <summary>A recurrent layer object's sub-layers, through its kind; the first checked against <paramref name="input"/> (when known).</summary>
    private List<LayerSpec>? BuildRecurrentStack(LayerDecl decl, int input, string inputName)
    {
        if (decl.Kind is not RecurrentKind)
        {
            ReportAt(Descriptors.UnsupportedSeq2SeqForm, decl.Location, _manifestName, $"a \"{decl.Kind.TypeName}\" layer here",
                "the encoder's and decoder's recurrent stacks are \"lstm\", \"gru\" or \"rnn\" layers");
            return null;
        }
        var layers = new List<LayerSpec>();
        int count = decl.Kind.SubLayerCount(decl);
        _layerLocation = decl.Location;
        try
        {
            for (int k = 0; k < count; k++)
            {
                var layer = decl.Kind.Build(this, decl, k, input);
                if (layer is null) return null;
                if (layer.IsProjected)
                {
                    Report(Descriptors.UnsupportedSeq2SeqForm, _manifestName, $"an LSTM with proj_size ('{Name(decl.Prefix, $"weight_hr_l{k}")}')",
                        "the bridge and attention take h at the hidden size; export the model without proj_size");
                    return null;
                }
                if (k == 0 && input >= 0 && layer.InputSize != input)
                {
                    Report(Descriptors.LayersDoNotChain, _manifestName, decl.Index, decl.Kind.Describe(decl, k), layer.InputSize,
                        decl.Kind.FirstWeightName(decl, k), ShapeOf(decl.Kind.FirstWeightName(decl, k)), inputName, input);
                    return null;
                }
                layers.Add(layer);
            }
            decl.Kind.CheckDeclaration(this, decl);
            return layers;
        }
        finally
        {
            _layerLocation = null;
        }
    }

    private Seq2SeqSpec? BuildBridge(BridgeDecl bridge, Seq2SeqSpec spec, int hd, bool decoderLstm)
    {
        int merged = spec.MergedStateSize;
        string mergedText = $"the merged encoder state ({(spec.EncoderBidirectional ? $"\"{(bridge.Directions == DirectionMerge.Concat ? "concat" : "sum")}\" of two directions of {spec.EncoderHidden}" : $"one direction of {spec.EncoderHidden}")})";
        if (bridge.Prefix is not string prefix)
        {
            return Fits(bridge.Location, mergedText, merged, merged, "the decoder's hidden size", hd, hd,
                "without bridge linears the merged state is h0 itself; add a \"prefix\" naming the bridge's linears, or use \"directions\": \"sum\"")
                ? spec : null;
        }
        var h = Linear(Name(prefix, "h"), bridge.Activation, bridge.Location);
        if (h is null || !FitsLinear(bridge.Location, Name(prefix, "h"), h, mergedText, merged, hd)) return null;
        LayerSpec? c = null;
        if (decoderLstm && spec.EncoderKeepsCell)
        {
            c = Linear(Name(prefix, "c"), bridge.Activation, bridge.Location);
            if (c is null || !FitsLinear(bridge.Location, Name(prefix, "c"), c, mergedText.Replace("state", "cell state"), merged, hd)) return null;
        }
        return spec with { BridgeH = h, BridgeC = c };
    }

    private Seq2SeqSpec? BuildFeatures(FeaturesDecl features, Seq2SeqSpec spec, int hd, bool decoderLstm)
    {
        var h = Linear(Name(features.Prefix, "h"), features.Activation, features.Location);
        if (h is null) return null;
        if (features.StatedSize is int stated && stated != h.InputSize)
        {
            ReportAt(Descriptors.StatedSizeMismatch, features.Location, _manifestName, "features.size", stated, h.InputSize,
                Name(features.Prefix, "h.weight"), ShapeOf(Name(features.Prefix, "h.weight")));
            return null;
        }
        if (!FitsLinear(features.Location, Name(features.Prefix, "h"), h, "the feature vector", h.InputSize, hd)) return null;
        LayerSpec? c = null;
        if (decoderLstm)
        {
            c = Linear(Name(features.Prefix, "c"), features.Activation, features.Location);
            if (c is null || !FitsLinear(features.Location, Name(features.Prefix, "c"), c, "the feature vector", h.InputSize, hd)) return null;
        }
        return spec with { FeatureSize = h.InputSize, FeaturesH = h, FeaturesC = c };
    }

    private AttentionSpec? BuildAttention(AttentionDecl attention, int de, int hd)
    {
        string p = attention.Prefix;
        var at = attention.Location;
        switch (attention.Type)
        {
            case AttentionType.Dot:
                return Fits(at, "the encoder output width", de, de, "the decoder's hidden size", hd, hd,
                    "dot attention scores h_t · s_j, so both must be the same width; use \"general\" to map between them")
                    ? new AttentionSpec(attention.Type, attention.InputFeeding, null, null, EquatableArray<float>.Empty, 0f) : null;
            case AttentionType.General:
            {
                var w = Linear(Name(p, "linear_in"), Activation.None, at);
                if (w is null || !FitsLinear(at, Name(p, "linear_in"), w, "the encoder output", de, hd)) return null;
                return new AttentionSpec(attention.Type, attention.InputFeeding, w, null, EquatableArray<float>.Empty, 0f);
            }
            case AttentionType.Concat:
            {
                var w = Linear(Name(p, "W"), Activation.None, at);
                var v = Linear(Name(p, "v"), Activation.None, at);
                if (w is null || v is null || !FitsLinear(at, Name(p, "W"), w, "[h_t; s_j]", hd + de, w.OutputSize)
                    || !FitsLinear(at, Name(p, "v"), v, $"tanh(W [h_t; s_j]) of '{Name(p, "W.weight")}'", w.OutputSize, 1))
                    return null;
                // W [q; s_j] = W_q q + W_s s_j: the s_j half is applied once per source (the keys), the q half once per step.
                int a = w.OutputSize;
                var query = w with { InputSize = hd, InputWeights = Columns(w.InputWeights, a, hd + de, 0, hd), InputBias = EquatableArray<float>.Empty };
                var key = w with { InputSize = de, InputWeights = Columns(w.InputWeights, a, hd + de, hd, de) };
                return new AttentionSpec(attention.Type, attention.InputFeeding, key, query, v.InputWeights, v.InputBias.Length == 0 ? 0f : v.InputBias[0]);
            }
            default:
            {
                var wa = Linear(Name(p, "Wa"), Activation.None, at);
                var ua = Linear(Name(p, "Ua"), Activation.None, at);
                var va = Linear(Name(p, "Va"), Activation.None, at);
                if (wa is null || ua is null || va is null || !FitsLinear(at, Name(p, "Wa"), wa, "the decoder's h", hd, wa.OutputSize)
                    || !FitsLinear(at, Name(p, "Ua"), ua, "the encoder output", de, wa.OutputSize)
                    || !FitsLinear(at, Name(p, "Va"), va, $"tanh(Wa q + Ua s_j) of '{Name(p, "Wa.weight")}'", wa.OutputSize, 1))
                    return null;
                return new AttentionSpec(attention.Type, false, ua, wa, va.InputWeights, va.InputBias.Length == 0 ? 0f : va.InputBias[0]);
            }
        }
    }

    /// <summary>An nn.Linear under <paramref name="prefix"/> through the linear kind (weight [out, in], optional bias), with an activation.</summary>
    private LayerSpec? Linear(string prefix, Activation activation, LocationInfo at)
    {
        _layerLocation = at;
        var layer = LayerKinds.Linear.Build(this, new LayerDecl(0, LayerKinds.Linear, prefix, 1, activation, null, null, null, at), 0, -1);
        _layerLocation = null;
        return layer;
    }

    /// <summary>ERNN0033 unless the linear maps <paramref name="inputSize"/> to <paramref name="outputSize"/>.</summary>
    private bool FitsLinear(LocationInfo at, string prefix, LayerSpec linear, string inputName, int inputSize, int outputSize) =>
        Fits(at, $"'{Name(prefix, "weight")}' {ShapeOf(Name(prefix, "weight"))}", linear.InputSize, linear.OutputSize, inputName, inputSize, outputSize,
            $"it maps {inputName} ({inputSize}) to {outputSize}");

    private bool Fits(LocationInfo at, string what, int input, int output, string neededName, int neededInput, int neededOutput, string why)
    {
        if (input == neededInput && output == neededOutput) return true;
        ReportAt(Descriptors.Seq2SeqPartsDoNotFit, at, _manifestName, what, input == neededInput ? $"{input} → {output}" : $"{input} wide",
            neededName, input == neededInput ? $"{neededInput} → {neededOutput}" : $"{neededInput} wide", why);
        return false;
    }

    private void Invalid(LocationInfo at, string message) => ReportAt(Descriptors.InvalidManifestValue, at, _manifestName, message);

    /// <summary>Columns [from, from + count) of a row-major [rows, columns] matrix.</summary>
    private static EquatableArray<float> Columns(EquatableArray<float> matrix, int rows, int columns, int from, int count)
    {
        var result = new float[rows * count];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < count; c++) result[r * count + c] = matrix[r * columns + from + c];
        return new EquatableArray<float>(result);
    }

    /// <summary>ERNN0030 when the weights or the struct's storage (encoder outputs, keys, state, scratch) pass <see cref="ModelLimits"/>.</summary>
    private bool Seq2SeqWithinLimits(Seq2SeqSpec spec)
    {
        long weights = (spec.SourceEmbedding?.InputWeights.Length ?? 0) + spec.TargetEmbedding.InputWeights.Length;
        foreach (var layer in Seq2SeqLayers(spec))
            for (var direction = layer; direction is not null; direction = direction.Reverse)
                weights += (long)direction.InputWeights.Length + direction.RecurrentWeights.Length + direction.InputBias.Length + direction.RecurrentBias.Length;
        long storage = (long)spec.MaxSourceLength * (3L * spec.EncoderOutputSize + KernelLayout.Padded(spec.Attention?.KeySize ?? 0) + 16)
            + 4L * spec.EncoderFinalStateSize + 4L * spec.DecoderStateSize + KernelLayout.Padded(spec.VocabSize);
        if (weights > ModelLimits.MaxWeights)
        {
            Report(Descriptors.LimitExceeded, _manifestName, $"the model's {weights} weights", $"{ModelLimits.MaxWeights} floats", "64 MB of float32 compiled into the assembly");
            return false;
        }
        if (storage > ModelLimits.MaxWorkingFloats)
        {
            Report(Descriptors.LimitExceeded, _manifestName, $"the struct's storage for a source of {spec.MaxSourceLength} steps ({storage} floats)",
                $"{ModelLimits.MaxWorkingFloats} floats", "encoder outputs, attention keys, states and scratch; lower \"encoder\".\"max_length\"");
            return false;
        }
        return true;
    }

    internal static IEnumerable<LayerSpec> Seq2SeqLayers(Seq2SeqSpec spec)
    {
        foreach (var l in spec.EncoderLayers) yield return l;
        foreach (var l in spec.DecoderLayers) yield return l;
        foreach (var l in new[] { spec.BridgeH, spec.BridgeC, spec.FeaturesH, spec.FeaturesC, spec.Attention?.KeyProjection, spec.Attention?.QueryProjection, spec.Combine, spec.Head })
            if (l is not null) yield return l;
    }
}
