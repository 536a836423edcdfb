using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using EdgeRnn.Generators.Tests.Support;
using Microsoft.CodeAnalysis;
using static EdgeRnn.Generators.Tests.Support.SafetensorsFile;

namespace EdgeRnn.Generators.Tests;

/// <summary>Properties of the emitted code itself, for a large model.</summary>
public class EmittedCodeTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>RyuJIT compiles methods over 60,000 IL bytes with MinOpts (no optimization): no generated method may come near.</summary>
    private const int MinOptsIlSize = 60_000;

    private static byte[] RandomLstm(int input, int hidden)
    {
        var rng = new Random(256);
        float[] Fill(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f)];
        return Write([
            new Tensor("rnn.weight_ih_l0", [4 * hidden, input], Fill(4 * hidden * input)),
            new Tensor("rnn.weight_hh_l0", [4 * hidden, hidden], Fill(4 * hidden * hidden)),
            new Tensor("rnn.bias_ih_l0", [4 * hidden], Fill(4 * hidden)),
            new Tensor("rnn.bias_hh_l0", [4 * hidden], Fill(4 * hidden)),
        ]);
    }

    [Fact]
    public void No_generated_method_of_an_I256_H256_LSTM_is_large_enough_for_MinOpts()
    {
        const string manifest = """
            { "format": "edgernn/1", "weights": "big.safetensors", "input": { "size": 256 },
              "layers": [ { "type": "lstm", "prefix": "rnn" } ] }
            """;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = new TestProject()
            .AddModel("Models/big.edgernn.json", manifest)
            .AddWeights("Models/big.safetensors", RandomLstm(256, 256))
            .AddModelStruct("Models/big.edgernn.json", "public partial struct Big;")
            .Run();
        run.AssertNoGeneratorFailure();
        Assert.Empty(run.Diagnostics);
        var generated = clock.Elapsed;

        using var image = new MemoryStream();
        var emit = run.Output.Emit(image);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        // Emit compiles everything (a separate GetDiagnostics pass would bind the 2 M weight bytes twice).
        output.WriteLine($"generate {generated.TotalSeconds:F1} s, compile {(clock.Elapsed - generated).TotalSeconds:F1} s, source {run.SingleSource().Length / 1e6:F1} MB");
        image.Position = 0;
        using var pe = new PEReader(image);
        var md = pe.GetMetadataReader();
        int largest = 0;
        string largestName = "";
        foreach (var handle in md.MethodDefinitions)
        {
            var method = md.GetMethodDefinition(handle);
            if (method.RelativeVirtualAddress == 0) continue;
            int size = pe.GetMethodBody(method.RelativeVirtualAddress).Size;
            if (size > largest)
            {
                largest = size;
                largestName = md.GetString(method.Name);
            }
        }
        Assert.True(largest > 0, "no method bodies found");
        Assert.True(largest < MinOptsIlSize / 10, $"largest generated method {largestName} has {largest} IL bytes");
    }

    [Fact]
    public void Weights_are_written_as_exact_bit_patterns_not_float_text()
    {
        var source = TestProject.ForModel("lstm_i3_h5").Run().SingleSource();
        Assert.Contains("ReadOnlySpan<byte>", source);
        Assert.Contains("MemoryMarshal.Cast<byte, float>", source); // biases straight from the RVA bytes
        Assert.Contains("new global::EdgeRnn.Kernels.AlignedWeights(L0RecurrentWeightsBytes)", source); // matrices copied once, aligned
        Assert.DoesNotContain("f,", source); // no float literals
        Assert.DoesNotContain("new float[", source);
    }
}
