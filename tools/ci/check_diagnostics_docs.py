#!/usr/bin/env python3
"""Checks docs/diagnostics against the generator's descriptors (generators/EdgeRnn.Generators/Diagnostics/Descriptors.cs),
the one list of ERNN diagnostics:

  - every descriptor has a page docs/diagnostics/ERNNxxxx.md whose heading is "# ERNNxxxx: <title>" and whose
    "**Severity:**" is the descriptor's; every page has a descriptor;
  - the index docs/diagnostics/README.md has one row per descriptor, in order, with the same severity and title;
  - the help links the diagnostics carry point into this repository's docs/diagnostics/ at the package's
    RepositoryUrl (Directory.Build.props), so a link shown in an IDE is the page checked here.

Prints "PASS ..." / "FAIL ...: why" lines; exits 1 on any failure.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESCRIPTORS = os.path.join(ROOT, "generators", "EdgeRnn.Generators", "Diagnostics", "Descriptors.cs")
PAGES = os.path.join(ROOT, "docs", "diagnostics")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def descriptors():
    """(id, severity, title) in declaration order, from calls like Error("ERNN0001", "Title", "message")."""
    source = read(DESCRIPTORS)
    found = re.findall(r'\b(Error|Warning|Info)\(\s*"(ERNN\d{4})",\s*"((?:[^"\\]|\\.)*)"', source)
    severities = {"Error": "Error", "Warning": "Warning", "Info": "Info"}
    return [(i, severities[s], t.replace('\\"', '"')) for s, i, t in found]


def main():
    failures = []

    def check(name, problems):
        if problems:
            failures.append(name)
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            print("PASS %s" % name)

    declared = descriptors()
    ids = [d[0] for d in declared]
    check("Descriptors.cs declares ERNN diagnostics, each id once",
          ["found none"] if not declared else ["%s twice" % i for i in sorted(set(i for i in ids if ids.count(i) > 1))])

    problems = []
    for i, severity, title in declared:
        page = os.path.join(PAGES, i + ".md")
        if not os.path.exists(page):
            problems.append("%s has no page" % i)
            continue
        text = read(page)
        heading = text.split("\n", 1)[0]
        if heading != "# %s: %s" % (i, title):
            problems.append("%s.md heading %r, descriptor title %r" % (i, heading, title))
        m = re.search(r"\*\*Severity:\*\*\s*(\w+)", text)
        if not m or m.group(1) != severity:
            problems.append("%s.md severity %s, descriptor %s" % (i, m.group(1) if m else "missing", severity))
    pages = sorted(f[:-3] for f in os.listdir(PAGES) if re.match(r"ERNN\d{4}\.md$", f))
    problems += ["%s.md has no descriptor" % p for p in pages if p not in ids]
    check("every descriptor has its page (heading = title, severity) and every page a descriptor", problems)

    rows = re.findall(r"^\| \[(ERNN\d{4})\]\(\1\.md\) \| (\w+) \| ([^|]+?) \|", read(os.path.join(PAGES, "README.md")), re.M)
    want = [(i, s, t) for i, s, t in declared]
    problems = []
    if [r[0] for r in rows] != ids:
        problems.append("index ids %s, descriptors %s" % (",".join(r[0] for r in rows), ",".join(ids)))
    problems += ["index row %s: %s %r, descriptor %s %r" % (r[0], r[1], r[2], w[1], w[2])
                 for r, w in zip(rows, want) if r[0] == w[0] and (r[1], r[2]) != (w[1], w[2])]
    check("docs/diagnostics/README.md lists every descriptor in order with its severity and title", problems)

    help_base = re.search(r'HelpBase\s*=\s*"([^"]+)"', read(DESCRIPTORS))
    repository = re.search(r"<RepositoryUrl>([^<]+)</RepositoryUrl>", read(os.path.join(ROOT, "Directory.Build.props")))
    expected = repository.group(1).rstrip("/") + "/blob/main/docs/diagnostics/" if repository else None
    check("the diagnostics' help links are RepositoryUrl + /blob/main/docs/diagnostics/",
          [] if help_base and help_base.group(1) == expected else ["HelpBase %s, expected %s" % (help_base and help_base.group(1), expected)])

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
