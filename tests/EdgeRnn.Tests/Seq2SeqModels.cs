// One struct per encoder–decoder reference case in Seq2Seq/ (tools/seq2seq/make_cases.py; contract §3), with the case checker for its source kind.
using EdgeRnn;

namespace EdgeRnn.Tests.Seq2Seq;

[EdgeRnnModel("Seq2Seq/bahdanau_gru.edgernn.json")] public partial struct BahdanauGru : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/bahdanau_gru_2layer_bidir_sum.edgernn.json")] public partial struct BahdanauGru2layerBidirSum : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/bahdanau_lstm_bidir_concat_tanh.edgernn.json")] public partial struct BahdanauLstmBidirConcatTanh : ITokenSourceUnderTest, ICellEncoderUnderTest;
[EdgeRnnModel("Seq2Seq/caption_gru_2layer_nofeed.edgernn.json")] public partial struct CaptionGru2layerNofeed : ICaptionUnderTest;
[EdgeRnnModel("Seq2Seq/caption_lstm_feed.edgernn.json")] public partial struct CaptionLstmFeed : ICaptionUnderTest;
[EdgeRnnModel("Seq2Seq/concat_gru_no_input_feeding.edgernn.json")] public partial struct ConcatGruNoInputFeeding : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/concat_lstm_bidir_sum.edgernn.json")] public partial struct ConcatLstmBidirSum : ITokenSourceUnderTest, ICellEncoderUnderTest;
[EdgeRnnModel("Seq2Seq/dot_lstm_bidir_concat.edgernn.json")] public partial struct DotLstmBidirConcat : ITokenSourceUnderTest, ICellEncoderUnderTest;
[EdgeRnnModel("Seq2Seq/dot_lstm_enc_gru_dec.edgernn.json")] public partial struct DotLstmEncGruDec : ITokenSourceUnderTest, ICellEncoderUnderTest;
[EdgeRnnModel("Seq2Seq/float_source_general_gru.edgernn.json")] public partial struct FloatSourceGeneralGru : IFloatSourceUnderTest;
[EdgeRnnModel("Seq2Seq/general_gru_bidir_sum_linear_none.edgernn.json")] public partial struct GeneralGruBidirSumLinearNone : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/general_lstm_2layer_bidir.edgernn.json")] public partial struct GeneralLstm2layerBidir : ITokenSourceUnderTest, ICellEncoderUnderTest;
[EdgeRnnModel("Seq2Seq/general_lstm_bidir_concat_tanh.edgernn.json")] public partial struct GeneralLstmBidirConcatTanh : ITokenSourceUnderTest, ICellEncoderUnderTest;
[EdgeRnnModel("Seq2Seq/mixed_rnn_enc_lstm_dec.edgernn.json")] public partial struct MixedRnnEncLstmDec : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/odd_general_lstm_h13.edgernn.json")] public partial struct OddGeneralLstmH13 : ITokenSourceUnderTest, ICellEncoderUnderTest;

public static class Seq2SeqModels
{
    public static readonly IReadOnlyDictionary<string, ISeq2SeqCase> All = new ISeq2SeqCase[]
    {
        new TokenSourceCase<BahdanauGru>("bahdanau_gru"),
        new TokenSourceCase<BahdanauGru2layerBidirSum>("bahdanau_gru_2layer_bidir_sum"),
        new TokenSourceCase<BahdanauLstmBidirConcatTanh>("bahdanau_lstm_bidir_concat_tanh"),
        new CaptionCase<CaptionGru2layerNofeed>("caption_gru_2layer_nofeed"),
        new CaptionCase<CaptionLstmFeed>("caption_lstm_feed"),
        new TokenSourceCase<ConcatGruNoInputFeeding>("concat_gru_no_input_feeding"),
        new TokenSourceCase<ConcatLstmBidirSum>("concat_lstm_bidir_sum"),
        new TokenSourceCase<DotLstmBidirConcat>("dot_lstm_bidir_concat"),
        new TokenSourceCase<DotLstmEncGruDec>("dot_lstm_enc_gru_dec"),
        new FloatSourceCase<FloatSourceGeneralGru>("float_source_general_gru"),
        new TokenSourceCase<GeneralGruBidirSumLinearNone>("general_gru_bidir_sum_linear_none"),
        new TokenSourceCase<GeneralLstm2layerBidir>("general_lstm_2layer_bidir"),
        new TokenSourceCase<GeneralLstmBidirConcatTanh>("general_lstm_bidir_concat_tanh"),
        new TokenSourceCase<MixedRnnEncLstmDec>("mixed_rnn_enc_lstm_dec"),
        new TokenSourceCase<OddGeneralLstmH13>("odd_general_lstm_h13"),
    }.ToDictionary(c => c.Name);
}
