#!/usr/bin/env python3
"""Export the models used by benchmarks/EdgeRnn.Benchmarks.

Run from the repository root with Debian's interpreter (python3-torch):

    /usr/bin/python3 tools/export_benchmark_models.py

For every model NAME it writes into benchmarks/EdgeRnn.Benchmarks/Models/:
    NAME.safetensors    the model's state_dict, F32 (tools/safetensors_io.py)
    NAME.edgernn.json   the EdgeRnn manifest
    NAME.onnx           ONE streaming step as an ONNX graph (opset 14) with explicit state:
                        LSTM: x [1,1,I], h0 [1,1,H], c0 [1,1,H] -> y [1,1,O], hn [1,1,H], cn [1,1,H]
                        GRU:  x [1,1,I], h0 [1,1,H]             -> y [1,1,H], hn [1,1,H]
                        so ONNX Runtime runs its fused LSTM / GRU operator once per call.

Models: nn.LSTM / nn.GRU(I, H, batch_first=True) with I = H in {8, 16, 32, 64, 128, 256}
(lstm_hH, gru_hH; module "rnn"); the amp shapes amp_lstm_hH (H in {12, 16, 20, 40}) and amp_gru_h8:
nn.LSTM / nn.GRU(1, H) ("rec") + nn.Linear(H, 1) ("lin") with the input sample added back ("skip": 1);
and lstm2_h64, a 2-layer nn.LSTM(64, 64, num_layers=2).
The models added for the RTNeural comparison (H = 8, amp H = 12 / 16 / 20, amp GRU, 2-layer) get no .onnx
file: only EdgeRnn and RTNeural run them.
The weights are PyTorch's default initialisation under a fixed seed per model, so the output is
deterministic: two runs give byte-identical files (checked by --check).

Self-checks for every model: the safetensors file is read back and must equal the module's
state_dict bit for bit, and the ONNX file must name exactly the inputs/outputs above (a tiny
protobuf scan; the `onnx` package is not needed: torch.onnx.export in torch 1.13 serialises by
itself). The numerical check of the .onnx files is done by the benchmark itself (GlobalSetup runs
ONNX Runtime, EdgeRnn, TensorPrimitives and a naive loop on the same inputs and compares them).
"""

import argparse
import hashlib
import io
import json
import os
import sys
import warnings

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "benchmarks", "EdgeRnn.Benchmarks", "Models")
OPSET = 14
SIZES = (8, 16, 32, 64, 128, 256)


# --------------------------------------------------------------------------- models

class Stepper(nn.Module):
    """One streaming step of a bare nn.LSTM / nn.GRU with its state as explicit inputs and outputs."""

    def __init__(self, kind, i, h, num_layers=1):
        super().__init__()
        self.kind = kind
        self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(i, h, num_layers=num_layers, batch_first=True)

    def forward(self, x, h0, c0=None):
        if self.kind == "lstm":
            y, (hn, cn) = self.rnn(x, (h0, c0))
            return y, hn, cn
        y, hn = self.rnn(x, h0)
        return y, hn


class AmpStepper(nn.Module):
    """The amp model: LSTM / GRU(1, H) -> Linear(H, 1), input sample added back; one step."""

    def __init__(self, kind, h):
        super().__init__()
        self.kind = kind
        self.rec = (nn.LSTM if kind == "lstm" else nn.GRU)(1, h, batch_first=True)
        self.lin = nn.Linear(h, 1)

    def forward(self, x, h0, c0=None):
        if self.kind == "lstm":
            y, (hn, cn) = self.rec(x, (h0, c0))
            return self.lin(y) + x[..., :1], hn, cn
        y, hn = self.rec(x, h0)
        return self.lin(y) + x[..., :1], hn


class Spec:
    """One benchmark model: file stem, seed, lstm/gru, I, H, stacked layers, amp head + skip, whether an .onnx is written."""

    def __init__(self, name, seed, kind, i, h, num_layers=1, amp=False, onnx=True):
        self.name, self.seed, self.kind, self.i, self.h = name, seed, kind, i, h
        self.num_layers, self.amp, self.onnx = num_layers, amp, onnx

    def build(self):
        if self.amp:
            return AmpStepper(self.kind, self.h)
        return Stepper(self.kind, self.i, self.h, self.num_layers)


def models():
    """Every benchmark model, in a fixed order. The seeds of the first models are unchanged since they were
    first exported, so their files stay byte-identical."""
    out = []
    for kind_index, kind in enumerate(("lstm", "gru")):
        for size in SIZES:
            out.append(Spec("%s_h%d" % (kind, size), 1000 + 100 * kind_index + size, kind, size, size,
                            onnx=size != 8))
    out.append(Spec("amp_lstm_h40", 4040, "lstm", 1, 40, amp=True))
    for size in (12, 16, 20):
        out.append(Spec("amp_lstm_h%d" % size, 4000 + size, "lstm", 1, size, amp=True, onnx=False))
    out.append(Spec("amp_gru_h8", 4108, "gru", 1, 8, amp=True, onnx=False))
    out.append(Spec("lstm2_h64", 2064, "lstm", 64, 64, num_layers=2, onnx=False))
    return out


def manifest_text(spec):
    if spec.amp:
        layers = ['    { "type": "%s", "prefix": "rec" },' % spec.kind,
                  '    { "type": "linear", "prefix": "lin" }']
        tail = ['  ],', '  "skip": 1']
    elif spec.num_layers > 1:
        layers = ['    { "type": "%s", "prefix": "rnn", "num_layers": %d }' % (spec.kind, spec.num_layers)]
        tail = ['  ]']
    else:
        layers = ['    { "type": "%s", "prefix": "rnn" }' % spec.kind]
        tail = ['  ]']
    lines = ['{',
             '  "format": "edgernn/1",',
             '  "weights": "%s.safetensors",' % spec.name,
             '  "layout": "pytorch",',
             '  "input": { "size": %d },' % spec.i,
             '  "layers": ['] + layers + tail + ['}']
    return "\n".join(lines) + "\n"


def onnx_bytes(module, kind, i, h):
    """torch.onnx.export of one step. Returns the serialized model."""
    x = torch.zeros(1, 1, i)
    h0 = torch.zeros(1, 1, h)
    if kind == "gru":
        args, inputs, outputs = (x, h0), ["x", "h0"], ["y", "hn"]
    else:
        args, inputs, outputs = (x, h0, torch.zeros(1, 1, h)), ["x", "h0", "c0"], ["y", "hn", "cn"]
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # torch 1.13 warns about prim::Constant shape inference on every RNN export; harmless.
        warnings.simplefilter("ignore")
        torch.onnx.export(module, args, buf, opset_version=OPSET, input_names=inputs,
                          output_names=outputs, do_constant_folding=True)
    return buf.getvalue(), inputs, outputs


def check_onnx_names(blob, names):
    """Cheap structural check without the onnx package: every graph input/output name is in the file."""
    for n in names:
        if (b"\x0a" + bytes([len(n)]) + n.encode()) not in blob:
            raise SystemExit("ONNX export lost the name %r" % n)


def export(spec, out_dir):
    name = spec.name
    torch.manual_seed(spec.seed)
    module = spec.build().float().eval()
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    tensors = {k: v.numpy().astype(np.float32) for k, v in state.items()}

    st_path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(st_path, tensors)
    back, dtypes, _ = read_safetensors(st_path)
    assert list(back) == list(tensors), (list(back), list(tensors))
    for k, v in tensors.items():
        assert dtypes[k] == "F32" and np.array_equal(back[k].view(np.uint32), v.view(np.uint32)), k

    with open(os.path.join(out_dir, name + ".edgernn.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(manifest_text(spec))

    if not spec.onnx:
        return [name + ext for ext in (".safetensors", ".edgernn.json")]
    blob, inputs, outputs = onnx_bytes(module, spec.kind, spec.i, spec.h)
    check_onnx_names(blob, inputs + outputs)
    with open(os.path.join(out_dir, name + ".onnx"), "wb") as f:
        f.write(blob)
    return [name + ext for ext in (".safetensors", ".edgernn.json", ".onnx")]


def digest(out_dir, files):
    sha = hashlib.sha256()
    for fn in sorted(files):
        with open(os.path.join(out_dir, fn), "rb") as f:
            sha.update(fn.encode() + b"\0" + f.read())
    return sha.hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=OUT_DIR, help="output folder (default: %(default)s)")
    ap.add_argument("--only", nargs="*", help="export only these model names")
    ap.add_argument("--check", action="store_true",
                    help="export twice into a temporary folder and fail unless the bytes are identical")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    todo = [m for m in models() if not args.only or m.name in args.only]
    if args.only and len(todo) != len(args.only):
        known = ", ".join(m.name for m in models())
        raise SystemExit("unknown model name; known: " + known)

    def run(out_dir):
        os.makedirs(out_dir, exist_ok=True)
        files = []
        for m in todo:
            files += export(m, out_dir)
        return files

    if args.check:
        import tempfile
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            fa, fb = run(a), run(b)
            da, db = digest(a, fa), digest(b, fb)
            if da != db:
                raise SystemExit("export is not deterministic")
            print("deterministic: %d files, sha256 %s" % (len(fa), da))
        return

    files = run(args.out)
    total = sum(os.path.getsize(os.path.join(args.out, fn)) for fn in files)
    for m in todo:
        onnx = os.path.getsize(os.path.join(args.out, m.name + ".onnx")) if m.onnx else 0
        print("%-14s %-4s I=%-3d H=%-3d layers %d safetensors %9d B  onnx %9d B"
              % (m.name, m.kind, m.i, m.h, m.num_layers,
                 os.path.getsize(os.path.join(args.out, m.name + ".safetensors")), onnx))
    print("%d files, %.2f MB, sha256 %s -> %s" % (len(files), total / 1e6, digest(args.out, files),
                                                 os.path.relpath(args.out, ROOT)))


if __name__ == "__main__":
    main()
