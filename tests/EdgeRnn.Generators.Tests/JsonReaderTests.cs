using EdgeRnn.Generators.Json;

namespace EdgeRnn.Generators.Tests;

public class JsonReaderTests
{
    private static int ErrorPosition(string text)
    {
        var e = Assert.Throws<JsonException>(() => JsonReader.Parse(text));
        return e.Position;
    }

    [Fact]
    public void Object_with_properties_in_order_and_their_positions()
    {
        const string text = "{ \"a\": 1, \"bc\" : [true, false, null] }";
        var root = JsonReader.Parse(text);
        Assert.Equal(JsonKind.Object, root.Kind);
        Assert.Equal(0, root.Start);
        Assert.Equal(text.Length, root.Length);
        Assert.Equal(["a", "bc"], root.Properties!.Select(p => p.Name));

        var a = root.Property("a")!;
        Assert.Equal(2, a.NameStart);
        Assert.Equal(3, a.NameLength);          // with its quotes
        Assert.Equal(7, a.Value.Start);
        Assert.Equal(1, a.Value.Length);

        var bc = root["bc"]!;
        Assert.Equal(JsonKind.Array, bc.Kind);
        Assert.Equal(text.IndexOf('[', StringComparison.Ordinal), bc.Start);
        Assert.Equal("[true, false, null]".Length, bc.Length);
        Assert.Equal([JsonKind.True, JsonKind.False, JsonKind.Null], bc.Items!.Select(i => i.Kind));
        Assert.Equal(text.IndexOf("false", StringComparison.Ordinal), bc.Items![1].Start);
        Assert.Equal(5, bc.Items[1].Length);
        Assert.Null(root["missing"]);
    }

    [Fact]
    public void Empty_containers_and_nesting()
    {
        var root = JsonReader.Parse(" [ {}, [], [[ ]], {\"x\": {\"y\": []}} ] ");
        Assert.Equal(1, root.Start);
        Assert.Equal(4, root.Items!.Count);
        Assert.Empty(root.Items[0].Properties!);
        Assert.Empty(root.Items[1].Items!);
        Assert.Single(root.Items[2].Items!);
        var y = root.Items[3]["x"]!["y"]!;
        Assert.Equal(JsonKind.Array, y.Kind);
        Assert.Equal(2, y.Length);
    }

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("\"\"", "")]
    [InlineData("\"q\\\"b\\\\s\\/\"", "q\"b\\s/")]
    [InlineData("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t")]
    [InlineData("\"\\u0041\\u00e9\\u20AC\"", "Aé€")]
    [InlineData("\"\\uD83D\\uDE00\"", "😀")]
    [InlineData("\"héllo wörld\"", "héllo wörld")]
    public void Strings_and_escapes(string json, string expected)
    {
        var node = JsonReader.Parse(json);
        Assert.Equal(JsonKind.String, node.Kind);
        Assert.Equal(expected, node.StringValue);
        Assert.Equal(json.Length, node.Length);
    }

    [Theory]
    [InlineData("0", 0.0, true)]
    [InlineData("-0", -0.0, true)]
    [InlineData("42", 42.0, true)]
    [InlineData("-17", -17.0, true)]
    [InlineData("3.25", 3.25, false)]
    [InlineData("-0.5", -0.5, false)]
    [InlineData("1e3", 1000.0, false)]
    [InlineData("2E-2", 0.02, false)]
    [InlineData("1.5e+2", 150.0, false)]
    [InlineData("12345678901234567890", 12345678901234567890.0, true)]
    public void Numbers(string json, double expected, bool isInteger)
    {
        var node = JsonReader.Parse(json);
        Assert.Equal(JsonKind.Number, node.Kind);
        Assert.Equal(expected, node.NumberValue);
        Assert.Equal(json, node.NumberText);
        Assert.Equal(isInteger, node.IsInteger);
        Assert.Equal(json.Length, node.Length);
    }

    [Fact]
    public void Huge_exponent_is_infinity_not_an_exception()
    {
        var node = JsonReader.Parse("1e999");
        Assert.True(double.IsPositiveInfinity(node.NumberValue));
        Assert.False(node.IsInteger);
    }

    [Theory]
    [InlineData("true", "True")]
    [InlineData("false", "False")]
    [InlineData("null", "Null")]
    [InlineData("\uFEFF null", "Null")]
    [InlineData(" \t\r\n null \r\n", "Null")]
    public void Literals_and_whitespace(string json, string kind) => Assert.Equal(kind, JsonReader.Parse(json).Kind.ToString());

    [Theory]
    [InlineData("{\"a\": 1,}", 8)]                  // trailing comma in an object: at '}'
    [InlineData("[1, 2,]", 6)]                      // trailing comma in an array: at ']'
    [InlineData("{\"a\" 1}", 5)]                    // missing colon: at the value
    [InlineData("{\"a\": 1 \"b\": 2}", 8)]          // missing comma
    [InlineData("{\"a\": \"abc}", 6)]               // unterminated string: at its opening quote
    [InlineData("\"abc\\", 0)]                      // unterminated after a backslash
    [InlineData("01", 1)]                           // leading zero: the second digit is trailing garbage
    [InlineData("[01]", 2)]
    [InlineData("-", 1)]                            // a sign without digits
    [InlineData("1.", 2)]
    [InlineData(".5", 0)]
    [InlineData("1e", 2)]
    [InlineData("+1", 0)]
    [InlineData("{a: 1}", 1)]                       // bare word as a property name
    [InlineData("[hello]", 1)]                      // bare word as a value
    [InlineData("tru", 0)]
    [InlineData("nul", 0)]
    [InlineData("True", 0)]
    [InlineData("{\"a\": 1, \"a\": 2}", 9)]         // duplicate property: at the second name
    [InlineData("{} x", 3)]                         // trailing garbage
    [InlineData("[] []", 3)]
    [InlineData("nulls", 4)]
    [InlineData("", 0)]                             // empty document
    [InlineData("   ", 3)]
    [InlineData("[", 1)]
    [InlineData("{", 1)]
    [InlineData("{\"a\":", 5)]
    [InlineData("\"\\x\"", 1)]                      // invalid escape: at the backslash
    [InlineData("\"\\u12G4\"", 1)]                  // invalid \u escape
    [InlineData("\"\\u12\"", 1)]
    [InlineData("\"\\u+123\"", 1)]
    [InlineData("\"a\tb\"", 2)]                     // raw control character in a string
    [InlineData("// comment\n{}", 0)]
    [InlineData("{'a': 1}", 1)]
    [InlineData("NaN", 0)]
    public void Errors_have_the_right_position(string json, int position) => Assert.Equal(position, ErrorPosition(json));

    [Fact]
    public void Error_messages_say_what_was_expected()
    {
        Assert.Equal("duplicate property \"a\"", Assert.Throws<JsonException>(() => JsonReader.Parse("{\"a\":1,\"a\":2}")).Message);
        Assert.Equal("expected ':' after property name \"a\"", Assert.Throws<JsonException>(() => JsonReader.Parse("{\"a\" 1}")).Message);
        Assert.Equal("unterminated string", Assert.Throws<JsonException>(() => JsonReader.Parse("\"abc")).Message);
        Assert.Equal("unexpected 'x' after the end of the document", Assert.Throws<JsonException>(() => JsonReader.Parse("{} x")).Message);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        string deep = new string('[', 100_000) + new string(']', 100_000);
        var e = Assert.Throws<JsonException>(() => JsonReader.Parse(deep));
        Assert.Contains("nesting deeper than", e.Message, StringComparison.Ordinal);

        string ok = new string('[', 200) + new string(']', 200);
        Assert.Equal(JsonKind.Array, JsonReader.Parse(ok).Kind);
    }
}
