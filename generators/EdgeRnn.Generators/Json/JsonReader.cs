using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace EdgeRnn.Generators.Json;

internal enum JsonKind { Object, Array, String, Number, True, False, Null }

/// <summary>A parsed JSON value that remembers where it stands in the text, so diagnostics can point at it.</summary>
internal sealed class JsonNode
{
    private JsonNode(JsonKind kind, int start, int length)
    {
        Kind = kind;
        Start = start;
        Length = length;
    }

    public JsonKind Kind { get; }
    /// <summary>Offset of the value's first character in the source text.</summary>
    public int Start { get; }
    public int Length { get; private set; }

    public string? StringValue { get; private set; }
    public double NumberValue { get; private set; }
    /// <summary>The number's text exactly as written (for integer checks and exact float parsing).</summary>
    public string? NumberText { get; private set; }
    public List<JsonNode>? Items { get; private set; }
    public List<JsonProperty>? Properties { get; private set; }

    public bool IsInteger => Kind == JsonKind.Number && NumberText!.IndexOfAny(['.', 'e', 'E']) < 0;

    public JsonProperty? Property(string name)
    {
        if (Properties is null) return null;
        foreach (var p in Properties)
            if (p.Name == name) return p;
        return null;
    }

    public JsonNode? this[string name] => Property(name)?.Value;

    public static string Describe(JsonKind kind) => kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.True or JsonKind.False => "a boolean",
        _ => "null",
    };

    internal static JsonNode Create(JsonKind kind, int start) => new(kind, start, 0);
    internal void Finish(int end) => Length = end - Start;
    internal void SetString(string value) => StringValue = value;
    internal void SetNumber(double value, string text) { NumberValue = value; NumberText = text; }
    internal void SetItems(List<JsonNode> items) => Items = items;
    internal void SetProperties(List<JsonProperty> properties) => Properties = properties;
}

internal sealed class JsonProperty(string name, int nameStart, int nameLength, JsonNode value)
{
    public string Name { get; } = name;
    public int NameStart { get; } = nameStart;
    public int NameLength { get; } = nameLength;
    public JsonNode Value { get; } = value;
}

internal sealed class JsonException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}

/// <summary>
/// A small strict JSON (RFC 8259) reader for manifests and safetensors headers.
/// The generator runs inside the compiler, so it carries no JSON dependency of its own.
/// </summary>
internal sealed class JsonReader
{
    private const int MaxDepth = 256;
    private readonly string _text;
    private int _pos;
    private int _depth;

    private JsonReader(string text) => _text = text;

    /// <summary>Parses one JSON document; throws <see cref="JsonException"/> with the offset of the first error.</summary>
    public static JsonNode Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipWhitespace();
        if (reader._pos < text.Length && text[reader._pos] == '\uFEFF') { reader._pos++; reader.SkipWhitespace(); }
        var root = reader.ReadValue();
        reader.SkipWhitespace();
        if (reader._pos != text.Length)
            throw new JsonException($"unexpected '{text[reader._pos]}' after the end of the document", reader._pos);
        return root;
    }

    private JsonNode ReadValue()
    {
        if (_pos >= _text.Length) throw new JsonException("unexpected end of text, expected a value", _pos);
        char c = _text[_pos];
        switch (c)
        {
            case '{': return ReadObject();
            case '[': return ReadArray();
            case '"':
            {
                var node = JsonNode.Create(JsonKind.String, _pos);
                node.SetString(ReadString());
                node.Finish(_pos);
                return node;
            }
            case 't': return ReadLiteral("true", JsonKind.True);
            case 'f': return ReadLiteral("false", JsonKind.False);
            case 'n': return ReadLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                throw new JsonException($"unexpected '{c}', expected a value", _pos);
        }
    }

    private JsonNode ReadObject()
    {
        var node = JsonNode.Create(JsonKind.Object, _pos);
        Enter();
        _pos++; // {
        var props = new List<JsonProperty>();
        // Duplicate names: a scan while the object is small, a set once it is large (a header of 100k tensors stays linear).
        HashSet<string>? names = null;
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"') throw new JsonException("expected a property name in double quotes", _pos);
                int nameStart = _pos;
                string name = ReadString();
                int nameLength = _pos - nameStart;
                SkipWhitespace();
                if (Peek() != ':') throw new JsonException($"expected ':' after property name \"{name}\"", _pos);
                _pos++;
                SkipWhitespace();
                var value = ReadValue();
                if (IsDuplicate(props, ref names, name)) throw new JsonException($"duplicate property \"{name}\"", nameStart);
                props.Add(new JsonProperty(name, nameStart, nameLength, value));
                SkipWhitespace();
                char c = Peek();
                if (c == ',') { _pos++; continue; }
                if (c == '}') { _pos++; break; }
                throw new JsonException("expected ',' or '}' in object", _pos);
            }
        }
        _depth--;
        node.SetProperties(props);
        node.Finish(_pos);
        return node;
    }

    private JsonNode ReadArray()
    {
        var node = JsonNode.Create(JsonKind.Array, _pos);
        Enter();
        _pos++; // [
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                items.Add(ReadValue());
                SkipWhitespace();
                char c = Peek();
                if (c == ',') { _pos++; continue; }
                if (c == ']') { _pos++; break; }
                throw new JsonException("expected ',' or ']' in array", _pos);
            }
        }
        _depth--;
        node.SetItems(items);
        node.Finish(_pos);
        return node;
    }

    private const int ScanLimit = 8;

    /// <summary>True when <paramref name="props"/> already has <paramref name="name"/>; <paramref name="names"/> is the set once there are more than <see cref="ScanLimit"/>.</summary>
    private static bool IsDuplicate(List<JsonProperty> props, ref HashSet<string>? names, string name)
    {
        if (names is null)
        {
            foreach (var existing in props)
                if (existing.Name == name) return true;
            if (props.Count < ScanLimit) return false;
            names = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var existing in props) names.Add(existing.Name);
        }
        return !names.Add(name);
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new JsonException($"nesting deeper than {MaxDepth} levels", _pos);
    }

    private JsonNode ReadLiteral(string literal, JsonKind kind)
    {
        if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
            throw new JsonException($"unexpected '{_text[_pos]}', expected a value", _pos);
        var node = JsonNode.Create(kind, _pos);
        _pos += literal.Length;
        node.Finish(_pos);
        return node;
    }

    private JsonNode ReadNumber()
    {
        int start = _pos;
        if (Peek() == '-') _pos++;
        if (Peek() == '0') _pos++;
        else if (IsDigit(Peek())) while (IsDigit(Peek())) _pos++;
        else throw new JsonException("invalid number: expected a digit", _pos);
        if (Peek() == '.')
        {
            _pos++;
            if (!IsDigit(Peek())) throw new JsonException("invalid number: expected a digit after '.'", _pos);
            while (IsDigit(Peek())) _pos++;
        }
        if (Peek() is 'e' or 'E')
        {
            _pos++;
            if (Peek() is '+' or '-') _pos++;
            if (!IsDigit(Peek())) throw new JsonException("invalid number: expected a digit in the exponent", _pos);
            while (IsDigit(Peek())) _pos++;
        }
        string text = _text.Substring(start, _pos - start);
        var node = JsonNode.Create(JsonKind.Number, start);
        // Out of double's range: .NET Core parses to ±Infinity, .NET Framework (Visual Studio's compiler) fails; both become ±Infinity.
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            value = text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        node.SetNumber(value, text);
        node.Finish(_pos);
        return node;
    }

    private string ReadString()
    {
        int start = _pos;
        _pos++; // opening quote
        StringBuilder? sb = null;
        int runStart = _pos;
        while (true)
        {
            if (_pos >= _text.Length) throw new JsonException("unterminated string", start);
            char c = _text[_pos];
            if (c == '"')
            {
                string result = sb is null
                    ? _text.Substring(runStart, _pos - runStart)
                    : sb.Append(_text, runStart, _pos - runStart).ToString();
                _pos++;
                return result;
            }
            if (c < 0x20) throw new JsonException("control character in string", _pos);
            if (c != '\\') { _pos++; continue; }

            sb ??= new StringBuilder();
            sb.Append(_text, runStart, _pos - runStart);
            _pos++;
            if (_pos >= _text.Length) throw new JsonException("unterminated string", start);
            char e = _text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length ||
                        !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        throw new JsonException("invalid \\u escape", _pos - 2);
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default: throw new JsonException($"invalid escape '\\{e}'", _pos - 2);
            }
            runStart = _pos;
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r') _pos++;
    }
}
