namespace EdgeRnn.Decoding;

/// <summary>
/// The decoder half of an encoder–decoder model (manifest <c>"model": "seq2seq"</c>), one output token at a time:
/// what <see cref="Decoder"/>'s greedy, sampling and beam-search loops need, without boxing
/// (<c>where T : struct, IStepDecoder</c>). The generated seq2seq struct implements it; its <c>Encode</c> (or, for
/// captioning, <c>Start</c>) sets the source and the decoder's initial state before decoding.
/// </summary>
/// <remarks>
/// The decoder state (<see cref="DecoderStateSize"/> floats) is everything that changes from one decoded token to
/// the next; the encoder outputs stay fixed after <c>Encode</c>. So a beam search keeps one copy of the decoder state
/// per hypothesis (<see cref="CopyDecoderStateTo"/>) and switches hypotheses with <see cref="LoadDecoderState"/>.
/// </remarks>
public interface IStepDecoder
{
    /// <summary>The target vocabulary size: <see cref="DecodeStep"/> writes this many logits.</summary>
    static abstract int VocabSize { get; }

    /// <summary>
    /// Floats of the state that changes per decoded token: the decoder's recurrent state (per layer h, then c for an
    /// LSTM), then the attentional hidden state h̃ when the model feeds it back (input feeding).
    /// </summary>
    static abstract int DecoderStateSize { get; }

    /// <summary>The largest number of tokens a decoding emits (manifest <c>decoder.max_length</c>).</summary>
    static abstract int MaxDecodeLength { get; }

    /// <summary>The largest beam width <see cref="Decoder.Beam{T}(ref T, int, Span{int}, out float, Span{float})"/> accepts (manifest <c>decoder.max_beam</c>).</summary>
    static abstract int MaxBeamWidth { get; }

    /// <summary>The largest source length (manifest <c>encoder.max_length</c>; 1 for a captioning model).</summary>
    static abstract int MaxSourceLength { get; }

    /// <summary>The token fed at the first decoding step (manifest <c>decoder.start_token</c>).</summary>
    int StartToken { get; }

    /// <summary>The token that ends a decoded sequence (manifest <c>decoder.stop_token</c>); it is included in the output.</summary>
    int StopToken { get; }

    /// <summary>The length S of the current source (set by <c>Encode</c> or <c>Start</c>): the length of each attention row.</summary>
    int SourceLength { get; }

    /// <summary>
    /// Consumes token y<sub>t−1</sub>, writes the logits of y<sub>t</sub> and this step's attention weights, and
    /// advances the decoder state.
    /// </summary>
    /// <param name="previousToken">The previous output token (<see cref="StartToken"/> at the first step).</param>
    /// <param name="logits">Exactly <see cref="VocabSize"/> floats: unnormalized log-probabilities of the next token.</param>
    /// <param name="attention">
    /// <see cref="SourceLength"/> floats: the attention weights over the source positions at this step (they sum to
    /// 1). May be empty for a model without attention.
    /// </param>
    void DecodeStep(int previousToken, Span<float> logits, Span<float> attention);

    /// <summary>Copies the decoder state into <paramref name="destination"/> of exactly <see cref="DecoderStateSize"/> floats.</summary>
    /// <param name="destination">Receives the state.</param>
    void CopyDecoderStateTo(Span<float> destination);

    /// <summary>Replaces the decoder state from <paramref name="source"/> of exactly <see cref="DecoderStateSize"/> floats (the layout of <see cref="CopyDecoderStateTo"/>).</summary>
    /// <param name="source">The state to continue from.</param>
    void LoadDecoderState(ReadOnlySpan<float> source);
}
