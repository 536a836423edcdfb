using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Json;

namespace EdgeRnn.Generators.Model;

/// <summary>Reads an <c>edgernn/1</c> manifest into a <see cref="ManifestSpec"/>, reporting every problem with its place in the file.</summary>
internal sealed partial class ManifestParser
{
    public const string FormatName = "edgernn/1";

    private static readonly string[] s_rootProperties = ["format", "weights", "layout", "input", "layers", "skip", "output", "streaming", "name", "description", "$schema"];
    private static readonly string[] s_inputProperties = ["size", "vocab"];
    private static readonly string[] s_embeddingProperties = ["type", "prefix", "num_embeddings", "embedding_dim", "name"];
    private static readonly string[] s_softmaxProperties = ["type", "name"];
    private static readonly string[] s_recurrentProperties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "bidirectional", "proj_size", "name", "reset_after"];
    private static readonly string[] s_rnnProperties = [.. s_recurrentProperties, "nonlinearity"];
    private static readonly string[] s_linearProperties = ["type", "prefix", "activation", "in_features", "out_features", "output_size", "bias", "name"];

    private readonly string _path;
    private readonly string _text;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    private ManifestParser(string path, string text)
    {
        _path = path;
        _text = text;
    }

    private string FileName => PathUtil.FileName(_path);

    public static ManifestResult Parse(string path, string text)
    {
        var parser = new ManifestParser(path, text);
        var spec = parser.ParseRoot();
        bool hasErrors = parser._diagnostics.Exists(d => Descriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        return new ManifestResult(path, hasErrors ? null : spec, new EquatableArray<DiagnosticInfo>([.. parser._diagnostics]));
    }

    private ManifestSpec? ParseRoot()
    {
        JsonNode root;
        try
        {
            root = JsonReader.Parse(_text);
        }
        catch (JsonException e)
        {
            var at = LocationInfo.InText(_path, _text, e.Position, 1);
            var pos = at.LineSpan.Start;
            Report(Descriptors.MalformedJson, at, FileName, e.Message, pos.Line + 1, pos.Character + 1);
            return null;
        }

        if (root.Kind != JsonKind.Object)
        {
            Report(Descriptors.InvalidManifestValue, At(root), FileName, $"the manifest must be a JSON object, not {JsonNode.Describe(root.Kind)}");
            return null;
        }
        var format = root.Property("format");
        if (format is null)
        {
            // Not a manifest: one of the formats people already have, with the weights inline?
            if (root.Property("model_data") is not null && root.Property("state_dict") is not null) return ParseStateDictJson(root);
            if (root.Property("architecture") is not null) return ParseNam(root);
            if (root.Property("layers") is { Value.Kind: JsonKind.Array } && root.Property("in_shape") is not null) return ParseRtNeural(root);
            Report(Descriptors.UnknownFormat, At(root, 1), FileName,
                "the \"format\" property is missing and the file is not one of the model formats read directly (PyTorch state_dict JSON with \"model_data\", RTNeural/Keras JSON with \"in_shape\" and \"layers\", NAM with \"architecture\")");
            return null;
        }
        WarnUnknown(root, s_rootProperties, "the manifest");
        if (format.Value.Kind != JsonKind.String || format.Value.StringValue != FormatName)
        {
            string found = format.Value.Kind == JsonKind.String ? $"\"{format.Value.StringValue}\"" : JsonNode.Describe(format.Value.Kind);
            Report(Descriptors.UnknownFormat, At(format.Value), FileName, $"unknown format {found}");
            return null;
        }

        var layout = root.Property("layout");
        var weightLayout = WeightLayout.PyTorch;
        if (layout is not null && layout.Value.Kind != JsonKind.String)
            Invalid(layout.Value, $"\"layout\" must be a string such as \"pytorch\", not {JsonNode.Describe(layout.Value.Kind)}");
        else if (layout is not null && layout.Value.StringValue == "keras")
            weightLayout = WeightLayout.Keras;
        else if (layout is not null && layout.Value.StringValue != "pytorch")
            Report(Descriptors.UnknownLayout, At(layout.Value), FileName, layout.Value.StringValue!);

        string? weights = RequiredString(root, "weights", "the manifest");

        int? inputSize = null, vocab = null;
        LocationInfo? inputLocation = null;
        var input = root.Property("input");
        if (input is not null)
        {
            if (input.Value.Kind != JsonKind.Object)
            {
                Invalid(input.Value, $"\"input\" must be an object such as {{\"size\": 1}}, not {JsonNode.Describe(input.Value.Kind)}");
            }
            else
            {
                WarnUnknown(input.Value, s_inputProperties, "\"input\"");
                inputSize = OptionalInteger(input.Value, "size", 1);
                vocab = OptionalInteger(input.Value, "vocab", 1);
                if (inputSize is not null && vocab is not null)
                    Invalid(input.Value, "\"input\" states both \"size\" (float inputs) and \"vocab\" (token ids); a model takes one or the other");
                inputLocation = At(input.Value.Property("size")?.Value ?? input.Value);
            }
        }

        int skip = OptionalInteger(root, "skip", 0) ?? 0;
        bool outputLast = false;
        if (OptionalString(root, "output") is string output)
        {
            if (output == "last") outputLast = true;
            else if (output != "sequence") Invalid(root["output"]!, $"unknown \"output\": \"{output}\"; use \"sequence\" (one output row per step) or \"last\" (many-to-one)");
        }
        var skipNode = root.Property("skip")?.Value;

        var layers = new List<LayerDecl>();
        var layersProperty = root.Property("layers");
        if (layersProperty is null)
        {
            Invalid(root, "the \"layers\" array is missing", 1);
        }
        else if (layersProperty.Value.Kind != JsonKind.Array || layersProperty.Value.Items!.Count == 0)
        {
            Invalid(layersProperty.Value, "\"layers\" must be a non-empty array of layer objects");
        }
        else
        {
            for (int i = 0; i < layersProperty.Value.Items.Count; i++)
            {
                var layer = ParseLayer(i, layersProperty.Value.Items[i]);
                if (layer is not null) layers.Add(layer);
            }
        }

        if (weights is null) return null;
        var weightsNode = root["weights"]!;
        return new ManifestSpec(weights, At(weightsNode), inputSize, inputLocation, skip,
            skipNode is null ? null : At(skipNode), new EquatableArray<LayerDecl>([.. layers]))
        {
            Layout = weightLayout,
            StatedVocab = vocab,
            OutputLast = outputLast,
            StatedStreaming = OptionalBool(root, "streaming"),
            StreamingLocation = root["streaming"] is { } streaming ? At(streaming) : null,
        };
    }

    private LayerDecl? ParseLayer(int index, JsonNode node)
    {
        if (node.Kind != JsonKind.Object)
        {
            Invalid(node, $"layer {index} must be an object, not {JsonNode.Describe(node.Kind)}");
            return null;
        }
        var typeNode = node["type"];
        if (typeNode is null)
        {
            Invalid(node, $"layer {index} has no \"type\"", 1);
            return null;
        }
        if (typeNode.Kind != JsonKind.String)
        {
            Invalid(typeNode, $"layer {index}: \"type\" must be a string such as \"lstm\", not {JsonNode.Describe(typeNode.Kind)}");
            return null;
        }
        string type = typeNode.StringValue!;
        LayerKind kind;
        switch (type)
        {
            case "lstm": kind = LayerKind.Lstm; break;
            case "gru": kind = LayerKind.Gru; break;
            case "rnn": kind = LayerKind.Rnn; break;
            case "linear": kind = LayerKind.Linear; break;
            case "embedding": kind = LayerKind.Embedding; break;
            case "softmax": kind = LayerKind.Softmax; break;
            case "log_softmax": kind = LayerKind.LogSoftmax; break;
            default:
                Report(Descriptors.UnknownLayerType, At(typeNode), FileName, index, type);
                return null;
        }
        string where = $"layer {index} ({type})";
        WarnUnknown(node, kind switch
        {
            LayerKind.Rnn => s_rnnProperties,
            LayerKind.Linear => s_linearProperties,
            LayerKind.Embedding => s_embeddingProperties,
            LayerKind.Softmax or LayerKind.LogSoftmax => s_softmaxProperties,
            _ => s_recurrentProperties,
        }, where);
        if (kind is LayerKind.Softmax or LayerKind.LogSoftmax)
            return new LayerDecl(index, kind, "", 1, Activation.None, null, null, null, At(node, 1));
        if (kind == LayerKind.Embedding)
        {
            return new LayerDecl(index, kind, OptionalString(node, "prefix") ?? "", 1, Activation.None,
                OptionalInteger(node, "num_embeddings", 1), OptionalInteger(node, "embedding_dim", 1), null, At(node, 1));
        }

        string prefix = OptionalString(node, "prefix") ?? "";
        bool? bias = OptionalBool(node, "bias");
        int numLayers = 1;
        int? statedIn, statedOut, projection = null;
        bool bidirectional = false;
        var activation = Activation.None;

        if (kind == LayerKind.Linear)
        {
            statedIn = OptionalInteger(node, "in_features", 1);
            statedOut = OptionalInteger(node, "out_features", 1) ?? OptionalInteger(node, "output_size", 1);
            string act = OptionalString(node, "activation") ?? "none";
            if (DenseActivation(act) is { } known) activation = known;
            else Invalid(node["activation"]!, $"{where}: unknown activation \"{act}\"; supported: none (or linear), tanh, sigmoid, relu");
        }
        else
        {
            numLayers = OptionalInteger(node, "num_layers", 1) ?? 1;
            statedIn = OptionalInteger(node, "input_size", 1);
            statedOut = OptionalInteger(node, "hidden_size", 1);
            bidirectional = OptionalBool(node, "bidirectional") == true;
            projection = OptionalInteger(node, "proj_size", 0);
            if (projection > 0 && kind != LayerKind.Lstm)
                Invalid(node["proj_size"]!, $"{where}: proj_size applies to LSTM layers only");
            if (kind == LayerKind.Rnn)
            {
                string nl = OptionalString(node, "nonlinearity") ?? "tanh";
                if (nl == "tanh") activation = Activation.Tanh;
                else if (nl == "relu") activation = Activation.Relu;
                else Invalid(node["nonlinearity"]!, $"{where}: unknown nonlinearity \"{nl}\"; supported: tanh, relu");
            }
        }
        bool? resetAfter = kind == LayerKind.Gru ? OptionalBool(node, "reset_after") : null;
        return new LayerDecl(index, kind, prefix, numLayers, activation, statedIn, statedOut, bias, At(node, 1))
        {
            StatedResetAfter = resetAfter,
            StatedProjection = projection,
            Bidirectional = bidirectional,
        };
    }

    private string? RequiredString(JsonNode obj, string name, string where)
    {
        var p = obj.Property(name);
        if (p is null)
        {
            Invalid(obj, $"{where} has no \"{name}\"", 1);
            return null;
        }
        if (p.Value.Kind != JsonKind.String || p.Value.StringValue!.Length == 0)
        {
            Invalid(p.Value, $"\"{name}\" must be a non-empty string");
            return null;
        }
        return p.Value.StringValue;
    }

    private string? OptionalString(JsonNode obj, string name)
    {
        var v = obj[name];
        if (v is null) return null;
        if (v.Kind != JsonKind.String)
        {
            Invalid(v, $"\"{name}\" must be a string, not {JsonNode.Describe(v.Kind)}");
            return null;
        }
        return v.StringValue;
    }

    private bool? OptionalBool(JsonNode obj, string name)
    {
        var v = obj[name];
        if (v is null) return null;
        if (v.Kind is JsonKind.True) return true;
        if (v.Kind is JsonKind.False) return false;
        Invalid(v, $"\"{name}\" must be true or false, not {JsonNode.Describe(v.Kind)}");
        return null;
    }

    private int? OptionalInteger(JsonNode obj, string name, int minimum)
    {
        var v = obj[name];
        if (v is null) return null;
        if (!v.IsInteger || v.NumberValue < minimum || v.NumberValue > 1_000_000)
        {
            Invalid(v, $"\"{name}\" must be an integer from {minimum} to 1000000, not {(v.Kind == JsonKind.Number ? v.NumberText : JsonNode.Describe(v.Kind))}");
            return null;
        }
        return (int)v.NumberValue;
    }

    private void WarnUnknown(JsonNode obj, string[] known, string where)
    {
        foreach (var p in obj.Properties!)
        {
            if (System.Array.IndexOf(known, p.Name) < 0)
                Report(Descriptors.UnknownManifestProperty, LocationInfo.InText(_path, _text, p.NameStart, p.NameLength),
                    FileName, p.Name, where, string.Join(", ", known));
        }
    }

    private void Invalid(JsonNode node, string message, int length = -1) =>
        Report(Descriptors.InvalidManifestValue, At(node, length), FileName, message);

    private LocationInfo At(JsonNode node, int length = -1) =>
        LocationInfo.InText(_path, _text, node.Start, length < 0 ? node.Length : length);

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo location, params object[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

    /// <summary>A linear (dense) layer's activation by name — the manifest's and RTNeural's alike; null when unknown.</summary>
    private static Activation? DenseActivation(string name) => name switch
    {
        "none" or "linear" => Activation.None,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "relu" => Activation.Relu,
        _ => null,
    };
}
