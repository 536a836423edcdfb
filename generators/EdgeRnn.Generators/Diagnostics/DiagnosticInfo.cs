using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Diagnostics;

/// <summary>A location that is plain data (no syntax trees), safe to keep in the incremental pipeline.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location location) =>
        location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    /// <summary>A location in a text file (a manifest) from a character offset and length.</summary>
    public static LocationInfo InText(string filePath, string text, int start, int length)
    {
        start = System.Math.Max(0, System.Math.Min(start, text.Length));
        length = System.Math.Max(0, System.Math.Min(length, text.Length - start));
        return new LocationInfo(filePath, new TextSpan(start, length),
            new LinePositionSpan(PositionOf(text, start), PositionOf(text, start + length)));
    }

    public static LinePosition PositionOf(string text, int offset)
    {
        int line = 0, lineStart = 0;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        }
        return new LinePosition(line, offset - lineStart);
    }
}

/// <summary>A diagnostic as data: descriptor id, location and message arguments (strings, so records compare by value).</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] args)
    {
        var strings = new string[args.Length];
        for (int i = 0; i < args.Length; i++)
            strings[i] = System.Convert.ToString(args[i], System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return new DiagnosticInfo(descriptor.Id, location, new EquatableArray<string>(strings));
    }

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptors.ById(Id), Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, [.. Arguments]);
}
