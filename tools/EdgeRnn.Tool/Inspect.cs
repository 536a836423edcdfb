using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace EdgeRnn.Tool;

/// <summary>`edgernn inspect FILE`: what a build would make of a model file, or what a safetensors file holds.</summary>
internal static partial class Inspect
{
    /// <returns>0 when the model builds without errors, 1 otherwise.</returns>
    public static int Run(string path, TextWriter output)
    {
        if (!File.Exists(path))
        {
            output.WriteLine($"error: no file '{path}'");
            return 2;
        }
        output.WriteLine($"file: {Path.GetFullPath(path)}");
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return Weights(path, output);

        output.WriteLine($"format: {DetectFormat(File.ReadAllText(path))}");
        var run = GeneratorRun.Run(path);
        if (run.WeightsPath is not null)
        {
            var tensors = TensorList.Read(run.WeightsPath);
            output.WriteLine($"weights: {run.WeightsPath}: {tensors.Count} tensors, {tensors.Sum(t => t.Elements)} parameters, {tensors.Sum(t => t.Bytes)} bytes ({string.Join(", ", tensors.Select(t => t.DType).Distinct())})");
        }
        if (run.GeneratedSource.Length > 0 && !run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            Describe(run.GeneratedSource, output);
        var diagnostics = run.Diagnostics.Where(d => d.Id.StartsWith("ERNN", StringComparison.Ordinal)).ToList();
        output.WriteLine(diagnostics.Count == 0 ? "diagnostics: none" : $"diagnostics: {diagnostics.Count}");
        foreach (var d in diagnostics)
            output.WriteLine($"  {Where(d)}{d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
        return diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error) ? 1 : 0;
    }

    private static int Weights(string path, TextWriter output)
    {
        var tensors = TensorList.Read(path);
        output.WriteLine($"format: safetensors, {tensors.Count} tensors, {tensors.Sum(t => t.Elements)} parameters, {tensors.Sum(t => t.Bytes)} bytes");
        foreach (var t in tensors)
            output.WriteLine($"  {t.Name,-32} {t.DType,-5} {t.ShapeText}");
        output.WriteLine("This is a weights file; a manifest names its layers: `edgernn init " + path + "` writes one from the tensor names.");
        return 0;
    }

    /// <summary>The formats the generator reads (docs/manifest.md), by the same markers.</summary>
    internal static string DetectFormat(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "JSON, but not an object: not a model EdgeRnn reads";
            bool Has(string name) => root.TryGetProperty(name, out _);
            if (Has("format")) return $"edgernn/1 manifest ({(root.TryGetProperty("layout", out var l) ? l.ToString() : "pytorch")} layout)";
            if (Has("model_data") && Has("state_dict")) return "PyTorch state_dict JSON (GuitarML / NeuralPi / Proteus / NeuralSeed, read directly)";
            if (Has("in_shape") && Has("layers")) return "RTNeural / AIDA-X Keras JSON (read directly)";
            if (Has("architecture")) return "Neural Amp Modeler .nam (read directly)";
            return "JSON of no format EdgeRnn knows";
        }
        catch (JsonException)
        {
            return "not valid JSON";
        }
    }

    /// <summary>The model and its API, from the generated code (the generator's own summary and members).</summary>
    private static void Describe(string source, TextWriter output)
    {
        var summary = SummaryLine().Match(source);
        if (summary.Success) output.WriteLine($"model: {summary.Groups[1].Value}");
        var state = StateLines().Match(source);
        if (state.Success)
            output.WriteLine($"state layout: {string.Join("; ", state.Groups[1].Value.Split('\n').Select(l => l.Trim().TrimStart('/').Trim()).Where(l => l.Length > 0))}");

        var root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var type = root.DescendantNodes().OfType<StructDeclarationSyntax>().First(s => s.Identifier.Text == GeneratorRun.StructName);
        // The weights are compiled in as one packed float32 blob that the layers slice.
        long packedFloats = PackedSlice().Matches(source).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        if (packedFloats > 0)
            output.WriteLine($"weights compiled in: {packedFloats * 4} bytes (float32, packed and padded for the SIMD kernels)");
        output.WriteLine($"generated API: partial struct {GeneratorRun.StructName} : {string.Join(", ", type.BaseList?.Types.Select(t => t.ToString().Replace("global::", "", StringComparison.Ordinal)) ?? [])}");
        foreach (var member in type.Members.Where(m => m.Modifiers.Any(SyntaxKind.PublicKeyword)))
        {
            string text = member switch
            {
                FieldDeclarationSyntax f => $"{string.Join(" ", f.Modifiers)} {f.Declaration}",
                MethodDeclarationSyntax m => $"{string.Join(" ", m.Modifiers)} {m.ReturnType} {m.Identifier}{m.TypeParameterList}{m.ParameterList}",
                PropertyDeclarationSyntax p => $"{string.Join(" ", p.Modifiers)} {p.Type} {p.Identifier}",
                _ => "",
            };
            if (text.Length > 0) output.WriteLine("  " + text.Replace("global::System.", "", StringComparison.Ordinal).Replace("global::", "", StringComparison.Ordinal));
        }
    }

    private static string Where(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return span.Path is { Length: > 0 } file ? $"{file}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): " : "";
    }

    [GeneratedRegex(@"Generated by EdgeRnn: (.*)\.\s*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"State layout \(.*\):[^\n]*\n((?:\s*/// \[[^\n]*\n)*)")]
    private static partial Regex StateLines();

    [GeneratedRegex(@"PackedWeights\.Slice\(\d+, (\d+)\)")]
    private static partial Regex PackedSlice();
}
