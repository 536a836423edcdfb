namespace EdgeRnn;

/// <summary>
/// What every generated model struct implements, so code can be written once for any model
/// (as a generic constraint <c>where TModel : struct, IEdgeRnnModel</c>: no boxing, no allocation).
/// </summary>
public interface IEdgeRnnModel
{
    /// <summary>Floats per input step.</summary>
    static abstract int InputSize { get; }

    /// <summary>Floats per output step.</summary>
    static abstract int OutputSize { get; }

    /// <summary>Floats of recurrent state (see <see cref="CopyStateTo"/> for the layout).</summary>
    static abstract int StateSize { get; }

    /// <summary>Returns the state to the model's initial state: zeros, or the learned one the model file carries (NAM's h0, c0).</summary>
    void Reset();

    /// <summary>Runs one timestep: reads <c>InputSize</c> floats, writes <c>OutputSize</c> floats, carries the state.</summary>
    void Step(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Runs T timesteps over row-major <c>[T, InputSize]</c> into <c>[T, OutputSize]</c>, starting from and leaving the state.</summary>
    void Run(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>Copies the state (layers in order; per layer h, then c for LSTM) into <paramref name="destination"/> of exactly <c>StateSize</c> floats.</summary>
    void CopyStateTo(Span<float> destination);

    /// <summary>Replaces the state from <paramref name="source"/> of exactly <c>StateSize</c> floats, in the layout of <see cref="CopyStateTo"/>.</summary>
    void LoadState(ReadOnlySpan<float> source);

    /// <summary>
    /// Compiles the model's hot path and unpacks its weights ahead of time (on a throwaway instance), so the first real
    /// Step runs at full speed. Call once at start-up, before a real-time loop begins.
    /// </summary>
    /// <remarks>Generated models implement it; the default (for hand-written implementations) does nothing.</remarks>
    static virtual void Prepare() { }
}
