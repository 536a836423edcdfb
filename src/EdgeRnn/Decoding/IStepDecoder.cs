// The contract's interface text (docs: /work/seq2seq-contract.md §5); its comments are plain, so CS1591 is off here.
#pragma warning disable CS1591
namespace EdgeRnn.Decoding;
public interface IStepDecoder
{
    static abstract int VocabSize { get; }          // Vtgt
    static abstract int DecoderStateSize { get; }   // floats that change per decoded token: RNN state (+ h̃ for input feeding, + Bahdanau nothing extra)
    static abstract int MaxDecodeLength { get; }    // manifest decoder.max_length
    static abstract int MaxBeamWidth { get; }       // manifest decoder.max_beam
    static abstract int MaxSourceLength { get; }    // encoder.max_length (1 for captioning)
    int StartToken { get; }  int StopToken { get; }
    int SourceLength { get; }                       // S of the current source (after Encode/Start)
    /// Consumes token y_{t-1}, writes logits [VocabSize] and the attention weights [SourceLength] of this step
    /// (attention may be empty for models without attention), advances the decoder state.
    void DecodeStep(int previousToken, Span<float> logits, Span<float> attention);
    void CopyDecoderStateTo(Span<float> destination);   // DecoderStateSize floats
    void LoadDecoderState(ReadOnlySpan<float> source);
}
#pragma warning restore CS1591
