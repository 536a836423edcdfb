#!/usr/bin/env python3
"""Turn a BenchmarkDotNet run of benchmarks/EdgeRnn.Benchmarks into the tables of docs/benchmarks.md.

    /usr/bin/python3 tools/benchmarks_table.py                      # newest joined CSV under BenchmarkDotNet.Artifacts/results
    /usr/bin/python3 tools/benchmarks_table.py path/to/report.csv [--job AVX2]

Prints GitHub markdown: the FMA peak per job, one table per job (median ns per step of EdgeRnn, ONNX
Runtime, TensorPrimitives and the naive loop; EdgeRnn's GFLOP/s, % of the FMA peak and bytes allocated;
the ratios peer / EdgeRnn), and the targets of issue 3 checked on one job (AVX2 by default), met or missed.
When the run has the RTNeural comparison (VsRtNeural<Model>, `--rtneural` or `--full`): one table per job of
EdgeRnn vs RTNeural Step with the goals of the speed issue (EdgeRnn >= 1.5x faster at every config, >= 2x on
the amp configs, 0 B allocated), judged on the AVX2 and NativeAOT-v3 jobs and shown for information on the others.
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
RTNEURAL_ORDER = ["LstmH8", "LstmH16", "LstmH32", "LstmH64", "LstmH128", "LstmH256",
                  "GruH8", "GruH16", "GruH32", "GruH64", "GruH128", "GruH256",
                  "AmpLstmH12", "AmpLstmH16", "AmpLstmH20", "AmpLstmH40", "AmpGruH8", "Lstm2H64"]
JOB_ORDER = ["DefaultISA", "AVX2", "Vector128", "Scalar", "NativeAOT-v3"]
# The jobs the speed issue's RTNeural goals are judged on (JIT and NativeAOT at x86-64-v3).
RTNEURAL_GOAL_JOBS = ("AVX2", "NativeAOT-v3")
# RTNeural compile-time API (Eigen, g++ -O3 -march=native), ns per step, from issue 3.
RTNEURAL = {"LstmH32": 338, "LstmH64": 1480, "LstmH128": 5373, "LstmH256": 27640, "GruH64": 1047, "AmpLstmH40": 278}


def ns(text):
    text = (text or "").strip().replace(",", "")
    m = re.match(r"^([0-9.]+)\s*(ns|us|μs|µs|ms|s)$", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def shape(model):
    """(kind, I, H, flops per step) of a model type name: LstmH64, GruH8, AmpLstmH40 (I = 1, Dense head), Lstm2H64 (2 layers)."""
    m = re.match(r"^(Amp)?(Lstm|Gru)(2)?H(\d+)$", model)
    amp, kind, layers, h = bool(m.group(1)), m.group(2).lower(), int(m.group(3) or 1), int(m.group(4))
    gates = 4 if kind == "lstm" else 3
    i = 1 if amp else h
    flops = 2 * gates * h * (i + h) + 2 * gates * h * 2 * h * (layers - 1) + (2 * h if amp else 0)
    return ("amp-" + kind if amp else kind), i, h, flops


def describe(model):
    kind, i, h, _ = shape(model)
    if kind.startswith("amp"):
        return "{} (I=1, {} H={}, Dense, skip)".format(model, kind[4:].upper(), h)
    return "{} (I={}, H={}{})".format(model, i, h, ", 2 layers" if model.startswith("Lstm2") else "")


def load(path):
    """Rnn<Model> rows as {(job, model, category, impl): (median ns, allocated)}, VsRtNeural<Model> rows as
    {(job, model, impl): (median ns, allocated)}, and the FMA peak per job."""
    rows = {}
    rtn = {}
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
            impl, _, cat = r["Method"].rpartition("_")
            v = re.match(r"^VsRtNeural<(\w+)>$", r["Type"])
            if v:
                rtn[(job, v.group(1), impl)] = (median, alloc)
                continue
            m = re.match(r"^Rnn<(\w+)>$", r["Type"])
            if not m or impl not in IMPLS:
                continue
            rows[(job, m.group(1), cat, impl)] = (median, alloc)
    return rows, rtn, fma


def fmt_ns(v):
    return "n/a" if v is None else ("{:,.0f}".format(v) if v >= 100 else "{:.1f}".format(v))


def fmt_x(v):
    return "n/a" if v is None else "{:.1f}×".format(v)


def job_order(jobs):
    return sorted(jobs, key=lambda j: JOB_ORDER.index(j) if j in JOB_ORDER else 99)


def fma_line(fma, peak):
    return ("FMA peak (best FmaPeak, GFLOP/s, median): " +
            ", ".join("{} {:.1f}".format(j, g) for j, g in sorted(fma.items())) +
            ("; peak used below: {:.1f} GFLOP/s".format(peak) if peak else "; no FMA peak in this run"))


def rtneural_tables(rtn, fma):
    """EdgeRnn vs RTNeural Step per job, with the speed issue's goals on RTNEURAL_GOAL_JOBS. % peak is against the
    job's own FMA peak (the AVX2 job's is 256 bits wide, DefaultISA's 512 on an AVX-512 CPU)."""
    out = []
    summary = []
    for job in job_order({k[0] for k in rtn}):
        judged = job in RTNEURAL_GOAL_JOBS
        # FmaPeak256/512 measure 256/512-bit FMAs, which the Vector128 and Scalar jobs do not have: no peak there.
        peak = None if job in ("Vector128", "Scalar") else fma.get(job)
        out.append("#### EdgeRnn vs RTNeural, job {}{}".format(job, "" if judged else " (for information; no goal on this job)"))
        out.append("")
        out.append("| model | EdgeRnn ns | RTNeural ns | EdgeRnn speed-up (RTNeural / EdgeRnn) | goal | met? | EdgeRnn GFLOP/s | % peak | EdgeRnn alloc |")
        out.append("|---|--:|--:|--:|--:|---|--:|--:|--:|")
        met = total = 0
        allocs = []
        for model in RTNEURAL_ORDER:
            e, ea = rtn.get((job, model, "EdgeRnn"), (None, ""))
            r, _ = rtn.get((job, model, "RTNeural"), (None, ""))
            if e is None and r is None:
                continue
            goal = 2.0 if model.startswith("Amp") else 1.5
            speedup = r / e if e and r else None
            ok = None if speedup is None else speedup >= goal
            if judged and ok is not None:
                total += 1
                met += ok
            if ea:
                allocs.append(ea)
            gf = shape(model)[3] / e if e else None
            out.append("| {} | {} | {} | {} | ≥ {}× | {} | {} | {} | {} |".format(
                describe(model), fmt_ns(e), fmt_ns(r), "n/a" if speedup is None else "{:.2f}×".format(speedup), goal,
                "n/a" if ok is None else ("met" if ok else "**missed**") if judged else ("(met)" if ok else "(missed)"),
                "n/a" if gf is None else "{:.1f}".format(gf),
                "n/a" if gf is None or not peak else "{:.0f}%".format(100 * gf / peak), ea or "n/a"))
        out.append("")
        nonzero = [a for a in allocs if a not in ("0 B", "-", "")]
        if judged:
            summary.append("| job {}: EdgeRnn Step ≥ 1.5× faster than RTNeural (≥ 2× on the amp configs) | {} of {} configs | {} |".format(
                job, met, total, "met" if total and met == total else "**missed**"))
        summary.append("| job {}: EdgeRnn allocates 0 B per step | {} of {} rows at 0 B | {} |".format(
            job, len(allocs) - len(nonzero), len(allocs), "met" if allocs and not nonzero else "**missed**"))
    if summary:
        out += ["#### Goals (EdgeRnn vs RTNeural)", "", "| goal | measured | met? |", "|---|---|---|"] + summary + [""]
    return out


def tables(rows, fma, peak):
    out = []
    jobs = job_order({k[0] for k in rows})
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
    rows, rtn, fma = load(path)
    peak = max(fma.values()) if fma else None
    print("<!-- from {} -->".format(os.path.relpath(path, ROOT)))
    if rows:
        print(fma_line(fma, peak))
        print("")
        print("\n".join(tables(rows, fma, peak)))
        print("\n".join(targets(rows, peak, args.job)))
    if rtn:
        print("FMA peak per job (best FmaPeak, GFLOP/s, median; `% peak` below uses the row's job): " +
              ", ".join("{} {:.1f}".format(j, g) for j, g in sorted(fma.items())))
        print("")
        print("\n".join(rtneural_tables(rtn, fma)))


if __name__ == "__main__":
    main()
