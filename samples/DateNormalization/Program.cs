// DateNormalization: an encoder–decoder with attention that rewrites a date written any common way as yyyy-mm-dd
// ("the 3rd of march 1998" → 1998-03-03). The model (Model/dates.edgernn.json + dates.safetensors, trained by
// tools/seq2seq/train_dates.py) is compiled into the Dates struct at build time. The program decodes the held-out set
// (data/heldout.tsv) with greedy and beam search and prints the exact-match accuracy next to PyTorch's (the file's
// prediction columns), then decodes one example both ways and writes its attention map as an SVG heat map.
//
//   dotnet run --project samples/DateNormalization -c Release
//   options: --example TEXT  --beam K  --svg PATH  --data PATH
using System.Diagnostics;
using System.Globalization;
using EdgeRnn;
using EdgeRnn.Decoding;
using DateNormalization;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string example = "the 3rd of march 1998";
int beamWidth = Dates.MaxBeamWidth;
string svgPath = Path.Combine(AppContext.BaseDirectory, "attention.svg");
string dataPath = Path.Combine(AppContext.BaseDirectory, "data", "heldout.tsv");
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string name = args[i];
        if (name is "-h" or "--help")
        {
            Console.WriteLine(Usage.Text);
            return 0;
        }
        if (i + 1 >= args.Length) throw new FormatException($"{name} needs a value.");
        string value = args[++i];
        switch (name)
        {
            case "--example": example = value; break;
            case "--beam": beamWidth = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--svg": svgPath = Path.GetFullPath(value); break;
            case "--data": dataPath = Path.GetFullPath(value); break;
            default: throw new FormatException($"unknown option {name}.");
        }
    }
    if (beamWidth < 1 || beamWidth > Dates.MaxBeamWidth) throw new FormatException($"--beam must be from 1 to {Dates.MaxBeamWidth} (the manifest's decoder.max_beam).");
    if (example.Length is 0 or > Dates.MaxSourceLength) throw new FormatException($"--example must hold 1 to {Dates.MaxSourceLength} characters.");
}
catch (Exception e) when (e is FormatException or OverflowException)
{
    Console.Error.WriteLine("DateNormalization: " + e.Message);
    Console.Error.WriteLine(Usage.Text);
    return 2;
}

var vocab = Vocabulary.Load(Path.Combine(AppContext.BaseDirectory, "Model", "vocab.json"));
var (heldOut, pyTorchBeamWidth) = HeldOutExample.Load(dataPath);
var model = new Dates();
var source = new int[Dates.MaxSourceLength];
var output = new int[Dates.MaxDecodeLength];
var workspace = new float[Decoder.BeamWorkspaceSize<Dates>(beamWidth)];

// Compiled and unpacked before timing, as an application would at start-up.
Dates.Prepare();

// The held-out set: exact match of EdgeRnn's greedy and beam outputs, PyTorch's (from the file) and their agreement.
int edgeGreedy = 0, edgeBeam = 0, torchGreedy = 0, torchBeam = 0, sameGreedy = 0, sameBeam = 0, skipped = 0;
bool torchBeamComparable = beamWidth == pyTorchBeamWidth;
long decodeTicks = 0;
foreach (var line in heldOut)
{
    if (line.Source.Length > Dates.MaxSourceLength) { skipped++; continue; }
    int length = vocab.EncodeSource(line.Source, source);
    long start = Stopwatch.GetTimestamp();
    model.Encode(source.AsSpan(0, length));
    string greedy = vocab.DecodeTarget(output.AsSpan(0, Decoder.Greedy(ref model, output)));
    model.Encode(source.AsSpan(0, length));
    string beam = vocab.DecodeTarget(output.AsSpan(0, Decoder.Beam(ref model, beamWidth, workspace, output, out _)));
    decodeTicks += Stopwatch.GetTimestamp() - start;
    if (greedy == line.Target) edgeGreedy++;
    if (beam == line.Target) edgeBeam++;
    if (line.PyTorchGreedy == line.Target) torchGreedy++;
    if (line.PyTorchBeam == line.Target) torchBeam++;
    if (greedy == line.PyTorchGreedy) sameGreedy++;
    if (beam == line.PyTorchBeam) sameBeam++;
}
int count = heldOut.Count - skipped;
string Percent(int n) => count == 0 ? "-" : (100.0 * n / count).ToString("F1", CultureInfo.InvariantCulture) + "%";
Console.WriteLine($"Held-out set: {count} dates ({dataPath}){(skipped > 0 ? $", {skipped} longer than {Dates.MaxSourceLength} characters skipped" : "")}");
Console.WriteLine($"exact match        greedy    beam({beamWidth})");
Console.WriteLine($"  PyTorch          {Percent(torchGreedy),-9} {(torchBeamComparable ? Percent(torchBeam) : $"(the file has beam({pyTorchBeamWidth}))")}");
Console.WriteLine($"  EdgeRnn          {Percent(edgeGreedy),-9} {Percent(edgeBeam)}");
Console.WriteLine($"  same output      {sameGreedy}/{count,-5} {(torchBeamComparable ? $"{sameBeam}/{count}" : "-")}");
Console.WriteLine($"  EdgeRnn time: {Stopwatch.GetElapsedTime(0, decodeTicks).TotalMilliseconds / Math.Max(count, 1) * 1000:F0} µs per date (encode + greedy, encode + beam)");
Console.WriteLine();

// One example, greedy and beam, with the attention of each output step.
int sourceLength = vocab.EncodeSource(example, source);
var attention = new float[Dates.MaxDecodeLength * sourceLength];
model.Encode(source.AsSpan(0, sourceLength));
int greedyLength = Decoder.Greedy(ref model, output, attention);
string greedyText = vocab.DecodeTarget(output.AsSpan(0, greedyLength));
string greedyTokens = vocab.TargetTokens(output.AsSpan(0, greedyLength));
var greedyAttention = attention[..(greedyLength * sourceLength)];

model.Encode(source.AsSpan(0, sourceLength));
int beamLength = Decoder.Beam(ref model, beamWidth, workspace, output, out float beamScore, attention);
string beamText = vocab.DecodeTarget(output.AsSpan(0, beamLength));

Console.WriteLine($"\"{example}\"");
Console.WriteLine($"  greedy   → {greedyText}   ({greedyTokens})");
Console.WriteLine($"  beam({beamWidth})  → {beamText}   (log-probability {beamScore:F4})");

// Allocation over whole decodings of the example (after the ones above warmed everything up).
long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
for (int i = 0; i < 100; i++)
{
    model.Encode(source.AsSpan(0, sourceLength));
    Decoder.Greedy(ref model, output, attention);
    model.Encode(source.AsSpan(0, sourceLength));
    Decoder.Beam(ref model, beamWidth, workspace, output, out _, attention);
}
Console.WriteLine($"  100 × (encode + greedy + encode + beam): {GC.GetAllocatedBytesForCurrentThread() - allocatedBefore} bytes allocated");

var outputChars = vocab.TargetCharacters(output.AsSpan(0, greedyLength));
File.WriteAllText(svgPath, AttentionSvg.Render(greedyAttention, example, outputChars, $"EdgeRnn attention (greedy): \"{example}\" → {greedyText}"));
Console.WriteLine($"  attention map (greedy; rows: output, columns: source) written to {svgPath}");
return 0;

/// <summary>The date model, generated from Model/dates.edgernn.json.</summary>
[EdgeRnnModel("Model/dates.edgernn.json")]
public partial struct Dates;

namespace DateNormalization
{
    internal static class Usage
    {
        public const string Text =
            """
            usage: dotnet run --project samples/DateNormalization -c Release -- [options]
              --example TEXT   the date to decode and draw (default "the 3rd of march 1998")
              --beam K         beam width, 1 to the model's max_beam (default: max_beam, 4)
              --svg PATH       where to write the attention map (default: attention.svg next to the binary)
              --data PATH      the held-out set (default: data/heldout.tsv next to the binary)
            """;
    }
}
