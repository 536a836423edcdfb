using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace EdgeRnn;

/// <summary>Argument checks for generated code; kept out of line so the hot paths stay small.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ThrowHelper
{
    /// <summary>Throws when a span does not have exactly the expected length.</summary>
    [DoesNotReturn]
    public static void ThrowLengthMismatch(string paramName, int expected, int actual, string what) =>
        throw new ArgumentException($"{paramName} must hold exactly {expected} floats ({what}) but has {actual}.", paramName);

    /// <summary>Throws when a sequence span is not a whole number of steps.</summary>
    [DoesNotReturn]
    public static void ThrowNotMultiple(string paramName, int stepSize, int actual) =>
        throw new ArgumentException($"{paramName} must hold a whole number of steps of {stepSize} floats (T × {stepSize}) but has {actual}.", paramName);

    /// <summary>Throws when a many-to-one Run gets no steps (there is no last output).</summary>
    [DoesNotReturn]
    public static void ThrowNoSteps(string paramName) =>
        throw new ArgumentException("a model whose output is the last step's needs at least one step.", paramName);

    /// <summary>Throws for a token id outside [0, vocabSize).</summary>
    [DoesNotReturn]
    public static void ThrowTokenOutOfRange(string paramName, int token, int vocabSize) =>
        throw new ArgumentOutOfRangeException(paramName, token, $"token ids run from 0 to {vocabSize - 1}; got {token}.");

    /// <summary>A token id carried in a float: it must be a whole number in [0, vocabSize).</summary>
    public static int TokenFromFloat(string paramName, float value, int vocabSize)
    {
        if (!(value >= 0 && value < vocabSize) || value != MathF.Floor(value))
            throw new ArgumentOutOfRangeException(paramName, value, $"token ids are whole numbers from 0 to {vocabSize - 1}; got {value}.");
        return (int)value;
    }
}
