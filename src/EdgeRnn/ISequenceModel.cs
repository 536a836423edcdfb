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

    /// <summary>Floats of the final hidden state h_n: per recurrent sub-layer the forward then the backward direction's h.</summary>
    static abstract int FinalStateSize { get; }

    /// <summary>
    /// Copies the final hidden state of the last Run as PyTorch's h_n — <c>[layers · directions, hidden]</c>, layer-major,
    /// the forward direction's h after the last step, then the backward direction's h after the first step — into
    /// <paramref name="destination"/> of exactly <c>FinalStateSize</c> floats. Not the last output row: that holds the
    /// backward direction after the last step only.
    /// </summary>
    void CopyFinalState(Span<float> destination);

    /// <summary>
    /// Compiles the model's hot path and unpacks its weights ahead of time (on a throwaway instance), so the first real
    /// Run runs at full speed. Call once at start-up, before a real-time loop begins.
    /// </summary>
    /// <remarks>Generated models implement it; the default (for hand-written implementations) does nothing.</remarks>
    static virtual void Prepare() { }
}
