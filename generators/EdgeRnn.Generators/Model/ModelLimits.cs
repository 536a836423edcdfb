namespace EdgeRnn.Generators.Model;

/// <summary>
/// The sizes EdgeRnn accepts (docs/manifest.md, "Limits"). Inputs past them get a located error (ERNN0007 for a
/// stated value, ERNN0030 for what the weights add up to) instead of an overflow or an out-of-memory build.
/// </summary>
internal static class ModelLimits
{
    /// <summary>Largest integer a manifest (or a model file's config) may state: sizes, num_layers, skip.</summary>
    public const int MaxStatedInteger = 1_000_000;

    /// <summary>Floats of weights in one model (64 MB of float32; the generated source holds each as bytes).</summary>
    public const int MaxWeights = 16_777_216;

    /// <summary>
    /// Floats of state plus per-step working memory (gate rows, layer outputs), summed over the layers: a bound
    /// that keeps every size of the generated memory plan, and of Run's stack chunk, far inside an int.
    /// </summary>
    public const int MaxWorkingFloats = 16_777_216;

    /// <summary>RTNeural's in_gain / out_gain, in decibels either way (±120 dB is a factor of 10⁶).</summary>
    public const double MaxGainDecibels = 120;
}
