using System.Collections.Generic;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// Path arithmetic without touching the file system (generators must not do I/O): forward slashes,
/// '.' and '..' resolved, so paths from MSBuild, attributes and manifests compare equal.
/// </summary>
internal static class PathUtil
{
    /// <summary>
    /// Forward slashes, '.' dropped, '..' resolved. In a rooted path '..' stops at the root ("/a/../../b" is "/b"),
    /// as the file system and MSBuild's full paths resolve it; a relative path keeps its leading '..'.
    /// </summary>
    public static string Normalize(string path)
    {
        string p = path.Replace('\\', '/');
        bool rooted = p.StartsWith("/", System.StringComparison.Ordinal);
        var parts = new List<string>();
        // A Windows drive ("C:") is a root the parts never climb above.
        int floor = 0;
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (parts.Count == 0 && !rooted && part.Length == 2 && part[1] == ':')
            {
                parts.Add(part);
                floor = 1;
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > floor && parts[parts.Count - 1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!rooted && floor == 0) parts.Add(part);
                continue;
            }
            parts.Add(part);
        }
        string joined = string.Join("/", parts);
        return rooted ? "/" + joined : joined;
    }

    /// <summary>True when <paramref name="path"/> is absolute (Unix root or a Windows drive/UNC path).</summary>
    public static bool IsRooted(string path) =>
        path.StartsWith("/", System.StringComparison.Ordinal) || path.StartsWith("\\", System.StringComparison.Ordinal) ||
        (path.Length >= 2 && path[1] == ':');

    public static string Combine(string directory, string relative) =>
        IsRooted(relative) ? Normalize(relative) : Normalize(directory + "/" + relative);

    public static string DirectoryOf(string path)
    {
        string p = Normalize(path);
        int slash = p.LastIndexOf('/');
        return slash <= 0 ? (slash == 0 ? "/" : "") : p.Substring(0, slash);
    }

    public static string FileName(string path)
    {
        string p = path.Replace('\\', '/');
        return p.Substring(p.LastIndexOf('/') + 1);
    }

    public static bool Same(string a, string b) =>
        string.Equals(Normalize(a), Normalize(b), System.StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> or inside it (both normalized; case-insensitive, as on Windows and macOS).</summary>
    public static bool IsUnder(string path, string directory)
    {
        string p = Normalize(path), d = Normalize(directory).TrimEnd('/');
        return d.Length == 0
            || string.Equals(p, d, System.StringComparison.OrdinalIgnoreCase)
            || p.StartsWith(d + "/", System.StringComparison.OrdinalIgnoreCase);
    }
}
