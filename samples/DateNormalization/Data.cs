using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DateNormalization;

/// <summary>Model/vocab.json: source characters → token ids, target token ids → text.</summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<char, int> _sourceIds = [];
    private readonly int _unknownSource;
    private readonly string[] _target;
    private readonly int _start, _stop;

    private Vocabulary(JsonElement root)
    {
        var source = root.GetProperty("source");
        _unknownSource = source.GetProperty("unknown_token").GetInt32();
        int id = 0;
        foreach (var token in source.GetProperty("tokens").EnumerateArray())
        {
            string text = token.GetString()!;
            if (text.Length == 1) _sourceIds[text[0]] = id;
            id++;
        }
        var target = root.GetProperty("target");
        _target = [.. target.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!)];
        _start = target.GetProperty("start_token").GetInt32();
        _stop = target.GetProperty("stop_token").GetInt32();
        if (id != Dates.SourceVocabSize || _target.Length != Dates.VocabSize)
            throw new InvalidDataException($"vocab.json has {id} source and {_target.Length} target tokens; the model {Dates.SourceVocabSize} and {Dates.VocabSize}.");
    }

    public static Vocabulary Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return new Vocabulary(json.RootElement);
    }

    /// <summary>Writes the token ids of <paramref name="text"/> (characters not in the vocabulary become the unknown token); returns their count.</summary>
    public int EncodeSource(string text, Span<int> ids)
    {
        for (int i = 0; i < text.Length; i++) ids[i] = _sourceIds.GetValueOrDefault(text[i], _unknownSource);
        return text.Length;
    }

    /// <summary>The decoded text: the tokens' characters without the start and stop tokens.</summary>
    public string DecodeTarget(ReadOnlySpan<int> tokens)
    {
        var text = new StringBuilder(tokens.Length);
        foreach (int token in tokens)
            if (token != _start && token != _stop) text.Append(_target[token]);
        return text.ToString();
    }

    /// <summary>Each token's text, the stop token included (the rows of an attention map).</summary>
    public string[] TargetCharacters(ReadOnlySpan<int> tokens)
    {
        var labels = new string[tokens.Length];
        for (int i = 0; i < tokens.Length; i++) labels[i] = _target[tokens[i]];
        return labels;
    }

    /// <summary>The tokens as text separated by spaces: "1 9 9 8 - 0 3 - 0 3 &lt;/s&gt;".</summary>
    public string TargetTokens(ReadOnlySpan<int> tokens) => string.Join(' ', TargetCharacters(tokens));
}

/// <summary>A line of data/heldout.tsv: a source, its expected output and PyTorch's greedy and beam predictions.</summary>
internal sealed record HeldOutExample(string Source, string Target, string PyTorchGreedy, string PyTorchBeam)
{
    /// <summary>Reads the file (a header line naming the columns source, target, pytorch_greedy, pytorch_beamK); also returns K.</summary>
    public static (List<HeldOutExample> Examples, int PyTorchBeamWidth) Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split('\t');
        int Column(string name) => Array.IndexOf(header, name) is >= 0 and var i ? i : throw new InvalidDataException($"{path}: no column {name}.");
        string beamColumn = header.FirstOrDefault(h => h.StartsWith("pytorch_beam", StringComparison.Ordinal))
                            ?? throw new InvalidDataException($"{path}: no pytorch_beamK column.");
        int width = int.Parse(beamColumn["pytorch_beam".Length..], CultureInfo.InvariantCulture);
        int source = Column("source"), target = Column("target"), greedy = Column("pytorch_greedy"), beam = Column(beamColumn);
        var examples = new List<HeldOutExample>(lines.Length - 1);
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            string[] fields = line.Split('\t');
            examples.Add(new HeldOutExample(fields[source], fields[target], fields[greedy], fields[beam]));
        }
        return (examples, width);
    }
}
