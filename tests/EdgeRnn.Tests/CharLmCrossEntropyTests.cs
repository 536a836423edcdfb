using System.Text.Json;

namespace EdgeRnn.Tests;

/// <summary>
/// The CharLm sample's model (samples/CharLm/model, trained by tools/train_charlm.py): its per-character
/// cross-entropy on held-out text, computed here in C#, matches PyTorch's, and generating from it allocates nothing.
/// </summary>
public class CharLmCrossEntropyTests
{
    private static string ModelDir => Path.Combine(Repo.Root, "samples", "CharLm", "model");

    private static (int[] Tokens, double CrossEntropy) HeldOut()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "heldout.json")));
        var root = json.RootElement;
        int[] tokens = [.. root.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32())];
        return (tokens, root.GetProperty("cross_entropy").GetDouble());
    }

    /// <summary>−log softmax(logits)[target], in float64 (log-sum-exp with the maximum subtracted).</summary>
    private static double NegativeLogLikelihood(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits) max = Math.Max(max, x);
        double sum = 0;
        foreach (float x in logits) sum += Math.Exp(x - max);
        return max + Math.Log(sum) - logits[target];
    }

    [Fact]
    public void Held_out_cross_entropy_matches_PyTorch_within_1e_4()
    {
        var (tokens, expected) = HeldOut();
        Assert.True(tokens.Length >= 1000, $"heldout.json has only {tokens.Length} tokens");

        // Step by step from the zero state: the output after token t predicts token t + 1.
        var model = new CharLmModel();
        var logits = new float[CharLmModel.OutputSize];
        double total = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            model.Step(tokens[t], logits);
            total += NegativeLogLikelihood(logits, tokens[t + 1]);
        }
        double stepCe = total / (tokens.Length - 1);
        Assert.True(Math.Abs(stepCe - expected) <= 1e-4,
            $"C# cross-entropy {stepCe:F7} nats/char, PyTorch {expected:F7}: differ by {Math.Abs(stepCe - expected):G3} > 1e-4");

        // The same through Run over the whole sequence.
        var runModel = new CharLmModel();
        var outputs = new float[(tokens.Length - 1) * CharLmModel.OutputSize];
        runModel.Run(tokens.AsSpan(0, tokens.Length - 1), outputs);
        double runTotal = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
            runTotal += NegativeLogLikelihood(outputs.AsSpan(t * CharLmModel.OutputSize, CharLmModel.OutputSize), tokens[t + 1]);
        double runCe = runTotal / (tokens.Length - 1);
        Assert.True(Math.Abs(runCe - expected) <= 1e-4, $"Run: C# {runCe:F7}, PyTorch {expected:F7}");
    }

    [Fact]
    public void The_vocabulary_file_matches_the_model()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "vocab.json")));
        string chars = json.RootElement.GetProperty("chars").GetString()!;
        Assert.Equal(CharLmModel.VocabSize, chars.Length);
        Assert.Equal(CharLmModel.VocabSize, CharLmModel.OutputSize);
        Assert.Equal(chars.Length, chars.Distinct().Count());
        Assert.Contains(json.RootElement.GetProperty("fallback").GetString()![0], chars);
    }

    [Fact]
    public void Generating_allocates_0_bytes_per_character()
    {
        var (tokens, _) = HeldOut();
        ReadOnlySpan<int> prompt = tokens.AsSpan(0, 16);
        var output = new int[1000];
        var options = new SamplerOptions { Temperature = 0.8f, TopK = 20, TopP = 0.95f, Seed = 1 };
        var model = new CharLmModel();
        Generation.Generate(ref model, prompt, output.AsSpan(0, 50), options); // warm-up (JIT)
        model.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int written = Generation.Generate(ref model, prompt, output, options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1000, written);
        Assert.All(output, t => Assert.InRange(t, 0, CharLmModel.VocabSize - 1));
    }

    [Fact]
    public void Generation_is_deterministic_for_a_seed()
    {
        var (tokens, _) = HeldOut();
        int[] Generate(ulong seed)
        {
            var model = new CharLmModel();
            var output = new int[200];
            Generation.Generate(ref model, tokens.AsSpan(0, 8), output, new SamplerOptions { Temperature = 0.8f, Seed = seed });
            return output;
        }
        Assert.Equal(Generate(1), Generate(1));
        Assert.NotEqual(Generate(1), Generate(2));
    }
}

/// <summary>The CharLm sample's model. Needs, in EdgeRnn.Tests.csproj:
/// <c>&lt;EdgeRnnModel Include="../../samples/CharLm/model/charlm.edgernn.json" /&gt;</c>.</summary>
[EdgeRnnModel("../../samples/CharLm/model/charlm.edgernn.json")]
public partial struct CharLmModel;
