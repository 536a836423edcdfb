using Microsoft.CodeAnalysis;

namespace EdgeRnn.Generators.Tests.Support;

internal static class DiagnosticAssert
{
    /// <summary>The 0-based line of the first occurrence of <paramref name="snippet"/> in <paramref name="text"/>.</summary>
    public static int LineOf(string text, string snippet)
    {
        int index = text.IndexOf(snippet, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{snippet}' is not in the text");
        return text.AsSpan(0, index).Count('\n');
    }

    /// <summary>Asserts that the diagnostic is located in <paramref name="fullPath"/> on the given 0-based line.</summary>
    public static void At(Diagnostic diagnostic, string fullPath, int line)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.True(span.IsValid, $"{diagnostic.Id} has no location: {diagnostic}");
        Assert.Equal(fullPath, span.Path);
        Assert.True(line == span.StartLinePosition.Line,
            $"{diagnostic.Id} is on line {span.StartLinePosition.Line + 1}, expected line {line + 1}: {diagnostic}");
    }

    /// <summary>Asserts that the diagnostic is located in the manifest, on the line that holds <paramref name="snippet"/>.</summary>
    public static void AtSnippet(Diagnostic diagnostic, string fullPath, string text, string snippet) =>
        At(diagnostic, fullPath, LineOf(text, snippet));

    /// <summary>
    /// Asserts that the diagnostic is located in the C# file of <paramref name="compilation"/>, at the text <paramref name="snippet"/>.
    /// (The generator keeps locations as plain data, so they come back as file locations, not tree locations.)
    /// </summary>
    public static void InSource(Diagnostic diagnostic, Compilation compilation, string snippet)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.True(span.IsValid, $"{diagnostic.Id} has no location: {diagnostic}");
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == span.Path);
        Assert.Equal(snippet, tree.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal(tree.GetLineSpan(diagnostic.Location.SourceSpan).Span, span.Span);
    }
}
