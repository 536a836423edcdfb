using System.Collections.Generic;
using System.Text;
using EdgeRnn.Generators.Json;

namespace EdgeRnn.Generators.Model;

/// <summary>Tensors written as nested JSON arrays (a state_dict saved with json.dump, RTNeural and NAM files).</summary>
internal static class JsonTensors
{
    /// <summary>Shape from the nesting (a bare number is a scalar); null with <paramref name="error"/> for ragged or non-numeric arrays.</summary>
    public static TensorSpec? Read(string name, JsonNode node, out string? error)
    {
        var shape = new List<int>();
        for (var n = node; n.Kind == JsonKind.Array; n = n.Items![0])
        {
            shape.Add(n.Items!.Count);
            if (n.Items.Count == 0) break;
        }
        // Checked before the product is taken: the shape comes from the first items alone, so a ragged array nested
        // 40 deep would claim 2^40 elements. A rectangular array has as many numbers as its product, all parsed.
        if (!IsRectangular(node, 0, shape))
        {
            error = $"tensor '{name}' is not a rectangular array of numbers (expected shape {TensorSpec.FormatShape([.. shape])})";
            return null;
        }
        long count = 1;
        foreach (int d in shape) count *= d;
        var data = new float[count];
        int written = 0;
        Flatten(node, 0, shape, data, ref written);
        error = null;
        return new TensorSpec(name, new EquatableArray<int>([.. shape]), new EquatableArray<float>(data));
    }

    /// <summary>
    /// A weights file that is a PyTorch state_dict in JSON ({"name": nested arrays}, or a format A file's "state_dict"),
    /// recognized by its first byte: a safetensors file starts with a binary length, never with '{' followed by text.
    /// </summary>
    public static bool LooksLikeJson(byte[] file)
    {
        int i = 0;
        while (i < file.Length && file[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF) i++;
        if (i >= file.Length || file[i] != (byte)'{') return false;
        for (int k = 0; k < 8 && k < file.Length; k++)
            if (file[k] == 0) return false;
        return true;
    }

    public static SafetensorsResult ReadStateDict(byte[] file)
    {
        JsonNode root;
        try
        {
            root = JsonReader.Parse(new UTF8Encoding(false, true).GetString(file));
        }
        catch (JsonException e)
        {
            return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"the JSON state_dict is not valid JSON: {e.Message} at offset {e.Position}");
        }
        catch (DecoderFallbackException)
        {
            return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, "the JSON state_dict is not valid UTF-8");
        }
        if (root["state_dict"] is { Kind: JsonKind.Object } inner) root = inner;
        var tensors = new List<TensorSpec>();
        foreach (var p in root.Properties!)
        {
            if (p.Value.Kind is not (JsonKind.Array or JsonKind.Number)) continue; // metadata such as "model_data"
            var t = Read(p.Name, p.Value, out string? error);
            if (t is null) return SafetensorsResult.Fail(SafetensorsError.MalformedHeader, error!);
            tensors.Add(t);
        }
        return new SafetensorsResult(new EquatableArray<TensorSpec>([.. tensors]), SafetensorsError.None, EquatableArray<string>.Empty);
    }

    /// <summary>Every array at depth d has shape[d] items and every leaf is a number; stops at the first that doesn't.</summary>
    private static bool IsRectangular(JsonNode node, int depth, List<int> shape)
    {
        if (depth == shape.Count) return node.Kind == JsonKind.Number;
        if (node.Kind != JsonKind.Array || node.Items!.Count != shape[depth]) return false;
        foreach (var item in node.Items)
            if (!IsRectangular(item, depth + 1, shape)) return false;
        return true;
    }

    /// <summary>The numbers of an array <see cref="IsRectangular"/> accepted, row-major.</summary>
    private static void Flatten(JsonNode node, int depth, List<int> shape, float[] data, ref int written)
    {
        if (depth == shape.Count)
        {
            data[written++] = (float)node.NumberValue;
            return;
        }
        foreach (var item in node.Items!) Flatten(item, depth + 1, shape, data, ref written);
    }
}
