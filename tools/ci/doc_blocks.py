#!/usr/bin/env python3
"""Reads the fenced code blocks of Markdown docs, so that tests run and compile the docs as written.

    doc_blocks.py steps DOC.md      the blocks marked for a walk, in order, as JSON lines:
                                    {"kind": "run"|"file"|"insert", "path", "text", "line", "section": the ## heading}
                                    A block is marked by an HTML comment on the line before its fence:
                                      <!-- getting-started: run -->          a shell block, run as written
                                      <!-- getting-started: file PATH -->    the block is the whole file PATH
                                      <!-- getting-started: insert PATH -->  the block goes before </Project> in PATH
    doc_blocks.py csharp DOC.md...  every ```csharp block, as JSON lines {"doc", "line", "text"}
    doc_blocks.py links DOC.md...   every relative link [text](target) whose file is missing, as "DOC:LINE: target"
"""
import json
import os
import re
import sys

FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
MARK = re.compile(r"^<!--\s*getting-started:\s*(run|file|insert)\s*(\S*)\s*-->\s*$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def blocks(path):
    """(language, first line number, text, marker line, section heading) for each fenced block; indentation removed."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    section = ""
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].startswith("## "):
                section = lines[i][3:].strip()
            i += 1
            continue
        indent, language = m.group(1), m.group(2)
        marker = lines[i - 1] if i > 0 else ""
        body = []
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        yield language, i + 2, "\n".join(body) + "\n", marker, section
        i = j + 1


def steps(path):
    for language, line, text, marker, section in blocks(path):
        m = MARK.match(marker)
        if m:
            print(json.dumps({"kind": m.group(1), "path": m.group(2), "text": text, "line": line, "language": language,
                              "section": section}))


def csharp(paths):
    for path in paths:
        for language, line, text, _, _ in blocks(path):
            if language in ("csharp", "cs"):
                print(json.dumps({"doc": path, "line": line, "text": text}))


def links(paths):
    """Relative links must name files that exist (anchors and web addresses are not checked)."""
    missing = 0
    for path in paths:
        in_code = False
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                if FENCE.match(text) or re.match(r"^\s*```\s*$", text):
                    in_code = not in_code
                    continue
                if in_code:
                    continue
                for target in LINK.findall(text):
                    if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                        continue
                    file_part = target.split("#", 1)[0]
                    if not os.path.exists(os.path.join(os.path.dirname(path), file_part)):
                        print("%s:%d: %s" % (path, number, target))
                        missing += 1
    return missing


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "steps":
        steps(args[0])
    elif command == "csharp":
        csharp(args)
    elif command == "links":
        sys.exit(1 if links(args) else 0)
    else:
        sys.exit(__doc__)
