using System.Text.Json;

namespace EdgeRnn.Generators.Tests.Support;

/// <summary>The source tree: the committed example models are read from it, not copied to the output.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string ModelsDirectory => Path.Combine(Root, "tests", "EdgeRnn.Tests", "Models");

    public static string DiagnosticsDocsDirectory => Path.Combine(Root, "docs", "diagnostics");

    /// <summary>The manifest text of a committed model, e.g. "lstm_i3_h5" for lstm_i3_h5.edgernn.json.</summary>
    public static string Manifest(string model) => File.ReadAllText(Path.Combine(ModelsDirectory, model + ".edgernn.json"));

    /// <summary>The "weights" file name a committed manifest names (relative to the manifest).</summary>
    public static string WeightsName(string model)
    {
        using var doc = JsonDocument.Parse(Manifest(model));
        return doc.RootElement.GetProperty("weights").GetString()!;
    }

    public static byte[] Weights(string model) => File.ReadAllBytes(Path.Combine(ModelsDirectory, WeightsName(model)));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeRnn.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("EdgeRnn.sln not found above " + AppContext.BaseDirectory);
    }
}
