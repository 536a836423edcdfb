// One struct per committed reference model (tools/make_reference.py writes the PyTorch ones, tools/keras_reference.py the keras_* ones).
using EdgeRnn;

namespace EdgeRnn.Tests.Models;

[EdgeRnnModel("Models/amp_gru_skip_knob.edgernn.json")] public partial struct AmpGruSkipKnob;
[EdgeRnnModel("Models/amp_lstm_skip.edgernn.json")] public partial struct AmpLstmSkip;
[EdgeRnnModel("Models/gru_3layer_i3_h5.edgernn.json")] public partial struct Gru3layerI3H5;
[EdgeRnnModel("Models/gru_bf16_weights.edgernn.json")] public partial struct GruBf16Weights;
[EdgeRnnModel("Models/gru_head_sigmoid.edgernn.json")] public partial struct GruHeadSigmoid;
[EdgeRnnModel("Models/gru_head_tanh.edgernn.json")] public partial struct GruHeadTanh;
[EdgeRnnModel("Models/gru_i4_h7.edgernn.json")] public partial struct GruI4H7;
[EdgeRnnModel("Models/gru_i8_h32.edgernn.json")] public partial struct GruI8H32;
[EdgeRnnModel("Models/gru_nobias_i4_h6.edgernn.json")] public partial struct GruNobiasI4H6;
[EdgeRnnModel("Models/gru_odd_i13_h37.edgernn.json")] public partial struct GruOddI13H37;
[EdgeRnnModel("Models/gru_saturated_i4_h7.edgernn.json")] public partial struct GruSaturatedI4H7;
[EdgeRnnModel("Models/gru_unprefixed_empty.edgernn.json")] public partial struct GruUnprefixedEmpty;
[EdgeRnnModel("Models/keras_gru_nobias.edgernn.json")] public partial struct KerasGruNobias;
[EdgeRnnModel("Models/keras_gru_nobias_reset_before.edgernn.json")] public partial struct KerasGruNobiasResetBefore;
[EdgeRnnModel("Models/keras_gru_reset_after_i4_h6.edgernn.json")] public partial struct KerasGruResetAfterI4H6;
[EdgeRnnModel("Models/keras_gru_reset_before_i4_h6.edgernn.json")] public partial struct KerasGruResetBeforeI4H6;
[EdgeRnnModel("Models/keras_gru_reset_before_saturated.edgernn.json")] public partial struct KerasGruResetBeforeSaturated;
[EdgeRnnModel("Models/keras_lstm_dense_tanh.edgernn.json")] public partial struct KerasLstmDenseTanh;
[EdgeRnnModel("Models/keras_lstm_i3_h5.edgernn.json")] public partial struct KerasLstmI3H5;
[EdgeRnnModel("Models/keras_simplernn_relu_i3_h4.edgernn.json")] public partial struct KerasSimplernnReluI3H4;
[EdgeRnnModel("Models/keras_simplernn_tanh_i3_h5.edgernn.json")] public partial struct KerasSimplernnTanhI3H5;
[EdgeRnnModel("Models/keras_stack_lstm_gru_dense.edgernn.json")] public partial struct KerasStackLstmGruDense;
[EdgeRnnModel("Models/linear_first.edgernn.json")] public partial struct LinearFirst;
[EdgeRnnModel("Models/linear_nobias_head.edgernn.json")] public partial struct LinearNobiasHead;
[EdgeRnnModel("Models/lstm_2layer_i4_h6.edgernn.json")] public partial struct Lstm2layerI4H6;
[EdgeRnnModel("Models/lstm_f16_weights.edgernn.json")] public partial struct LstmF16Weights;
[EdgeRnnModel("Models/lstm_head_none.edgernn.json")] public partial struct LstmHeadNone;
[EdgeRnnModel("Models/lstm_head_none_explicit.edgernn.json")] public partial struct LstmHeadNoneExplicit;
[EdgeRnnModel("Models/lstm_i16_h64_2layer.edgernn.json")] public partial struct LstmI16H642layer;
[EdgeRnnModel("Models/lstm_i3_h5.edgernn.json")] public partial struct LstmI3H5;
[EdgeRnnModel("Models/lstm_i8_h32.edgernn.json")] public partial struct LstmI8H32;
[EdgeRnnModel("Models/lstm_long_seq.edgernn.json")] public partial struct LstmLongSeq;
[EdgeRnnModel("Models/lstm_nobias_i3_h5.edgernn.json")] public partial struct LstmNobiasI3H5;
[EdgeRnnModel("Models/lstm_saturated_i3_h5.edgernn.json")] public partial struct LstmSaturatedI3H5;
[EdgeRnnModel("Models/lstm_unprefixed.edgernn.json")] public partial struct LstmUnprefixed;
[EdgeRnnModel("Models/mut1_2layer_i33_h33_head.edgernn.json")] public partial struct Mut12layerI33H33Head;
[EdgeRnnModel("Models/mut1_2layer_i7_h7.edgernn.json")] public partial struct Mut12layerI7H7;
[EdgeRnnModel("Models/mut1_i5_h5.edgernn.json")] public partial struct Mut1I5H5;
[EdgeRnnModel("Models/mut1_nobias_i4_h4.edgernn.json")] public partial struct Mut1NobiasI4H4;
[EdgeRnnModel("Models/mut1_saturated_i4_h4.edgernn.json")] public partial struct Mut1SaturatedI4H4;
[EdgeRnnModel("Models/mut2_2layer_i9_h9.edgernn.json")] public partial struct Mut22layerI9H9;
[EdgeRnnModel("Models/mut2_head_sigmoid_i8_h8.edgernn.json")] public partial struct Mut2HeadSigmoidI8H8;
[EdgeRnnModel("Models/mut2_i6_h6.edgernn.json")] public partial struct Mut2I6H6;
[EdgeRnnModel("Models/mut2_nobias_2layer_i5_h5.edgernn.json")] public partial struct Mut2Nobias2layerI5H5;
[EdgeRnnModel("Models/mut2_saturated_i5_h5.edgernn.json")] public partial struct Mut2SaturatedI5H5;
[EdgeRnnModel("Models/mut3_2layer_i3_h9.edgernn.json")] public partial struct Mut32layerI3H9;
[EdgeRnnModel("Models/mut3_i4_h7.edgernn.json")] public partial struct Mut3I4H7;
[EdgeRnnModel("Models/mut3_nobias_2layer_i5_h6.edgernn.json")] public partial struct Mut3Nobias2layerI5H6;
[EdgeRnnModel("Models/mut3_odd_i13_h37_head.edgernn.json")] public partial struct Mut3OddI13H37Head;
[EdgeRnnModel("Models/mut3_saturated_i3_h6.edgernn.json")] public partial struct Mut3SaturatedI3H6;
[EdgeRnnModel("Models/mut_stack_lstm_mut3_mut2.edgernn.json")] public partial struct MutStackLstmMut3Mut2;
[EdgeRnnModel("Models/rnn_2layer_relu_i3_h7.edgernn.json")] public partial struct Rnn2layerReluI3H7;
[EdgeRnnModel("Models/rnn_head_relu.edgernn.json")] public partial struct RnnHeadRelu;
[EdgeRnnModel("Models/rnn_relu_i5_h4.edgernn.json")] public partial struct RnnReluI5H4;
[EdgeRnnModel("Models/rnn_saturated_tanh.edgernn.json")] public partial struct RnnSaturatedTanh;
[EdgeRnnModel("Models/rnn_tanh_i3_h6.edgernn.json")] public partial struct RnnTanhI3H6;
[EdgeRnnModel("Models/stack_lstm_gru_linear.edgernn.json")] public partial struct StackLstmGruLinear;
[EdgeRnnModel("Models/gru_classifier_last.edgernn.json")] public partial struct GruClassifierLast;
[EdgeRnnModel("Models/lstm_proj_i4_h9_p5.edgernn.json")] public partial struct LstmProjI4H9P5;
[EdgeRnnModel("Models/lstm_proj_2layer_i3_h8_p3.edgernn.json")] public partial struct LstmProj2layerI3H8P3;
[EdgeRnnModel("Models/token_lstm_lm.edgernn.json")] public partial struct TokenLstmLm;

internal static class ReferenceModels
{
    /// <summary>Every reference case, by the name of its files.</summary>
    public static readonly IReadOnlyDictionary<string, IReferenceCase> All = new Dictionary<string, IReferenceCase>
    {
        ["amp_gru_skip_knob"] = new ReferenceCase<AmpGruSkipKnob>("amp_gru_skip_knob"),
        ["amp_lstm_skip"] = new ReferenceCase<AmpLstmSkip>("amp_lstm_skip"),
        ["gru_3layer_i3_h5"] = new ReferenceCase<Gru3layerI3H5>("gru_3layer_i3_h5"),
        ["gru_bf16_weights"] = new ReferenceCase<GruBf16Weights>("gru_bf16_weights"),
        ["gru_head_sigmoid"] = new ReferenceCase<GruHeadSigmoid>("gru_head_sigmoid"),
        ["gru_head_tanh"] = new ReferenceCase<GruHeadTanh>("gru_head_tanh"),
        ["gru_i4_h7"] = new ReferenceCase<GruI4H7>("gru_i4_h7"),
        ["gru_i8_h32"] = new ReferenceCase<GruI8H32>("gru_i8_h32"),
        ["gru_nobias_i4_h6"] = new ReferenceCase<GruNobiasI4H6>("gru_nobias_i4_h6"),
        ["gru_odd_i13_h37"] = new ReferenceCase<GruOddI13H37>("gru_odd_i13_h37"),
        ["gru_saturated_i4_h7"] = new ReferenceCase<GruSaturatedI4H7>("gru_saturated_i4_h7"),
        ["gru_unprefixed_empty"] = new ReferenceCase<GruUnprefixedEmpty>("gru_unprefixed_empty"),
        ["keras_gru_nobias"] = new ReferenceCase<KerasGruNobias>("keras_gru_nobias"),
        ["keras_gru_nobias_reset_before"] = new ReferenceCase<KerasGruNobiasResetBefore>("keras_gru_nobias_reset_before"),
        ["keras_gru_reset_after_i4_h6"] = new ReferenceCase<KerasGruResetAfterI4H6>("keras_gru_reset_after_i4_h6"),
        ["keras_gru_reset_before_i4_h6"] = new ReferenceCase<KerasGruResetBeforeI4H6>("keras_gru_reset_before_i4_h6"),
        ["keras_gru_reset_before_saturated"] = new ReferenceCase<KerasGruResetBeforeSaturated>("keras_gru_reset_before_saturated"),
        ["keras_lstm_dense_tanh"] = new ReferenceCase<KerasLstmDenseTanh>("keras_lstm_dense_tanh"),
        ["keras_lstm_i3_h5"] = new ReferenceCase<KerasLstmI3H5>("keras_lstm_i3_h5"),
        ["keras_simplernn_relu_i3_h4"] = new ReferenceCase<KerasSimplernnReluI3H4>("keras_simplernn_relu_i3_h4"),
        ["keras_simplernn_tanh_i3_h5"] = new ReferenceCase<KerasSimplernnTanhI3H5>("keras_simplernn_tanh_i3_h5"),
        ["keras_stack_lstm_gru_dense"] = new ReferenceCase<KerasStackLstmGruDense>("keras_stack_lstm_gru_dense"),
        ["linear_first"] = new ReferenceCase<LinearFirst>("linear_first"),
        ["linear_nobias_head"] = new ReferenceCase<LinearNobiasHead>("linear_nobias_head"),
        ["lstm_2layer_i4_h6"] = new ReferenceCase<Lstm2layerI4H6>("lstm_2layer_i4_h6"),
        ["lstm_f16_weights"] = new ReferenceCase<LstmF16Weights>("lstm_f16_weights"),
        ["lstm_head_none"] = new ReferenceCase<LstmHeadNone>("lstm_head_none"),
        ["lstm_head_none_explicit"] = new ReferenceCase<LstmHeadNoneExplicit>("lstm_head_none_explicit"),
        ["lstm_i16_h64_2layer"] = new ReferenceCase<LstmI16H642layer>("lstm_i16_h64_2layer"),
        ["lstm_i3_h5"] = new ReferenceCase<LstmI3H5>("lstm_i3_h5"),
        ["lstm_i8_h32"] = new ReferenceCase<LstmI8H32>("lstm_i8_h32"),
        ["lstm_long_seq"] = new ReferenceCase<LstmLongSeq>("lstm_long_seq"),
        ["lstm_nobias_i3_h5"] = new ReferenceCase<LstmNobiasI3H5>("lstm_nobias_i3_h5"),
        ["lstm_saturated_i3_h5"] = new ReferenceCase<LstmSaturatedI3H5>("lstm_saturated_i3_h5"),
        ["lstm_unprefixed"] = new ReferenceCase<LstmUnprefixed>("lstm_unprefixed"),
        ["mut1_2layer_i33_h33_head"] = new ReferenceCase<Mut12layerI33H33Head>("mut1_2layer_i33_h33_head"),
        ["mut1_2layer_i7_h7"] = new ReferenceCase<Mut12layerI7H7>("mut1_2layer_i7_h7"),
        ["mut1_i5_h5"] = new ReferenceCase<Mut1I5H5>("mut1_i5_h5"),
        ["mut1_nobias_i4_h4"] = new ReferenceCase<Mut1NobiasI4H4>("mut1_nobias_i4_h4"),
        ["mut1_saturated_i4_h4"] = new ReferenceCase<Mut1SaturatedI4H4>("mut1_saturated_i4_h4"),
        ["mut2_2layer_i9_h9"] = new ReferenceCase<Mut22layerI9H9>("mut2_2layer_i9_h9"),
        ["mut2_head_sigmoid_i8_h8"] = new ReferenceCase<Mut2HeadSigmoidI8H8>("mut2_head_sigmoid_i8_h8"),
        ["mut2_i6_h6"] = new ReferenceCase<Mut2I6H6>("mut2_i6_h6"),
        ["mut2_nobias_2layer_i5_h5"] = new ReferenceCase<Mut2Nobias2layerI5H5>("mut2_nobias_2layer_i5_h5"),
        ["mut2_saturated_i5_h5"] = new ReferenceCase<Mut2SaturatedI5H5>("mut2_saturated_i5_h5"),
        ["mut3_2layer_i3_h9"] = new ReferenceCase<Mut32layerI3H9>("mut3_2layer_i3_h9"),
        ["mut3_i4_h7"] = new ReferenceCase<Mut3I4H7>("mut3_i4_h7"),
        ["mut3_nobias_2layer_i5_h6"] = new ReferenceCase<Mut3Nobias2layerI5H6>("mut3_nobias_2layer_i5_h6"),
        ["mut3_odd_i13_h37_head"] = new ReferenceCase<Mut3OddI13H37Head>("mut3_odd_i13_h37_head"),
        ["mut3_saturated_i3_h6"] = new ReferenceCase<Mut3SaturatedI3H6>("mut3_saturated_i3_h6"),
        ["mut_stack_lstm_mut3_mut2"] = new ReferenceCase<MutStackLstmMut3Mut2>("mut_stack_lstm_mut3_mut2"),
        ["rnn_2layer_relu_i3_h7"] = new ReferenceCase<Rnn2layerReluI3H7>("rnn_2layer_relu_i3_h7"),
        ["rnn_head_relu"] = new ReferenceCase<RnnHeadRelu>("rnn_head_relu"),
        ["rnn_relu_i5_h4"] = new ReferenceCase<RnnReluI5H4>("rnn_relu_i5_h4"),
        ["rnn_saturated_tanh"] = new ReferenceCase<RnnSaturatedTanh>("rnn_saturated_tanh"),
        ["rnn_tanh_i3_h6"] = new ReferenceCase<RnnTanhI3H6>("rnn_tanh_i3_h6"),
        ["stack_lstm_gru_linear"] = new ReferenceCase<StackLstmGruLinear>("stack_lstm_gru_linear"),
        ["gru_classifier_last"] = new ReferenceCase<GruClassifierLast>("gru_classifier_last"),
        ["lstm_proj_i4_h9_p5"] = new ReferenceCase<LstmProjI4H9P5>("lstm_proj_i4_h9_p5"),
        ["lstm_proj_2layer_i3_h8_p3"] = new ReferenceCase<LstmProj2layerI3H8P3>("lstm_proj_2layer_i3_h8_p3"),
        ["token_lstm_lm"] = new ReferenceCase<TokenLstmLm>("token_lstm_lm"),
    };
}
