namespace EdgeRnn;

/// <summary>
/// What a generated model with a bidirectional layer implements: it reads whole sequences (Run only), since the
/// backward direction starts from the end of the sequence. Each Run starts from the initial (zero) state.
/// </summary>
public interface ISequenceModel
{
    /// <summary>Floats per input step.</summary>
    static abstract int InputSize { get; }

    /// <summary>Floats per output step.</summary>
    static abstract int OutputSize { get; }

    /// <summary>Runs a whole sequence <c>[T, InputSize]</c> into <c>[T, OutputSize]</c> (or the last step's output for a many-to-one model).</summary>
    void Run(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>
    /// Compiles the model's hot path and unpacks its weights ahead of time (on a throwaway instance), so the first real
    /// Run runs at full speed. Call once at start-up, before a real-time loop begins.
    /// </summary>
    /// <remarks>Generated models implement it; the default (for hand-written implementations) does nothing.</remarks>
    static virtual void Prepare() { }
}
