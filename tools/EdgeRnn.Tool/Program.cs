// edgernn: the EdgeRnn command line.
//   edgernn inspect FILE               a model file (manifest, or a format read directly) or a .safetensors file
//   edgernn init WEIGHTS [--out PATH] [--force]   writes WEIGHTS' manifest (NAME.edgernn.json) from the tensor names
using EdgeRnn.Tool;

return args switch
{
    ["inspect", var file] => Inspect.Run(file, Console.Out),
    ["init", var weights, .. var rest] when Options(rest, out var manifest, out bool force) => Init.Run(weights, manifest, force, Console.Out),
    ["--help" or "-h" or "help"] => Usage(Console.Out, 0),
    _ => Usage(Console.Error, 2),
};

static bool Options(string[] rest, out string? manifest, out bool force)
{
    manifest = null;
    force = false;
    for (int i = 0; i < rest.Length; i++)
    {
        switch (rest[i])
        {
            case "--out" when i + 1 < rest.Length: manifest = rest[++i]; break;
            case "--force": force = true; break;
            default: return false;
        }
    }
    return true;
}

static int Usage(TextWriter w, int code)
{
    w.WriteLine("usage: edgernn inspect FILE");
    w.WriteLine("         FILE: a manifest (NAME.edgernn.json), a model file EdgeRnn reads directly (.nam, RTNeural or");
    w.WriteLine("         GuitarML JSON), or a .safetensors file. Prints the format, layers, sizes, parameters, the API the");
    w.WriteLine("         generator emits and its ERNN diagnostics (exit 1 when there is an error).");
    w.WriteLine("       edgernn init WEIGHTS [--out MANIFEST] [--force]");
    w.WriteLine("         writes a manifest for WEIGHTS (.safetensors) from its tensor names, next to it by default");
    w.WriteLine("         (NAME.edgernn.json), then inspects it.");
    return code;
}
