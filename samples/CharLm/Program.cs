// CharLm: text from a character-level LSTM language model trained on the King James Bible, one character at
// a time. The model (model/charlm.edgernn.json + charlm.safetensors, from tools/train_charlm.py) is compiled
// into the CharLm struct at build time; Generation.Generate feeds the prompt through it, then samples each next
// character from its output (logits over the 63 characters of model/vocab.json) and feeds it back.
//
//   dotnet run --project samples/CharLm -c Release -- --prompt "The " --length 400 --temperature 0.8 --seed 1
//   options: --prompt TEXT  --length N  --temperature T (0 = greedy)  --top-k K  --top-p P  --seed S
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeRnn;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

string prompt = "The ";
int length = 400;
float temperature = 0.8f;
int topK = 0;
float topP = 1f;
ulong seed = 1;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string name = args[i];
        if (name is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (i + 1 >= args.Length) throw new FormatException($"{name} needs a value.");
        string value = args[++i];
        switch (name)
        {
            case "--prompt": prompt = value; break;
            case "--length": length = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--temperature": temperature = float.Parse(value, CultureInfo.InvariantCulture); break;
            case "--top-k": topK = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--top-p": topP = float.Parse(value, CultureInfo.InvariantCulture); break;
            case "--seed": seed = ulong.Parse(value, CultureInfo.InvariantCulture); break;
            default: throw new FormatException($"unknown option {name}.");
        }
    }
    if (length < 0) throw new FormatException("--length must be 0 or more.");
    if (prompt.Length == 0) throw new FormatException("--prompt must not be empty: the model needs at least one character to start from.");
    _ = new SamplerOptions { Temperature = temperature, TopK = topK, TopP = topP, Seed = seed }; // validates the values
}
catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
{
    Console.Error.WriteLine("CharLm: " + e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

// The vocabulary: token id i <-> chars[i]; characters it does not have become the fallback (a space).
using var vocabJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "model", "vocab.json")));
string chars = vocabJson.RootElement.GetProperty("chars").GetString()!;
char fallback = vocabJson.RootElement.GetProperty("fallback").GetString()![0];
if (chars.Length != CharLm.VocabSize)
    throw new InvalidOperationException($"vocab.json has {chars.Length} characters but the model {CharLm.VocabSize}.");

var promptTokens = new int[prompt.Length];
int unknown = 0;
for (int i = 0; i < prompt.Length; i++)
{
    int id = chars.IndexOf(prompt[i], StringComparison.Ordinal);
    if (id < 0)
    {
        id = chars.IndexOf(fallback, StringComparison.Ordinal);
        unknown++;
    }
    promptTokens[i] = id;
}
if (unknown > 0)
    Console.Error.WriteLine($"note: {unknown} prompt character(s) are not in the model's vocabulary and were read as '{fallback}'.");

var options = new SamplerOptions { Temperature = temperature, TopK = topK, TopP = topP, Seed = seed };
var output = new int[length];

// Warm-up (JIT), then the measured run from a fresh state.
var model = new CharLm();
Generation.Generate(ref model, promptTokens, output.AsSpan(0, Math.Min(length, 32)), options);
model.Reset();

long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
long start = Stopwatch.GetTimestamp();
Generation.Generate(ref model, promptTokens, output, options);
TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

var text = new StringBuilder(prompt.Length + length);
text.Append(prompt);
foreach (int id in output) text.Append(chars[id]);
Console.WriteLine(text.ToString());
Console.WriteLine();
double perSecond = (promptTokens.Length + length) / Math.Max(elapsed.TotalSeconds, 1e-9);
Console.WriteLine(
    $"[{length} characters generated ({options}) in {elapsed.TotalMilliseconds:F1} ms: " +
    $"{perSecond:N0} characters per second (prompt included), {allocated} bytes allocated]");
return 0;

/// <summary>The character-level language model, generated from model/charlm.edgernn.json.</summary>
[EdgeRnnModel("model/charlm.edgernn.json")]
public partial struct CharLm;

/// <summary>Command-line help.</summary>
internal partial class Program
{
    private const string Usage =
        """
        usage: dotnet run --project samples/CharLm -c Release -- [options]
          --prompt TEXT        text to start from (default "The ")
          --length N           characters to generate (default 400)
          --temperature T      sampling temperature; 0 = greedy (default 0.8)
          --top-k K            keep only the K most likely characters; 0 = off (default 0)
          --top-p P            keep the smallest set of characters with probability >= P; 1 = off (default 1)
          --seed S             random seed (default 1): the same seed gives the same text
        """;
}
