using EdgeRnn.Tests.Seq2Seq;

namespace EdgeRnn.Tests;

/// <summary>
/// The generated encoder–decoder struct's contract beyond the numbers: bound checks that name the sizes, the order of
/// calls, the decoder state round trip, and that the source is bounded by the manifest's max_length.
/// </summary>
public class Seq2SeqApiTests
{
    private static readonly int[] s_source = [3, 4, 5];

    [Fact]
    public void Constants_come_from_the_manifest_and_the_weights()
    {
        // odd_general_lstm_h13: source vocab 19, max_length 9, bi-LSTM He 13, decoder LSTM, vocab 23, max_length 10, max_beam 4.
        Assert.Equal(19, OddGeneralLstmH13.SourceVocabSize);
        Assert.Equal(9, OddGeneralLstmH13.MaxSourceLength);
        Assert.Equal(13, OddGeneralLstmH13.EncoderHiddenSize);
        Assert.Equal(26, OddGeneralLstmH13.EncoderOutputSize);
        Assert.Equal(26, OddGeneralLstmH13.EncoderFinalStateSize);
        Assert.Equal(23, OddGeneralLstmH13.VocabSize);
        Assert.Equal(10, OddGeneralLstmH13.MaxDecodeLength);
        Assert.Equal(4, OddGeneralLstmH13.MaxBeamWidth);
        // Per layer h and c, then h̃ (input feeding).
        Assert.Equal(3 * OddGeneralLstmH13.DecoderHiddenSize, OddGeneralLstmH13.DecoderStateSize);
        var model = new OddGeneralLstmH13();
        Assert.Equal(1, model.StartToken);
        Assert.Equal(2, model.StopToken);
        Assert.Equal(0, model.SourceLength);
        Assert.True(model.EncoderOutputs.IsEmpty);
    }

    [Fact]
    public void DecodeStep_before_Encode_says_to_encode_first()
    {
        var model = new BahdanauGru();
        var e = Assert.Throws<InvalidOperationException>(() => model.DecodeStep(1, new float[BahdanauGru.VocabSize], []));
        Assert.Contains("call Encode first", e.Message, StringComparison.Ordinal);
        var caption = new CaptionLstmFeed();
        Assert.Contains("call Start first", Assert.Throws<InvalidOperationException>(() => caption.DecodeStep(1, new float[CaptionLstmFeed.VocabSize], [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_rejects_empty_too_long_and_out_of_vocabulary_sources_naming_the_bounds()
    {
        var model = new BahdanauGru();
        var empty = Assert.Throws<ArgumentException>(() => model.Encode(ReadOnlySpan<int>.Empty));
        Assert.Equal("sourceTokens", empty.ParamName);
        Assert.Contains($"MaxSourceLength ({BahdanauGru.MaxSourceLength})", empty.Message, StringComparison.Ordinal);
        var tooLong = Assert.Throws<ArgumentException>(() => model.Encode(new int[BahdanauGru.MaxSourceLength + 1]));
        Assert.Contains($"holds {BahdanauGru.MaxSourceLength + 1} tokens", tooLong.Message, StringComparison.Ordinal);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode([1, BahdanauGru.SourceVocabSize]));
        Assert.Equal("sourceTokens", outside.ParamName);
        Assert.Equal(0, model.SourceLength); // a rejected source leaves nothing encoded

        var floats = new FloatSourceGeneralGru();
        var ragged = Assert.Throws<ArgumentException>(() => floats.Encode(new float[FloatSourceGeneralGru.SourceStepSize + 1]));
        Assert.Equal("sourceSteps", ragged.ParamName);
        var longSteps = Assert.Throws<ArgumentException>(() => floats.Encode(new float[(FloatSourceGeneralGru.MaxSourceLength + 1) * FloatSourceGeneralGru.SourceStepSize]));
        Assert.Contains($"MaxSourceLength ({FloatSourceGeneralGru.MaxSourceLength})", longSteps.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeStep_checks_the_token_and_the_span_lengths()
    {
        var model = new BahdanauGru();
        model.Encode(s_source);
        var logits = new float[BahdanauGru.VocabSize];
        Assert.Equal("previousToken", Assert.Throws<ArgumentOutOfRangeException>(() => model.DecodeStep(BahdanauGru.VocabSize, logits, [])).ParamName);
        var shortLogits = Assert.Throws<ArgumentException>(() => model.DecodeStep(1, new float[BahdanauGru.VocabSize - 1], []));
        Assert.Contains($"VocabSize ({BahdanauGru.VocabSize})", shortLogits.Message, StringComparison.Ordinal);
        var shortAttention = Assert.Throws<ArgumentException>(() => model.DecodeStep(1, logits, new float[s_source.Length - 1]));
        Assert.Contains($"SourceLength ({s_source.Length})", shortAttention.Message, StringComparison.Ordinal);

        // An empty attention span skips the weights; the logits are the same either way.
        var withWeights = new float[BahdanauGru.VocabSize];
        var weights = new float[s_source.Length];
        model.Encode(s_source);
        model.DecodeStep(1, withWeights, weights);
        model.Encode(s_source);
        model.DecodeStep(1, logits, []);
        Assert.Equal(withWeights, logits);
        Assert.Equal(1f, weights.Sum(), 5);
    }

    [Fact]
    public void Wrong_length_state_spans_throw_naming_the_size()
    {
        var model = new GeneralLstm2layerBidir();
        model.Encode(s_source);
        Assert.Contains("DecoderStateSize", Assert.Throws<ArgumentException>(() => model.CopyDecoderStateTo(new float[GeneralLstm2layerBidir.DecoderStateSize + 1])).Message, StringComparison.Ordinal);
        Assert.Contains("DecoderStateSize", Assert.Throws<ArgumentException>(() => model.LoadDecoderState(new float[1])).Message, StringComparison.Ordinal);
        Assert.Contains("EncoderFinalStateSize", Assert.Throws<ArgumentException>(() => model.CopyEncoderFinalState(new float[1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_decoder_state_continues_exactly_and_the_source_stays_encoded()
    {
        var model = new GeneralLstm2layerBidir();
        model.Encode(s_source);
        var logits = new float[GeneralLstm2layerBidir.VocabSize];
        model.DecodeStep(1, logits, []);
        var saved = new float[GeneralLstm2layerBidir.DecoderStateSize];
        model.CopyDecoderStateTo(saved);
        var first = new float[logits.Length];
        model.DecodeStep(5, first, []);
        model.DecodeStep(6, logits, []);

        model.LoadDecoderState(saved);
        var again = new float[logits.Length];
        model.DecodeStep(5, again, []);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Encoding_again_restarts_the_decoder_from_the_new_source()
    {
        var model = new ConcatLstmBidirSum();
        var fresh = new ConcatLstmBidirSum();
        model.Encode([7, 1, 2, 3, 4]);
        var scratch = new float[ConcatLstmBidirSum.VocabSize];
        for (int t = 0; t < 5; t++) model.DecodeStep(3, scratch, []);
        model.Encode(s_source);
        fresh.Encode(s_source);
        Assert.Equal(s_source.Length, model.SourceLength);
        Assert.Equal(fresh.EncoderOutputs.ToArray(), model.EncoderOutputs.ToArray());
        var a = new float[ConcatLstmBidirSum.VocabSize];
        var b = new float[ConcatLstmBidirSum.VocabSize];
        var weightsA = new float[s_source.Length];
        var weightsB = new float[s_source.Length];
        model.DecodeStep(1, a, weightsA);
        fresh.DecodeStep(1, b, weightsB);
        Assert.Equal(b, a);
        Assert.Equal(weightsB, weightsA);
    }

    [Fact]
    public void Prepare_runs_on_a_throwaway_instance()
    {
        BahdanauGru.Prepare();
        FloatSourceGeneralGru.Prepare();
        CaptionLstmFeed.Prepare();
        var model = new BahdanauGru();
        Assert.Equal(0, model.SourceLength);
    }

    [Fact]
    public void Start_checks_the_feature_length()
    {
        var model = new CaptionLstmFeed();
        var e = Assert.Throws<ArgumentException>(() => model.Start(new float[CaptionLstmFeed.FeatureSize + 1]));
        Assert.Contains("FeatureSize", e.Message, StringComparison.Ordinal);
        model.Start(new float[CaptionLstmFeed.FeatureSize]);
        Assert.Equal(0, model.SourceLength);
        // A model without attention leaves zeros, not stale values, in an attention span it is handed.
        float[] attention = [0.5f, 0.5f];
        model.DecodeStep(model.StartToken, new float[CaptionLstmFeed.VocabSize], attention);
        Assert.Equal([0f, 0f], attention);
    }
}
