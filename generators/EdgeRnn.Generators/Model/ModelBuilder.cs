using System.Collections.Generic;
using System.Collections.Immutable;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Layers;
using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Model;

/// <summary>A weights file prepared by the build (base64 text of a .safetensors), decoded.</summary>
internal sealed record WeightsFile(string SourcePath, SafetensorsResult Content);

/// <summary>
/// Joins a manifest with its weights: takes every size from the tensor shapes, checks what the
/// manifest states, checks that layers chain, and reports missing, malformed and unused tensors.
/// </summary>
internal sealed partial class ModelBuilder
{
    private readonly ManifestResult _manifest;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Dictionary<string, TensorSpec> _tensors = new();
    private readonly HashSet<string> _used = new();
    private string _manifestName = "";
    private string _weightsName = "";
    private LocationInfo _weightsLocation = null!;
    // While a layer is being built, its tensor problems point at that layer's object in the manifest.
    private LocationInfo? _layerLocation;

    private ModelBuilder(ManifestResult manifest)
    {
        _manifest = manifest;
        _diagnostics = [.. manifest.Diagnostics];
    }

    /// <param name="projectDirectory">MSBuildProjectDirectory ("" when unknown): weights resolved outside it get ERNN0032.</param>
    public static ModelResult Build(ManifestResult manifest, ImmutableArray<WeightsFile> weights, string projectDirectory = "")
    {
        var builder = new ModelBuilder(manifest);
        var spec = manifest.Spec is null ? null : builder.Build(manifest.Spec, weights, projectDirectory);
        // No model must always say why: a path that returns null without an error would leave the user with no code and no diagnostic.
        if (spec is null && builder.ErrorCount() == 0)
        {
            builder.ReportAt(Descriptors.InvalidManifestValue, manifest.Spec?.WeightsLocation ?? new LocationInfo(manifest.Path, default, default),
                PathUtil.FileName(manifest.Path), "the model has no layers to run");
        }
        return new ModelResult(manifest.Path, spec, new EquatableArray<DiagnosticInfo>([.. builder._diagnostics]));
    }

    private ModelSpec? Build(ManifestSpec manifest, ImmutableArray<WeightsFile> weights, string projectDirectory)
    {
        _manifestName = PathUtil.FileName(_manifest.Path);
        _weightsLocation = manifest.WeightsLocation;
        EquatableArray<TensorSpec> tensors;
        if (manifest.WeightsPath is null)
        {
            _weightsName = _manifestName; // formats A, B, C carry their weights inline
            tensors = manifest.InlineTensors;
        }
        else
        {
            string resolved = PathUtil.Combine(PathUtil.DirectoryOf(_manifest.Path), manifest.WeightsPath);
            _weightsName = PathUtil.FileName(resolved);
            WeightsFile? file = null;
            foreach (var w in weights)
                if (PathUtil.Same(w.SourcePath, resolved)) { file = w; break; }
            if (file is null)
            {
                Report(Descriptors.WeightsFileNotFound, _manifestName, manifest.WeightsPath, resolved);
                return null;
            }
            // The build encoded whatever file the path names (targets/EdgeRnn.targets); say so when that is outside the
            // project and outside the manifest's own folder (a model kept elsewhere with its weights beside it is fine).
            if (projectDirectory.Length > 0 && !PathUtil.IsUnder(resolved, projectDirectory) && !PathUtil.IsUnder(resolved, PathUtil.DirectoryOf(_manifest.Path)))
                Report(Descriptors.WeightsOutsideProject, _manifestName, manifest.WeightsPath, resolved, PathUtil.Normalize(projectDirectory));
            if (!ReportContainerError(file.Content)) return null;
            tensors = file.Content.Tensors;
        }
        foreach (var t in tensors) _tensors[t.Name] = t;
        if (manifest.Seq2Seq is { } seq2seq) return BuildSeq2Seq(seq2seq, tensors);

        int errorsBefore = ErrorCount();
        var layers = new List<LayerSpec>();
        int previousOutput = manifest.StatedInputSize ?? -1;
        string previousName = "the input";
        int modelInput = -1;
        bool first = true;

        if (manifest.Layout == WeightLayout.Keras)
        {
            if (ConvertKerasTensors(manifest) is not { } converted) return null;
            manifest = manifest with { Layers = converted };
        }

        // A token model: the embedding turns each id into the first layer's input.
        LayerSpec? embedding = null;
        if (manifest.Layers.Length > 0 && manifest.Layers[0].Kind == LayerKinds.Embedding)
        {
            var decl = manifest.Layers[0];
            _layerLocation = decl.Location;
            embedding = LayerKinds.Embedding.BuildTable(this, decl, manifest.StatedVocab);
            _layerLocation = null;
            if (embedding is null) return null;
            if (manifest.Layers.Length == 1)
            {
                ReportAt(Descriptors.InvalidManifestValue, decl.Location, _manifestName,
                    "the model has only an embedding; a token model needs a recurrent or linear layer after it");
                return null;
            }
            first = false;
            modelInput = 1;
            previousOutput = embedding.OutputSize;
            previousName = "the embedding";
        }
        else if (manifest.StatedVocab is not null)
        {
            ReportAt(Descriptors.InvalidManifestValue, manifest.InputLocation ?? _weightsLocation, _manifestName,
                "\"input\": {\"vocab\"} makes a token model, whose first layer must be an \"embedding\"");
            return null;
        }

        foreach (var decl in manifest.Layers)
        {
            if (decl.Kind == LayerKinds.Embedding)
            {
                if (embedding is null || decl.Index != manifest.Layers[0].Index)
                    ReportAt(Descriptors.InvalidManifestValue, decl.Location, _manifestName, $"layer {decl.Index}: an embedding can only be the first layer");
                continue;
            }
            int subLayers = decl.Kind.SubLayerCount(decl);
            for (int k = 0; k < subLayers; k++)
            {
                _layerLocation = decl.Location;
                var layer = decl.Kind.Build(this, decl, k, previousOutput);
                _layerLocation = null;
                // Only the model's first sub-layer takes the input: when it fails, the next one is not checked against input.size.
                bool isFirst = first;
                first = false;
                if (layer is null) { previousOutput = -1; break; }

                if (isFirst)
                {
                    modelInput = layer.InputSize;
                    if (manifest.StatedInputSize is int stated && stated != layer.InputSize)
                    {
                        ReportAt(Descriptors.StatedSizeMismatch, manifest.InputLocation ?? decl.Location, _manifestName, "input.size", stated,
                            layer.InputSize, decl.Kind.FirstWeightName(decl, k), ShapeOf(decl.Kind.FirstWeightName(decl, k)));
                    }
                }
                else if (previousOutput >= 0 && layer.InputSize != previousOutput)
                {
                    ReportAt(Descriptors.LayersDoNotChain, decl.Location, _manifestName, decl.Index, decl.Kind.Describe(decl, k),
                        layer.InputSize, decl.Kind.FirstWeightName(decl, k), ShapeOf(decl.Kind.FirstWeightName(decl, k)), previousName, previousOutput);
                }
                layers.Add(layer);
                previousOutput = layer.Width;
                previousName = $"layer {decl.Index} ({decl.Kind.TypeName}{(subLayers > 1 ? $" sub-layer {k}" : "")})";
            }
            _layerLocation = decl.Location;
            decl.Kind.CheckDeclaration(this, decl);
            _layerLocation = null;
        }

        ReportUnusedTensors(tensors);

        if (ErrorCount() > errorsBefore || layers.Count != CountSubLayers(manifest) || layers.Count == 0) return null;

        int output = layers[layers.Count - 1].Width;
        if (manifest.Skip > 0 && (embedding is not null || manifest.Skip > modelInput || manifest.Skip > output))
        {
            ReportAt(Descriptors.InvalidSkip, manifest.SkipLocation ?? _weightsLocation, _manifestName, manifest.Skip, modelInput, output);
            return null;
        }
        var bidirectional = layers.Find(l => l.Reverse is not null);
        if (bidirectional is not null && manifest.StatedStreaming == true)
        {
            ReportAt(Descriptors.BidirectionalCannotStream, manifest.StreamingLocation ?? _weightsLocation, _manifestName, $"layer '{bidirectional.Name}'");
            return null;
        }
        if (bidirectional is not null && (embedding is not null || manifest.InitialState.Length != 0 || manifest.InputGain != 1f || manifest.OutputGain != 1f))
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, "bidirectional layers are supported in float-input models without gains or a learned initial state");
            return null;
        }
        var model = new ModelSpec(modelInput, output, manifest.Skip, new EquatableArray<LayerSpec>([.. layers]))
        {
            InputGain = manifest.InputGain,
            OutputGain = manifest.OutputGain,
            InitialState = manifest.InitialState,
            Embedding = embedding,
            OutputLast = manifest.OutputLast,
            OutputFinalState = manifest.OutputFinalState,
        };
        if (model.OutputFinalState && (model.Skip > 0 || model.FinalStateSize == 0))
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, model.Skip > 0
                ? "\"output\": \"h_n\" gives the final hidden state, which has no step to add the \"skip\" input to; use \"last\""
                : "\"output\": \"h_n\" needs a recurrent layer whose final hidden state to read");
            return null;
        }
        if (model.InitialState.Length != 0 && model.InitialState.Length != model.StateSize)
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, $"the initial state holds {model.InitialState.Length} values but the model's state is {model.StateSize}");
            return null;
        }
        return WithinLimits(model) ? model : null;
    }

    /// <summary>
    /// ERNN0030 when the weights, or the state and working memory, pass <see cref="ModelLimits"/>: summed in long, so
    /// the sizes the emitter computes in int (the memory plan, Run's chunk, the weight arrays) cannot overflow.
    /// </summary>
    private bool WithinLimits(ModelSpec model)
    {
        long weights = model.InitialState.Length + (model.Embedding?.InputWeights.Length ?? 0);
        long working = model.InputSize;
        foreach (var layer in model.Layers)
        {
            for (var direction = layer; direction is not null; direction = direction.Reverse)
            {
                weights += (long)direction.InputWeights.Length + direction.RecurrentWeights.Length + direction.InputBias.Length
                    + direction.RecurrentBias.Length + direction.ProjectionWeights.Length;
            }
            var f = layer.Kind.Footprint(layer);
            working += (long)layer.StateSize + f.StepGates + f.StepWork + f.StepOutput + f.ChunkRowsPerStep + f.OutputStride + layer.Width;
        }
        if (weights > ModelLimits.MaxWeights)
        {
            Report(Descriptors.LimitExceeded, _manifestName, $"the model's {weights} weights", $"{ModelLimits.MaxWeights} floats", "64 MB of float32 compiled into the assembly");
            return false;
        }
        if (working > ModelLimits.MaxWorkingFloats)
        {
            Report(Descriptors.LimitExceeded, _manifestName, $"the state and per-step working memory of {model.Layers.Length} layers ({working} floats)",
                $"{ModelLimits.MaxWorkingFloats} floats", "the sum over layers of state, gate rows and outputs");
            return false;
        }
        return true;
    }

    /// <summary>Both recurrent biases, or neither (a model saved with bias=False).</summary>
    internal (EquatableArray<float>? Ih, EquatableArray<float>? Hh) Biases(LayerDecl decl, string ihName, string hhName, int rows)
    {
        bool hasIh = _tensors.ContainsKey(ihName), hasHh = _tensors.ContainsKey(hhName);
        if (!hasIh && !hasHh && decl.StatedBias != true)
            return (EquatableArray<float>.Empty, EquatableArray<float>.Empty);
        if (decl.StatedBias == false)
        {
            ReportAt(Descriptors.StatedSizeMismatch, decl.Location, _manifestName, $"layer {decl.Index} bias", "false", "bias tensors",
                hasIh ? ihName : hhName, ShapeOf(hasIh ? ihName : hhName));
            _used.Add(ihName);
            _used.Add(hhName);
            return (null, null);
        }
        var ih = Use(ihName, $"[{rows}]", hasHh ? $"'{hhName}' exists, so the model has biases" : "the manifest states \"bias\": true");
        var hh = Use(hhName, $"[{rows}]", hasIh ? $"'{ihName}' exists, so the model has biases" : "the manifest states \"bias\": true");
        if (ih is null || hh is null) return (null, null);
        foreach (var t in new[] { ih, hh })
        {
            if (t.Shape.Length != 1 || t.Shape[0] != rows)
            {
                Report(Descriptors.TensorShapeMismatch, _manifestName, t.Name, $"[{rows}]", t.ShapeText, "one bias per gate row");
                return (null, null);
            }
        }
        return (ih.Data, hh.Data);
    }

    /// <summary>
    /// The tensor <paramref name="name"/>, marked used and checked finite; ERNN0016 (why it is needed) when missing.
    /// A non-finite value is reported (ERNN0021) but the tensor is still returned: the layer goes on to read and check
    /// its other tensors, which would otherwise be reported as unused, and the model fails on the error count.
    /// </summary>
    internal TensorSpec? Use(string name, string expectedShape, string why)
    {
        if (!_tensors.TryGetValue(name, out var t))
        {
            Report(Descriptors.MissingTensor, _manifestName, name, expectedShape, _weightsName, why);
            return null;
        }
        _used.Add(name);
        CheckFinite(t);
        return t;
    }

    internal bool CheckFinite(TensorSpec t)
    {
        var data = t.Data.AsSpan();
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            if (float.IsNaN(v) || float.IsInfinity(v))
            {
                Report(Descriptors.NonFiniteWeight, _manifestName, t.Name, float.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity", i);
                return false;
            }
        }
        return true;
    }

    private bool ReportContainerError(SafetensorsResult content)
    {
        var a = content.ErrorArguments;
        switch (content.Error)
        {
            case SafetensorsError.None: return true;
            case SafetensorsError.Truncated: Report(Descriptors.SafetensorsTruncated, _weightsName, a[0]); break;
            case SafetensorsError.HeaderBeyondFile: Report(Descriptors.SafetensorsHeaderBeyondFile, _weightsName, a[0], a[1]); break;
            case SafetensorsError.MalformedHeader: Report(Descriptors.SafetensorsMalformedHeader, _weightsName, a[0]); break;
            case SafetensorsError.UnsupportedDtype: Report(Descriptors.UnsupportedDtype, _weightsName, a[0], a[1]); break;
            case SafetensorsError.DataOutOfRange: Report(Descriptors.TensorDataOutOfRange, _weightsName, a[0], a[1], a[2], a[3]); break;
            case SafetensorsError.DataOverlap: Report(Descriptors.TensorDataOverlap, _weightsName, a[0], a[1], a[2], a[3], a[4], a[5]); break;
        }
        return false;
    }

    private void ReportUnusedTensors(EquatableArray<TensorSpec> tensors)
    {
        foreach (var t in tensors)
        {
            if (!_used.Contains(t.Name))
                Report(Descriptors.UnusedTensor, _manifestName, t.Name, t.ShapeText, _weightsName);
        }
    }

    private static long CountSubLayers(ManifestSpec manifest)
    {
        long n = 0;
        foreach (var d in manifest.Layers) n += d.Kind.SubLayerCount(d);
        return n;
    }

    internal bool TryGetTensor(string name, out TensorSpec tensor) => _tensors.TryGetValue(name, out tensor!);

    /// <summary>Counts a tensor as read (so it is not reported as unused, ERNN0017) without the checks of <see cref="Use"/>.</summary>
    internal void MarkUsed(string name) => _used.Add(name);

    internal string ManifestName => _manifestName;

    internal string WeightsName => _weightsName;

    private string ShapeOf(string name) => _tensors.TryGetValue(name, out var t) ? t.ShapeText : "";

    /// <summary>A tensor's name under a module prefix ("rnn" + "weight_ih_l0" → "rnn.weight_ih_l0").</summary>
    internal static string Name(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private int ErrorCount() =>
        _diagnostics.FindAll(d => Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error).Count;

    /// <summary>A tensor problem points at the layer being built, otherwise at the manifest's "weights" value.</summary>
    internal void Report(DiagnosticDescriptor descriptor, params object[] args) => ReportAt(descriptor, _layerLocation ?? _weightsLocation, args);

    internal void ReportAt(DiagnosticDescriptor descriptor, LocationInfo location, params object[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
}
