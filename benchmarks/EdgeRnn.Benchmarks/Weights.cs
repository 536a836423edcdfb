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

/// <summary>The PyTorch tensors of one benchmark model, in PyTorch's layout.</summary>
public sealed class RnnWeights
{
    public required string Kind { get; init; }        // "lstm", "gru" (amp is an lstm with a head)
    public required int InputSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int Gates { get; init; }          // 4 (i, f, g, o) or 3 (r, z, n)
    public required float[] WeightIh { get; init; }   // [G·H, I]
    public required float[] WeightHh { get; init; }   // [G·H, H]
    public required float[] BiasIh { get; init; }     // [G·H]
    public required float[] BiasHh { get; init; }     // [G·H]
    public float[]? HeadWeight { get; init; }         // [1, H]  (amp only)
    public float HeadBias { get; init; }
    public bool Skip { get; init; }                   // output += input[0] (amp only)

    public int OutputSize => HeadWeight is null ? HiddenSize : 1;

    /// <summary>Model flops per step: 8·H·(I+H) for LSTM, 6·H·(I+H) for GRU, plus 2·H for the amp's dense head.</summary>
    public long FlopsPerStep => (long)2 * Gates * HiddenSize * (InputSize + HiddenSize) + (HeadWeight is null ? 0 : 2L * HiddenSize);

    public static RnnWeights Load(string modelName)
    {
        var t = ModelFiles.ReadSafetensors(ModelFiles.PathOf(modelName + ".safetensors"));
        bool amp = modelName.StartsWith("amp", StringComparison.Ordinal);
        string prefix = amp ? "rec." : "rnn.";
        string kind = modelName.StartsWith("gru", StringComparison.Ordinal) ? "gru" : "lstm";
        var wih = t[prefix + "weight_ih_l0"];
        var whh = t[prefix + "weight_hh_l0"];
        int gates = kind == "lstm" ? 4 : 3;
        int h = whh.Shape[1];
        if (wih.Shape[0] != gates * h || whh.Shape[0] != gates * h)
            throw new InvalidDataException($"{modelName}: unexpected shapes");
        return new RnnWeights
        {
            Kind = kind,
            InputSize = wih.Shape[1],
            HiddenSize = h,
            Gates = gates,
            WeightIh = wih.Data,
            WeightHh = whh.Data,
            BiasIh = t[prefix + "bias_ih_l0"].Data,
            BiasHh = t[prefix + "bias_hh_l0"].Data,
            HeadWeight = amp ? t["lin.weight"].Data : null,
            HeadBias = amp ? t["lin.bias"].Data[0] : 0f,
            Skip = amp,
        };
    }
}
