#!/usr/bin/env python3
"""Generate the PyTorch reference vectors for EdgeRnn.

Run from the repository root with Debian's interpreter (python3-torch):

    /usr/bin/python3 tools/make_reference.py

For every case NAME it writes into tests/EdgeRnn.Tests/Models/:
    NAME.safetensors     the model's state_dict (F32 unless the case says F16/BF16)
    NAME.edgernn.json    the EdgeRnn manifest
    NAME.expected.json   inputs, float64-reference outputs and final state (rounded to float32)
plus the QuickStart sample model in samples/QuickStart/models/amp.*.

Everything is deterministic (fixed seed per case, single-threaded torch), so running
the script twice produces byte-identical files. See tools/README.md for the formats.
"""

import argparse
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import quantize, read_safetensors, write_safetensors  # noqa: E402
# The reference-file format lives with the exporter (tools/edgernn_export), which writes the same files for users.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "edgernn_export"))
from edgernn_export.reference_file import expected_text, flist, fnum  # noqa: E402,F401
import mut_cells  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(ROOT, "tests", "EdgeRnn.Tests", "Models")
SAMPLE_DIR = os.path.join(ROOT, "samples", "QuickStart", "models")

F32_TOLERANCE = 1e-4      # float32 torch run vs float64 reference
NUMPY_TOLERANCE = 1e-12   # independent NumPy float64 implementation vs torch float64
SAMPLE_RATE = 48000.0

UNSET = object()  # "key omitted from the manifest"


# --------------------------------------------------------------------------- layer specs

def LSTM(i, h, prefix="rnn", num_layers=1, bias=True):
    return dict(type="lstm", prefix=prefix, input=i, hidden=h, num_layers=num_layers, bias=bias)


def GRU(i, h, prefix="rnn", num_layers=1, bias=True):
    return dict(type="gru", prefix=prefix, input=i, hidden=h, num_layers=num_layers, bias=bias)


def RNN(i, h, nonlinearity, prefix="rnn", num_layers=1, bias=True):
    return dict(type="rnn", prefix=prefix, input=i, hidden=h, num_layers=num_layers, bias=bias,
                nonlinearity=nonlinearity)


def MUT(kind, i, h, prefix="rnn", num_layers=1, bias=True):
    """kind: "mut1", "mut2" or "mut3" (tools/mut_cells.py)."""
    assert kind in mut_cells.KINDS, kind
    return dict(type=kind, prefix=prefix, input=i, hidden=h, num_layers=num_layers, bias=bias)


def Linear(i, o, prefix="head", activation=UNSET, bias=True):
    """activation=UNSET omits the key (meaning "none"); a string is written as given."""
    return dict(type="linear", prefix=prefix, input=i, output=o, bias=bias, activation=activation)


def out_size(spec):
    return spec["output"] if spec["type"] == "linear" else spec["hidden"]


def state_size(spec):
    if spec["type"] == "linear":
        return 0
    per = 2 if spec["type"] == "lstm" else 1
    return per * spec["hidden"] * spec["num_layers"]


def activation_of(spec):
    a = spec["activation"]
    return "none" if a is UNSET else a


# --------------------------------------------------------------------------- cases

def case(name, seed, layers, description, steps=120, inputs="randn", scale=1.0,
         dtype="F32", skip=0, write_skip=False):
    return dict(name=name, seed=seed, layers=layers, description=description, steps=steps,
                inputs=inputs, scale=scale, dtype=dtype, skip=skip, write_skip=write_skip)


CASES = [
    case("lstm_i3_h5", 101, [LSTM(3, 5)],
         "Single-layer LSTM (input 3, hidden 5) with default init, no head."),
    case("gru_i4_h7", 102, [GRU(4, 7)],
         "Single-layer GRU (input 4, hidden 7) with default init, no head."),
    case("rnn_tanh_i3_h6", 103, [RNN(3, 6, "tanh")],
         "Single-layer Elman RNN with tanh nonlinearity (input 3, hidden 6)."),
    case("rnn_relu_i5_h4", 104, [RNN(5, 4, "relu")],
         "Single-layer Elman RNN with relu nonlinearity (input 5, hidden 4)."),
    case("lstm_i8_h32", 105, [LSTM(8, 32)],
         "Single-layer LSTM with input 8 and hidden 32."),
    case("gru_i8_h32", 106, [GRU(8, 32)],
         "Single-layer GRU with input 8 and hidden 32."),
    case("lstm_2layer_i4_h6", 107, [LSTM(4, 6, num_layers=2)],
         "Two stacked LSTM layers in one module (num_layers=2, input 4, hidden 6)."),
    case("gru_3layer_i3_h5", 108, [GRU(3, 5, num_layers=3)],
         "Three stacked GRU layers in one module (num_layers=3, input 3, hidden 5)."),
    case("rnn_2layer_relu_i3_h7", 109, [RNN(3, 7, "relu", num_layers=2)],
         "Two stacked relu RNN layers in one module (input 3, hidden 7)."),
    case("stack_lstm_gru_linear", 110,
         [LSTM(4, 9, prefix="enc"), GRU(9, 6, prefix="dec", num_layers=2),
          Linear(6, 3, prefix="head", activation="sigmoid")],
         "LSTM encoder feeding a two-layer GRU decoder and a sigmoid linear head, "
         "with custom prefixes enc/dec/head."),
    case("lstm_nobias_i3_h5", 111, [LSTM(3, 5, bias=False)],
         "LSTM without bias tensors (bias=False, input 3, hidden 5)."),
    case("gru_nobias_i4_h6", 112, [GRU(4, 6, num_layers=2, bias=False)],
         "Two-layer GRU without bias tensors (bias=False, input 4, hidden 6)."),
    case("linear_nobias_head", 113, [LSTM(3, 8), Linear(8, 2, bias=False)],
         "LSTM (input 3, hidden 8) followed by a linear head without bias."),
    case("lstm_saturated_i3_h5", 114, [LSTM(3, 5)],
         "LSTM driven by 20x randn inputs so that the gates saturate.", scale=20.0),
    case("gru_saturated_i4_h7", 115, [GRU(4, 7)],
         "GRU driven by 20x randn inputs so that the gates saturate.", scale=20.0),
    case("rnn_saturated_tanh", 116, [RNN(3, 4, "tanh")],
         "Tanh RNN (input 3, hidden 4) driven by 20x randn inputs so that tanh saturates.",
         scale=20.0),
    case("lstm_head_none", 117, [LSTM(2, 10), Linear(10, 4)],
         "LSTM (input 2, hidden 10) and a linear head whose manifest omits the activation key."),
    case("lstm_head_none_explicit", 118, [LSTM(2, 10), Linear(10, 4, activation="none")],
         "LSTM (input 2, hidden 10) and a linear head with activation \"none\" and skip 0 "
         "written explicitly.", write_skip=True),
    case("gru_head_tanh", 119, [GRU(3, 8), Linear(8, 3, activation="tanh")],
         "GRU (input 3, hidden 8) with a tanh linear head."),
    case("gru_head_sigmoid", 120, [GRU(3, 8), Linear(8, 3, activation="sigmoid")],
         "GRU (input 3, hidden 8) with a sigmoid linear head."),
    case("rnn_head_relu", 121, [RNN(3, 8, "tanh"), Linear(8, 3, activation="relu")],
         "Tanh RNN (input 3, hidden 8) with a relu linear head."),
    case("amp_lstm_skip", 122, [LSTM(1, 12, prefix="rec"), Linear(12, 1, prefix="lin")],
         "Guitar-amp shaped model: LSTM(1->12) and linear(12->1) with a skip connection, fed a "
         "110 Hz sine at 48 kHz plus noise.", steps=2000, inputs="audio", skip=1),
    case("amp_gru_skip_knob", 123, [GRU(2, 8, prefix="rec"), Linear(8, 1, prefix="lin")],
         "Amp model with a knob input: GRU(2->8) and linear(8->1) with skip 1, channel 0 is a "
         "110 Hz sine plus noise and channel 1 a constant 0.7.",
         steps=500, inputs="audio_knob", skip=1),
    case("lstm_unprefixed", 124, [LSTM(3, 5, prefix=None)],
         "A bare nn.LSTM(3, 5) state_dict saved on its own (unprefixed names), manifest without "
         "a prefix key."),
    case("gru_unprefixed_empty", 125, [GRU(3, 5, prefix="")],
         "A bare nn.GRU(3, 5) state_dict saved on its own (unprefixed names), manifest with an "
         "empty prefix."),
    case("lstm_long_seq", 126, [LSTM(4, 16)],
         "LSTM (input 4, hidden 16) over a long 1000-step sequence.", steps=1000),
    case("lstm_f16_weights", 127, [LSTM(3, 6)],
         "LSTM (input 3, hidden 6) whose weights are stored as F16 tensors.", dtype="F16"),
    case("gru_bf16_weights", 128, [GRU(3, 6)],
         "GRU (input 3, hidden 6) whose weights are stored as BF16 tensors.", dtype="BF16"),
    case("lstm_i16_h64_2layer", 129, [LSTM(16, 64, num_layers=2), Linear(64, 8)],
         "Two-layer LSTM (input 16, hidden 64) with a linear head to 8 outputs.", steps=100),
    case("gru_odd_i13_h37", 130, [GRU(13, 37), Linear(37, 5, activation="tanh")],
         "GRU with odd sizes (input 13, hidden 37) and a tanh head to 5 outputs.", steps=100),
    case("linear_first", 131,
         [Linear(5, 7, prefix="pre", activation="relu"), LSTM(7, 9), Linear(9, 2)],
         "A relu linear pre-layer (5->7) feeding an LSTM (7->9) and a linear head (9->2)."),
    # MUT1-MUT3 (tools/mut_cells.py). MUT1 and MUT2 add x to hidden-sized vectors, so input = hidden.
    case("mut1_i5_h5", 601, [MUT("mut1", 5, 5)],
         "Single-layer MUT1 (input 5, hidden 5)."),
    case("mut2_i6_h6", 602, [MUT("mut2", 6, 6)],
         "Single-layer MUT2 (input 6, hidden 6)."),
    case("mut3_i4_h7", 603, [MUT("mut3", 4, 7)],
         "Single-layer MUT3 (input 4, hidden 7)."),
    case("mut1_2layer_i7_h7", 604, [MUT("mut1", 7, 7, num_layers=2)],
         "Two stacked MUT1 layers in one module (num_layers=2, input 7, hidden 7)."),
    case("mut2_2layer_i9_h9", 605, [MUT("mut2", 9, 9, num_layers=2)],
         "Two stacked MUT2 layers in one module (num_layers=2, input 9, hidden 9)."),
    case("mut3_2layer_i3_h9", 606, [MUT("mut3", 3, 9, num_layers=2)],
         "Two stacked MUT3 layers in one module (num_layers=2, input 3, hidden 9)."),
    case("mut1_nobias_i4_h4", 607, [MUT("mut1", 4, 4, bias=False)],
         "MUT1 without bias tensors (bias=False, input 4, hidden 4)."),
    case("mut2_nobias_2layer_i5_h5", 608, [MUT("mut2", 5, 5, num_layers=2, bias=False)],
         "Two-layer MUT2 without bias tensors (bias=False, input 5, hidden 5)."),
    case("mut3_nobias_2layer_i5_h6", 609, [MUT("mut3", 5, 6, num_layers=2, bias=False)],
         "Two-layer MUT3 without bias tensors (bias=False, input 5, hidden 6)."),
    case("mut3_odd_i13_h37_head", 610, [MUT("mut3", 13, 37), Linear(37, 5, activation="tanh")],
         "MUT3 with odd sizes spanning three weight panels (input 13, hidden 37) and a tanh head to 5 "
         "outputs.", steps=100),
    case("mut1_2layer_i33_h33_head", 611, [MUT("mut1", 33, 33, num_layers=2), Linear(33, 2)],
         "Two-layer MUT1 (input 33, hidden 33) with a linear head to 2 outputs.", steps=100),
    case("mut2_head_sigmoid_i8_h8", 612, [MUT("mut2", 8, 8), Linear(8, 3, activation="sigmoid")],
         "MUT2 (input 8, hidden 8) with a sigmoid linear head."),
    case("mut1_saturated_i4_h4", 613, [MUT("mut1", 4, 4)],
         "MUT1 driven by 20x randn inputs so that tanh(x) and the gates saturate.", scale=20.0),
    case("mut2_saturated_i5_h5", 614, [MUT("mut2", 5, 5)],
         "MUT2 driven by 20x randn inputs so that the gates (r gets x itself) saturate.", scale=20.0),
    case("mut3_saturated_i3_h6", 615, [MUT("mut3", 3, 6)],
         "MUT3 driven by 20x randn inputs so that the gates saturate.", scale=20.0),
    case("mut_stack_lstm_mut3_mut2", 616,
         [LSTM(3, 8, prefix="enc"), MUT("mut3", 8, 8, prefix="mid"), MUT("mut2", 8, 8, prefix="dec")],
         "An LSTM encoder feeding a MUT3 and a MUT2 layer with prefixes enc/mid/dec (state order: "
         "h, c of the LSTM, then h of each MUT)."),
]

SAMPLE = case("amp", 2024, [LSTM(1, 16, prefix="rec"), Linear(16, 1, prefix="lin")],
              "QuickStart guitar-amp model: LSTM(1->16) and linear(16->1) with a skip "
              "connection, 0.1 s of a 110 Hz sine plus noise at 48 kHz.",
              steps=4800, inputs="audio", skip=1)


# --------------------------------------------------------------------------- model

def make_module(spec):
    t = spec["type"]
    if t == "lstm":
        return nn.LSTM(spec["input"], spec["hidden"], num_layers=spec["num_layers"],
                       bias=spec["bias"], batch_first=True)
    if t == "gru":
        return nn.GRU(spec["input"], spec["hidden"], num_layers=spec["num_layers"],
                      bias=spec["bias"], batch_first=True)
    if t == "rnn":
        return nn.RNN(spec["input"], spec["hidden"], num_layers=spec["num_layers"],
                      nonlinearity=spec["nonlinearity"], bias=spec["bias"], batch_first=True)
    if t == "linear":
        return nn.Linear(spec["input"], spec["output"], bias=spec["bias"])
    if t in mut_cells.KINDS:
        return mut_cells.make(t, spec["input"], spec["hidden"], num_layers=spec["num_layers"],
                              bias=spec["bias"], batch_first=True)
    raise ValueError(t)


class Model(nn.Module):
    """The manifest's layers in order. Unprefixed models hold a single module whose own
    state_dict (without any prefix) is the file content."""

    def __init__(self, layers, skip):
        super().__init__()
        self.specs = layers
        self.skip = skip
        self.is_unprefixed = not layers[0]["prefix"]
        if self.is_unprefixed:
            assert len(layers) == 1, "an unprefixed file can hold only one module"
        self.mods = []
        for spec in layers:
            m = make_module(spec)
            # unprefixed: registered only so that .double() reaches it; its file names come
            # from the module's own state_dict (see weights()).
            self.add_module("bare" if self.is_unprefixed else spec["prefix"], m)
            self.mods.append(m)

    def weights(self):
        sd = self.mods[0].state_dict() if self.is_unprefixed else self.state_dict()
        return OrderedDict((k, v.detach().cpu().float().numpy().copy()) for k, v in sd.items())

    def load_weights(self, tensors):
        sd = OrderedDict((k, torch.from_numpy(np.array(v, dtype=np.float32))) for k, v in tensors.items())
        target = self.mods[0] if self.is_unprefixed else self
        target.load_state_dict(sd, strict=True)

    def run(self, x):
        """x: [T, I] tensor. Returns (y [T, O], flat final state)."""
        states = []
        with torch.no_grad():
            h = x.unsqueeze(0)
            for spec, m in zip(self.specs, self.mods):
                if spec["type"] == "linear":
                    h = m(h)
                    act = activation_of(spec)
                    if act == "tanh":
                        h = torch.tanh(h)
                    elif act == "sigmoid":
                        h = torch.sigmoid(h)
                    elif act == "relu":
                        h = torch.relu(h)
                    else:
                        assert act == "none", act
                    continue
                h, st = m(h)
                if spec["type"] == "lstm":
                    hn, cn = st
                    for l in range(spec["num_layers"]):
                        states += [hn[l, 0], cn[l, 0]]
                else:
                    for l in range(spec["num_layers"]):
                        states.append(st[l, 0])
            y = h[0].clone()
            if self.skip:
                y[:, :self.skip] += x[:, :self.skip]
        return y, torch.cat(states) if states else torch.zeros(0, dtype=x.dtype)


# --------------------------------------------------------------------------- NumPy reference

def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def numpy_reference(c, tensors, x):
    """Independent float64 implementation of the PyTorch equations (step by step)."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in tensors.items()}
    h_seq = np.asarray(x, dtype=np.float64)
    state = []
    for spec in c["layers"]:
        p = (spec["prefix"] + ".") if spec["prefix"] else ""
        if spec["type"] == "linear":
            h_seq = h_seq @ w[p + "weight"].T
            if spec["bias"]:
                h_seq = h_seq + w[p + "bias"]
            act = activation_of(spec)
            if act == "tanh":
                h_seq = np.tanh(h_seq)
            elif act == "sigmoid":
                h_seq = _sig(h_seq)
            elif act == "relu":
                h_seq = np.maximum(h_seq, 0.0)
            continue
        H = spec["hidden"]
        if spec["type"] in mut_cells.KINDS:
            h_seq, finals = mut_cells.numpy_reference(spec["type"], w, p, spec["num_layers"], H, h_seq)
            state += finals
            continue
        for l in range(spec["num_layers"]):
            Wi, Wh = w[p + "weight_ih_l%d" % l], w[p + "weight_hh_l%d" % l]
            if spec["bias"]:
                bi, bh = w[p + "bias_ih_l%d" % l], w[p + "bias_hh_l%d" % l]
            else:
                bi = bh = np.zeros(Wi.shape[0])
            h = np.zeros(H)
            cc = np.zeros(H)
            out = np.zeros((h_seq.shape[0], H))
            for t, xt in enumerate(h_seq):
                gi = Wi @ xt + bi
                gh = Wh @ h + bh
                if spec["type"] == "lstm":
                    g = gi + gh
                    i_g = _sig(g[0:H])
                    f_g = _sig(g[H:2 * H])
                    g_g = np.tanh(g[2 * H:3 * H])
                    o_g = _sig(g[3 * H:4 * H])
                    cc = f_g * cc + i_g * g_g
                    h = o_g * np.tanh(cc)
                elif spec["type"] == "gru":
                    r = _sig(gi[0:H] + gh[0:H])
                    z = _sig(gi[H:2 * H] + gh[H:2 * H])
                    n = np.tanh(gi[2 * H:3 * H] + r * gh[2 * H:3 * H])
                    h = (1.0 - z) * n + z * h
                else:
                    a = gi + gh
                    h = np.tanh(a) if spec["nonlinearity"] == "tanh" else np.maximum(a, 0.0)
                out[t] = h
            state.append(h)
            if spec["type"] == "lstm":
                state.append(cc)
            h_seq = out
    y = h_seq.copy()
    if c["skip"]:
        y[:, :c["skip"]] += np.asarray(x, dtype=np.float64)[:, :c["skip"]]
    return y, (np.concatenate(state) if state else np.zeros(0))


# --------------------------------------------------------------------------- output formats

def manifest_text(c, weights_file):
    def inline(d):
        return "{ " + ", ".join("%s: %s" % (json.dumps(k), json.dumps(v)) for k, v in d.items()) + " }"

    layer_lines = []
    for spec in c["layers"]:
        d = OrderedDict(type=spec["type"])
        if spec["prefix"] is not None:
            d["prefix"] = spec["prefix"]
        if spec["type"] != "linear" and spec["num_layers"] > 1:
            d["num_layers"] = spec["num_layers"]
        if spec["type"] == "rnn":
            d["nonlinearity"] = spec["nonlinearity"]
        if spec["type"] == "linear" and spec["activation"] is not UNSET:
            d["activation"] = spec["activation"]
        layer_lines.append("    " + inline(d))
    lines = ["{",
             '  "format": "edgernn/1",',
             '  "weights": %s,' % json.dumps(weights_file),
             '  "layout": "pytorch",',
             '  "input": { "size": %d },' % c["layers"][0]["input"],
             '  "layers": [',
             ",\n".join(layer_lines),
             "  ]" + ("," if (c["skip"] or c["write_skip"]) else "")]
    if c["skip"] or c["write_skip"]:
        lines.append('  "skip": %d' % c["skip"])
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- generation

def make_inputs(c, I):
    T = c["steps"]
    if c["inputs"] == "randn":
        return (torch.randn(T, I) * c["scale"]).numpy().astype(np.float32)
    noise = torch.randn(T).numpy().astype(np.float64)
    n = np.arange(T, dtype=np.float64)
    audio = (0.5 * np.sin(2.0 * np.pi * 110.0 * n / SAMPLE_RATE) + 0.01 * noise).astype(np.float32)
    if c["inputs"] == "audio":
        assert I == 1
        return audio.reshape(T, 1)
    if c["inputs"] == "audio_knob":
        assert I == 2
        return np.stack([audio, np.full(T, 0.7, dtype=np.float32)], axis=1)
    raise ValueError(c["inputs"])


def check_chain(layers):
    for a, b in zip(layers, layers[1:]):
        assert out_size(a) == b["input"], (a, b)


def generate(c, out_dir):
    name = c["name"]
    check_chain(c["layers"])
    assert c["steps"] >= 100
    I = c["layers"][0]["input"]
    O = out_size(c["layers"][-1])
    assert 0 <= c["skip"] <= min(I, O)

    torch.manual_seed(c["seed"])
    model = Model(c["layers"], c["skip"])
    x32 = make_inputs(c, I)

    # weights exactly as stored in the file (F16/BF16: rounded, then widened to float32)
    stored = OrderedDict((k, quantize(v, c["dtype"])) for k, v in model.weights().items())
    model.load_weights(stored)

    st_path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(st_path, stored, c["dtype"], {"format": "pt"})

    # float64 reference on the exact stored weights
    ref_model = Model(c["layers"], c["skip"])
    ref_model.load_weights(stored)
    ref_model.double()
    y64, s64 = ref_model.run(torch.from_numpy(x32.astype(np.float64)))
    y64, s64 = y64.numpy(), s64.numpy()
    y_ref = y64.astype(np.float32)
    s_ref = s64.astype(np.float32)
    assert np.all(np.isfinite(y64)) and np.all(np.isfinite(s64))

    # self-check 1: read the file back, rebuild the module, reproduce the reference
    back, dtypes, meta = read_safetensors(st_path)
    assert list(back) == list(stored), (list(back), list(stored))
    assert meta == {"format": "pt"}
    for k in stored:
        assert dtypes[k] == c["dtype"] and np.array_equal(back[k], stored[k]), k
    rebuilt = Model(c["layers"], c["skip"])
    rebuilt.load_weights(back)
    rebuilt.double()
    y_rb, s_rb = rebuilt.run(torch.from_numpy(x32.astype(np.float64)))
    assert np.array_equal(y_rb.numpy(), y64) and np.array_equal(s_rb.numpy(), s64), name

    # self-check 2: pure float32 torch run
    y32, s32 = model.run(torch.from_numpy(x32))
    ref_all = np.concatenate([y_ref.ravel(), s_ref.ravel()]).astype(np.float64)
    f32_all = np.concatenate([y32.numpy().ravel(), s32.numpy().ravel()]).astype(np.float64)
    f32_maxdiff = float(np.max(np.abs(f32_all - ref_all)))
    assert f32_maxdiff <= F32_TOLERANCE, (name, f32_maxdiff)

    # self-check 3: independent NumPy float64 implementation of the equations
    y_np, s_np = numpy_reference(c, back, x32)
    np_diff = max(float(np.max(np.abs(y_np - y64))), float(np.max(np.abs(s_np - s64))) if s64.size else 0.0)
    assert np_diff <= NUMPY_TOLERANCE, (name, np_diff)

    S = sum(state_size(s) for s in c["layers"])
    assert y_ref.shape == (c["steps"], O) and s_ref.shape == (S,)

    fields = OrderedDict([
        ("name", name),
        ("input_size", I),
        ("output_size", O),
        ("state_size", S),
        ("steps", c["steps"]),
        ("inputs", x32),
        ("outputs", y_ref),
        ("final_state", s_ref),
        ("torch_version", torch.__version__),
        ("f32_maxdiff", float(np.float32(f32_maxdiff))),
        ("description", c["description"]),
    ])
    exp = expected_text(fields)
    man = manifest_text(c, name + ".safetensors")

    # the JSON must parse and round-trip exactly
    pe = json.loads(exp, object_pairs_hook=OrderedDict)
    assert list(pe) == list(fields)
    assert np.array_equal(np.array(pe["inputs"], dtype=np.float32), x32.ravel())
    assert np.array_equal(np.array(pe["outputs"], dtype=np.float32), y_ref.ravel())
    assert np.array_equal(np.array(pe["final_state"], dtype=np.float32), s_ref.ravel())
    pm = json.loads(man, object_pairs_hook=OrderedDict)
    assert pm["weights"] == name + ".safetensors" and pm["input"]["size"] == I

    with open(os.path.join(out_dir, name + ".edgernn.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(man)
    with open(os.path.join(out_dir, name + ".expected.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(exp)
    return f32_maxdiff, np_diff


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="generate only these case names")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()

    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    os.makedirs(MODELS_DIR, exist_ok=True)
    os.makedirs(SAMPLE_DIR, exist_ok=True)

    jobs = [(c, MODELS_DIR) for c in CASES] + [(SAMPLE, SAMPLE_DIR)]
    if args.only:
        jobs = [j for j in jobs if j[0]["name"] in args.only]
    for c, d in jobs:
        f32d, npd = generate(c, d)
        print("%-26s %-4s T=%-5d f32_maxdiff=%.3g numpy_diff=%.3g" % (
            c["name"], c["dtype"], c["steps"], f32d, npd))
    print("done: %d models in %.1f s" % (len(jobs), time.time() - t0))


if __name__ == "__main__":
    main()
