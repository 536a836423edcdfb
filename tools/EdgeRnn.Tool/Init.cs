using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeRnn.Tool;

/// <summary>
/// `edgernn init WEIGHTS`: a manifest from a safetensors file's tensor names (PyTorch state_dict names, or Keras
/// `layer/kernel` names), in the order the tensors appear in the file, which for a state_dict is the order the
/// modules were declared. Then the generator checks it, as `inspect` does: if the guess is wrong (another order, an
/// RNN with relu, an embedding not named like one), the diagnostics say where.
/// </summary>
internal static partial class Init
{
    public static int Run(string weightsPath, string? manifestPath, bool force, TextWriter output)
    {
        if (!File.Exists(weightsPath))
        {
            output.WriteLine($"error: no file '{weightsPath}'");
            return 2;
        }
        string stem = Path.GetFileNameWithoutExtension(weightsPath);
        manifestPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath))!, stem + ".edgernn.json");
        if (File.Exists(manifestPath) && !force)
        {
            output.WriteLine($"error: {manifestPath} exists; --force replaces it");
            return 2;
        }
        var tensors = TensorList.Read(weightsPath);
        string weightsRelative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, Path.GetFullPath(weightsPath)).Replace('\\', '/');
        string? manifest = Guess(tensors, weightsRelative, out string why);
        if (manifest is null)
        {
            output.WriteLine($"error: {why}");
            return 1;
        }
        File.WriteAllText(manifestPath, manifest);
        output.WriteLine($"wrote {manifestPath}: {why}");
        output.Write(manifest);
        output.WriteLine("The generator's view of it:");
        return Inspect.Run(manifestPath, output);
    }

    /// <summary>The manifest text, or null with the reason.</summary>
    internal static string? Guess(List<TensorEntry> tensors, string weightsFile, out string why)
    {
        var byName = tensors.ToDictionary(t => t.Name);
        bool keras = tensors.Any(t => t.Name.EndsWith("/kernel", StringComparison.Ordinal));
        var layers = new List<Dictionary<string, object>>();
        var seen = new HashSet<string>();
        int? inputSize = null, vocab = null;
        var notes = new List<string>();
        foreach (var tensor in tensors)
        {
            var m = keras ? KerasName().Match(tensor.Name) : TorchName().Match(tensor.Name);
            if (!m.Success) continue;
            string prefix = m.Groups["prefix"].Value;
            if (!seen.Add(prefix)) continue;
            string P(string name) => keras ? prefix + "/" + name : (prefix.Length == 0 ? name : prefix + "." + name);
            var layer = new Dictionary<string, object>();
            if (keras ? byName.ContainsKey(P("recurrent_kernel")) : byName.ContainsKey(P("weight_ih_l0")))
            {
                var input = byName[keras ? P("kernel") : P("weight_ih_l0")];
                var recurrent = byName[keras ? P("recurrent_kernel") : P("weight_hh_l0")];
                long hidden = keras ? recurrent.Shape[0]
                    : byName.TryGetValue(P("weight_hr_l0"), out var projection) ? projection.Shape[1] : recurrent.Shape[1];
                long gates = (keras ? input.Shape[1] : input.Shape[0]) / hidden;
                string? type = gates switch { 4 => "lstm", 3 => "gru", 1 => "rnn", _ => null };
                if (type is null)
                {
                    why = $"'{input.Name}' has {gates}×{hidden} gate rows: not an LSTM (4), GRU (3) or RNN (1)";
                    return null;
                }
                layer["type"] = type;
                if (prefix.Length > 0) layer["prefix"] = prefix;
                int stacked = keras ? 1 : tensors.Count(t => TorchName().Match(t.Name) is { Success: true } n && n.Groups["prefix"].Value == prefix
                    && t.Name.StartsWith(P("weight_ih_l"), StringComparison.Ordinal) && !t.Name.EndsWith("_reverse", StringComparison.Ordinal));
                if (stacked > 1) layer["num_layers"] = stacked;
                if (!keras && byName.ContainsKey(P("weight_ih_l0_reverse"))) layer["bidirectional"] = true;
                if (type == "rnn")
                {
                    layer["nonlinearity"] = "tanh";
                    notes.Add($"'{prefix}' is taken as a tanh RNN (the file cannot tell tanh from relu)");
                }
                inputSize ??= layers.Count == 0 ? (int)(keras ? input.Shape[0] : input.Shape[1]) : null;
            }
            else if (keras ? byName.ContainsKey(P("kernel")) : byName.TryGetValue(P("weight"), out var w) && w.Shape.Length == 2)
            {
                var weight = byName[keras ? P("kernel") : P("weight")];
                bool embedding = !keras && layers.Count == 0 && !byName.ContainsKey(P("bias")) && prefix.Contains("emb", StringComparison.OrdinalIgnoreCase);
                layer["type"] = embedding ? "embedding" : "linear";
                if (prefix.Length > 0) layer["prefix"] = prefix;
                if (embedding) vocab = (int)weight.Shape[0];
                else inputSize ??= layers.Count == 0 ? (int)(keras ? weight.Shape[0] : weight.Shape[1]) : null;
            }
            else continue;
            layers.Add(layer);
        }
        if (layers.Count == 0)
        {
            why = "no tensor names of a layer EdgeRnn reads (weight_ih_l0/weight_hh_l0, weight/bias, or Keras kernel/recurrent_kernel)";
            return null;
        }

        var json = new StringBuilder();
        json.Append("{\n  \"format\": \"edgernn/1\",\n");
        json.Append($"  \"weights\": {JsonSerializer.Serialize(weightsFile)},\n");
        json.Append($"  \"layout\": \"{(keras ? "keras" : "pytorch")}\",\n");
        if (vocab is int v) json.Append($"  \"input\": {{ \"vocab\": {v} }},\n");
        else if (inputSize is int i) json.Append($"  \"input\": {{ \"size\": {i} }},\n");
        json.Append("  \"layers\": [\n");
        json.Append(string.Join(",\n", layers.Select(l => "    { " + string.Join(", ", l.Select(kv => $"{JsonSerializer.Serialize(kv.Key)}: {Value(kv.Value)}")) + " }")));
        json.Append("\n  ]\n}\n");
        why = $"{layers.Count} layer(s) in file order: {string.Join(" -> ", layers.Select(l => l["type"] + (l.TryGetValue("prefix", out var p) ? $" '{p}'" : "")))}"
              + (notes.Count > 0 ? "; " + string.Join("; ", notes) : "")
              + ". Check the order and add \"skip\", \"activation\" or \"output\" if the model has them.";
        return json.ToString();
    }

    private static string Value(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int n => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value.ToString()),
    };

    [GeneratedRegex(@"^(?:(?<prefix>.*)\.)?(?:weight_ih_l\d+(?:_reverse)?|weight_hh_l\d+(?:_reverse)?|bias_ih_l\d+(?:_reverse)?|bias_hh_l\d+(?:_reverse)?|weight_hr_l\d+(?:_reverse)?|weight|bias)$")]
    private static partial Regex TorchName();

    [GeneratedRegex(@"^(?<prefix>.*)/(?:kernel|recurrent_kernel|bias)$")]
    private static partial Regex KerasName();
}
