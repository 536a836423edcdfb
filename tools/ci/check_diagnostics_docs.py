#!/usr/bin/env python3
"""Checks docs/diagnostics against the generator's descriptors (generators/EdgeRnn.Generators/Diagnostics/Descriptors.cs),
the one list of ERNN diagnostics, for what tests/EdgeRnn.Generators.Tests/DescriptorDocsTests.cs does not cover
(that test checks each descriptor's page heading, severity and help link, and its row in the index):

  - every page docs/diagnostics/ERNNxxxx.md and every index row belongs to a descriptor (no page left behind by a
    removed or renumbered diagnostic), and the index lists them in id order;
  - the help links the diagnostics carry are the package's RepositoryUrl (Directory.Build.props) +
    /blob/main/docs/diagnostics/, so the link an IDE shows and the package's repository are one address.

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

    pages = sorted(f[:-3] for f in os.listdir(PAGES) if re.match(r"ERNN\d{4}\.md$", f))
    check("every docs/diagnostics/ERNNxxxx.md page has a descriptor", ["%s.md has no descriptor" % p for p in pages if p not in ids])

    rows = re.findall(r"^\| \[(ERNN\d{4})\]\(\1\.md\) \| (\w+) \| ([^|]+?) \|", read(os.path.join(PAGES, "README.md")), re.M)
    problems = ["index row %s has no descriptor" % r[0] for r in rows if r[0] not in ids]
    if [r[0] for r in rows] != sorted(r[0] for r in rows):
        problems.append("index rows out of order: %s" % ",".join(r[0] for r in rows))
    check("every docs/diagnostics/README.md row has a descriptor, in id order", problems)

    help_base = re.search(r'HelpBase\s*=\s*"([^"]+)"', read(DESCRIPTORS))
    repository = re.search(r"<RepositoryUrl>([^<]+)</RepositoryUrl>", read(os.path.join(ROOT, "Directory.Build.props")))
    expected = repository.group(1).rstrip("/") + "/blob/main/docs/diagnostics/" if repository else None
    check("the diagnostics' help links are RepositoryUrl + /blob/main/docs/diagnostics/",
          [] if help_base and help_base.group(1) == expected else ["HelpBase %s, expected %s" % (help_base and help_base.group(1), expected)])

    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
