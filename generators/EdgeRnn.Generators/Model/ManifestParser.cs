using System.Collections.Generic;
using System.Linq;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Json;
using EdgeRnn.Generators.Layers;

namespace EdgeRnn.Generators.Model;

/// <summary>Reads an <c>edgernn/1</c> manifest into a <see cref="ManifestSpec"/>, reporting every problem with its place in the file.</summary>
internal sealed partial class ManifestParser
{
    public const string FormatName = "edgernn/1";

    private static readonly string[] s_rootProperties = ["format", "weights", "layout", "input", "layers", "skip", "output", "streaming", "name", "description", "$schema"];
    private static readonly string[] s_inputProperties = ["size", "vocab"];

    private readonly string _path;
    private readonly string _text;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly TextLines _lines;

    private ManifestParser(string path, string text)
    {
        _path = path;
        _text = text;
        _lines = new TextLines(path, text);
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
        // What the build hands over for an <EdgeRnnModel> whose file does not exist (besides CS2001): no text at all.
        if (_text.Trim().Length == 0)
        {
            Report(Descriptors.ModelFileEmpty, _lines.At(0, 0), FileName);
            return null;
        }
        JsonNode root;
        try
        {
            root = JsonReader.Parse(_text);
        }
        catch (JsonException e)
        {
            var at = _lines.At(e.Position, 1);
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
        var modelForm = root.Property("model");
        if (modelForm is null) WarnUnknown(root, s_rootProperties, "the manifest");
        if (format.Value.Kind != JsonKind.String || format.Value.StringValue != FormatName)
        {
            string found = format.Value.Kind == JsonKind.String ? $"\"{format.Value.StringValue}\"" : JsonNode.Describe(format.Value.Kind);
            Report(Descriptors.UnknownFormat, At(format.Value), FileName, $"unknown format {found}");
            return null;
        }
        if (modelForm is not null) return ParseModelForm(root, modelForm.Value);

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
        bool outputLast = false, outputFinalState = false;
        if (OptionalString(root, "output") is string output)
        {
            if (output == "last") outputLast = true;
            else if (output == "h_n") outputLast = outputFinalState = true;
            else if (output != "sequence") Invalid(root["output"]!, $"unknown \"output\": \"{output}\"; use \"sequence\" (one output row per step), \"last\" (the last step's row, PyTorch's output[:, -1]) or \"h_n\" (the layers after the last recurrent one read its final hidden state, PyTorch's h_n)");
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
            OutputFinalState = outputFinalState,
            StatedStreaming = OptionalBool(root, "streaming"),
            StreamingLocation = root["streaming"] is { } streaming ? At(streaming) : null,
        };
    }

    /// <param name="label">How messages name the layer ("layer 2", "encoder layer 1"): "layer {index}" by default.</param>
    private LayerDecl? ParseLayer(int index, JsonNode node, string? label = null)
    {
        label ??= $"layer {index}";
        if (node.Kind != JsonKind.Object)
        {
            Invalid(node, $"{label} must be an object, not {JsonNode.Describe(node.Kind)}");
            return null;
        }
        var typeNode = node["type"];
        if (typeNode is null)
        {
            Invalid(node, $"{label} has no \"type\"", 1);
            return null;
        }
        if (typeNode.Kind != JsonKind.String)
        {
            Invalid(typeNode, $"{label}: \"type\" must be a string such as \"lstm\", not {JsonNode.Describe(typeNode.Kind)}");
            return null;
        }
        string type = typeNode.StringValue!;
        var kind = LayerKinds.FromTypeName(type);
        if (kind is null)
        {
            Report(Descriptors.UnknownLayerType, At(typeNode), FileName, index, type, LayerKinds.TypeNames);
            return null;
        }
        string where = $"{label} ({type})";
        CheckLayerProperties(node, kind, where);
        var decl = new LayerDecl(index, kind, "", 1, Activation.None, null, null, null, At(node, 1));
        return kind.Parse(new LayerFields(this, node, where), decl);
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

    internal string? OptionalString(JsonNode obj, string name)
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

    internal bool? OptionalBool(JsonNode obj, string name)
    {
        var v = obj[name];
        if (v is null) return null;
        if (v.Kind is JsonKind.True) return true;
        if (v.Kind is JsonKind.False) return false;
        Invalid(v, $"\"{name}\" must be true or false, not {JsonNode.Describe(v.Kind)}");
        return null;
    }

    internal int? OptionalInteger(JsonNode obj, string name, int minimum)
    {
        var v = obj[name];
        if (v is null) return null;
        if (!v.IsInteger || v.NumberValue < minimum || v.NumberValue > ModelLimits.MaxStatedInteger)
        {
            Invalid(v, $"\"{name}\" must be an integer from {minimum} to {ModelLimits.MaxStatedInteger}, not {(v.Kind == JsonKind.Number ? v.NumberText : JsonNode.Describe(v.Kind))}");
            return null;
        }
        return (int)v.NumberValue;
    }

    /// <summary>
    /// Unknown properties get ERNN0019 (a warning: likely a typo); a property another layer type has ("proj_size" on
    /// a GRU) is an error naming the types it applies to.
    /// </summary>
    private void CheckLayerProperties(JsonNode node, LayerKind kind, string where)
    {
        foreach (var p in node.Properties!)
        {
            if (kind.ManifestProperties.Contains(p.Name)) continue;
            var owners = LayerKinds.All.Where(k => k.ManifestProperties.Contains(p.Name)).Select(k => k.TypeName).ToArray();
            if (owners.Length > 0)
                Invalid(p.Value, $"{where}: \"{p.Name}\" applies to {string.Join(", ", owners)} layers only");
            else
                Report(Descriptors.UnknownManifestProperty, _lines.At(p.NameStart, p.NameLength),
                    FileName, p.Name, where, string.Join(", ", kind.ManifestProperties));
        }
    }

    private void WarnUnknown(JsonNode obj, IReadOnlyList<string> known, string where)
    {
        foreach (var p in obj.Properties!)
        {
            if (!known.Contains(p.Name))
                Report(Descriptors.UnknownManifestProperty, _lines.At(p.NameStart, p.NameLength),
                    FileName, p.Name, where, string.Join(", ", known));
        }
    }

    internal void Invalid(JsonNode node, string message, int length = -1) =>
        Report(Descriptors.InvalidManifestValue, At(node, length), FileName, message);

    private LocationInfo At(JsonNode node, int length = -1) => _lines.At(node.Start, length < 0 ? node.Length : length);

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo location, params object[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
}
