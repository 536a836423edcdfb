using System.Collections.Generic;
using System.Collections.Immutable;
using EdgeRnn.Generators.Diagnostics;
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

    public static ModelResult Build(ManifestResult manifest, ImmutableArray<WeightsFile> weights)
    {
        var builder = new ModelBuilder(manifest);
        var spec = manifest.Spec is null ? null : builder.Build(manifest.Spec, weights);
        return new ModelResult(manifest.Path, spec, new EquatableArray<DiagnosticInfo>([.. builder._diagnostics]));
    }

    private ModelSpec? Build(ManifestSpec manifest, ImmutableArray<WeightsFile> weights)
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
            if (!ReportContainerError(file.Content)) return null;
            tensors = file.Content.Tensors;
        }
        foreach (var t in tensors) _tensors[t.Name] = t;

        int errorsBefore = ErrorCount();
        var layers = new List<LayerSpec>();
        int previousOutput = manifest.StatedInputSize ?? -1;
        string previousName = "the input";
        int modelInput = -1;
        bool first = true;

        if (manifest.Layout == WeightLayout.Keras && !ConvertKerasTensors(manifest)) return null;

        // A token model: the embedding turns each id into the first layer's input.
        LayerSpec? embedding = null;
        if (manifest.Layers.Length > 0 && manifest.Layers[0].Kind == LayerKind.Embedding)
        {
            var decl = manifest.Layers[0];
            _layerLocation = decl.Location;
            embedding = BuildEmbedding(decl, manifest.StatedVocab);
            _layerLocation = null;
            if (embedding is null) return null;
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
            if (decl.Kind == LayerKind.Embedding)
            {
                if (embedding is null || decl.Index != manifest.Layers[0].Index)
                    ReportAt(Descriptors.InvalidManifestValue, decl.Location, _manifestName, $"layer {decl.Index}: an embedding can only be the first layer");
                continue;
            }
            int subLayers = decl.Kind is LayerKind.Lstm or LayerKind.Gru or LayerKind.Rnn ? decl.NumLayers : 1;
            for (int k = 0; k < subLayers; k++)
            {
                _layerLocation = decl.Location;
                var layer = decl.Kind switch
                {
                    LayerKind.Linear => BuildLinear(decl),
                    LayerKind.Softmax or LayerKind.LogSoftmax => BuildSoftmax(decl, previousOutput),
                    _ => BuildRecurrent(decl, k),
                };
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
                            layer.InputSize, FirstWeightName(decl, k), ShapeOf(FirstWeightName(decl, k)));
                    }
                }
                else if (previousOutput >= 0 && layer.InputSize != previousOutput)
                {
                    ReportAt(Descriptors.LayersDoNotChain, decl.Location, _manifestName, decl.Index,
                        decl.Kind == LayerKind.Linear ? "linear" : $"{KindName(decl.Kind)} sub-layer {k}",
                        layer.InputSize, FirstWeightName(decl, k), ShapeOf(FirstWeightName(decl, k)), previousName, previousOutput);
                }
                layers.Add(layer);
                previousOutput = layer.Width;
                previousName = $"layer {decl.Index} ({KindName(decl.Kind)}{(subLayers > 1 ? $" sub-layer {k}" : "")})";
            }
            CheckUnsupportedTensors(decl);
        }

        foreach (var t in tensors)
        {
            if (!_used.Contains(t.Name))
                Report(Descriptors.UnusedTensor, _manifestName, t.Name, t.ShapeText, _weightsName);
        }

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
        };
        if (model.InitialState.Length != 0 && model.InitialState.Length != model.StateSize)
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, $"the initial state holds {model.InitialState.Length} values but the model's state is {model.StateSize}");
            return null;
        }
        return model;
    }

    private LayerSpec? BuildRecurrent(LayerDecl decl, int k)
    {
        var forward = BuildDirection(decl, k, "");
        if (forward is null || !decl.Bidirectional) return forward;
        var reverse = BuildDirection(decl, k, "_reverse");
        if (reverse is null) return null;
        if (reverse.InputSize != forward.InputSize || reverse.OutputSize != forward.OutputSize || reverse.CellSize != forward.CellSize)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, Name(decl.Prefix, $"weight_ih_l{k}_reverse"),
                $"[{forward.Gates * forward.CellSize}, {forward.InputSize}]", TensorSpec.FormatShape(reverse.InputWeights.Length == 0 ? [] : [reverse.Gates * reverse.CellSize, reverse.InputSize]),
                "the reverse direction has the forward direction's sizes");
            return null;
        }
        return forward with { Reverse = reverse };
    }

    /// <summary>One direction of sub-layer <paramref name="k"/>: tensors named …_l{k} plus <paramref name="suffix"/> ("" or "_reverse").</summary>
    private LayerSpec? BuildDirection(LayerDecl decl, int k, string suffix)
    {
        int gates = decl.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
        string gateText = gates == 1 ? "H" : $"{gates}·H";
        string kind = KindName(decl.Kind);

        // proj_size: weight_hr [P, H] maps the cell's H outputs to the P-wide h; weight_hh is then [4H, P].
        string hrName = Name(decl.Prefix, $"weight_hr_l{k}{suffix}");
        TensorSpec? hr = null;
        if (decl.Kind == LayerKind.Lstm && _tensors.ContainsKey(hrName))
        {
            hr = Use(hrName, "[P, H]", "the projection of an LSTM with proj_size");
            if (hr is null) return null;
            if (hr.Shape.Length != 2 || hr.Shape[0] == 0 || hr.Shape[1] <= hr.Shape[0])
            {
                Report(Descriptors.TensorShapeMismatch, _manifestName, hrName, "[P, H] with P < H", hr.ShapeText, "PyTorch requires 0 < proj_size < hidden_size");
                return null;
            }
        }
        string hhName = Name(decl.Prefix, $"weight_hh_l{k}{suffix}");
        var hh = Use(hhName, hr is null ? $"[{gateText}, H]" : $"[{gates * hr.Shape[1]}, {hr.Shape[0]}]", $"the recurrent weights of {kind} sub-layer {k}");
        if (hh is null) return null;
        int cell = hr?.Shape[1] ?? (hh.Shape.Length == 2 ? hh.Shape[1] : 0);
        int width = hr?.Shape[0] ?? cell;
        if (hh.Shape.Length != 2 || hh.Shape[0] != (long)gates * cell || hh.Shape[1] != width || cell == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, hhName, hr is null ? $"[{gateText}, H]" : $"[{gates * cell}, {width}]", hh.ShapeText,
                hr is null ? $"{(kind == "lstm" ? "an" : "a")} {kind} layer keeps {gates} gate{(gates > 1 ? "s" : "")} per hidden unit" : $"projected h of {width} from '{hrName}'");
            return null;
        }
        int hidden = width;
        int rows = gates * cell;
        if (decl.StatedOutputSize is int statedHidden && statedHidden != cell)
            Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} hidden_size", statedHidden, cell, hhName, hh.ShapeText);
        if (decl.StatedProjection is int statedProj && statedProj != (hr is null ? 0 : width))
            Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} proj_size", statedProj, hr is null ? 0 : width, hr is null ? hhName : hrName, hr is null ? hh.ShapeText : hr.ShapeText);

        string ihName = Name(decl.Prefix, $"weight_ih_l{k}{suffix}");
        var ih = Use(ihName, $"[{rows}, I]", $"the input weights of {kind} sub-layer {k}");
        if (ih is null) return null;
        if (ih.Shape.Length != 2 || ih.Shape[0] != rows || ih.Shape[1] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, ihName, $"[{rows}, I]", ih.ShapeText,
                $"{gates} gate{(gates > 1 ? "s" : "")} × hidden size {cell} from '{hhName}'");
            return null;
        }
        int input = ih.Shape[1];
        int below = decl.Bidirectional ? 2 * hidden : hidden;
        if (k > 0 && input != below)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, ihName, $"[{rows}, {below}]", ih.ShapeText,
                $"stacked sub-layer {k} takes the {(decl.Bidirectional ? "[forward ‖ backward] " : "")}output of sub-layer {k - 1}");
            return null;
        }
        if (k == 0 && decl.StatedInputSize is int statedInput && statedInput != input)
            ReportAt(Descriptors.StatedSizeMismatch, decl.Location, _manifestName, $"layer {decl.Index} input_size", statedInput, input, ihName, ih.ShapeText);

        var (biasIh, biasHh) = Biases(decl, Name(decl.Prefix, $"bias_ih_l{k}{suffix}"), Name(decl.Prefix, $"bias_hh_l{k}{suffix}"), rows);
        if (biasIh is null) return null;

        string name = (decl.Prefix.Length == 0 ? kind : decl.Prefix) + (decl.NumLayers > 1 ? $" l{k}" : "");
        return new LayerSpec(decl.Kind, name, input, hidden, decl.Activation, ih.Data, hh.Data, biasIh.Value, biasHh!.Value)
        {
            ResetAfter = !_resetBefore.Contains(decl.Index),
            ProjectionWeights = hr?.Data ?? EquatableArray<float>.Empty,
            CellSize = cell,
        };
    }

    private LayerSpec? BuildLinear(LayerDecl decl)
    {
        string wName = Name(decl.Prefix, "weight");
        var w = Use(wName, "[out, in]", "the weights of a linear layer");
        if (w is null) return null;
        if (w.Shape.Length != 2 || w.Shape[0] == 0 || w.Shape[1] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, wName, "[out, in]", w.ShapeText, "a linear layer's weight is a matrix");
            return null;
        }
        int output = w.Shape[0], input = w.Shape[1];
        if (decl.StatedOutputSize is int so && so != output)
            ReportAt(Descriptors.StatedSizeMismatch, decl.Location, _manifestName, $"layer {decl.Index} out_features", so, output, wName, w.ShapeText);
        if (decl.StatedInputSize is int si && si != input)
            ReportAt(Descriptors.StatedSizeMismatch, decl.Location, _manifestName, $"layer {decl.Index} in_features", si, input, wName, w.ShapeText);

        string bName = Name(decl.Prefix, "bias");
        EquatableArray<float> bias = EquatableArray<float>.Empty;
        if (_tensors.TryGetValue(bName, out var b))
        {
            _used.Add(bName);
            if (decl.StatedBias == false)
                ReportAt(Descriptors.StatedSizeMismatch, decl.Location, _manifestName, $"layer {decl.Index} bias", "false", "a bias", bName, b.ShapeText);
            if (b.Shape.Length != 1 || b.Shape[0] != output)
            {
                Report(Descriptors.TensorShapeMismatch, _manifestName, bName, $"[{output}]", b.ShapeText, $"one bias per output of '{wName}'");
                return null;
            }
            if (!CheckFinite(b)) return null;
            bias = b.Data;
        }
        else if (decl.StatedBias == true)
        {
            Report(Descriptors.MissingTensor, _manifestName, bName, $"[{output}]", _weightsName, "the manifest states \"bias\": true");
            return null;
        }
        string name = decl.Prefix.Length == 0 ? "linear" : decl.Prefix;
        return new LayerSpec(LayerKind.Linear, name, input, output, decl.Activation, w.Data,
            EquatableArray<float>.Empty, bias, EquatableArray<float>.Empty) { CellSize = output };
    }

    /// <summary>Both recurrent biases, or neither (a model saved with bias=False).</summary>
    private (EquatableArray<float>? Ih, EquatableArray<float>? Hh) Biases(LayerDecl decl, string ihName, string hhName, int rows)
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

    /// <summary>Tensors that mean the model is something this manifest does not describe (bidirectional, projected).</summary>
    private void CheckUnsupportedTensors(LayerDecl decl)
    {
        if (decl.Kind is not (LayerKind.Lstm or LayerKind.Gru or LayerKind.Rnn)) return;
        string reverse = Name(decl.Prefix, "weight_ih_l0_reverse");
        if (!decl.Bidirectional && _tensors.TryGetValue(reverse, out var r))
            ReportAt(Descriptors.InvalidManifestValue, decl.Location, _manifestName,
                $"layer {decl.Index}: '{reverse}' {r.ShapeText} shows a bidirectional module; add \"bidirectional\": true to the layer");
    }

    private TensorSpec? Use(string name, string expectedShape, string why)
    {
        if (!_tensors.TryGetValue(name, out var t))
        {
            Report(Descriptors.MissingTensor, _manifestName, name, expectedShape, _weightsName, why);
            return null;
        }
        _used.Add(name);
        return CheckFinite(t) ? t : null;
    }

    private bool CheckFinite(TensorSpec t)
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

    private static int CountSubLayers(ManifestSpec manifest)
    {
        int n = 0;
        foreach (var d in manifest.Layers)
            n += d.Kind switch { LayerKind.Lstm or LayerKind.Gru or LayerKind.Rnn => d.NumLayers, LayerKind.Embedding => 0, _ => 1 };
        return n;
    }

    /// <summary>nn.Embedding: <c>weight</c> [V, E]; each token id selects a row.</summary>
    private LayerSpec? BuildEmbedding(LayerDecl decl, int? statedVocab)
    {
        string wName = Name(decl.Prefix, "weight");
        var w = Use(wName, "[vocab, dim]", "the embedding table");
        if (w is null) return null;
        if (w.Shape.Length != 2 || w.Shape[0] == 0 || w.Shape[1] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, wName, "[vocab, dim]", w.ShapeText, "an embedding table is a matrix");
            return null;
        }
        int vocab = w.Shape[0], dim = w.Shape[1];
        if (statedVocab is int v && v != vocab)
            Report(Descriptors.StatedSizeMismatch, _manifestName, "input.vocab", v, vocab, wName, w.ShapeText);
        if (decl.StatedInputSize is int n && n != vocab)
            Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} num_embeddings", n, vocab, wName, w.ShapeText);
        if (decl.StatedOutputSize is int d && d != dim)
            Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} embedding_dim", d, dim, wName, w.ShapeText);
        return new LayerSpec(LayerKind.Embedding, decl.Prefix.Length == 0 ? "embedding" : decl.Prefix, vocab, dim, Activation.None,
            w.Data, EquatableArray<float>.Empty, EquatableArray<float>.Empty, EquatableArray<float>.Empty) { CellSize = dim };
    }

    /// <summary>softmax / log_softmax over the previous layer's outputs: no weights.</summary>
    private LayerSpec? BuildSoftmax(LayerDecl decl, int width)
    {
        if (width <= 0)
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, $"layer {decl.Index}: a {KindName(decl.Kind)} needs a layer before it");
            return null;
        }
        return new LayerSpec(decl.Kind, KindName(decl.Kind), width, width, Activation.None,
            EquatableArray<float>.Empty, EquatableArray<float>.Empty, EquatableArray<float>.Empty, EquatableArray<float>.Empty) { CellSize = width };
    }

    private static string FirstWeightName(LayerDecl decl, int k) => decl.Kind switch
    {
        LayerKind.Linear => Name(decl.Prefix, "weight"),
        LayerKind.Softmax or LayerKind.LogSoftmax => "(no weights)",
        _ => Name(decl.Prefix, $"weight_ih_l{k}"),
    };

    private string ShapeOf(string name) => _tensors.TryGetValue(name, out var t) ? t.ShapeText : "";

    private static string Name(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private static string KindName(LayerKind kind) => kind switch
    {
        LayerKind.Lstm => "lstm",
        LayerKind.Gru => "gru",
        LayerKind.Rnn => "rnn",
        LayerKind.Embedding => "embedding",
        LayerKind.Softmax => "softmax",
        LayerKind.LogSoftmax => "log_softmax",
        _ => "linear",
    };

    private int ErrorCount() =>
        _diagnostics.FindAll(d => Descriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error).Count;

    /// <summary>A tensor problem points at the layer being built, otherwise at the manifest's "weights" value.</summary>
    private void Report(DiagnosticDescriptor descriptor, params object[] args) => ReportAt(descriptor, _layerLocation ?? _weightsLocation, args);

    private void ReportAt(DiagnosticDescriptor descriptor, LocationInfo location, params object[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));
}
