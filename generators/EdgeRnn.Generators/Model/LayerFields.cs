using EdgeRnn.Generators.Json;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// One layer object of a manifest, as a layer kind reads it (<see cref="Layers.LayerKind.Parse"/>): typed optional
/// fields, each problem reported at its place in the file with the layer named.
/// </summary>
internal sealed class LayerFields
{
    private readonly ManifestParser _parser;
    private readonly JsonNode _node;
    private readonly string _where;

    public LayerFields(ManifestParser parser, JsonNode node, string where)
    {
        _parser = parser;
        _node = node;
        _where = where;
    }

    public string? String(string name) => _parser.OptionalString(_node, name);

    public bool? Bool(string name) => _parser.OptionalBool(_node, name);

    /// <summary>An integer from <paramref name="minimum"/> to 1,000,000.</summary>
    public int? Integer(string name, int minimum) => _parser.OptionalInteger(_node, name, minimum);

    /// <summary>ERNN0007 at the property's value (or at the layer when it is absent), prefixed with the layer.</summary>
    public void Invalid(string name, string message) => _parser.Invalid(_node[name] ?? _node, $"{_where}: {message}");
}
