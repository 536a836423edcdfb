#!/usr/bin/env python3
"""An independent NumPy float64 implementation of the contract's equations, read from the manifest and the
state_dict alone (no torch). make_cases.py checks every reference case against it (within 1e-12), so the
modules in modules.py and the contract text agree.
"""
import numpy as np


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def cell(kind, w, p, suffix, x, h, c, nonlinearity="tanh"):
    """One PyTorch LSTM/GRU/RNN step; p = prefix with dot, suffix = "l0", "l1_reverse", ..."""
    gi = w[p + "weight_ih_" + suffix] @ x + w.get(p + "bias_ih_" + suffix, 0.0)
    gh = w[p + "weight_hh_" + suffix] @ h + w.get(p + "bias_hh_" + suffix, 0.0)
    H = h.size
    if kind == "lstm":
        g = gi + gh
        c = _sig(g[H:2 * H]) * c + _sig(g[:H]) * np.tanh(g[2 * H:3 * H])
        return _sig(g[3 * H:]) * np.tanh(c), c
    if kind == "gru":
        r = _sig(gi[:H] + gh[:H])
        z = _sig(gi[H:2 * H] + gh[H:2 * H])
        n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        return (1.0 - z) * n + z * h, c
    a = gi + gh
    return (np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0.0)), c


def encode(man, w, source):
    e = man["encoder"]
    rnn = e["layers"][-1]
    kind, p, L = rnn["type"], rnn["prefix"] + ".", rnn.get("num_layers", 1)
    dirs = 2 if rnn.get("bidirectional", False) else 1
    x = w["encoder.embedding.weight"][np.asarray(source)] if "vocab" in e["input"] else np.asarray(source, float)
    H = w[p + "weight_hh_l0"].shape[1]
    h_n, c_n = [], []
    for l in range(L):
        outs = []
        for d in range(dirs):
            suffix = "l%d" % l + ("_reverse" if d else "")
            h, c = np.zeros(H), np.zeros(H)
            out = np.zeros((len(x), H))
            order = range(len(x) - 1, -1, -1) if d else range(len(x))
            for t in order:
                h, c = cell(kind, w, p, suffix, x[t], h, c, rnn.get("nonlinearity", "tanh"))
                out[t] = h
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        x = np.concatenate(outs, axis=1)
    return x, np.array(h_n), (np.array(c_n) if kind == "lstm" else None), dirs, L


def initial_state(man, w, h_n, c_n, dirs, L, features):
    dec = man["decoder"]
    Hd = w["decoder.rnn.weight_hh_l0"].shape[1]
    lstm = dec["rnn"]["type"] == "lstm"
    if "features" in man:
        f = man["features"]
        act = np.tanh if f["activation"] == "tanh" else (lambda v: v)
        pre = f["prefix"] + "."
        h = act(w[pre + "h.weight"] @ features + w[pre + "h.bias"])
        c = act(w[pre + "c.weight"] @ features + w[pre + "c.bias"]) if lstm else np.zeros(Hd)
        return np.tile(h, (L, 1)), np.tile(c, (L, 1))
    b = man["bridge"]

    def combine(final):
        per = final.reshape(L, dirs, -1)
        return per.sum(axis=1) if b["directions"] == "sum" else per.reshape(L, -1)

    h = combine(h_n)
    c = combine(c_n) if c_n is not None else None
    if "prefix" in b:
        act = np.tanh if b["activation"] == "tanh" else (lambda v: v)
        pre = b["prefix"] + "."
        h = act(h @ w[pre + "h.weight"].T + w[pre + "h.bias"])
        if c is not None and lstm:
            c = act(c @ w[pre + "c.weight"].T + w[pre + "c.bias"])
    if c is None or not lstm:
        c = np.zeros((L, Hd))
    return h, c


def attend(att, w, q, keys):
    kind, p = att["type"], att["prefix"] + "."
    if kind == "dot":
        scores = keys @ q
    elif kind == "general":
        scores = (keys @ w[p + "linear_in.weight"].T) @ q
    elif kind == "concat":
        W = w[p + "W.weight"]
        scores = np.array([w[p + "v.weight"][0] @ np.tanh(W @ np.concatenate([q, s])) for s in keys])
    else:
        scores = np.array([w[p + "Va.weight"][0] @ np.tanh(w[p + "Wa.weight"] @ q + w[p + "Wa.bias"]
                                                           + w[p + "Ua.weight"] @ s + w[p + "Ua.bias"])
                           + w[p + "Va.bias"][0] for s in keys])
    a = np.exp(scores - scores.max())
    a /= a.sum()
    return a @ keys, a


def teacher_forced(man, w, source=None, features=None, teacher=()):
    """-> dict with encoder_outputs, encoder_h_n, encoder_c_n, decoder_h0, decoder_c0, logits, attention."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in w.items()}
    dec = man["decoder"]
    L = dec["rnn"].get("num_layers", 1)
    r = {}
    keys = h_n = c_n = None
    dirs = 1
    if "encoder" in man:
        keys, h_n, c_n, dirs, L = encode(man, w, source)
        r.update(encoder_outputs=keys, encoder_h_n=h_n)
        if c_n is not None:
            r["encoder_c_n"] = c_n
    f = np.asarray(features, dtype=np.float64) if features is not None else None
    h, c = initial_state(man, w, h_n, c_n, dirs, L, f)
    r.update(decoder_h0=h.copy(), decoder_c0=c.copy())
    att = dec.get("attention")
    kind = dec["rnn"]["type"]
    Hd = h.shape[1]
    feed = np.zeros(Hd)
    logits, attention = [], []
    for y in teacher:
        parts = [w[dec["embedding"] + ".weight"][y]]
        if att and att["type"] == "bahdanau":
            context, a = attend(att, w, h[-1], keys)
            parts.append(context)
        elif att and att.get("input_feeding"):
            parts.append(feed)
        if "features" in man and man["features"]["feed"]:
            parts.append(f)
        x = np.concatenate(parts)
        h, c = h.copy(), c.copy()
        for l in range(L):
            h[l], c[l] = cell(kind, w, "decoder.rnn.", "l%d" % l, x, h[l], c[l], dec["rnn"].get("nonlinearity", "tanh"))
            x = h[l]
        top = h[-1]
        if att and att["type"] != "bahdanau":
            context, a = attend(att, w, top, keys)
            feed = np.tanh(w[dec["combine"] + ".weight"] @ np.concatenate([context, top])
                           + w.get(dec["combine"] + ".bias", 0.0))
            out_in = feed
        else:
            out_in = top
        logits.append(w[dec["head"] + ".weight"] @ out_in + w[dec["head"] + ".bias"])
        if att:
            attention.append(a)
    r["logits"] = np.array(logits)
    if att:
        r["attention"] = np.array(attention)
    return r
