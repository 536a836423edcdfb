// One struct per encoder–decoder reference case in Seq2Seq/ (contract §3), with the case checker for its source kind.
using EdgeRnn;

namespace EdgeRnn.Tests.Seq2Seq;

[EdgeRnnModel("Seq2Seq/g_general_gru_bi.edgernn.json")] public partial struct GGeneralGruBi : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/g_dot_lstm.edgernn.json")] public partial struct GDotLstm : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/g_concat_gru_2l_sum.edgernn.json")] public partial struct GConcatGru2lSum : IFloatSourceUnderTest;
[EdgeRnnModel("Seq2Seq/g_bahdanau_lstm.edgernn.json")] public partial struct GBahdanauLstm : ITokenSourceUnderTest;
[EdgeRnnModel("Seq2Seq/g_caption_lstm_feed.edgernn.json")] public partial struct GCaptionLstmFeed : ICaptionUnderTest;

public static class Seq2SeqModels
{
    public static readonly IReadOnlyDictionary<string, ISeq2SeqCase> All = new ISeq2SeqCase[]
    {
        new TokenSourceCase<GGeneralGruBi>("g_general_gru_bi"),
        new TokenSourceCase<GDotLstm>("g_dot_lstm"),
        new FloatSourceCase<GConcatGru2lSum>("g_concat_gru_2l_sum"),
        new TokenSourceCase<GBahdanauLstm>("g_bahdanau_lstm"),
        new CaptionCase<GCaptionLstmFeed>("g_caption_lstm_feed"),
    }.ToDictionary(c => c.Name);
}
