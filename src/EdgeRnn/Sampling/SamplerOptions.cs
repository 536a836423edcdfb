using System.Globalization;

namespace EdgeRnn;

/// <summary>
/// How <see cref="Sampler"/> and <see cref="Generation"/> choose a token from a model's logits: temperature,
/// top-k, top-p (nucleus) and the seed of the random generator.
/// </summary>
/// <remarks>
/// <para>
/// Filters apply in the usual order: the logits are divided by <see cref="Temperature"/>, then only the
/// <see cref="TopK"/> largest are kept, then only the smallest set of the most probable remaining tokens whose
/// probability adds up to at least <see cref="TopP"/>, and the token is drawn from what is left, renormalized.
/// </para>
/// <para>
/// <c>default(SamplerOptions)</c> and <c>new SamplerOptions()</c> both mean plain sampling from the model's
/// distribution: temperature 1, no top-k, no top-p, seed 0. Values are checked when they are set, so an options
/// value that exists is valid.
/// </para>
/// <code>
/// var options = new SamplerOptions { Temperature = 0.8f, TopK = 40, Seed = 1 };
/// var greedy = SamplerOptions.Greedy;
/// </code>
/// </remarks>
public readonly struct SamplerOptions : IEquatable<SamplerOptions>
{
    // Stored so that the all-zero struct means temperature 1 and top-p 1 (off).
    private readonly float _temperature;
    private readonly float _topP;
    private readonly bool _temperatureSet;
    private readonly bool _topPSet;
    private readonly int _topK;

    /// <summary>Options for greedy decoding: always the most probable token (the lowest index among equal logits).</summary>
    public static SamplerOptions Greedy => new() { Temperature = 0f };

    /// <summary>
    /// Divides the logits before the softmax. Default 1 (the model's own distribution); below 1 sharpens it, above 1
    /// flattens it. 0 or less means greedy: the arg-max, with no randomness (top-k and top-p do not matter then).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to NaN or positive infinity.</exception>
    public float Temperature
    {
        get => _temperatureSet ? _temperature : 1f;
        init
        {
            if (float.IsNaN(value) || float.IsPositiveInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(Temperature), value,
                    $"Temperature must be a finite number (0 or less for greedy) but is {Format(value)}.");
            _temperature = value;
            _temperatureSet = true;
        }
    }

    /// <summary>
    /// Keeps only the <c>TopK</c> largest logits (equal logits: the lower token ids first). Default 0: off. A value
    /// at least the vocabulary size is also off; 1 is greedy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative number.</exception>
    public int TopK
    {
        get => _topK;
        init
        {
            if (value < 0)
                throw new ArgumentOutOfRangeException(nameof(TopK), value, $"TopK must be 0 (off) or positive but is {value}.");
            _topK = value;
        }
    }

    /// <summary>
    /// Nucleus sampling: keeps the smallest set of the most probable tokens whose probabilities add up to at least
    /// <c>TopP</c> (always at least one token; equal probabilities: the lower token ids first). Default 1: off.
    /// 0 keeps only the most probable token.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to NaN or to a value outside [0, 1].</exception>
    public float TopP
    {
        get => _topPSet ? _topP : 1f;
        init
        {
            if (!(value >= 0f && value <= 1f)) // also catches NaN
                throw new ArgumentOutOfRangeException(nameof(TopP), value,
                    $"TopP must be between 0 and 1 (1 = off) but is {Format(value)}.");
            _topP = value;
            _topPSet = true;
        }
    }

    /// <summary>
    /// The seed of the <see cref="Xoshiro256StarStar"/> generator that <see cref="Generation.Generate{TModel}"/> creates
    /// (its sequence is the same on every platform): the same seed, model, prompt and options give the same tokens on
    /// every run. Default 0.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>True when these options pick the arg-max (temperature 0 or less, or top-k 1): no randomness is used.</summary>
    public bool IsGreedy => Temperature <= 0f || TopK == 1;

    /// <inheritdoc/>
    public bool Equals(SamplerOptions other) =>
        Temperature.Equals(other.Temperature) && TopK == other.TopK && TopP.Equals(other.TopP) && Seed == other.Seed;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SamplerOptions other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Temperature, TopK, TopP, Seed);

    /// <summary>Whether two options values are equal.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator ==(SamplerOptions left, SamplerOptions right) => left.Equals(right);

    /// <summary>Whether two options values differ.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    public static bool operator !=(SamplerOptions left, SamplerOptions right) => !left.Equals(right);

    /// <summary>The options as text, for logs: <c>Temperature=0.8, TopK=40, TopP=1, Seed=1</c>.</summary>
    public override string ToString() =>
        $"Temperature={Format(Temperature)}, TopK={TopK.ToString(CultureInfo.InvariantCulture)}, TopP={Format(TopP)}, Seed={Seed.ToString(CultureInfo.InvariantCulture)}";

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
