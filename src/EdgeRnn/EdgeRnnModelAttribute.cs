namespace EdgeRnn;

/// <summary>
/// Generates a recurrent network's step functions into the attributed <c>partial struct</c> at compile time.
/// </summary>
/// <remarks>
/// The model file must also be an <c>&lt;EdgeRnnModel Include="..." /&gt;</c> item of the project, so the build
/// hands it (and its weights) to the generator. See docs/manifest.md.
/// </remarks>
/// <param name="path">The model file's path relative to the project directory, as written in the <c>EdgeRnnModel</c> item.</param>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class EdgeRnnModelAttribute(string path) : Attribute
{
    /// <summary>The model file's path relative to the project directory.</summary>
    public string Path { get; } = path;
}
