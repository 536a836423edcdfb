#!/usr/bin/env python3
"""Write the encoder-decoder reference cases of issue 15 into tests/EdgeRnn.Tests/Seq2Seq/.

Run from the repository root:

    /usr/bin/python3 tools/seq2seq/make_cases.py            # all cases (a few seconds)
    /usr/bin/python3 tools/seq2seq/make_cases.py --only general_gru_bidir_sum

For every case NAME it writes NAME.edgernn.json (the manifest, contract section 2), NAME.safetensors (the
state_dict, float32) and NAME.expected.json (contract section 3). Models are random with a fixed seed per case;
some parameter groups are scaled up so that attention is far from uniform and beam search differs from greedy.
Reference values come from a float64 run on the stored float32 weights. Self-checks per example: the independent
NumPy implementation (numpy_reference.py, driven by the manifest) agrees within 1e-12, a float32 run
agrees within a quarter of the tolerance, float32 decoding makes the same choices, and every decoding decision
(greedy top-2 gap, the beam's K-th/(K+1)-th gap, its stop test and final ranking) has a margin of at least
MIN_MARGIN; an example that comes too close to a tie is redrawn. Deterministic: two runs give identical files.
"""
import argparse
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import modules as m  # noqa: E402
import numpy_reference  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from edgernn_export.reference_file import fnum  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
OUT_DIR = os.path.join(ROOT, "tests", "EdgeRnn.Tests", "Seq2Seq")

TOLERANCE = 1e-5
F32_LIMIT = TOLERANCE / 4   # a float32 torch run must be this close to the float64 reference
NUMPY_LIMIT = 1e-12         # numpy_reference.py (float64, from the manifest) vs torch float64
MIN_MARGIN = 1e-3           # every decoding decision at least this far from a tie (in logits / log-probs)
TEACHER_STEPS = 6
EXAMPLES = 3


def case(name, seed, description, decoder, encoder=None, bridge=None, features=None, max_source=7,
         max_length=8, max_beam=4, scale=None):
    s = dict(encoder_rnn=2.0, attention=3.0, combine=1.5, out=3.0, bridge=1.5, features=1.5, stop_bias=0.5)
    s.update(scale or {})
    return dict(name=name, seed=seed, description=description, encoder=encoder, bridge=bridge, decoder=decoder,
                features=features, max_source=max_source, max_length=max_length, max_beam=max_beam, scale=s)


def enc(rnn, hidden, vocab=None, emb=None, size=None, layers=1, bidir=False, nonlinearity="tanh"):
    return dict(rnn=rnn, hidden=hidden, vocab=vocab, emb=emb, size=size, layers=layers, bidir=bidir,
                nonlinearity=nonlinearity)


def dec(rnn, hidden, vocab, emb, attention=None, attention_size=None, input_feeding=False, combine_bias=True,
        layers=1):
    return dict(rnn=rnn, hidden=hidden, vocab=vocab, emb=emb, attention=attention, attention_size=attention_size,
                input_feeding=input_feeding, combine_bias=combine_bias, layers=layers)


def bridge(directions="concat", linear=False, activation="tanh"):
    return dict(directions=directions, linear=linear, activation=activation)


CASES = [
    case("dot_lstm_enc_gru_dec", 1501,
         "Luong dot with input feeding; unidirectional LSTM encoder (its c_n unused) into a GRU decoder, no bridge "
         "linear (h0 = h_n).",
         encoder=enc("lstm", 8, vocab=11, emb=6), bridge=bridge("concat"),
         decoder=dec("gru", 8, 9, 5, "dot", input_feeding=True)),
    case("dot_lstm_bidir_concat", 1502,
         "Luong dot with input feeding; bidirectional LSTM encoder (He 5), directions concatenated into the "
         "LSTM decoder's h0 and c0 (Hd 10) without linears.",
         encoder=enc("lstm", 5, vocab=10, emb=4, bidir=True), bridge=bridge("concat"),
         decoder=dec("lstm", 10, 8, 6, "dot", input_feeding=True)),
    case("general_lstm_bidir_concat_tanh", 1503,
         "Luong general with input feeding; bidirectional LSTM encoder, concat bridge through bridge.h/bridge.c "
         "with tanh.",
         encoder=enc("lstm", 6, vocab=12, emb=5, bidir=True), bridge=bridge("concat", linear=True),
         decoder=dec("lstm", 8, 9, 5, "general", input_feeding=True)),
    case("general_gru_bidir_sum_linear_none", 1504,
         "Luong general with input feeding and a bias-free combine; bidirectional GRU encoder, directions summed, "
         "bridge.h without activation.",
         encoder=enc("gru", 7, vocab=10, emb=5, bidir=True), bridge=bridge("sum", linear=True, activation="none"),
         decoder=dec("gru", 9, 8, 4, "general", input_feeding=True, combine_bias=False)),
    case("concat_lstm_bidir_sum", 1505,
         "Luong concat (A 6) with input feeding; bidirectional LSTM encoder, directions summed into h0 and c0 "
         "without linears.",
         encoder=enc("lstm", 8, vocab=9, emb=5, bidir=True), bridge=bridge("sum"),
         decoder=dec("lstm", 8, 10, 6, "concat", attention_size=6, input_feeding=True)),
    case("concat_gru_no_input_feeding", 1506,
         "Luong concat (A 5) without input feeding; unidirectional GRU encoder, bridge.h with tanh.",
         encoder=enc("gru", 6, vocab=11, emb=4), bridge=bridge("concat", linear=True),
         decoder=dec("gru", 8, 9, 5, "concat", attention_size=5, input_feeding=False)),
    case("bahdanau_gru", 1507,
         "The PyTorch seq2seq tutorial's shape: GRU encoder, AttnDecoderRNN with BahdanauAttention (A 8), "
         "h0 = h_n.",
         encoder=enc("gru", 8, vocab=12, emb=8), bridge=bridge("concat"),
         decoder=dec("gru", 8, 10, 8, "bahdanau", attention_size=8)),
    case("bahdanau_lstm_bidir_concat_tanh", 1508,
         "Bahdanau (A 6) into an LSTM decoder; bidirectional LSTM encoder, concat bridge through bridge.h/bridge.c "
         "with tanh.",
         encoder=enc("lstm", 5, vocab=9, emb=4, bidir=True), bridge=bridge("concat", linear=True),
         decoder=dec("lstm", 7, 8, 5, "bahdanau", attention_size=6)),
    case("general_lstm_2layer_bidir", 1509,
         "Two layers on both sides: bidirectional 2-layer LSTM encoder, concat bridge with linears and tanh per "
         "layer, 2-layer LSTM decoder, Luong general with input feeding.",
         encoder=enc("lstm", 6, vocab=10, emb=5, layers=2, bidir=True), bridge=bridge("concat", linear=True),
         decoder=dec("lstm", 8, 9, 5, "general", input_feeding=True, layers=2)),
    case("bahdanau_gru_2layer_bidir_sum", 1510,
         "Bahdanau (A 7) over a bidirectional 2-layer GRU encoder, directions summed (no linear) into a 2-layer "
         "GRU decoder; the query is the top layer's h_{t-1}.",
         encoder=enc("gru", 8, vocab=11, emb=6, layers=2, bidir=True), bridge=bridge("sum"),
         decoder=dec("gru", 8, 9, 6, "bahdanau", attention_size=7, layers=2)),
    case("float_source_general_gru", 1511,
         "Float source steps (size 3, no encoder embedding); bidirectional GRU encoder, concat bridge with tanh, "
         "Luong general with input feeding.",
         encoder=enc("gru", 6, size=3, bidir=True), bridge=bridge("concat", linear=True),
         decoder=dec("gru", 8, 9, 5, "general", input_feeding=True)),
    case("mixed_rnn_enc_lstm_dec", 1512,
         "Tanh Elman RNN encoder into an LSTM decoder without bridge linears: h0 = h_n, c0 = 0; Luong general "
         "without input feeding.",
         encoder=enc("rnn", 8, vocab=10, emb=5), bridge=bridge("concat"),
         decoder=dec("lstm", 8, 9, 5, "general", input_feeding=False)),
    case("caption_lstm_feed", 1513,
         "Captioning: h0 = tanh(features.h(f)), c0 = tanh(features.c(f)), f (size 6) appended to every decoder "
         "input; LSTM decoder, no attention.",
         features=dict(size=6, activation="tanh", feed=True),
         decoder=dec("lstm", 8, 9, 5)),
    case("caption_gru_2layer_nofeed", 1514,
         "Captioning: h0 = features.h(f) without activation for both layers of a 2-layer GRU decoder; f (size 5) "
         "not fed.",
         features=dict(size=5, activation="none", feed=False),
         decoder=dec("gru", 7, 8, 4, layers=2)),
    case("odd_general_lstm_h13", 1515,
         "Odd sizes: bidirectional LSTM encoder He 13 (De 26, embedding 11, source vocab 19), concat bridge with "
         "tanh into an LSTM decoder Hd 17 (vocab 23, embedding 7), Luong general with input feeding.",
         encoder=enc("lstm", 13, vocab=19, emb=11, bidir=True), bridge=bridge("concat", linear=True),
         decoder=dec("lstm", 17, 23, 7, "general", input_feeding=True), max_source=9, max_length=10),
]


# --------------------------------------------------------------------------- building

def build(c):
    torch.manual_seed(c["seed"])
    d = c["decoder"]
    encoder = br = features = None
    feed = 0
    if c["encoder"] is not None:
        e = c["encoder"]
        encoder = m.Encoder(e["rnn"], e["hidden"], e["layers"], e["bidir"], vocab=e["vocab"],
                            embedding_size=e["emb"], input_size=e["size"], nonlinearity=e["nonlinearity"])
        assert d["layers"] == e["layers"], "the contract pairs decoder layer l with encoder layer l"
        b = c["bridge"]
        br = m.Bridge(encoder, d["rnn"], d["hidden"], b["directions"], b["linear"], b["activation"])
        De = encoder.output_size
    else:
        f = c["features"]
        features = m.FeatureInit(f["size"], d["rnn"], d["hidden"], d["layers"], f["activation"], f["feed"])
        feed = f["size"] if f["feed"] else 0
        De = 0
    decoder = m.Decoder(d["vocab"], d["emb"], d["rnn"], d["hidden"], d["layers"], d["attention"], De,
                        d["attention_size"], d["input_feeding"], feed, d["combine_bias"])
    model = m.Seq2Seq(decoder, encoder, br, features, max_source_length=c["max_source"],
                      max_length=c["max_length"], max_beam=c["max_beam"])
    scale_groups(model, c["scale"])
    return model.eval()


def scale_groups(model, scale):
    """PyTorch's default init (U(+-1/sqrt(H))) gives near-uniform attention and flat output distributions on
    small random models; larger weights make the cases discriminating."""
    groups = {"encoder.rnn.": "encoder_rnn", "decoder.attention.": "attention", "decoder.combine.": "combine",
              "decoder.out.": "out", "bridge.": "bridge", "features.": "features"}
    with torch.no_grad():
        for name, p in model.named_parameters():
            for prefix, group in groups.items():
                if name.startswith(prefix):
                    p.mul_(scale[group])
        # a raised stop logit, so that greedy and beam finish within max_length in many examples
        model.decoder.out.bias[model.stop_token] += scale["stop_bias"]


def load(model, tensors, dtype):
    model.load_state_dict(OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in tensors.items()), strict=True)
    return model.to(dtype)


def draw_input(c, rng, length):
    if c["features"] is not None:
        return None, rng.standard_normal(c["features"]["size"]).astype(np.float32)
    e = c["encoder"]
    if e["vocab"] is not None:
        return [int(t) for t in rng.integers(0, e["vocab"], size=length)], None
    return rng.standard_normal((length, e["size"])).astype(np.float32), None


def describe(model, run, teacher, widths, margins=None):
    """Everything an example records, from one model (float32 or float64)."""
    logits, attention = run.teacher_forced(teacher)
    r = OrderedDict()
    if run.encoder_outputs is not None:
        r["encoder_outputs"] = run.encoder_outputs.numpy()
        r["encoder_h_n"] = run.h_n.numpy()
        if run.c_n is not None:
            r["encoder_c_n"] = run.c_n.numpy()
    r["decoder_h0"] = run.initial_state.h.numpy()
    if model.decoder.rnn_type == "lstm":
        r["decoder_c0"] = run.initial_state.c.numpy()
    r["teacher_tokens"] = list(teacher)
    r["logits"] = logits
    if attention is not None:
        r["attention"] = attention
    r["greedy"] = m.greedy(run, margins)
    r["beam"] = []
    for w in widths:
        tokens, score = m.beam(run, w, margins)
        r["beam"].append(OrderedDict([("width", w), ("tokens", tokens), ("score", score)]))
    return r


def max_float_diff(a, b):
    worst = 0.0
    for k, v in a.items():
        if isinstance(v, np.ndarray):
            worst = max(worst, float(np.max(np.abs(v.astype(np.float64) - b[k].astype(np.float64)))))
    for x, y in zip(a["beam"], b["beam"]):
        worst = max(worst, abs(x["score"] - y["score"]))
    return worst


def source_lengths(c):
    S = c["max_source"]
    return [S, 3, max(1, S - 2)][:EXAMPLES]


# --------------------------------------------------------------------------- output

def json_value(v):
    if isinstance(v, np.ndarray):
        if v.ndim == 1:
            return "[" + ",".join(fnum(x) for x in v) + "]"
        return "[" + ",".join(json_value(row) for row in v) + "]"
    if isinstance(v, float):
        return fnum(v)
    if isinstance(v, dict):
        return "{ " + ", ".join("%s: %s" % (json.dumps(k), json_value(x)) for k, x in v.items()) + " }"
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return "[" + ", ".join(json_value(x) for x in v) + "]"
    return json.dumps(v)


def expected_text(header, examples):
    lines = ["{"]
    for k, v in header.items():
        lines.append("  %s: %s," % (json.dumps(k), repr(v) if k == "tolerance" else json_value(v)))
    lines.append('  "examples": [')
    blocks = []
    for ex in examples:
        fields = ["      %s: %s" % (json.dumps(k), json_value(v)) for k, v in ex.items()]
        blocks.append("    {\n" + ",\n".join(fields) + "\n    }")
    lines.append(",\n".join(blocks))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- generation

def generate(c, out_dir):
    name = c["name"]
    model = build(c)
    stored = m.state_dict_f32(model)
    st_path = os.path.join(out_dir, name + ".safetensors")
    write_safetensors(st_path, stored, "F32", {"format": "pt"})
    back, _, _ = read_safetensors(st_path)
    assert list(back) == list(stored) and all(np.array_equal(back[k], stored[k]) for k in stored)
    m64 = load(build(c), back, torch.float64)
    m32 = load(build(c), back, torch.float32)

    rng = np.random.default_rng(c["seed"])
    V = c["decoder"]["vocab"]
    widths = sorted({1, 2, c["max_beam"]})
    examples, f32_worst, margin_worst, attempts, numpy_worst = [], 0.0, np.inf, 0, 0.0
    manifest = json.loads(m.manifest_text(model, name + ".safetensors"))
    lengths = source_lengths(c) if c["features"] is None else [None] * EXAMPLES
    for length in lengths:
        for attempt in range(50):
            attempts += 1
            source, features = draw_input(c, rng, length)
            teacher = [model.start_token] + [int(t) for t in rng.integers(0, V, size=TEACHER_STEPS - 1)]
            margins = m.Margins()
            r64 = describe(m64, m64.begin(source, features), teacher, widths, margins)
            r32 = describe(m32, m32.begin(source, features), teacher, widths)
            same_choices = r32["greedy"] == r64["greedy"] and \
                [b["tokens"] for b in r32["beam"]] == [b["tokens"] for b in r64["beam"]]
            # a greedy output of the stop token alone would leave the decoder's recurrence untested
            if margins.smallest >= MIN_MARGIN and same_choices and len(r64["greedy"]) >= 2:
                break
        else:
            raise RuntimeError("%s: no example with clear decoding decisions" % name)
        diff = max_float_diff(r32, r64)
        assert diff <= F32_LIMIT, (name, diff)
        independent = numpy_reference.teacher_forced(manifest, back, source, features, teacher)
        for k, v in r64.items():
            if isinstance(v, np.ndarray):
                numpy_worst = max(numpy_worst, float(np.max(np.abs(independent[k] - v))))
        assert numpy_worst <= NUMPY_LIMIT, (name, numpy_worst)
        f32_worst, margin_worst = max(f32_worst, diff), min(margin_worst, margins.smallest)
        ex = OrderedDict()
        if source is not None:
            ex["source"] = np.asarray(source) if not isinstance(source, list) else source
        if features is not None:
            ex["features"] = features
        for k, v in r64.items():
            ex[k] = v.astype(np.float32) if isinstance(v, np.ndarray) else v
        for b in ex["beam"]:
            b["score"] = float(np.float32(b["score"]))
        examples.append(ex)

    header = OrderedDict([("name", name), ("description", c["description"]),
                          ("torch_version", torch.__version__), ("f32_maxdiff", float(np.float32(f32_worst))),
                          ("tolerance", TOLERANCE)])
    exp = expected_text(header, examples)
    man = m.manifest_text(model, name + ".safetensors")
    parsed = json.loads(exp)
    assert len(parsed["examples"]) == len(examples)
    for pe, ex in zip(parsed["examples"], examples):
        for k, v in ex.items():
            if isinstance(v, np.ndarray) and v.dtype == np.float32:
                assert np.array_equal(np.array(pe[k], dtype=np.float32), v), (name, k)
    json.loads(man)
    with open(os.path.join(out_dir, name + ".edgernn.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(man)
    with open(os.path.join(out_dir, name + ".expected.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(exp)
    return examples, f32_worst, margin_worst, attempts, numpy_worst


def attention_spread(examples):
    """The largest attention weight seen (1/S would be uniform)."""
    return max(float(np.max(ex["attention"])) for ex in examples) if "attention" in examples[0] else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="generate only these case names")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    t0 = time.time()
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    os.makedirs(OUT_DIR, exist_ok=True)
    beam_differs = 0
    for c in CASES:
        if args.only and c["name"] not in args.only:
            continue
        examples, f32d, margin, attempts, npd = generate(c, OUT_DIR)
        differs = sum(any(b["tokens"] != ex["greedy"] for b in ex["beam"]) for ex in examples)
        stops = sum(ex["greedy"][-1] == 2 for ex in examples)
        beam_stops = sum(b["tokens"][-1] == 2 for ex in examples for b in ex["beam"])
        beam_differs += differs > 0
        spread = attention_spread(examples)
        print("%-34s numpy_diff=%.1g f32_maxdiff=%.2g margin=%.2g draws=%d beam!=greedy:%d/%d greedy_stops:%d beam_stops:%d max_attention=%s" % (
            c["name"], npd, f32d, margin, attempts, differs, len(examples), stops, beam_stops, "-" if spread is None else "%.2f" % spread))
    print("cases where beam differs from greedy: %d; %.1f s" % (beam_differs, time.time() - t0))


if __name__ == "__main__":
    main()
