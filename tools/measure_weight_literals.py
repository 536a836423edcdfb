#!/usr/bin/env python3
"""Compile time of weight bytes written as C# source in each candidate form (docs/benchmarks.md, "Build time").

For each form, writes a console project under a temporary directory whose Program.cs holds that many random bytes
in the form and prints an FNV-1a hash of the bytes it decodes at run time; times a clean `dotnet build --no-restore`
(after an untimed restore; no compiler server, so the compiler's CPU time is counted: it depends much less on the
machine's other load than the wall time), then runs the program and checks the hash, so a form that compiles but
changes the bits fails. A project with no weights gives the baseline the table subtracts.

Forms:
  bytes        static ReadOnlySpan<byte> W => new byte[] { 0x.., ... };      (EdgeRnn before: 5.6 chars per byte)
  base64       one "..."u8 literal, decoded by Base64.DecodeFromUtf8           (EdgeRnn now: 1.33 chars per byte)
  base64-lines one raw \"\"\"...\"\"\"u8 literal broken every 76 characters (the decoder skips the line breaks)
  base64-split 64 "..."u8 literals of equal length, each decoded into its part of the buffer
  utf16        one "..." string literal of raw UTF-16 code units, 2 bytes each, read with MemoryMarshal.AsBytes
               (escapes for quotes, controls, line separators and surrogates)

    /usr/bin/python3 tools/measure_weight_literals.py [--megabytes 4] [--forms base64 utf16 ...] [--keep]
"""

import argparse
import os
import random
import resource
import shutil
import subprocess
import tempfile
import time

CSPROJ = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
</Project>
"""

PROGRAM = """using System;
using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;

byte[] weights = Weights.Decode();
uint hash = 2166136261;
foreach (byte b in weights) hash = (hash ^ b) * 16777619;
System.Console.WriteLine(hash);

static partial class Weights
{{
{members}
}}
"""

DECODE_BASE64 = """    public static byte[] Decode()
    {
        var bytes = new byte[%d];
        if (Base64.DecodeFromUtf8(Text, bytes, out _, out int written) != OperationStatus.Done || written != bytes.Length)
            throw new System.InvalidOperationException("bad base64");
        return bytes;
    }
"""


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def form_bytes(data):
    lines = []
    for i in range(0, len(data), 16):
        lines.append("        " + "".join(f"0x{b:02X}," for b in data[i:i + 16]))
    return ("    private static System.ReadOnlySpan<byte> Text => new byte[]\n    {\n" + "\n".join(lines) + "\n    };\n"
            "    public static byte[] Decode() => Text.ToArray();\n")


def form_base64(data):
    import base64
    return f'    private static System.ReadOnlySpan<byte> Text => "{base64.b64encode(data).decode()}"u8;\n' + DECODE_BASE64 % len(data)


def form_base64_lines(data):
    import base64
    text = base64.b64encode(data).decode()
    lines = "\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    return f'    private static System.ReadOnlySpan<byte> Text => """\n{lines}\n"""u8;\n' + DECODE_BASE64 % len(data)


def form_base64_split(data, parts=64):
    import base64
    size = -(-len(data) // parts // 3) * 3  # whole 3-byte groups, so each part decodes on its own
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    members = [f'    private static System.ReadOnlySpan<byte> Part{i} => "{base64.b64encode(c).decode()}"u8;'
               for i, c in enumerate(chunks)]
    calls = "\n".join(f"        at += Part(Part{i}, bytes.AsSpan(at));" for i in range(len(chunks)))
    return "\n".join(members) + f"""
    public static byte[] Decode()
    {{
        var bytes = new byte[{len(data)}];
        int at = 0;
{calls}
        return bytes;
    }}
    private static int Part(System.ReadOnlySpan<byte> text, System.Span<byte> destination)
    {{
        if (Base64.DecodeFromUtf8(text, destination, out _, out int written) != OperationStatus.Done)
            throw new System.InvalidOperationException("bad base64");
        return written;
    }}
"""


def form_utf16(data):
    assert len(data) % 2 == 0
    out = []
    for i in range(0, len(data), 2):
        c = data[i] | (data[i + 1] << 8)
        if c < 0x20 or c in (0x22, 0x5C, 0x7F, 0x85, 0x2028, 0x2029) or 0xD800 <= c <= 0xDFFF or c >= 0xFFFE:
            out.append(f"\\u{c:04X}")
        else:
            out.append(chr(c))
    return (f'    private const string Text = "{"".join(out)}";\n'
            "    public static byte[] Decode() => MemoryMarshal.AsBytes(Text.AsSpan()).ToArray();\n")


FORMS = {"bytes": form_bytes, "base64": form_base64, "base64-lines": form_base64_lines,
         "base64-split": form_base64_split, "utf16": form_utf16}


def run(command, cwd):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return result.stdout


def measure(root, name, members, configuration, expected):
    project = os.path.join(root, name)
    os.makedirs(project)
    with open(os.path.join(project, "App.csproj"), "w") as f:
        f.write(CSPROJ)
    with open(os.path.join(project, "Program.cs"), "w", encoding="utf-8") as f:
        f.write(PROGRAM.format(members=members))
    characters = len(members)
    run(["dotnet", "restore", "-v", "q"], project)
    start, children = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    # No compiler server and MSBuild in one process: the compiler is a child whose CPU time is counted.
    run(["dotnet", "build", "--no-restore", "-c", configuration, "-nologo", "-clp:ErrorsOnly",
         "-m:1", "-nodeReuse:false", "-p:UseSharedCompilation=false"], project)
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    output = run(["dotnet", "run", "--no-build", "-c", configuration], project).strip()
    ok = expected is None or output == str(expected)
    return seconds, cpu, characters, ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=4)
    parser.add_argument("--forms", nargs="+", default=["base64", "base64-lines", "base64-split", "utf16", "bytes"],
                        choices=list(FORMS))
    parser.add_argument("--configuration", default="Debug")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
    os.environ.setdefault("DOTNET_NOLOGO", "1")
    size = int(args.megabytes * 1e6) // 12 * 12
    data = random.Random(4).randbytes(size)
    expected = fnv1a(data)
    root = tempfile.mkdtemp(prefix="edgernn-literals.")
    try:
        # Warm-up (restore caches, compiler server), then the baseline: the same project without weights.
        measure(root, "warmup", "    public static byte[] Decode() => [];", args.configuration, None)
        baseline, baseline_cpu, _, _ = measure(root, "empty", "    public static byte[] Decode() => [];", args.configuration, None)
        print(f"{size / 1e6:.2f} MB of weights, {args.configuration}, no compiler server; project without weights: "
              f"{baseline:.1f} s wall, {baseline_cpu:.1f} s CPU (load average {open('/proc/loadavg').read().split()[0]})")
        print("| form | source characters per byte | wall added by the weights | CPU added | bits intact |")
        print("| --- | ---: | ---: | ---: | --- |")
        for name in args.forms:
            seconds, cpu, characters, ok = measure(root, name, FORMS[name](data), args.configuration, expected)
            print(f"| {name} | {characters / size:.2f} | {seconds - baseline:.1f} s | {cpu - baseline_cpu:.1f} s | "
                  f"{'yes' if ok else 'NO'} |", flush=True)
    finally:
        if args.keep:
            print(f"projects kept in {root}")
        else:
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
