#!/usr/bin/env python3
"""Generate the Keras-layout reference vectors for EdgeRnn (`"layout": "keras"` manifests).

Run from the repository root with Debian's interpreter (python3-torch, python3-numpy):

    /usr/bin/python3 tools/keras_reference.py
    /usr/bin/python3 tools/keras_reference.py --only keras_lstm_i3_h5

Keras and TensorFlow are not installable here, so this script carries its own independent
NumPy implementation of Keras' recurrent layers (float64):

    LSTM       z = x·W + h·U + b, gates i, f, c, o (column blocks of the kernels):
               i = σ(z_i), f = σ(z_f), c = f·c + i·tanh(z_c), o = σ(z_o), h = o·tanh(c)
    GRU        gates z, r, h (column blocks); h = z·h + (1 − z)·hh
               reset_after=True  (bias [2, 3H]: row 0 input bias, row 1 recurrent bias):
                   z = σ(x·W_z + b_z + h·U_z + b'_z), r likewise,
                   hh = tanh(x·W_h + b_h + r·(h·U_h + b'_h))
               reset_after=False (bias [3H]):
                   z = σ(x·W_z + h·U_z + b_z), r likewise,
                   hh = tanh(x·W_h + (r·h)·U_h + b_h)
    SimpleRNN  h = act(x·W + h·U + b), act = tanh or relu
    Dense      y = act(x·K + b), act = none, tanh, sigmoid or relu

σ is the logistic sigmoid (Keras' default recurrent_activation); use_bias=False drops the bias
tensor (a GRU then follows the manifest's "reset_after", default True as in Keras).

Every layer that has a PyTorch twin (all but GRU reset_after=False) is cross-checked against
PyTorch in float64 after mapping the weights (transpose; GRU column blocks z, r, h -> rows r, z, n;
reset_after=True bias rows -> bias_ih, bias_hh; LSTM/SimpleRNN bias -> bias_ih with bias_hh = 0;
Dense kernel -> Linear weight.T): each layer on the same input, and the whole model when every
layer has a twin; the difference must be <= 1e-10. GRU reset_after=False layers are checked
against a second implementation written per gate like Keras' GRUCell (separate kernel slices,
row-vector products), within 1e-12.

For every case NAME it writes into tests/EdgeRnn.Tests/Models/, in the format of
tools/make_reference.py (see tools/README.md):
    NAME.safetensors     the Keras weights under Keras names (prefix/kernel, prefix/recurrent_kernel,
                         prefix/bias), F32, metadata {"format": "tf"}
    NAME.edgernn.json    the manifest, "layout": "keras"
    NAME.expected.json   inputs, float64 NumPy outputs and final state (rounded to float32); the keys
                         are the same as make_reference.py's: f32_maxdiff is a pure float32 run of the
                         NumPy implementation against the reference, torch_version is the PyTorch used
                         for the cross-checks (null when no layer of the case has a PyTorch twin).

Deterministic: fixed seed per case (numpy.random.default_rng), single-threaded torch, so two runs
give byte-identical files.
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
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from make_reference import expected_text, flist, fnum  # noqa: E402,F401  (the shared reference-file format)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(ROOT, "tests", "EdgeRnn.Tests", "Models")

TORCH_TOLERANCE = 1e-10   # NumPy Keras implementation vs PyTorch twin, float64
LITERAL_TOLERANCE = 1e-12  # NumPy vs the per-gate implementation (GRU reset_after=False)
F32_TOLERANCE = 1e-4      # float32 NumPy run vs float64 reference
METADATA = {"format": "tf"}

UNSET = object()  # "key omitted from the manifest"


# --------------------------------------------------------------------------- layer specs

def LSTM(i, h, prefix="lstm", bias=True):
    return dict(type="lstm", prefix=prefix, input=i, hidden=h, bias=bias)


def GRU(i, h, prefix="gru", reset_after=True, bias=True, state_reset_after=UNSET):
    """reset_after: the semantics; state_reset_after: what the manifest says (UNSET omits the key)."""
    return dict(type="gru", prefix=prefix, input=i, hidden=h, bias=bias, reset_after=reset_after,
                state_reset_after=state_reset_after)


def SimpleRNN(i, h, activation, prefix="simple_rnn", bias=True):
    return dict(type="rnn", prefix=prefix, input=i, hidden=h, bias=bias, activation=activation)


def Dense(i, o, prefix="dense", activation="none", bias=True):
    return dict(type="linear", prefix=prefix, input=i, output=o, bias=bias, activation=activation)


def out_size(spec):
    return spec["output"] if spec["type"] == "linear" else spec["hidden"]


def state_size(spec):
    if spec["type"] == "linear":
        return 0
    return (2 if spec["type"] == "lstm" else 1) * spec["hidden"]


def has_twin(spec):
    return not (spec["type"] == "gru" and not spec["reset_after"])


def case(name, seed, layers, description, steps=120, scale=1.0):
    return dict(name=name, seed=seed, layers=layers, description=description, steps=steps, scale=scale)


CASES = [
    case("keras_lstm_i3_h5", 201, [LSTM(3, 5, prefix="lstm")],
         "Keras LSTM (input 3, units 5, gates i,f,c,o, one bias), weights U(-0.5, 0.5); "
         "NumPy Keras reference cross-checked against PyTorch."),
    case("keras_gru_reset_after_i4_h6", 202,
         [GRU(4, 6, prefix="gru_1", reset_after=True, state_reset_after=True)],
         "Keras GRU with reset_after=True (bias [2, 3H], gates z,r,h; input 4, units 6), manifest "
         "states reset_after true; NumPy Keras reference cross-checked against PyTorch."),
    case("keras_gru_reset_before_i4_h6", 203, [GRU(4, 6, prefix="gru", reset_after=False)],
         "Keras GRU with reset_after=False (bias [3H], reset applied before the recurrent product; "
         "input 4, units 6), inferred from the bias shape; reference from the NumPy Keras "
         "implementation only (PyTorch has no twin), checked against a per-gate second implementation."),
    case("keras_simplernn_tanh_i3_h5", 204, [SimpleRNN(3, 5, "tanh", prefix="simple_rnn")],
         "Keras SimpleRNN with tanh (input 3, units 5, one bias); NumPy Keras reference "
         "cross-checked against PyTorch."),
    case("keras_simplernn_relu_i3_h4", 205, [SimpleRNN(3, 4, "relu", prefix="simple_rnn_1")],
         "Keras SimpleRNN with relu (input 3, units 4, one bias); NumPy Keras reference "
         "cross-checked against PyTorch."),
    case("keras_lstm_dense_tanh", 206,
         [LSTM(2, 7, prefix="lstm"), Dense(7, 3, prefix="dense", activation="tanh")],
         "Keras LSTM (input 2, units 7) followed by Dense(3, activation tanh); NumPy Keras "
         "reference cross-checked against PyTorch."),
    case("keras_gru_nobias", 207, [GRU(3, 5, prefix="gru", bias=False)],
         "Keras GRU with use_bias=False (no bias tensor, Keras' default reset_after=True; input 3, "
         "units 5); NumPy Keras reference cross-checked against PyTorch."),
    case("keras_gru_nobias_reset_before", 208,
         [GRU(3, 5, prefix="gru", bias=False, reset_after=False, state_reset_after=False)],
         "Keras GRU with use_bias=False and reset_after=False stated in the manifest (nothing in the "
         "file tells; input 3, units 5); reference from the NumPy Keras implementation only "
         "(PyTorch has no twin), checked against a per-gate second implementation."),
    case("keras_stack_lstm_gru_dense", 209,
         [LSTM(4, 8, prefix="lstm"),
          GRU(8, 6, prefix="gru", reset_after=False, state_reset_after=False),
          Dense(6, 2, prefix="dense", activation="sigmoid")],
         "Keras LSTM(4->8), GRU reset_after=False (8->6) and Dense(2, sigmoid); the NumPy Keras "
         "reference's LSTM and Dense layers are cross-checked against PyTorch layer by layer, the "
         "GRU against a per-gate second implementation only (PyTorch has no twin)."),
    case("keras_gru_reset_before_saturated", 210,
         [GRU(4, 7, prefix="gru", reset_after=False, state_reset_after=False)],
         "Keras GRU reset_after=False (input 4, units 7) driven by 20x randn inputs so that the "
         "gates saturate; reference from the NumPy Keras implementation only (PyTorch has no twin), "
         "checked against a per-gate second implementation.", scale=20.0),
]


# --------------------------------------------------------------------------- weights (Keras layout)

def make_weights(c, rng):
    """Keras tensors, in the order Keras lists them: kernel, recurrent_kernel, bias per layer."""
    tensors = OrderedDict()

    def u(*shape):
        return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)

    for spec in c["layers"]:
        p = spec["prefix"] + "/"
        if spec["type"] == "linear":
            tensors[p + "kernel"] = u(spec["input"], spec["output"])
            if spec["bias"]:
                tensors[p + "bias"] = u(spec["output"])
            continue
        G = {"lstm": 4, "gru": 3, "rnn": 1}[spec["type"]]
        H = spec["hidden"]
        tensors[p + "kernel"] = u(spec["input"], G * H)
        tensors[p + "recurrent_kernel"] = u(H, G * H)
        if spec["bias"]:
            if spec["type"] == "gru" and spec["reset_after"]:
                tensors[p + "bias"] = u(2, G * H)
            else:
                tensors[p + "bias"] = u(G * H)
    return tensors


# --------------------------------------------------------------------------- NumPy Keras implementation

def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _act(name, v):
    if name == "none":
        return v
    if name == "tanh":
        return np.tanh(v)
    if name == "sigmoid":
        return _sigmoid(v)
    if name == "relu":
        return np.maximum(v, 0)
    raise ValueError(name)


def keras_layer(spec, w, x, dtype):
    """One Keras layer over a sequence x [T, in] from zero state. Returns (y [T, out], state list)."""
    p = spec["prefix"] + "/"
    K = w[p + "kernel"].astype(dtype)
    b = w[p + "bias"].astype(dtype) if spec["bias"] else None
    if spec["type"] == "linear":
        y = x @ K
        if b is not None:
            y = y + b
        return _act(spec["activation"], y), []

    U = w[p + "recurrent_kernel"].astype(dtype)
    H = spec["hidden"]
    T = x.shape[0]
    h = np.zeros(H, dtype=dtype)
    c = np.zeros(H, dtype=dtype)
    y = np.zeros((T, H), dtype=dtype)
    for t in range(T):
        xt = x[t]
        if spec["type"] == "lstm":
            z = xt @ K + h @ U
            if b is not None:
                z = z + b
            i = _sigmoid(z[0:H])
            f = _sigmoid(z[H:2 * H])
            cc = np.tanh(z[2 * H:3 * H])
            o = _sigmoid(z[3 * H:4 * H])
            c = f * c + i * cc
            h = o * np.tanh(c)
        elif spec["type"] == "gru":
            mx = xt @ K                       # [3H]: z, r, h blocks
            if spec["reset_after"]:
                mh = h @ U
                if b is not None:
                    mx = mx + b[0]
                    mh = mh + b[1]
                z = _sigmoid(mx[0:H] + mh[0:H])
                r = _sigmoid(mx[H:2 * H] + mh[H:2 * H])
                hh = np.tanh(mx[2 * H:3 * H] + r * mh[2 * H:3 * H])
            else:
                if b is not None:
                    mx = mx + b
                mzr = h @ U[:, 0:2 * H]
                z = _sigmoid(mx[0:H] + mzr[0:H])
                r = _sigmoid(mx[H:2 * H] + mzr[H:2 * H])
                hh = np.tanh(mx[2 * H:3 * H] + (r * h) @ U[:, 2 * H:3 * H])
            h = z * h + (1 - z) * hh
        elif spec["type"] == "rnn":
            a = xt @ K + h @ U
            if b is not None:
                a = a + b
            h = _act(spec["activation"], a)
        else:
            raise ValueError(spec["type"])
        y[t] = h
    return y, ([h, c] if spec["type"] == "lstm" else [h])


def keras_model(c, w, x, dtype=np.float64):
    """The whole model. Returns (y [T, O], flat final state, per-layer inputs)."""
    seq = np.asarray(x, dtype=dtype)
    states, layer_inputs = [], []
    for spec in c["layers"]:
        layer_inputs.append(seq)
        seq, st = keras_layer(spec, w, seq, dtype)
        states += st
    state = np.concatenate(states) if states else np.zeros(0, dtype=dtype)
    return seq, state, layer_inputs


# --------------------------------------------------------------------------- second implementation (GRU reset_after=False)

def gru_reset_before_per_gate(spec, w, x):
    """Keras GRUCell.call for reset_after=False written gate by gate: the kernels sliced per gate
    (kernel[:, :H] for z, ...), every product a row vector times a matrix summed unit by unit in
    plain Python floats, independent of keras_layer's fused matrices."""
    import math
    p = spec["prefix"] + "/"
    H = spec["hidden"]
    K = w[p + "kernel"].astype(np.float64)
    U = w[p + "recurrent_kernel"].astype(np.float64)
    b = w[p + "bias"].astype(np.float64) if spec["bias"] else np.zeros(3 * H)
    k_z, k_r, k_h = K[:, :H], K[:, H:2 * H], K[:, 2 * H:]
    u_z, u_r, u_h = U[:, :H], U[:, H:2 * H], U[:, 2 * H:]
    b_z, b_r, b_h = b[:H], b[H:2 * H], b[2 * H:]

    def rowmat(v, m, j):
        return sum(float(v[k]) * float(m[k, j]) for k in range(len(v)))

    h = [0.0] * H
    ys = []
    for xt in np.asarray(x, dtype=np.float64):
        x_z = [rowmat(xt, k_z, j) + b_z[j] for j in range(H)]
        x_r = [rowmat(xt, k_r, j) + b_r[j] for j in range(H)]
        x_h = [rowmat(xt, k_h, j) + b_h[j] for j in range(H)]
        z = [1.0 / (1.0 + math.exp(-(x_z[j] + rowmat(h, u_z, j)))) for j in range(H)]
        r = [1.0 / (1.0 + math.exp(-(x_r[j] + rowmat(h, u_r, j)))) for j in range(H)]
        rh = [r[j] * h[j] for j in range(H)]
        hh = [math.tanh(x_h[j] + rowmat(rh, u_h, j)) for j in range(H)]
        h = [z[j] * h[j] + (1.0 - z[j]) * hh[j] for j in range(H)]
        ys.append(list(h))
    return np.array(ys), np.array(h)


# --------------------------------------------------------------------------- PyTorch twins

def _gru_rows(a, H):
    """Keras GRU column blocks z, r, h (last axis) -> PyTorch row blocks r, z, n (first axis of the result)."""
    a = np.asarray(a, dtype=np.float64)
    return np.concatenate([a[..., H:2 * H], a[..., 0:H], a[..., 2 * H:3 * H]], axis=-1)


def torch_twin(spec, w):
    """A float64 PyTorch module equivalent to the Keras layer, with the mapped weights."""
    p = spec["prefix"] + "/"
    t = spec["type"]
    T64 = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))  # noqa: E731
    if t == "linear":
        m = nn.Linear(spec["input"], spec["output"], bias=spec["bias"]).double()
        sd = OrderedDict(weight=T64(w[p + "kernel"].T))
        if spec["bias"]:
            sd["bias"] = T64(w[p + "bias"])
        m.load_state_dict(sd, strict=True)
        return m
    H, I = spec["hidden"], spec["input"]
    K, U = w[p + "kernel"].astype(np.float64), w[p + "recurrent_kernel"].astype(np.float64)
    b = w[p + "bias"].astype(np.float64) if spec["bias"] else None
    if t == "lstm":
        m = nn.LSTM(I, H, bias=spec["bias"], batch_first=True)
        sd = OrderedDict(weight_ih_l0=T64(K.T), weight_hh_l0=T64(U.T))   # i, f, c, o = i, f, g, o
        if b is not None:
            sd["bias_ih_l0"], sd["bias_hh_l0"] = T64(b), T64(np.zeros_like(b))
    elif t == "rnn":
        m = nn.RNN(I, H, nonlinearity=spec["activation"], bias=spec["bias"], batch_first=True)
        sd = OrderedDict(weight_ih_l0=T64(K.T), weight_hh_l0=T64(U.T))
        if b is not None:
            sd["bias_ih_l0"], sd["bias_hh_l0"] = T64(b), T64(np.zeros_like(b))
    elif t == "gru":
        assert spec["reset_after"], "GRU reset_after=False has no PyTorch twin"
        m = nn.GRU(I, H, bias=spec["bias"], batch_first=True)
        sd = OrderedDict(weight_ih_l0=T64(_gru_rows(K, H).T), weight_hh_l0=T64(_gru_rows(U, H).T))
        if b is not None:
            sd["bias_ih_l0"], sd["bias_hh_l0"] = T64(_gru_rows(b[0], H)), T64(_gru_rows(b[1], H))
    else:
        raise ValueError(t)
    m = m.double()
    m.load_state_dict(sd, strict=True)
    return m


def torch_layer(spec, w, x):
    """Run the twin over x [T, in] (float64). Returns (y [T, out], state list)."""
    m = torch_twin(spec, w)
    with torch.no_grad():
        xt = torch.from_numpy(np.asarray(x, dtype=np.float64)).unsqueeze(0)
        if spec["type"] == "linear":
            y = m(xt)[0]
            act = spec["activation"]
            y = {"none": y, "tanh": torch.tanh(y), "sigmoid": torch.sigmoid(y), "relu": torch.relu(y)}[act]
            return y.numpy(), []
        y, st = m(xt)
        if spec["type"] == "lstm":
            return y[0].numpy(), [st[0][0, 0].numpy(), st[1][0, 0].numpy()]
        return y[0].numpy(), [st[0, 0].numpy()]


def torch_model(c, w, x):
    seq = np.asarray(x, dtype=np.float64)
    states = []
    for spec in c["layers"]:
        seq, st = torch_layer(spec, w, seq)
        states += st
    return seq, (np.concatenate(states) if states else np.zeros(0))


def maxabs(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _as_reset_after(spec, w):
    """The weights of a reset_after=False GRU rewritten for reset_after=True (bias [2, 3H], row 1 zero)."""
    p = spec["prefix"] + "/"
    w2 = OrderedDict(w)
    if spec["bias"]:
        w2[p + "bias"] = np.stack([w[p + "bias"], np.zeros_like(w[p + "bias"])])
    return w2


def cross_check(c, w, x, y64, s64, layer_inputs):
    """Returns (largest torch difference or None, largest per-gate difference or None)."""
    torch_diff = None
    literal_diff = None
    offset = 0
    for spec, lin in zip(c["layers"], layer_inputs):
        y_np, st_np = keras_layer(spec, w, lin, np.float64)
        if has_twin(spec):
            y_t, st_t = torch_layer(spec, w, lin)
            d = max([maxabs(y_np, y_t)] + [maxabs(a, b) for a, b in zip(st_np, st_t)])
            assert d <= TORCH_TOLERANCE, (c["name"], spec["prefix"], "torch", d)
            torch_diff = d if torch_diff is None else max(torch_diff, d)
        else:
            y_l, h_l = gru_reset_before_per_gate(spec, w, lin)
            d = max(maxabs(y_np, y_l), maxabs(st_np[0], h_l))
            assert d <= LITERAL_TOLERANCE, (c["name"], spec["prefix"], "per-gate", d)
            # the case must tell the two GRU variants apart: reset_after=True semantics on the same
            # kernels (input bias kept, recurrent bias zero) has to give clearly different outputs
            y_after, _ = keras_layer(dict(spec, reset_after=True), _as_reset_after(spec, w), lin, np.float64)
            assert maxabs(y_np, y_after) > 1e-3, (c["name"], spec["prefix"], "not discriminating")
            literal_diff = d if literal_diff is None else max(literal_diff, d)
        n = sum(len(s) for s in st_np)
        assert np.array_equal(np.concatenate(st_np) if st_np else np.zeros(0), s64[offset:offset + n])
        offset += n
    if all(has_twin(s) for s in c["layers"]):
        y_t, s_t = torch_model(c, w, x)
        d = max(maxabs(y64, y_t), maxabs(s64, s_t))
        assert d <= TORCH_TOLERANCE, (c["name"], "whole model", d)
        torch_diff = max(torch_diff, d)
    return torch_diff, literal_diff


# --------------------------------------------------------------------------- output formats



def manifest_text(c, weights_file):
    def inline(d):
        return "{ " + ", ".join("%s: %s" % (json.dumps(k), json.dumps(v)) for k, v in d.items()) + " }"

    layer_lines = []
    for spec in c["layers"]:
        d = OrderedDict(type=spec["type"], prefix=spec["prefix"])
        if spec["type"] == "rnn":
            d["nonlinearity"] = spec["activation"]
        if spec["type"] == "gru" and spec["state_reset_after"] is not UNSET:
            d["reset_after"] = spec["state_reset_after"]
        if spec["type"] == "linear" and spec["activation"] != "none":
            d["activation"] = spec["activation"]
        layer_lines.append("    " + inline(d))
    lines = ["{",
             '  "format": "edgernn/1",',
             '  "weights": %s,' % json.dumps(weights_file),
             '  "layout": "keras",',
             '  "input": { "size": %d },' % c["layers"][0]["input"],
             '  "layers": [',
             ",\n".join(layer_lines),
             "  ]",
             "}"]
    return "\n".join(lines) + "\n"



# --------------------------------------------------------------------------- generation

def generate(c, out_dir):
    name = c["name"]
    layers = c["layers"]
    for a, b in zip(layers, layers[1:]):
        assert out_size(a) == b["input"], (a, b)
    for spec in layers:
        if spec["type"] == "gru" and spec["state_reset_after"] is not UNSET:
            assert spec["state_reset_after"] == spec["reset_after"], name
        if spec["type"] == "gru" and not spec["bias"] and not spec["reset_after"]:
            # nothing in the file tells reset_after=False: the manifest must say it
            assert spec["state_reset_after"] is False, name
    assert c["steps"] >= 100
    I, O = layers[0]["input"], out_size(layers[-1])
    S = sum(state_size(s) for s in layers)

    rng = np.random.default_rng(c["seed"])
    weights = make_weights(c, rng)
    x32 = (rng.standard_normal((c["steps"], I)) * c["scale"]).astype(np.float32)

    st_path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(st_path, weights, "F32", METADATA)
    back, dtypes, meta = read_safetensors(st_path)
    assert list(back) == list(weights) and meta == METADATA
    for k in weights:
        assert dtypes[k] == "F32" and np.array_equal(back[k], weights[k]), k

    # the reference: float64 NumPy Keras semantics on the weights exactly as stored
    y64, s64, layer_inputs = keras_model(c, back, x32, np.float64)
    assert np.all(np.isfinite(y64)) and np.all(np.isfinite(s64))
    assert y64.shape == (c["steps"], O) and s64.shape == (S,)
    y_ref, s_ref = y64.astype(np.float32), s64.astype(np.float32)

    torch_diff, literal_diff = cross_check(c, back, x32, y64, s64, layer_inputs)
    assert torch_diff is not None or literal_diff is not None

    y32, s32, _ = keras_model(c, back, x32, np.float32)
    assert y32.dtype == np.float32 and s32.dtype == np.float32
    f32_maxdiff = max(maxabs(y32, y_ref), maxabs(s32, s_ref))
    assert f32_maxdiff <= F32_TOLERANCE, (name, f32_maxdiff)

    fields = OrderedDict([
        ("name", name),
        ("input_size", I),
        ("output_size", O),
        ("state_size", S),
        ("steps", c["steps"]),
        ("inputs", x32),
        ("outputs", y_ref),
        ("final_state", s_ref),
        ("torch_version", torch.__version__ if torch_diff is not None else None),
        ("f32_maxdiff", float(np.float32(f32_maxdiff))),
        ("description", c["description"]),
    ])
    exp = expected_text(fields)
    man = manifest_text(c, name + ".safetensors")

    pe = json.loads(exp, object_pairs_hook=OrderedDict)
    assert list(pe) == list(fields)
    assert np.array_equal(np.array(pe["inputs"], dtype=np.float32), x32.ravel())
    assert np.array_equal(np.array(pe["outputs"], dtype=np.float32), y_ref.ravel())
    assert np.array_equal(np.array(pe["final_state"], dtype=np.float32), s_ref.ravel())
    pm = json.loads(man, object_pairs_hook=OrderedDict)
    assert pm["weights"] == name + ".safetensors" and pm["input"]["size"] == I and pm["layout"] == "keras"

    with open(os.path.join(out_dir, name + ".edgernn.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(man)
    with open(os.path.join(out_dir, name + ".expected.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(exp)
    return f32_maxdiff, torch_diff, literal_diff


def _selftest_mappings():
    """Sanity checks of the checker itself: a wrong mapping must be caught."""
    rng = np.random.default_rng(0)
    c = case("selftest", 0, [GRU(3, 4, prefix="g", reset_after=True)], "")
    w = make_weights(c, rng)
    x = rng.standard_normal((30, 3))
    y_np, _ = keras_layer(c["layers"][0], w, x, np.float64)
    y_t, _ = torch_layer(c["layers"][0], w, x)
    assert maxabs(y_np, y_t) <= TORCH_TOLERANCE
    # swapping the bias rows (input <-> recurrent) must change the result: the n-gate biases differ
    w_bad = OrderedDict(w)
    w_bad["g/bias"] = w["g/bias"][::-1].copy()
    y_bad, _ = torch_layer(c["layers"][0], w_bad, x)
    assert maxabs(y_np, y_bad) > 1e-3
    # reset_after=False is a different function of the same kernels
    spec_before = dict(c["layers"][0], reset_after=False)
    w_b = OrderedDict(w)
    w_b["g/bias"] = w["g/bias"][0].copy()
    y_before, _ = keras_layer(spec_before, w_b, x, np.float64)
    w_a = OrderedDict(w)
    w_a["g/bias"] = np.stack([w["g/bias"][0], np.zeros_like(w["g/bias"][0])])
    y_after, _ = keras_layer(c["layers"][0], w_a, x, np.float64)
    assert maxabs(y_before, y_after) > 1e-3


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="generate only these case names")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    _selftest_mappings()

    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names) and all(n.startswith("keras_") for n in names)
    os.makedirs(MODELS_DIR, exist_ok=True)
    jobs = [c for c in CASES if not args.only or c["name"] in args.only]
    if args.only:
        unknown = set(args.only) - set(names)
        assert not unknown, "unknown case(s): %s" % ", ".join(sorted(unknown))
    for c in jobs:
        f32d, td, ld = generate(c, MODELS_DIR)
        print("%-34s T=%-4d f32_maxdiff=%-9.3g torch_diff=%-9s per_gate_diff=%s" % (
            c["name"], c["steps"], f32d, "-" if td is None else "%.3g" % td,
            "-" if ld is None else "%.3g" % ld))
    print("done: %d models in %.1f s" % (len(jobs), time.time() - t0))


if __name__ == "__main__":
    main()
