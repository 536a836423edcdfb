using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Tests.Support;
using EdgeRnn.Kernels;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        // Emit compiles everything (a separate GetDiagnostics pass would compile it twice).
        output.WriteLine($"generate {generated.TotalSeconds:F1} s, compile {(clock.Elapsed - generated).TotalSeconds:F1} s, source {run.SingleSource().Length / 1e6:F1} MB");
        // UTF-16 text is half a character per weight byte plus escapes; the rest of the source is a few tens of kilobytes.
        int weightBytes = 4 * 4 * 256 * (256 + 256 + 2);
        Assert.True(run.SingleSource().Length < 3 * weightBytes / 4 + 100_000, $"{run.SingleSource().Length} characters of source for {weightBytes} bytes of weights");
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
        Assert.Contains("new global::EdgeRnn.Kernels.AlignedWeights(", source); // copied once, aligned
        Assert.Contains("\", floats: ", source); // a small model: UTF-16 text
        Assert.Contains("private static global::System.ReadOnlySpan<float> L0RecurrentWeights => PackedWeights.Slice(", source);
        // No lists of float literals (the fixed steps' constants — 0f lanes, ½ scales — are single literals).
        Assert.DoesNotMatch(@"(([1-9]\d*(\.\d+)?|\d+\.\d+)([eE][-+]?\d+)?[fF],\s*){3}", source);
        Assert.DoesNotContain("new float[", source);
        Assert.DoesNotContain("new byte[", source);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_blob_holds_every_array_bit_for_bit_with_matrices_on_cache_lines(bool base64)
    {
        // Patterns float text would not round-trip (subnormals, negative zero, infinities, NaN payloads), and byte
        // pairs a UTF-16 literal must escape (quote, backslash, controls, line separators, surrogates).
        float[] Bits(params uint[] bits) => [.. bits.Select(BitConverter.UInt32BitsToSingle)];
        var arrays = new (string Name, float[] Values, bool Matrix)[]
        {
            ("InitialState", Bits(0x80000000, 0x00000001, 0x7F800000, 0x005C0022, 0x2028000A, 0xDC00D800, 0x0085FFFF), false),
            ("L0InputWeights", Bits([.. Enumerable.Range(0, 37).Select(i => 0x3F800000u + (uint)i * 0x01010101u)]), true),
            ("L0Bias", Bits(0xFF800000, 0x7FC01234, 0x007FFFFF), false),
            ("L0RecurrentWeights", Bits(0xBF7FFFFF), true),
            ("Empty", [], false),
        };
        var weights = new WeightsEmitter();
        weights.Comment("a comment");
        foreach (var (name, values, matrix) in arrays)
        {
            if (matrix) weights.Matrix(name, values);
            else weights.Vector(name, values);
        }
        var writer = new SourceWriter();
        weights.WriteTo(writer, utf16Limit: base64 ? 0 : int.MaxValue);
        var source = writer.ToString();

        // The compiler's own reading of the literal, escapes included; the members compile against the runtime.
        var tree = CSharpSyntaxTree.ParseText("class C {\n" + source + "}\n", TestProject.ParseOptions);
        var compilation = CSharpCompilation.Create("Blob", [tree], TestProject.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var members = tree.GetRoot();
        var creation = members.DescendantNodes().OfType<ObjectCreationExpressionSyntax>().Single();
        var literal = (LiteralExpressionSyntax)creation.ArgumentList!.Arguments[0].Expression;
        Assert.Equal(base64 ? SyntaxKind.Utf8StringLiteralExpression : SyntaxKind.StringLiteralExpression, literal.Kind());
        var text = literal.Token.ValueText;
        byte[] bytes = base64 ? Convert.FromBase64String(text) : [.. text.SelectMany(c => new[] { (byte)c, (byte)(c >> 8) })];
        Assert.Equal(int.Parse(creation.ArgumentList.Arguments[1].Expression.ToString(), CultureInfo.InvariantCulture) * 4, bytes.Length);
        Assert.Contains("// a comment", source);
        foreach (var (name, values, matrix) in arrays)
        {
            var slice = Regex.Match(source, $"ReadOnlySpan<float> {name} => PackedWeights\\.Slice\\(([0-9]+), ([0-9]+)\\);");
            Assert.True(slice.Success, $"no property {name}");
            int offset = int.Parse(slice.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(values.Length, int.Parse(slice.Groups[2].Value, CultureInfo.InvariantCulture));
            if (matrix) Assert.Equal(0, offset % (AlignedWeights.Alignment / sizeof(float)));
            for (int i = 0; i < values.Length; i++)
                Assert.Equal(BitConverter.SingleToUInt32Bits(values[i]), BitConverter.ToUInt32(bytes, 4 * (offset + i)));
        }
    }

    [Fact]
    public void Without_arrays_no_blob_field_is_written()
    {
        // A field nothing reads would be warning CS0414 in the user's project.
        var weights = new WeightsEmitter();
        weights.Comment("no weights");
        var writer = new SourceWriter();
        weights.WriteTo(writer);
        Assert.DoesNotContain(WeightsEmitter.BlobField, writer.ToString());
    }
}
