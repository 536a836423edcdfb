using System.Text.Json.Nodes;
using EdgeRnn.Tests.Models;
using Xunit;

namespace EdgeRnn.Tests;

/// <summary>EdgeRnn.ReferenceVectors, the one-line check of a compiled model against the exporter's expected.json.</summary>
public class ReferenceVectorsTests
{
    private const float Tolerance = 1e-5f;

    private static string ModelFile(string name) => Path.Combine(AppContext.BaseDirectory, "Models", name + ".expected.json");

    [Fact]
    public void Streaming_model_matches_its_committed_pytorch_vectors()
    {
        var vectors = ReferenceVectors.Load(ModelFile("amp_lstm_skip"));
        Assert.Equal((AmpLstmSkip.InputSize, AmpLstmSkip.OutputSize), (vectors.InputSize, vectors.OutputSize));
        Assert.InRange(vectors.MaxStepDifference<AmpLstmSkip>(), 0f, Tolerance);
    }

    [Fact]
    public void Relative_path_is_found_next_to_the_program()
    {
        var vectors = ReferenceVectors.Load("Models/amp_lstm_skip.expected.json");
        Assert.InRange(vectors.MaxStepDifference<AmpLstmSkip>(), 0f, Tolerance);
    }

    [Fact]
    public void Many_to_one_and_sequence_only_models_match()
    {
        var last = ReferenceVectors.Load(ModelFile("gru_classifier_last"));
        Assert.True(last.OutputLast);
        Assert.InRange(last.MaxStepDifference<GruClassifierLast>(), 0f, Tolerance);

        var bidirectional = ReferenceVectors.Load(ModelFile("bilstm_i3_h5"));
        Assert.True(bidirectional.SequenceOnly);
        Assert.InRange(bidirectional.MaxRunDifference<BilstmI3H5>(), 0f, Tolerance);
        Assert.Throws<InvalidOperationException>(() => bidirectional.MaxStepDifference<AmpLstmSkip>());
    }

    [Theory]
    [InlineData("outputs", 7)]
    [InlineData("final_state", 3)]
    public void A_changed_reference_value_is_the_difference_reported(string field, int index)
    {
        var json = JsonNode.Parse(File.ReadAllText(ModelFile("amp_lstm_skip")))!;
        float original = json[field]![index]!.GetValue<float>();
        const float Shift = 0.25f;
        json[field]![index] = original + Shift;
        string path = Path.Combine(Path.GetTempPath(), $"edgernn-refvec-{Guid.NewGuid():N}.expected.json");
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            float difference = ReferenceVectors.Load(path).MaxStepDifference<AmpLstmSkip>();
            Assert.InRange(difference, Shift - 2 * Tolerance, Shift + 2 * Tolerance);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Another_models_vectors_are_refused_with_the_sizes()
    {
        var vectors = ReferenceVectors.Load(ModelFile("amp_lstm_skip"));
        var e = Assert.Throws<InvalidOperationException>(() => vectors.MaxStepDifference<GruI4H7>());
        Assert.Contains($"takes {GruI4H7.InputSize} and gives {GruI4H7.OutputSize}", e.Message);
    }

    [Fact]
    public void Missing_field_and_missing_file_are_reported()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgernn-refvec-{Guid.NewGuid():N}.expected.json");
        File.WriteAllText(path, """{ "input_size": 1, "output_size": 1, "steps": 0, "inputs": [], "outputs": [] }""");
        try
        {
            Assert.Contains("\"final_state\"", Assert.Throws<FormatException>(() => ReferenceVectors.Load(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<FileNotFoundException>(() => ReferenceVectors.Load("Models/no_such_model.expected.json"));
    }
}
