using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace EdgeRnn.Generators;

/// <summary>
/// The pipeline: AdditionalFiles → manifests and weights (parsed once per change) → models;
/// [EdgeRnnModel] structs → matched to their model file → emitted. Every stage carries plain,
/// value-equatable records so unchanged inputs are served from the incremental cache.
/// </summary>
/// <remarks>
/// Diagnostics flow apart from generation: they carry locations, which move on any edit above them, so they
/// are reported on their own outputs while the spec the emitter receives (<see cref="GenerationSpec"/>) holds
/// none. An edit anywhere in a C# file other than the attribute itself leaves generation cached.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    public const string AttributeName = "EdgeRnn.EdgeRnnModelAttribute";

    /// <summary>Tracking names, so tests can check which steps re-ran.</summary>
    public static class Steps
    {
        public const string Files = "EdgeRnn.Files";
        public const string Manifests = "EdgeRnn.Manifests";
        public const string Weights = "EdgeRnn.Weights";
        public const string Models = "EdgeRnn.Models";
        public const string ModelDiagnostics = "EdgeRnn.ModelDiagnostics";
        public const string Targets = "EdgeRnn.Targets";
        public const string ResolvedTargets = "EdgeRnn.ResolvedTargets";
        public const string TargetDiagnostics = "EdgeRnn.TargetDiagnostics";
        public const string Generation = "EdgeRnn.Generation";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => Classify(pair.Left, pair.Right.GetOptions(pair.Left), ct))
            .WithTrackingName(Steps.Files);

        var manifests = files
            .Where(static f => f.Kind == FileKind.Model)
            // A model item whose file is missing has no text: the compiler reports CS2001 for it, so nothing here
            // adds a misleading "not valid JSON".
            .Select(static (f, _) => f.Content is null ? new ManifestResult(f.Path, null, EquatableArray<DiagnosticInfo>.Empty) : Guard(f.Path, () => ManifestParser.Parse(f.Path, f.Content),
                d => new ManifestResult(f.Path, null, new EquatableArray<DiagnosticInfo>([d]))))
            .WithTrackingName(Steps.Manifests);

        var weights = files
            .Where(static f => f.Kind == FileKind.Weights)
            .Select(static (f, _) => DecodeWeights(f))
            .WithTrackingName(Steps.Weights);

        var projectDirectory = context.AnalyzerConfigOptionsProvider.Select(static (o, _) =>
            o.GlobalOptions.TryGetValue("build_property.MSBuildProjectDirectory", out var dir) ? dir : "");

        var models = manifests
            .Combine(weights.Collect())
            .Combine(projectDirectory)
            // A manifest that did not parse yet has no diagnostics is a missing file (the compiler's CS2001 says so): nothing to build.
            .Select(static (pair, _) => pair.Left.Left is { Spec: null, Diagnostics.Length: 0 } missing
                ? new ModelResult(missing.Path, null, EquatableArray<DiagnosticInfo>.Empty)
                : Guard(pair.Left.Left.Path, () => ModelBuilder.Build(pair.Left.Left, pair.Left.Right, pair.Right),
                d => new ModelResult(pair.Left.Left.Path, null, new EquatableArray<DiagnosticInfo>([d]))))
            .WithTrackingName(Steps.Models);

        // Manifest and weights problems are reported once per model file, whether or not a struct uses it yet.
        var modelDiagnostics = models
            .Select(static (model, _) => model.Diagnostics)
            .WithTrackingName(Steps.ModelDiagnostics);
        context.RegisterSourceOutput(modelDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));

        // Generation sees the models without their diagnostics, so a manifest edit that only moves a warning changes nothing.
        var modelSpecs = models
            .Select(static (model, _) => new ModelEntry(model.Path, model.Spec))
            .Collect();

        var fileIndex = files.Select(static (f, _) => new FileEntry(f.Path, f.Kind)).Collect();

        var targets = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeName,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
                static (ctx, _) => TargetDeclaration.From(ctx))
            .WithTrackingName(Steps.Targets);

        // Matching needs only the file index, not the models: editing a model does not re-match every struct.
        var resolved = targets
            .Combine(fileIndex)
            .Combine(projectDirectory)
            .Select(static (pair, _) => Resolve(pair.Left.Left, pair.Left.Right, pair.Right))
            .WithTrackingName(Steps.ResolvedTargets);

        // The declaration's diagnostics (with locations) are recomputed whenever it moves...
        var targetDiagnostics = resolved
            .Select(static (target, _) => target.Diagnostics)
            .WithTrackingName(Steps.TargetDiagnostics);
        context.RegisterSourceOutput(targetDiagnostics, static (spc, diagnostics) => Report(spc, diagnostics));

        // ...while generation keeps only location-free data, and stays cached unless names, manifest or weights change.
        var generation = resolved
            .Where(static target => target.Generates)
            .Select(static (target, _) => (target.Target, target.ModelFile))
            .Combine(modelSpecs)
            .Select(static (pair, _) => new GenerationSpec(pair.Left.Target, pair.Left.ModelFile,
                pair.Left.ModelFile is null ? null : pair.Right.FirstOrDefault(m => PathUtil.Same(m.Path, pair.Left.ModelFile))?.Spec))
            .WithTrackingName(Steps.Generation);

        context.RegisterSourceOutput(generation, static (spc, spec) =>
        {
            try
            {
                string source = spec.Model is null ? ModelEmitter.EmitPlaceholder(spec.Target) : ModelEmitter.Emit(spec.Target, spec.Model);
                spc.AddSource(spec.Target.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Located on the manifest: the spec keeps no C# location (see the remarks above).
                spc.ReportDiagnostic(DiagnosticInfo.Create(Descriptors.InternalError, new LocationInfo(spec.ModelFile ?? spec.Target.ModelPath, default, default),
                    spec.Target.ModelPath, Describe(e)).ToDiagnostic());
            }
        });
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var d in diagnostics) context.ReportDiagnostic(d.ToDiagnostic());
    }

    internal enum FileKind { Other, Model, Weights }

    /// <summary>An AdditionalFile as the build marked it (see targets/EdgeRnn.targets); content is read only for ours.</summary>
    internal sealed record FileSpec(string Path, FileKind Kind, string? Source, string? Content);

    internal sealed record FileEntry(string Path, FileKind Kind);

    /// <summary>A model as generation sees it: its manifest path and spec (null when it has errors), no diagnostics.</summary>
    internal sealed record ModelEntry(string Path, ModelSpec? Spec);

    private static FileSpec Classify(AdditionalText text, AnalyzerConfigOptions options, CancellationToken ct)
    {
        options.TryGetValue("build_metadata.AdditionalFiles.EdgeRnnKind", out var kindText);
        options.TryGetValue("build_metadata.AdditionalFiles.EdgeRnnSource", out var source);
        var kind = kindText switch
        {
            "model" => FileKind.Model,
            "weights" => FileKind.Weights,
            _ => FileKind.Other,
        };
        string path = PathUtil.Normalize(text.Path);
        string? content = kind == FileKind.Other ? null : text.GetText(ct)?.ToString();
        return new FileSpec(path, kind, string.IsNullOrEmpty(source) ? null : PathUtil.Normalize(source!), content);
    }

    private static WeightsFile DecodeWeights(FileSpec file)
    {
        string source = file.Source ?? file.Path;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(file.Content ?? "");
        }
        catch (FormatException)
        {
            return new WeightsFile(source, SafetensorsResult.Fail(SafetensorsError.MalformedHeader, $"the prepared text form '{file.Path}' is not valid base64"));
        }
        try
        {
            return new WeightsFile(source, JsonTensors.LooksLikeJson(bytes) ? JsonTensors.ReadStateDict(bytes) : SafetensorsReader.Read(bytes));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new WeightsFile(source, SafetensorsResult.Fail(SafetensorsError.MalformedHeader, "unreadable: " + Describe(e)));
        }
    }

    /// <summary>Finds the model file a struct names: by full path under the project directory, else by path suffix.</summary>
    private static ResolvedTarget Resolve(TargetDeclaration declaration, ImmutableArray<FileEntry> files, string projectDirectory)
    {
        var target = declaration.Target;
        var diagnostics = declaration.Diagnostics.ToList();
        bool targetOk = diagnostics.Count == 0;
        string wanted = PathUtil.Normalize(target.ModelPath);

        FileEntry? file = null;
        if (wanted.Length > 0)
        {
            if (projectDirectory.Length > 0 || PathUtil.IsRooted(target.ModelPath))
            {
                string full = PathUtil.Combine(projectDirectory, target.ModelPath);
                file = files.FirstOrDefault(f => PathUtil.Same(f.Path, full));
            }
            file ??= files.FirstOrDefault(f => f.Path.EndsWith("/" + wanted, StringComparison.OrdinalIgnoreCase) || PathUtil.Same(f.Path, wanted));
        }

        string? modelFile = null;
        if (declaration.IsRepeatedPart)
            return new ResolvedTarget(target, null, false, EquatableArray<DiagnosticInfo>.Empty);
        if (file is null)
        {
            var known = files.Where(f => f.Kind == FileKind.Model).Select(f => PathUtil.FileName(f.Path)).ToArray();
            string hint = known.Length == 0 ? "" : $" (EdgeRnnModel items in this project: {string.Join(", ", known)})";
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelNotInAdditionalFiles, declaration.AttributeLocation, target.ModelPath, target.DisplayName, hint));
        }
        else if (file.Kind != FileKind.Model)
        {
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.ModelNotEdgeRnnItem, declaration.AttributeLocation, target.ModelPath));
        }
        else if (targetOk)
        {
            modelFile = file.Path;
        }
        return new ResolvedTarget(target, modelFile, targetOk, new EquatableArray<DiagnosticInfo>([.. diagnostics]));
    }

    /// <summary>The generator never throws: an unexpected exception becomes ERNN0024 on the file being processed.</summary>
    private static T Guard<T>(string path, Func<T> work, Func<DiagnosticInfo, T> onError)
    {
        try
        {
            return work();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return onError(DiagnosticInfo.Create(Descriptors.InternalError, new LocationInfo(path, default, default), PathUtil.FileName(path), Describe(e)));
        }
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
}
