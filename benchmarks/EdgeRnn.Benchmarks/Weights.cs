using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace EdgeRnn.Benchmarks;

/// <summary>Where the model files are, and a minimal F32 safetensors reader for the peers.</summary>
public static class ModelFiles
{
    /// <summary>The Models folder: next to the binary, else the project's own (recorded at build time).</summary>
    public static string Directory
    {
        get
        {
            string local = Path.Combine(AppContext.BaseDirectory, "Models");
            if (System.IO.Directory.Exists(local))
                return local;
            foreach (var m in typeof(ModelFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
                if (m.Key == "EdgeRnnBenchmarkModels" && m.Value is not null && System.IO.Directory.Exists(m.Value))
                    return m.Value;
            throw new DirectoryNotFoundException($"Models folder not found next to {AppContext.BaseDirectory}");
        }
    }

    public static string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Reads an F32 safetensors file into name → (shape, data).</summary>
    public static Dictionary<string, (int[] Shape, float[] Data)> ReadSafetensors(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        int dataStart = checked(8 + (int)n);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        var result = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
        foreach (var tensor in header.RootElement.EnumerateObject())
        {
            if (tensor.Name == "__metadata__")
                continue;
            string dtype = tensor.Value.GetProperty("dtype").GetString()!;
            if (dtype != "F32")
                throw new InvalidDataException($"{path}: {tensor.Name} is {dtype}, only F32 is read here");
            int[] shape = tensor.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var offsets = tensor.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            float[] data = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart + begin, end - begin)).ToArray();
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("big-endian");
            result.Add(tensor.Name, (shape, data));
        }
        return result;
    }
}

/// <summary>One recurrent sub-layer's PyTorch tensors (<c>weight_ih_lK</c>, <c>weight_hh_lK</c>, <c>bias_ih_lK</c>, <c>bias_hh_lK</c>).</summary>
public sealed record RecurrentLayerWeights(int InputSize, float[] WeightIh, float[] WeightHh, float[] BiasIh, float[] BiasHh);

/// <summary>The PyTorch tensors of one benchmark model, in PyTorch's layout, as its manifest names them.</summary>
public sealed class RnnWeights
{
    public required string Kind { get; init; }        // "lstm", "gru" (the amp models are one of them with a head)
    public required int HiddenSize { get; init; }
    public required int Gates { get; init; }          // 4 (i, f, g, o) or 3 (r, z, n)
    /// <summary>The stacked sub-layers (PyTorch's <c>num_layers</c>); sub-layer k &gt; 0 reads sub-layer k - 1's h.</summary>
    public required IReadOnlyList<RecurrentLayerWeights> Layers { get; init; }
    public float[]? HeadWeight { get; init; }         // [1, H]  (amp only)
    public float HeadBias { get; init; }
    public bool Skip { get; init; }                   // output += input[0] (amp only)

    public int InputSize => Layers[0].InputSize;
    public float[] WeightIh => Layers[0].WeightIh;    // [G·H, I]
    public float[] WeightHh => Layers[0].WeightHh;    // [G·H, H]
    public float[] BiasIh => Layers[0].BiasIh;        // [G·H]
    public float[] BiasHh => Layers[0].BiasHh;        // [G·H]

    public int OutputSize => HeadWeight is null ? HiddenSize : 1;

    /// <summary>Model flops per step: per sub-layer 8·H·(I+H) for LSTM, 6·H·(I+H) for GRU, plus 2·H for the amp's dense head.</summary>
    public long FlopsPerStep =>
        Layers.Sum(l => 2L * Gates * HiddenSize * (l.InputSize + HiddenSize)) + (HeadWeight is null ? 0 : 2L * HiddenSize);

    /// <summary>
    /// Reads NAME.edgernn.json (the first layer: lstm or gru, its prefix and num_layers; an optional linear head;
    /// "skip") and the tensors it names from NAME.safetensors.
    /// </summary>
    public static RnnWeights Load(string modelName)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(ModelFiles.PathOf(modelName + ".edgernn.json")));
        var layers = manifest.RootElement.GetProperty("layers");
        var rnn = layers[0];
        string kind = rnn.GetProperty("type").GetString()!;
        string prefix = rnn.GetProperty("prefix").GetString()! + ".";
        int subLayers = rnn.TryGetProperty("num_layers", out var n) ? n.GetInt32() : 1;
        string? headPrefix = layers.GetArrayLength() > 1 ? layers[1].GetProperty("prefix").GetString() + "." : null;
        bool skip = manifest.RootElement.TryGetProperty("skip", out var s) && s.GetInt32() != 0;
        if (kind is not ("lstm" or "gru") || (headPrefix is not null && layers[1].GetProperty("type").GetString() != "linear"))
            throw new InvalidDataException($"{modelName}: the benchmark peers read lstm/gru [+ linear] models only");

        var t = ModelFiles.ReadSafetensors(ModelFiles.PathOf(modelName + ".safetensors"));
        int gates = kind == "lstm" ? 4 : 3;
        int h = t[prefix + "weight_hh_l0"].Shape[1];
        var subs = new RecurrentLayerWeights[subLayers];
        for (int k = 0; k < subLayers; k++)
        {
            var wih = t[prefix + "weight_ih_l" + k];
            var whh = t[prefix + "weight_hh_l" + k];
            if (wih.Shape[0] != gates * h || whh.Shape[0] != gates * h || whh.Shape[1] != h || (k > 0 && wih.Shape[1] != h))
                throw new InvalidDataException($"{modelName}: unexpected shapes in sub-layer {k}");
            subs[k] = new RecurrentLayerWeights(wih.Shape[1], wih.Data, whh.Data,
                t[prefix + "bias_ih_l" + k].Data, t[prefix + "bias_hh_l" + k].Data);
        }
        return new RnnWeights
        {
            Kind = kind,
            HiddenSize = h,
            Gates = gates,
            Layers = subs,
            HeadWeight = headPrefix is null ? null : t[headPrefix + "weight"].Data,
            HeadBias = headPrefix is null ? 0f : t[headPrefix + "bias"].Data[0],
            Skip = skip,
        };
    }
}
