using System.Text;

namespace EdgeRnn.Generators.Emit;

/// <summary>Builds indented C# text; always "\n" line ends so generated text is the same on every OS.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
    }

    public void Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
    }

    /// <summary>A bare block (a scope for its locals).</summary>
    public void OpenBlock()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Append(string text) => _sb.Append(text);

    public void Indent() => _sb.Append(' ', _indent * 4);

    public override string ToString() => _sb.ToString();
}
