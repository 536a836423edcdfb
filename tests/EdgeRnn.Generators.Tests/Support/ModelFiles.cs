using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeRnn.Generators.Tests.Support;

/// <summary>The model files read directly (NAM, RTNeural, PyTorch state_dict JSON), committed or built for a test.</summary>
internal static class ModelFiles
{
    public static string RealModelsDirectory => Path.Combine(Repo.Root, "tests", "EdgeRnn.Tests", "RealModels");

    /// <summary>A committed real model file, e.g. "rtneural_gru_1d.json".</summary>
    public static string RealModel(string fileName) => File.ReadAllText(Path.Combine(RealModelsDirectory, fileName));

    /// <summary>A committed RTNeural file with the top-level properties set (a null value removes the property).</summary>
    public static string RtNeural(params (string Name, JsonNode? Value)[] properties)
    {
        var root = JsonNode.Parse(RealModel("rtneural_gru_1d.json"))!.AsObject();
        foreach (var (name, value) in properties)
        {
            if (value is null) root.Remove(name);
            else root[name] = value;
        }
        return root.ToJsonString();
    }

    /// <summary>A NAM LSTM file with the given config and a flat weights array of <paramref name="weightCount"/> zeros.</summary>
    public static string Nam(int inputSize, long hiddenSize, int numLayers, int weightCount)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"{{\"version\": \"0.5.2\", \"architecture\": \"LSTM\", \"config\": {{\"input_size\": {inputSize}, \"hidden_size\": {hiddenSize}, \"num_layers\": {numLayers}}}, \"weights\": [");
        for (int i = 0; i < weightCount; i++) sb.Append(i == 0 ? "0" : ",0");
        return sb.Append("]}").ToString();
    }

    /// <summary>The floats a NAM LSTM needs up to the end of layer <paramref name="layer"/>: per layer 4H·(in + H) + 4H + 2H.</summary>
    public static long NamLayerEnd(int inputSize, long hidden, int layer)
    {
        long end = 0;
        for (int l = 0; l <= layer; l++)
        {
            long input = l == 0 ? inputSize : hidden;
            end += 4 * hidden * (input + hidden) + 4 * hidden + 2 * hidden;
        }
        return end;
    }

    /// <summary>A PyTorch state_dict JSON file (format A) for a one-layer GRU with the given tensors as JSON text.</summary>
    public static string StateDict(params (string Name, string Json)[] tensors) =>
        "{\"model_data\": {\"unit_type\": \"GRU\", \"num_layers\": 1, \"input_size\": 1}, \"state_dict\": {" +
        string.Join(", ", tensors.Select(t => $"\"{t.Name}\": {t.Json}")) + "}}";

    /// <summary>Arrays nested <paramref name="depth"/> deep whose first items are two long at every level, but which are ragged.</summary>
    public static string RaggedNested(int depth)
    {
        string node = "[0, 0]";
        for (int i = 1; i < depth; i++) node = $"[{node}, 0]";
        return node;
    }

    /// <summary>A project with one model file read directly (no weights file) and a struct naming it.</summary>
    public static TestProject Project(string fileName, string text) =>
        new TestProject().AddModel("Models/" + fileName, text).AddModelStruct("Models/" + fileName);
}
