using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeRnn.Generators.Tests.Support;

/// <summary>
/// Seeded mutations of model inputs for the fuzzer: raw text edits, JSON-aware edits (a random value in the document
/// replaced by an extreme one, removed, duplicated, nested, …, re-serialized so the file stays valid JSON and reaches
/// the model checks), and safetensors byte edits (bits, length prefix, truncation, header edited as JSON, data).
/// </summary>
internal sealed class Mutator(Random rng)
{
    /// <summary>Values the inputs were made of: past int, past float, zero, negative, odd strings, deep nesting.</summary>
    private static readonly string[] s_values =
    [
        "0", "-1", "1", "2", "3", "7", "-5", "1.5", "-0", "23170", "32768", "46341", "65536", "1000000", "1000001", "2147483647", "2147483648",
        "99999999999999999999", "1e308", "-1e308", "1e999", "-1e999", "1e-45", "1000", "-1000", "120", "-120",
        "null", "true", "false", "[]", "{}", "\"\"", "[null, null, 0]", "[[]]", "[[1, 2], [3]]", "[1, [2]]",
        "\"lstm\"", "\"gru\"", "\"rnn\"", "\"linear\"", "\"embedding\"", "\"softmax\"", "\"dense\"", "\"LSTM\"", "\"GRU\"",
        "\"enc\"", "\"dec\"", "\"head\"", "\"rnn\"", "\"rec\"", "\"lin\"", "\"keras\"", "\"last\"", "\"sequence\"",
        "\"a\\u2028b\"", "\"a\\u2029b\"", "\"a\\u0085b\"", "\"a\\nb\"", "\"*/\"", "\"</summary>\"", "\"\\\"\"",
        "\"../../../../x.safetensors\"", "\"/etc/os-release\"", "\"C:\\\\x\"", "\"F16\"", "\"BF16\"", "\"F64\"",
    ];

    private static readonly string[] s_names =
    [
        "format", "weights", "layout", "input", "layers", "skip", "output", "streaming", "size", "vocab", "type", "prefix", "num_layers",
        "hidden_size", "input_size", "bias", "bidirectional", "proj_size", "nonlinearity", "activation", "in_features", "out_features",
        "num_embeddings", "embedding_dim", "reset_after", "name", "in_shape", "in_skip", "in_gain", "out_gain", "shape", "dtype",
        "data_offsets", "__metadata__", "model_data", "state_dict", "unit_type", "architecture", "config", "unknown", "",
    ];

    private const string Alphabet = "{}[]\":,-+.eE0123456789 \n\t\\/abcdefnrstuly_\u0000\u00e9\uFEFF\u2028\uD800";

    public int Next(int maxValue) => rng.Next(maxValue);

    /// <summary>1–4 edits that keep the text valid JSON when it was (a value, a property, an item).</summary>
    public string MutateJson(string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return MutateText(text);
        }
        if (root is null) return MutateText(text);
        for (int m = rng.Next(1, 5); m > 0; m--)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var target = nodes[rng.Next(nodes.Count)];
            if (target == root)
            {
                if (root is JsonObject rootObject) AddProperty(rootObject);
                continue;
            }
            EditNode(target, nodes);
        }
        return rng.Next(4) == 0 ? root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) : root.ToJsonString();
    }

    private void EditNode(JsonNode target, List<JsonNode> nodes)
    {
        var parent = target.Parent!;
        switch (rng.Next(9))
        {
            case 0:
            case 1:
            case 2: // an extreme or odd value
                Replace(target, JsonNode.Parse(s_values[rng.Next(s_values.Length)]));
                break;
            case 3: // remove it
                if (parent is JsonObject o) o.Remove(target.GetPropertyName());
                else ((JsonArray)parent).Remove(target);
                break;
            case 4: // duplicate an array item, or add a property next to it
                if (parent is JsonArray a) a.Insert(rng.Next(a.Count + 1), target.DeepClone());
                else AddProperty((JsonObject)parent);
                break;
            case 5: // wrap it in arrays
            {
                JsonNode wrapped = target.DeepClone();
                for (int i = rng.Next(1, 4); i > 0; i--) wrapped = new JsonArray(wrapped);
                Replace(target, wrapped);
                break;
            }
            case 6: // another node of the document in its place
                Replace(target, nodes[rng.Next(nodes.Count)].DeepClone());
                break;
            case 7: // a number nudged: off by one, scaled, negated
                if (target is JsonValue v && v.TryGetValue(out double d))
                {
                    double nudged = rng.Next(4) switch { 0 => d + 1, 1 => d - 1, 2 => d * 1000, _ => -d };
                    Replace(target, JsonValue.Create(double.IsFinite(nudged) ? nudged : 0));
                }
                else
                {
                    Replace(target, JsonNode.Parse(s_values[rng.Next(s_values.Length)]));
                }
                break;
            default: // an array emptied or grown
                if (target is JsonArray array)
                {
                    if (rng.Next(2) == 0) array.Clear();
                    else for (int i = rng.Next(1, 20); i > 0; i--) array.Add(JsonValue.Create(rng.Next(-2, 5)));
                }
                else if (target is JsonObject obj)
                {
                    AddProperty(obj);
                }
                break;
        }
    }

    private void AddProperty(JsonObject obj)
    {
        string name = s_names[rng.Next(s_names.Length)];
        if (obj.ContainsKey(name)) name += rng.Next(10).ToString(CultureInfo.InvariantCulture);
        obj[name] = JsonNode.Parse(s_values[rng.Next(s_values.Length)]);
    }

    private static void Replace(JsonNode target, JsonNode? replacement)
    {
        switch (target.Parent)
        {
            case JsonObject o: o[target.GetPropertyName()] = replacement; break;
            case JsonArray a: a[target.GetElementIndex()] = replacement; break;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        if (node is JsonObject o)
        {
            foreach (var (_, value) in o) if (value is not null) Collect(value, nodes);
        }
        else if (node is JsonArray a)
        {
            // Long weight arrays: a sample of their items is enough.
            int step = Math.Max(1, a.Count / 16);
            for (int i = 0; i < a.Count; i += step) if (a[i] is { } item) Collect(item, nodes);
        }
    }

    /// <summary>Character-level edits that mostly break the JSON: deletions, insertions, tokens, truncation, garbage.</summary>
    public string MutateText(string text)
    {
        if (rng.Next(16) == 0)
        {
            var sb = new StringBuilder();
            for (int i = rng.Next(0, 200); i > 0; i--) sb.Append(rng.Next(4) == 0 ? (char)rng.Next(0, 0xFFFF) : Alphabet[rng.Next(Alphabet.Length)]);
            return sb.ToString();
        }
        for (int m = rng.Next(1, 5); m > 0; m--)
        {
            int at = rng.Next(text.Length + 1);
            switch (rng.Next(6))
            {
                case 0:
                    text = text.Remove(Math.Min(at, text.Length), Math.Min(rng.Next(1, 9), text.Length - Math.Min(at, text.Length)));
                    break;
                case 1:
                    text = text.Insert(at, Alphabet[rng.Next(Alphabet.Length)].ToString());
                    break;
                case 2:
                    text = text.Insert(at, s_values[rng.Next(s_values.Length)]);
                    break;
                case 3:
                {
                    int start = rng.Next(text.Length + 1);
                    text = text.Insert(rng.Next(text.Length + 1), text.Substring(start, Math.Min(rng.Next(1, 40), text.Length - start)));
                    break;
                }
                case 4:
                    text = text[..rng.Next(text.Length + 1)];
                    break;
                default:
                    if (text.Length > 0)
                    {
                        int i = rng.Next(text.Length);
                        text = text[..i] + Alphabet[rng.Next(Alphabet.Length)] + text[(i + 1)..];
                    }
                    break;
            }
        }
        return text;
    }

    /// <summary>A safetensors file changed at the byte level, or its header edited as JSON and the file rebuilt.</summary>
    public byte[] MutateSafetensors(byte[] file)
    {
        var (header, data) = SafetensorsFile.Split(file);
        switch (rng.Next(9))
        {
            case 0: // flip bits anywhere
            {
                var bytes = (byte[])file.Clone();
                for (int i = rng.Next(1, 5); i > 0; i--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                return bytes;
            }
            case 1: // flip bits in the length prefix
            {
                var bytes = (byte[])file.Clone();
                bytes[rng.Next(8)] ^= (byte)(1 << rng.Next(8));
                return bytes;
            }
            case 2: // truncate
                return file[..rng.Next(file.Length)];
            case 3: // another declared header length
            {
                ulong length = rng.Next(3) switch
                {
                    0 => (ulong)Math.Max(0, Encoding.UTF8.GetByteCount(header) + rng.Next(-16, 17)),
                    1 => (ulong)rng.NextInt64(),
                    _ => ulong.MaxValue - (ulong)rng.Next(100),
                };
                return SafetensorsFile.BuildExact(Encoding.UTF8.GetBytes(header), data, length);
            }
            case 4:
            case 5:
            case 6: // the header edited as JSON (shapes, offsets, dtypes, names)
                return SafetensorsFile.Build(MutateJson(header), data);
            case 7: // the header edited as text
                return SafetensorsFile.Build(MutateText(header), data);
            default: // non-finite or extreme data
            {
                var bytes = (byte[])file.Clone();
                if (data.Length < 4) return bytes;
                int at = file.Length - data.Length + 4 * rng.Next(data.Length / 4);
                uint bits = rng.Next(4) switch { 0 => 0x7FC00000u, 1 => 0x7F800000u, 2 => 0xFF800000u, _ => (uint)rng.Next() };
                BitConverter.GetBytes(bits).CopyTo(bytes, at);
                return bytes;
            }
        }
    }
}
