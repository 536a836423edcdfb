#!/usr/bin/env python3
"""Turn a BenchmarkDotNet run of benchmarks/EdgeRnn.Benchmarks into the tables of docs/benchmarks.md.

    /usr/bin/python3 tools/benchmarks_table.py                      # newest joined CSV under BenchmarkDotNet.Artifacts/results
    /usr/bin/python3 tools/benchmarks_table.py path/to/report.csv [--job AVX2]

Prints GitHub markdown: the FMA peak per job, one table per job (median ns per step of EdgeRnn, ONNX
Runtime, TensorPrimitives and the naive loop; EdgeRnn's GFLOP/s, % of the FMA peak and bytes allocated;
the ratios peer / EdgeRnn), and the targets of issue 3 checked on one job (AVX2 by default), met or missed.
Medians throughout (the machine is shared). Standard library only.
"""

import argparse
import csv
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNITS = {"ns": 1.0, "us": 1e3, "μs": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}
IMPLS = ("EdgeRnn", "OnnxRuntime", "TensorPrimitives", "Naive")
MODEL_ORDER = ["LstmH16", "LstmH32", "LstmH64", "LstmH128", "LstmH256",
               "GruH16", "GruH32", "GruH64", "GruH128", "GruH256", "AmpLstmH40"]
# RTNeural compile-time API (Eigen, g++ -O3 -march=native), ns per step, from issue 3.
RTNEURAL = {"LstmH32": 338, "LstmH64": 1480, "LstmH128": 5373, "LstmH256": 27640, "GruH64": 1047, "AmpLstmH40": 278}


def ns(text):
    text = (text or "").strip().replace(",", "")
    m = re.match(r"^([0-9.]+)\s*(ns|us|μs|µs|ms|s)$", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def shape(model):
    """(kind, I, H, flops per step) of a model type name."""
    if model.startswith("Amp"):
        return "amp", 1, 40, 8 * 40 * 41 + 2 * 40
    m = re.match(r"^(Lstm|Gru)H(\d+)$", model)
    h = int(m.group(2))
    return m.group(1).lower(), h, h, (8 if m.group(1) == "Lstm" else 6) * h * 2 * h


def load(path):
    rows = {}
    fma = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            median = ns(r.get("Median"))
            alloc = r.get("Allocated", "").strip()
            job = r["Job"]
            if r["Type"].startswith("FmaPeak"):
                if median:
                    flops = 160.0 if r["Type"] == "FmaPeak256" else 320.0
                    fma[job] = max(fma.get(job, 0.0), flops / median)
                continue
            m = re.match(r"^Rnn<(\w+)>$", r["Type"])
            impl, _, cat = r["Method"].rpartition("_")
            if not m or impl not in IMPLS:
                continue
            rows[(job, m.group(1), cat, impl)] = (median, alloc)
    return rows, fma


def fmt_ns(v):
    return "n/a" if v is None else ("{:,.0f}".format(v) if v >= 100 else "{:.1f}".format(v))


def fmt_x(v):
    return "n/a" if v is None else "{:.1f}×".format(v)


def tables(rows, fma, peak):
    out = []
    jobs = sorted({k[0] for k in rows}, key=lambda j: ["DefaultISA", "AVX2", "Vector128", "Scalar", "NativeAOT-v3"].index(j)
                  if j in ["DefaultISA", "AVX2", "Vector128", "Scalar", "NativeAOT-v3"] else 99)
    out.append("FMA peak (FmaPeak256, GFLOP/s, median): " +
               ", ".join("{} {:.1f}".format(j, g) for j, g in sorted(fma.items())) +
               ("; peak used below: {:.1f} GFLOP/s".format(peak) if peak else "; no FMA peak in this run"))
    out.append("")
    for job in jobs:
        models = [m for m in MODEL_ORDER if any(k[0] == job and k[1] == m for k in rows)]
        out.append("#### Job {}".format(job))
        out.append("")
        out.append("| model | mode | EdgeRnn ns | ONNX Runtime ns | TensorPrimitives ns | naive ns | EdgeRnn GFLOP/s | % peak "
                   "| EdgeRnn alloc | ONNX Runtime / EdgeRnn | TensorPrimitives / EdgeRnn | naive / EdgeRnn |")
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for model in models:
            kind, i, h, flops = shape(model)
            for cat in ("Step", "Run"):
                e = rows.get((job, model, cat, "EdgeRnn"), (None, ""))
                vals = {impl: rows.get((job, model, cat, impl), (None, ""))[0] for impl in IMPLS}
                em = vals["EdgeRnn"]
                gf = flops / em if em else None
                ratio = {impl: (vals[impl] / em if em and vals[impl] else None) for impl in IMPLS}
                out.append("| {} (I={}, H={}) | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                    model, i, h, "Step" if cat == "Step" else "Run T=100, per step",
                    fmt_ns(em), fmt_ns(vals["OnnxRuntime"]), fmt_ns(vals["TensorPrimitives"]), fmt_ns(vals["Naive"]),
                    "n/a" if gf is None else "{:.1f}".format(gf),
                    "n/a" if gf is None or not peak else "{:.0f}%".format(100 * gf / peak),
                    e[1] or "n/a", fmt_x(ratio["OnnxRuntime"]), fmt_x(ratio["TensorPrimitives"]), fmt_x(ratio["Naive"])))
        out.append("")
    return out


def targets(rows, peak, job):
    out = ["#### Targets of issue 3 (job {})".format(job), "",
           "| target | measured | met? |", "|---|---|---|"]

    def med(model, cat, impl):
        return rows.get((job, model, cat, impl), (None, ""))[0]

    def line(name, measured, ok):
        out.append("| {} | {} | {} |".format(name, measured, "n/a (not run)" if ok is None else ("met" if ok else "**missed**")))

    for model in MODEL_ORDER:
        if model.startswith("Amp"):
            continue
        kind, i, h, flops = shape(model)
        need = 20 if h <= 32 else 8 if h == 64 else 3 if h == 128 else 1.5
        e, o = med(model, "Step", "EdgeRnn"), med(model, "Step", "OnnxRuntime")
        r = o / e if e and o else None
        line("{} Step ≥ {}× faster than ONNX Runtime".format(model, need),
             "n/a" if r is None else "{:.1f}× ({} vs {} ns)".format(r, fmt_ns(o), fmt_ns(e)), None if r is None else r >= need)
    for model in MODEL_ORDER:
        if model.startswith("Amp"):
            continue
        kind, i, h, flops = shape(model)
        if h > 128:
            continue
        e, t = med(model, "Step", "EdgeRnn"), med(model, "Step", "TensorPrimitives")
        r = t / e if e and t else None
        line("{} Step ≥ 3× faster than TensorPrimitives".format(model),
             "n/a" if r is None else "{:.1f}× ({} vs {} ns)".format(r, fmt_ns(t), fmt_ns(e)), None if r is None else r >= 3)
    for model, cat, need in (("LstmH64", "Step", 65), ("LstmH128", "Step", 65), ("LstmH128", "Run", 85)):
        kind, i, h, flops = shape(model)
        e = med(model, cat, "EdgeRnn")
        p = 100 * flops / e / peak if e and peak else None
        line("{} {} ≥ {}% of FMA peak".format(model, "Step" if cat == "Step" else "Run T=100 (per step)", need),
             "n/a" if p is None else "{:.0f}% ({:.1f} GFLOP/s of {:.1f}; {} ns)".format(p, flops / e, peak, fmt_ns(e)),
             None if p is None else p >= need)
    for cat in ("Step", "Run"):
        e = med("AmpLstmH40", cat, "EdgeRnn")
        line("AmpLstmH40 {} ≤ 185 ns per sample".format("Step" if cat == "Step" else "Run T=100"),
             "n/a" if e is None else "{} ns".format(fmt_ns(e)), None if e is None else e <= 185)
    for model, ref in RTNEURAL.items():
        e = med(model, "Step", "EdgeRnn")
        line("{} Step ≥ 1.5× faster than RTNeural ({:,} ns → ≤ {:,.0f} ns)".format(model, ref, ref / 1.5),
             "n/a" if e is None else "{:.2f}× ({} ns)".format(ref / e, fmt_ns(e)), None if e is None else ref / e >= 1.5)
    allocs = [v[1] for k, v in rows.items() if k[0] == job and k[3] == "EdgeRnn"]
    nonzero = [a for a in allocs if a not in ("0 B", "-", "")]
    line("EdgeRnn allocates 0 B per operation", "{} of {} rows at 0 B".format(len(allocs) - len(nonzero), len(allocs)),
         None if not allocs else not nonzero)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("csv", nargs="?", help="a *-report.csv of a joined run (default: the newest)")
    ap.add_argument("--job", default="AVX2", help="job the targets are checked on (default: %(default)s)")
    args = ap.parse_args(argv)
    path = args.csv
    if not path:
        found = sorted(glob.glob(os.path.join(ROOT, "BenchmarkDotNet.Artifacts", "results", "BenchmarkRun-joined-*-report.csv")))
        if not found:
            sys.exit("no BenchmarkRun-joined-*-report.csv under BenchmarkDotNet.Artifacts/results")
        path = found[-1]
    rows, fma = load(path)
    peak = max(fma.values()) if fma else None
    print("<!-- from {} -->".format(os.path.relpath(path, ROOT)))
    print("\n".join(tables(rows, fma, peak)))
    print("\n".join(targets(rows, peak, args.job)))


if __name__ == "__main__":
    main()
