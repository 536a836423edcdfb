using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Json;
using EdgeRnn.Generators.Layers;
using EdgeRnn.Generators.Seq2Seq;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// The <c>"model": "seq2seq"</c> form (docs/manifest.md, "Encoder–decoder models"): an encoder (its layers parsed as
/// the manifest's <c>"layers"</c> are) and a bridge, or a feature vector (captioning), and a decoder.
/// </summary>
internal sealed partial class ManifestParser
{
    private static readonly string[] s_seq2seqRoot = ["format", "model", "weights", "encoder", "bridge", "features", "decoder", "name", "description", "$schema"];
    private static readonly string[] s_encoderProperties = ["input", "max_length", "layers"];
    private static readonly string[] s_bridgeProperties = ["directions", "prefix", "activation"];
    private static readonly string[] s_featuresProperties = ["size", "prefix", "activation", "feed"];
    private static readonly string[] s_decoderProperties = ["vocab", "start_token", "stop_token", "max_length", "max_beam", "embedding", "rnn", "attention", "combine", "head"];
    private static readonly string[] s_attentionProperties = ["type", "prefix", "input_feeding"];

    /// <summary>A manifest with a top-level "model": only "seq2seq" is such a model so far.</summary>
    private ManifestSpec? ParseModelForm(JsonNode root, JsonNode model)
    {
        if (model.Kind != JsonKind.String || model.StringValue != "seq2seq")
        {
            string found = model.Kind == JsonKind.String ? $"\"{model.StringValue}\"" : JsonNode.Describe(model.Kind);
            Invalid(model, $"unknown \"model\": {found}; the one model form is \"seq2seq\" (an encoder–decoder); leave \"model\" out for a layer stack");
            return null;
        }
        WarnUnknown(root, s_seq2seqRoot, "the manifest");
        string? weights = RequiredString(root, "weights", "the manifest");

        var encoderNode = ObjectProperty(root, "encoder");
        var featuresNode = ObjectProperty(root, "features");
        var bridgeNode = ObjectProperty(root, "bridge");
        var decoderNode = ObjectProperty(root, "decoder");
        if (encoderNode is null && featuresNode is null && root["encoder"] is null && root["features"] is null)
            Invalid(root, "an encoder–decoder model needs an \"encoder\" (with a \"bridge\"), or \"features\" for captioning", 1);
        if (encoderNode is not null && featuresNode is not null)
            Report(Descriptors.UnsupportedSeq2SeqForm, At(featuresNode, 1), FileName, "\"features\" together with an \"encoder\"",
                "captioning starts the decoder from a feature vector instead of an encoder; keep one of them");
        if (featuresNode is not null && bridgeNode is not null)
            Report(Descriptors.UnsupportedSeq2SeqForm, At(bridgeNode, 1), FileName, "a \"bridge\" with \"features\"",
                "the features' linears (\"features\".\"prefix\") give the decoder's initial state; remove the bridge");
        if (decoderNode is null)
        {
            if (root["decoder"] is null) Invalid(root, "the manifest has no \"decoder\"", 1);
            return null;
        }

        var encoder = encoderNode is null ? null : ParseEncoder(encoderNode);
        var features = featuresNode is null ? null : ParseFeatures(featuresNode);
        // A bridge without linears merging concatenated directions is the default: "bridge" may be left out.
        var bridge = bridgeNode is null ? new BridgeDecl(DirectionMerge.Concat, null, Activation.None, At(encoderNode ?? root, 1)) : ParseBridge(bridgeNode);
        var decoder = ParseDecoder(decoderNode);
        if (weights is null || decoder is null || (encoderNode is not null && encoder is null) || (featuresNode is not null && features is null)) return null;
        if (features is not null && decoder.Attention is not null)
            Report(Descriptors.UnsupportedSeq2SeqForm, decoder.Attention.Location, FileName, "attention with \"features\"",
                "a captioning decoder has no encoder outputs to attend to; remove \"attention\" (and \"combine\")");

        var spec = new Seq2SeqDecl(encoder, encoder is null ? null : bridge, features, decoder, At(root, 1));
        return new ManifestSpec(weights, At(root["weights"]!), null, null, 0, null, EquatableArray<LayerDecl>.Empty) { Seq2Seq = spec };
    }

    private JsonNode? ObjectProperty(JsonNode obj, string name)
    {
        var v = obj[name];
        if (v is null) return null;
        if (v.Kind != JsonKind.Object)
        {
            Invalid(v, $"\"{name}\" must be an object, not {JsonNode.Describe(v.Kind)}");
            return null;
        }
        return v;
    }

    private EncoderDecl? ParseEncoder(JsonNode node)
    {
        WarnUnknown(node, s_encoderProperties, "\"encoder\"");
        int? vocab = null, size = null;
        var inputNode = ObjectProperty(node, "input");
        if (inputNode is null && node["input"] is null) Invalid(node, "\"encoder\" has no \"input\": state {\"vocab\": V} for token sources or {\"size\": I} for float steps", 1);
        if (inputNode is not null)
        {
            WarnUnknown(inputNode, s_inputProperties, "\"encoder\".\"input\"");
            vocab = OptionalInteger(inputNode, "vocab", 1);
            size = OptionalInteger(inputNode, "size", 1);
            if ((vocab is null) == (size is null))
                Invalid(inputNode, "\"encoder\".\"input\" states exactly one of \"vocab\" (token ids) and \"size\" (float steps)");
        }
        int? maxLength = RequiredInteger(node, "max_length", "\"encoder\"");

        var layers = new List<LayerDecl>();
        var layersNode = node["layers"];
        if (layersNode is null || layersNode.Kind != JsonKind.Array || layersNode.Items!.Count == 0)
        {
            Invalid(layersNode ?? node, "\"encoder\".\"layers\" must be a non-empty array: an optional embedding, then one recurrent layer", layersNode is null ? 1 : -1);
            return null;
        }
        for (int i = 0; i < layersNode.Items.Count; i++)
        {
            var layer = ParseLayer(i, layersNode.Items[i], $"encoder layer {i}");
            if (layer is not null) layers.Add(layer);
        }
        if (maxLength is null || layers.Count != layersNode.Items.Count || (vocab is null && size is null)) return null;
        return new EncoderDecl(vocab, size, At(inputNode ?? node, inputNode is null ? 1 : -1), maxLength.Value, new EquatableArray<LayerDecl>([.. layers]), At(node, 1));
    }

    private BridgeDecl ParseBridge(JsonNode node)
    {
        WarnUnknown(node, s_bridgeProperties, "\"bridge\"");
        var directions = DirectionMerge.Concat;
        if (OptionalString(node, "directions") is string d)
        {
            if (d == "sum") directions = DirectionMerge.Sum;
            else if (d != "concat") Invalid(node["directions"]!, $"unknown \"directions\": \"{d}\"; use \"concat\" ([h_fwd; h_bwd]) or \"sum\" (h_fwd + h_bwd)");
        }
        string? prefix = OptionalString(node, "prefix");
        var activation = ParseActivation(node, prefix is null ? Activation.None : Activation.Tanh);
        if (prefix is null && node["activation"] is not null)
            Invalid(node["activation"]!, "\"activation\" applies to the bridge's linears; without a \"prefix\" the bridge has none");
        return new BridgeDecl(directions, prefix, activation, At(node, 1));
    }

    private FeaturesDecl? ParseFeatures(JsonNode node)
    {
        WarnUnknown(node, s_featuresProperties, "\"features\"");
        int? size = OptionalInteger(node, "size", 1);
        string? prefix = RequiredString(node, "prefix", "\"features\"");
        var activation = ParseActivation(node, Activation.Tanh);
        bool feed = OptionalBool(node, "feed") ?? false;
        return prefix is null ? null : new FeaturesDecl(size, prefix, activation, feed, At(node, 1));
    }

    private Activation ParseActivation(JsonNode node, Activation fallback)
    {
        if (OptionalString(node, "activation") is not string name) return fallback;
        if (name == "tanh") return Activation.Tanh;
        if (name == "none") return Activation.None;
        Invalid(node["activation"]!, $"unknown activation \"{name}\"; use \"tanh\" or \"none\"");
        return fallback;
    }

    private DecoderDecl? ParseDecoder(JsonNode node)
    {
        WarnUnknown(node, s_decoderProperties, "\"decoder\"");
        int? vocab = OptionalInteger(node, "vocab", 1);
        int? start = RequiredInteger(node, "start_token", "\"decoder\"", minimum: 0);
        int? stop = RequiredInteger(node, "stop_token", "\"decoder\"", minimum: 0);
        int? maxLength = RequiredInteger(node, "max_length", "\"decoder\"");
        int maxBeam = OptionalInteger(node, "max_beam", 1) ?? 1;
        string? embedding = RequiredString(node, "embedding", "\"decoder\"");
        string? head = RequiredString(node, "head", "\"decoder\"");
        string? combine = OptionalString(node, "combine");

        LayerDecl? rnn = null;
        var rnnNode = node["rnn"];
        if (rnnNode is null) Invalid(node, "\"decoder\" has no \"rnn\" (a recurrent layer object such as {\"type\": \"gru\", \"prefix\": \"decoder.rnn\"})", 1);
        else rnn = ParseLayer(0, rnnNode, "decoder rnn");

        AttentionDecl? attention = null;
        if (ObjectProperty(node, "attention") is { } attentionNode)
        {
            WarnUnknown(attentionNode, s_attentionProperties, "\"decoder\".\"attention\"");
            var type = OptionalString(attentionNode, "type") switch
            {
                "dot" => AttentionType.Dot,
                "general" => AttentionType.General,
                "concat" => AttentionType.Concat,
                "bahdanau" => AttentionType.Bahdanau,
                null => AttentionType.None,
                string other => Unknown(attentionNode["type"]!, other),
            };
            if (type == AttentionType.None && attentionNode["type"] is null)
                Invalid(attentionNode, "\"attention\" has no \"type\": \"dot\", \"general\", \"concat\" or \"bahdanau\"", 1);
            bool? feeding = OptionalBool(attentionNode, "input_feeding");
            if (type == AttentionType.Bahdanau && feeding == true)
                Report(Descriptors.UnsupportedSeq2SeqForm, At(attentionNode["input_feeding"]!), FileName, "\"input_feeding\" with Bahdanau attention",
                    "the Bahdanau decoder already feeds the context into each step; remove \"input_feeding\"");
            string prefix = OptionalString(attentionNode, "prefix") ?? "decoder.attention";
            if (type != AttentionType.None) attention = new AttentionDecl(type, prefix, feeding ?? type != AttentionType.Bahdanau, At(attentionNode, 1));
        }
        else if (node["attention"] is not null)
        {
            return null;
        }
        if (start is null || stop is null || maxLength is null || embedding is null || head is null || rnn is null) return null;
        return new DecoderDecl(vocab, start.Value, stop.Value, maxLength.Value, maxBeam, embedding, rnn, attention, combine, head,
            At(node, 1), At(node["start_token"]!), At(node["stop_token"]!));

        AttentionType Unknown(JsonNode at, string name)
        {
            Invalid(at, $"unknown attention \"type\": \"{name}\"; supported: \"dot\", \"general\", \"concat\" (Luong) and \"bahdanau\" (additive)");
            return AttentionType.None;
        }
    }

    private int? RequiredInteger(JsonNode obj, string name, string where, int minimum = 1)
    {
        if (obj[name] is null)
        {
            Invalid(obj, $"{where} has no \"{name}\"", 1);
            return null;
        }
        return OptionalInteger(obj, name, minimum);
    }
}
