using System.Text;

namespace EdgeRnn.Generators.Tests.Support;

/// <summary>
/// Committed snapshots of generated code (see Snapshots/README.md): <c>NAME.verified.cs</c> is the reviewed text;
/// a mismatch writes <c>NAME.received.cs</c> next to it and fails; <c>EDGERNN_UPDATE_SNAPSHOTS=1</c> rewrites the verified files.
/// </summary>
internal static class Snapshot
{
    public const string UpdateVariable = "EDGERNN_UPDATE_SNAPSHOTS";

    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>In the source tree, not the build output: the files are committed and reviewed in diffs.</summary>
    public static string Directory => Path.Combine(Repo.Root, "tests", "EdgeRnn.Generators.Tests", "Snapshots");

    public static string VerifiedPath(string name) => Path.Combine(Directory, name + ".verified.cs");

    public static string ReceivedPath(string name) => Path.Combine(Directory, name + ".received.cs");

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>The names of the committed verified snapshots.</summary>
    public static IEnumerable<string> VerifiedNames() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.verified.cs").Select(p => Path.GetFileName(p)[..^".verified.cs".Length]);

    /// <summary>Compares <paramref name="actual"/> with the verified snapshot <paramref name="name"/> (line endings aside).</summary>
    public static void Match(string name, string actual)
    {
        actual = NormalizeLineEndings(actual);
        string verified = VerifiedPath(name);
        string received = ReceivedPath(name);

        if (Updating)
        {
            File.WriteAllText(verified, actual, s_utf8NoBom);
            File.Delete(received);
            return;
        }
        if (!File.Exists(verified))
        {
            File.WriteAllText(received, actual, s_utf8NoBom);
            Assert.Fail($"No verified snapshot '{name}'. The generated code was written to {received}; review it, then rename it to "
                + $"{Path.GetFileName(verified)} (or run the tests with {UpdateVariable}=1) and commit it.");
        }

        string expected = NormalizeLineEndings(File.ReadAllText(verified));
        if (expected == actual)
        {
            File.Delete(received); // a leftover from an earlier failing run
            return;
        }
        File.WriteAllText(received, actual, s_utf8NoBom);
        Assert.Fail($"The generated code for '{name}' differs from its verified snapshot; {FirstDifference(expected, actual)}\n"
            + $"  verified file: {verified}\n  received file: {received}\n"
            + $"Compare them (diff -u verified received). If the change is intended, rename received over verified, or rerun with "
            + $"{UpdateVariable}=1 to rewrite every snapshot, and commit the verified files with the change.");
    }

    /// <summary>Where two texts first differ, as a line number and both lines.</summary>
    private static string FirstDifference(string expected, string actual)
    {
        string[] want = expected.Split('\n');
        string[] got = actual.Split('\n');
        for (int i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            string? w = i < want.Length ? want[i] : null;
            string? g = i < got.Length ? got[i] : null;
            if (w != g)
                return $"first difference at line {i + 1} (verified has {want.Length} lines, received {got.Length}):\n"
                    + $"  verified line: {w ?? "<end of file>"}\n  received line: {g ?? "<end of file>"}";
        }
        return "no single line differs";
    }

    private static string NormalizeLineEndings(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
