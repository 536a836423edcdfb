using System.Linq;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Layers;

namespace EdgeRnn.Generators.Model;

internal enum Activation { None, Tanh, Sigmoid, Relu }

/// <summary>How tensors are named and laid out: PyTorch state_dict, or Keras (kernel [in, G·H], gates transposed).</summary>
internal enum WeightLayout { PyTorch, Keras }

/// <summary>One layer as the manifest declares it (sizes still unknown: they come from the tensors).</summary>
internal sealed record LayerDecl(
    int Index,
    LayerKind Kind,
    string Prefix,
    int NumLayers,
    Activation Activation,
    int? StatedInputSize,
    int? StatedOutputSize,
    bool? StatedBias,
    LocationInfo Location)
{
    /// <summary>Keras GRU <c>reset_after</c> as stated (null: taken from the bias shape).</summary>
    public bool? StatedResetAfter { get; init; }

    public bool Bidirectional { get; init; }

    /// <summary>"proj_size" as stated (0 or null: none; checked against weight_hr).</summary>
    public int? StatedProjection { get; init; }

    /// <summary>GRU with r applied before the recurrent product: found by the Keras conversion from the bias shape.</summary>
    public bool ResetBefore { get; init; }
}

/// <summary>A parsed manifest: what it asks for, before the weights are read.</summary>
internal sealed record ManifestSpec(
    string? WeightsPath,
    LocationInfo WeightsLocation,
    int? StatedInputSize,
    LocationInfo? InputLocation,
    int Skip,
    LocationInfo? SkipLocation,
    EquatableArray<LayerDecl> Layers)
{
    public WeightLayout Layout { get; init; }

    /// <summary>Tensors carried in the model file itself (formats A, B, C); used when <see cref="WeightsPath"/> is null.</summary>
    public EquatableArray<TensorSpec> InlineTensors { get; init; } = EquatableArray<TensorSpec>.Empty;

    /// <summary>Linear gains on the input (before the model and the skip) and on the output (RTNeural's in_gain / out_gain).</summary>
    public float InputGain { get; init; } = 1f;
    public float OutputGain { get; init; } = 1f;

    /// <summary>A learned initial state in the state layout (NAM's h0, c0); empty means zeros.</summary>
    public EquatableArray<float> InitialState { get; init; } = EquatableArray<float>.Empty;

    /// <summary>"input": {"vocab": V} — a token model (its first layer is an embedding).</summary>
    public int? StatedVocab { get; init; }

    /// <summary>"output": "last" — Run writes only the last step's output (many-to-one).</summary>
    public bool OutputLast { get; init; }

    /// <summary>"output": "h_n" (with <see cref="OutputLast"/>): the layers after the last recurrent layer read its final hidden state.</summary>
    public bool OutputFinalState { get; init; }

    /// <summary>"streaming" as stated, and where: a streaming (Step) API cannot exist with bidirectional layers.</summary>
    public bool? StatedStreaming { get; init; }
    public LocationInfo? StreamingLocation { get; init; }

    /// <summary>A <c>"model": "seq2seq"</c> manifest (then <see cref="Layers"/> is empty); null for a layer stack.</summary>
    public Seq2Seq.Seq2SeqDecl? Seq2Seq { get; init; }

    /// <summary>What kind of file this came from, for messages ("edgernn/1", "NAM", …).</summary>
    public string FormatName { get; init; } = "edgernn/1";
}

/// <summary>The manifest parse, carried through the pipeline with its diagnostics.</summary>
internal sealed record ManifestResult(string Path, ManifestSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One computed layer (each stacked sub-layer of a recurrent module is its own LayerSpec).</summary>
/// <remarks>
/// Weights are row-major as PyTorch stores them: <c>InputWeights</c> [G·H, I], <c>RecurrentWeights</c> [G·H, H],
/// biases [G·H] or empty when the model has none. For <c>linear</c>: <c>InputWeights</c> [O, I], <c>InputBias</c> [O] or empty.
/// </remarks>
internal sealed record LayerSpec(
    LayerKind Kind,
    string Name,
    int InputSize,
    int OutputSize,
    Activation Activation,
    EquatableArray<float> InputWeights,
    EquatableArray<float> RecurrentWeights,
    EquatableArray<float> InputBias,
    EquatableArray<float> RecurrentBias)
{
    /// <summary>GRU only: false for Keras' reset_after=False, where r multiplies h before the recurrent product.</summary>
    public bool ResetAfter { get; init; } = true;

    /// <summary>LSTM with proj_size: W_hr [OutputSize, CellSize], h = W_hr (o ⊙ tanh c); empty otherwise.</summary>
    public EquatableArray<float> ProjectionWeights { get; init; } = EquatableArray<float>.Empty;

    /// <summary>The cell's width (c and the gates per kind): the hidden size, which a projection maps to OutputSize.</summary>
    public int CellSize { get; init; }

    public bool IsProjected => ProjectionWeights.Length != 0;

    /// <summary>Bidirectional layers: the reverse direction's weights (same sizes); null otherwise.</summary>
    public LayerSpec? Reverse { get; init; }

    /// <summary>Floats per step this layer hands to the next: [forward ‖ backward] for bidirectional layers.</summary>
    public int Width => Reverse is null ? OutputSize : 2 * OutputSize;

    /// <summary>Gates per unit: 4 for LSTM (i,f,g,o), 3 for GRU (r,z,n), 1 otherwise.</summary>
    public int Gates => Kind.Gates;

    public bool IsRecurrent => Kind.IsRecurrent;

    /// <summary>Floats of state this layer keeps (<see cref="LayerKind.StateParts"/>: h, and c for LSTM).</summary>
    public int StateSize => Kind.StateParts(this).Sum(p => p.Size);
}

/// <summary>A complete, validated model: everything the emitter needs.</summary>
internal sealed record ModelSpec(int InputSize, int OutputSize, int Skip, EquatableArray<LayerSpec> Layers)
{
    public float InputGain { get; init; } = 1f;
    public float OutputGain { get; init; } = 1f;

    /// <summary>The state <c>Reset()</c> returns to, in the state layout; empty means zeros.</summary>
    public EquatableArray<float> InitialState { get; init; } = EquatableArray<float>.Empty;

    /// <summary>Token models: the embedding [VocabSize, EmbeddingSize] in front of <see cref="Layers"/>; null otherwise.</summary>
    public LayerSpec? Embedding { get; init; }

    public int VocabSize => Embedding?.InputSize ?? 0;

    /// <summary>Run writes only the last step's output.</summary>
    public bool OutputLast { get; init; }

    /// <summary>
    /// "output": "h_n": the layers after the last recurrent layer read its final hidden state h_n — for a bidirectional
    /// layer [h_fwd after step T−1; h_bwd after step 0], not the row of step T−1 — and Run writes their one row.
    /// </summary>
    public bool OutputFinalState { get; init; }

    /// <summary>Floats of h_n (<c>CopyFinalState</c>): each recurrent sub-layer's final h, forward then backward, in order.</summary>
    public int FinalStateSize
    {
        get
        {
            int size = 0;
            foreach (var layer in Layers) if (layer.IsRecurrent) size += layer.Width;
            return size;
        }
    }

    /// <summary>An encoder–decoder model, emitted by ModelEmitter.Seq2Seq.cs (then <see cref="Layers"/> is empty); null for a layer stack.</summary>
    public Seq2Seq.Seq2SeqSpec? Seq2Seq { get; init; }

    /// <summary>A model with a bidirectional layer reads whole sequences: Run only, from the initial state each call.</summary>
    public bool IsSequenceOnly
    {
        get
        {
            foreach (var layer in Layers) if (layer.Reverse is not null) return true;
            return false;
        }
    }

    /// <summary>Floats the first layer reads per step: the embedding width for token models, else InputSize.</summary>
    public int FirstLayerInput => Embedding?.OutputSize ?? InputSize;

    public int StateSize
    {
        get
        {
            int size = 0;
            foreach (var layer in Layers) size += layer.StateSize;
            return size;
        }
    }
}

/// <summary>The model built from a manifest and its weights, with every diagnostic found on the way.</summary>
internal sealed record ModelResult(string Path, ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
