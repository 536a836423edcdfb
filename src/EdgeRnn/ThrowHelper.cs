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
}
