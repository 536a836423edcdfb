using EdgeRnn.Tests.Seq2Seq;

namespace EdgeRnn.Tests;

/// <summary>
/// Every encoder–decoder case in Seq2Seq/ against PyTorch (its expected.json): encoder outputs and h_n, the decoder's
/// initial state, logits and attention weights under teacher forcing, greedy and beam tokens (by hand and through
/// EdgeRnn.Decoding.Decoder); no allocation per DecodeStep nor per decoding.
/// CI runs these on every forced ISA path.
/// </summary>
public class Seq2SeqReferenceTests
{
    public static TheoryData<string> Cases => [.. Seq2SeqModels.All.Keys.Order()];

    [Fact]
    public void Every_case_file_has_a_struct()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Seq2Seq"), "*.expected.json")
            .Select(f => Path.GetFileName(f)[..^".expected.json".Length]).Order();
        Assert.Equal(files, Seq2SeqModels.All.Keys.Order());
    }

    [Theory, MemberData(nameof(Cases))]
    public void Encoder_and_initial_state_match_pytorch(string name) => Seq2SeqModels.All[name].CheckEncoder();

    [Theory, MemberData(nameof(Cases))]
    public void Logits_and_attention_match_pytorch_under_teacher_forcing(string name) => Seq2SeqModels.All[name].CheckTeacherForcing();

    [Theory, MemberData(nameof(Cases))]
    public void Greedy_decoding_matches_pytorch(string name) => Seq2SeqModels.All[name].CheckGreedy();

    [Theory, MemberData(nameof(Cases))]
    public void Decoder_Greedy_matches_pytorch(string name) => Seq2SeqModels.All[name].CheckDecoderGreedy();

    [Theory, MemberData(nameof(Cases))]
    public void Decoder_Beam_matches_pytorch(string name) => Seq2SeqModels.All[name].CheckBeam();

    [Theory, MemberData(nameof(Cases))]
    public void Greedy_and_beam_decoding_allocate_nothing(string name) => Assert.Equal(0, Seq2SeqModels.All[name].AllocatedBytesOverGreedyAndBeam(20));

    [Theory, MemberData(nameof(Cases))]
    public void DecodeStep_allocates_nothing(string name) => Assert.Equal(0, Seq2SeqModels.All[name].AllocatedBytesOverDecodeSteps(2_000));
}
