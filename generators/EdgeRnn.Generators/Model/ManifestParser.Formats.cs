using System;
using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Json;
using EdgeRnn.Generators.Layers;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// The formats small recurrent models already ship in, read directly as the model file (weights inline) and
/// turned into the same <see cref="ManifestSpec"/> a manifest gives: A, the PyTorch state_dict in JSON with
/// "model_data" (Automated-GuitarAmpModelling, NeuralPi, Proteus); B, RTNeural's Keras JSON (AIDA-X,
/// ChowCentaur); C, Neural Amp Modeler .nam files with "architecture": "LSTM".
/// </summary>
internal sealed partial class ManifestParser
{
    /// <summary>Format A: {"model_data": {unit_type, num_layers, hidden_size, input_size, skip, …}, "state_dict": {...}}.</summary>
    private ManifestSpec? ParseStateDictJson(JsonNode root)
    {
        var data = root["model_data"]!;
        var stateDict = root["state_dict"]!;
        if (data.Kind != JsonKind.Object || stateDict.Kind != JsonKind.Object)
        {
            Invalid(root, "\"model_data\" and \"state_dict\" must be objects", 1);
            return null;
        }
        var tensors = ReadStateDict(stateDict);
        if (tensors is null) return null;

        string unit = data["unit_type"] is { Kind: JsonKind.String } u ? u.StringValue! : "";
        // "LSTM", "GRU", "RNN": PyTorch's module names, our recurrent kinds.
        if (LayerKinds.FromTypeName(unit.ToLowerInvariant()) is not RecurrentKind kind)
        {
            Report(Descriptors.UnsupportedArchitecture, At(data["unit_type"] ?? data, data["unit_type"] is null ? 1 : -1), FileName,
                $"\"unit_type\": \"{unit}\"");
            return null;
        }
        int numLayers = OptionalInteger(data, "num_layers", 1) ?? 1;
        int? hidden = OptionalInteger(data, "hidden_size", 1);
        int? input = OptionalInteger(data, "input_size", 1);
        int? output = OptionalInteger(data, "output_size", 1);
        int skip = OptionalInteger(data, "skip", 0) ?? 0;
        var where = At(data, 1);
        var layers = new List<LayerDecl>
        {
            new(0, kind, "rec", numLayers, kind == LayerKinds.Rnn ? Activation.Tanh : Activation.None, input, hidden, null, where),
        };
        if (HasTensor(tensors, "lin.weight"))
            layers.Add(new LayerDecl(1, LayerKinds.Linear, "lin", 1, Activation.None, hidden, output, null, where));
        return new ManifestSpec(null, where, input, where, skip, where, new EquatableArray<LayerDecl>([.. layers]))
        {
            InlineTensors = new EquatableArray<TensorSpec>([.. tensors]),
            FormatName = "PyTorch state_dict JSON",
        };
    }

    /// <summary>Format B: {"in_shape": [null, null, I], "in_skip", "in_gain", "out_gain", "layers": [{type, activation, shape, weights}]}.</summary>
    private ManifestSpec? ParseRtNeural(JsonNode root)
    {
        var inShape = root["in_shape"]!;
        var sizeNode = inShape.Kind == JsonKind.Array && inShape.Items!.Count > 0 ? inShape.Items[inShape.Items.Count - 1] : inShape;
        if (!sizeNode.IsInteger || sizeNode.NumberValue < 1 || sizeNode.NumberValue > ModelLimits.MaxStatedInteger)
        {
            Invalid(inShape, $"\"in_shape\" must be [null, null, input size] with an input size from 1 to {ModelLimits.MaxStatedInteger}");
            return null;
        }
        int inputSize = (int)sizeNode.NumberValue;

        var tensors = new List<TensorSpec>();
        var layers = new List<LayerDecl>();
        var items = root["layers"]!.Items!;
        if (items.Count == 0)
        {
            Invalid(root["layers"]!, "the RTNeural \"layers\" array is empty; the model needs at least one layer");
            return null;
        }
        for (int i = 0; i < items.Count; i++)
        {
            var layer = items[i];
            if (layer.Kind != JsonKind.Object || layer["type"] is not { Kind: JsonKind.String } typeNode)
            {
                Invalid(layer, $"layer {i} must be an object with a \"type\"", 1);
                return null;
            }
            string type = typeNode.StringValue!;
            // RTNeural's layer types: its recurrent layers are ours by name; "dense" is a linear layer.
            LayerKind? kind = type is "dense" or "time-distributed-dense" ? LayerKinds.Linear
                : type is "lstm" or "gru" ? LayerKinds.FromTypeName(type) : null;
            if (kind is null)
            {
                Report(Descriptors.UnsupportedArchitecture, At(typeNode), FileName, $"layer {i} of type \"{type}\"");
                return null;
            }
            var activation = Activation.None;
            if (kind == LayerKinds.Linear)
            {
                // Recurrent layers' "activation" is ignored by RTNeural (always sigmoid gates and tanh).
                // RTNeural writes "" (or nothing) for no activation.
                string act = layer["activation"] is { Kind: JsonKind.String } a ? a.StringValue! : "";
                if (LinearKind.DenseActivation(act.Length == 0 ? "linear" : act) is not { } known)
                {
                    Report(Descriptors.UnsupportedArchitecture, At(layer["activation"]!), FileName, $"the \"{act}\" activation of layer {i}");
                    return null;
                }
                activation = known;
            }
            if (layer["weights"] is not { Kind: JsonKind.Array } weights)
            {
                Invalid(layer, $"layer {i} ({type}) has no \"weights\" array", 1);
                return null;
            }
            string prefix = $"layer{i}";
            string[] names = kind == LayerKinds.Linear ? ["kernel", "bias"] : ["kernel", "recurrent_kernel", "bias"];
            if (weights.Items!.Count != names.Length)
            {
                Invalid(weights, $"layer {i} ({type}) has {weights.Items.Count} weight arrays; expected {names.Length} ({string.Join(", ", names)})");
                return null;
            }
            for (int k = 0; k < names.Length; k++)
            {
                var tensor = ReadTensor($"{prefix}/{names[k]}", weights.Items[k]);
                if (tensor is null) return null;
                tensors.Add(tensor);
            }
            layers.Add(new LayerDecl(i, kind, prefix, 1, activation, null, null, null, At(layer, 1)));
        }

        int skip = OptionalInteger(root, "in_skip", 0) ?? 0;
        float? inGain = Decibels(root, "in_gain"), outGain = Decibels(root, "out_gain");
        if (inGain is null || outGain is null) return null;
        var at = At(root, 1);
        var skipAt = root["in_skip"] is { } skipNode ? At(skipNode) : at;
        return new ManifestSpec(null, at, inputSize, At(inShape), skip, skipAt, new EquatableArray<LayerDecl>([.. layers]))
        {
            Layout = WeightLayout.Keras,
            InlineTensors = new EquatableArray<TensorSpec>([.. tensors]),
            InputGain = inGain.Value,
            OutputGain = outGain.Value,
            FormatName = "RTNeural JSON",
        };
    }

    /// <summary>Format C: NAM {"architecture": "LSTM", "config": {input_size, hidden_size, num_layers}, "weights": [flat]}.</summary>
    private ManifestSpec? ParseNam(JsonNode root)
    {
        var arch = root["architecture"]!;
        string name = arch.Kind == JsonKind.String ? arch.StringValue! : JsonNode.Describe(arch.Kind);
        if (name != "LSTM")
        {
            Report(Descriptors.UnsupportedArchitecture, At(arch), FileName, $"the NAM architecture \"{name}\"");
            return null;
        }
        if (root["config"] is not { Kind: JsonKind.Object } config)
        {
            Invalid(root, "a NAM file needs a \"config\" object", 1);
            return null;
        }
        int input = OptionalInteger(config, "input_size", 1) ?? 1;
        int? hiddenOrNull = OptionalInteger(config, "hidden_size", 1);
        int layersCount = OptionalInteger(config, "num_layers", 1) ?? 1;
        if (hiddenOrNull is not int hidden)
        {
            Invalid(config, "the NAM \"config\" has no \"hidden_size\"", 1);
            return null;
        }
        if (root["weights"] is not { Kind: JsonKind.Array } weightsNode)
        {
            Invalid(root, "a NAM file needs a flat \"weights\" array", 1);
            return null;
        }
        var flat = new float[weightsNode.Items!.Count];
        for (int i = 0; i < flat.Length; i++)
        {
            var v = weightsNode.Items[i];
            if (v.Kind != JsonKind.Number)
            {
                Invalid(v, $"NAM weight {i} is {JsonNode.Describe(v.Kind)}, not a number");
                return null;
            }
            flat[i] = (float)v.NumberValue;
        }

        // Per layer: W = 4H × (in + H) row-major = [weight_ih | weight_hh], b = 4H (b_ih + b_hh), h0 (H), c0 (H); then the head.
        var tensors = new List<TensorSpec>();
        var initial = new List<float>();
        int offset = 0, rows = 4 * hidden;
        for (int l = 0; l < layersCount; l++)
        {
            int inL = l == 0 ? input : hidden;
            // In long: 4H·(I + H) passes int for H ≥ 23170. Once it fits in the array, every index below fits in an int.
            long end = offset + (long)rows * (inL + hidden) + rows + 2L * hidden;
            if (end > flat.Length)
            {
                Invalid(weightsNode, $"NAM LSTM with input_size {input}, hidden_size {hidden}, num_layers {layersCount} needs more than the {flat.Length} weights given (layer {l} ends at {end})");
                return null;
            }
            var ih = new float[rows * inL];
            var hh = new float[rows * hidden];
            for (int r = 0; r < rows; r++)
            {
                Array.Copy(flat, offset + r * (inL + hidden), ih, r * inL, inL);
                Array.Copy(flat, offset + r * (inL + hidden) + inL, hh, r * hidden, hidden);
            }
            offset += rows * (inL + hidden);
            tensors.Add(Tensor($"lstm.weight_ih_l{l}", [rows, inL], ih));
            tensors.Add(Tensor($"lstm.weight_hh_l{l}", [rows, hidden], hh));
            tensors.Add(Tensor($"lstm.bias_ih_l{l}", [rows], Slice(flat, offset, rows)));
            tensors.Add(Tensor($"lstm.bias_hh_l{l}", [rows], new float[rows]));
            offset += rows;
            initial.AddRange(Slice(flat, offset, 2 * hidden)); // h0 then c0: the state layout
            offset += 2 * hidden;
        }
        int rest = flat.Length - offset;
        if (rest <= 0 || rest % (hidden + 1) != 0)
        {
            Invalid(weightsNode, $"after {layersCount} LSTM layer(s) of hidden size {hidden}, {rest} weights remain; the head needs out × ({hidden} + 1)");
            return null;
        }
        int outputs = rest / (hidden + 1);
        tensors.Add(Tensor("head.weight", [outputs, hidden], Slice(flat, offset, outputs * hidden)));
        tensors.Add(Tensor("head.bias", [outputs], Slice(flat, offset + outputs * hidden, outputs)));

        var at = At(root, 1);
        var layers = new[]
        {
            new LayerDecl(0, LayerKinds.Lstm, "lstm", layersCount, Activation.None, input, hidden, null, At(config)),
            new LayerDecl(1, LayerKinds.Linear, "head", 1, Activation.None, hidden, outputs, null, At(weightsNode, 1)),
        };
        return new ManifestSpec(null, At(weightsNode, 1), input, At(config), 0, null, new EquatableArray<LayerDecl>(layers))
        {
            InlineTensors = new EquatableArray<TensorSpec>([.. tensors]),
            InitialState = new EquatableArray<float>([.. initial]),
            FormatName = "NAM",
        };
    }

    /// <summary>A state_dict as JSON: {"name": nested arrays of numbers}.</summary>
    private List<TensorSpec>? ReadStateDict(JsonNode stateDict)
    {
        var tensors = new List<TensorSpec>();
        foreach (var p in stateDict.Properties!)
        {
            var t = ReadTensor(p.Name, p.Value);
            if (t is null) return null;
            tensors.Add(t);
        }
        return tensors;
    }

    /// <summary>A tensor from nested JSON arrays, reporting ragged or non-numeric arrays at their place.</summary>
    private TensorSpec? ReadTensor(string name, JsonNode node)
    {
        var tensor = JsonTensors.Read(name, node, out string? error);
        if (tensor is null) Invalid(node, error!);
        return tensor;
    }

    /// <summary>A gain in dB as a linear factor (1 when absent); null after an error (not a number, or past ±<see cref="ModelLimits.MaxGainDecibels"/>).</summary>
    private float? Decibels(JsonNode root, string name)
    {
        var v = root[name];
        if (v is null) return 1f;
        if (v.Kind != JsonKind.Number)
        {
            Invalid(v, $"\"{name}\" must be a number of decibels, not {JsonNode.Describe(v.Kind)}");
            return null;
        }
        // Past the range the factor is no longer a sensible float: +1000 dB is +Infinity, −1000 dB is 0 (silence).
        if (!(Math.Abs(v.NumberValue) <= ModelLimits.MaxGainDecibels))
        {
            Invalid(v, $"\"{name}\": {v.NumberText} dB is outside the supported range of −{ModelLimits.MaxGainDecibels} to +{ModelLimits.MaxGainDecibels} dB");
            return null;
        }
        return (float)Math.Pow(10, v.NumberValue / 20);
    }

    private static bool HasTensor(List<TensorSpec> tensors, string name) => tensors.Exists(t => t.Name == name);

    private static TensorSpec Tensor(string name, int[] shape, float[] data) =>
        new(name, new EquatableArray<int>(shape), new EquatableArray<float>(data));

    private static float[] Slice(float[] source, int start, int length)
    {
        var result = new float[length];
        Array.Copy(source, start, result, 0, length);
        return result;
    }
}
