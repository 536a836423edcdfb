#!/usr/bin/env python3
"""Time one decoder step of the DateNormalization model in PyTorch and export that step to ONNX.

    /usr/bin/python3 tools/seq2seq/bench_decode_step.py              # timing (a few seconds) + export
    /usr/bin/python3 tools/seq2seq/bench_decode_step.py --no-export

The step is the model's decoder with the source already encoded: previous token, decoder state (GRU h and the
input-feeding vector h~) and the encoder outputs in; logits, attention weights and the new state out. PyTorch is
timed on the CPU with torch.set_num_threads(1), no autograd, as the median of many single-step calls:
  - reference step:  modules.Decoder.step as the reference cases run it (Luong general scores q.(W s_j),
                     W applied to every encoder output at every step);
  - step module:     DecoderStep below, the form an efficient implementation uses (q.(W s_j) = (W^T q).s_j,
                     so W is applied once per step), eager and TorchScript-traced;
  - whole greedy decode of one source (encoder + bridge + greedy steps through modules.py).

The ONNX file (samples/DateNormalization/Model/decoder_step.onnx, opset 14) is DecoderStep with
    inputs   previous_token  int64 [1]
             hidden          float [1, 1, Hd]     GRU state (num_layers, batch, Hd)
             feed            float [1, Hd]        h~ of the previous step (zeros at the first step)
             encoder_outputs float [1, S, De]     S dynamic (1..40)
    outputs  logits          float [1, V]
             attention       float [1, S]
             new_hidden      float [1, 1, Hd]
             new_feed        float [1, Hd]
The export is checked structurally (the names are in the file; the `onnx` package is not installed here) and
DecoderStep itself is checked against modules.Decoder.step (1e-5) before it is exported.
"""
import argparse
import io
import json
import os
import statistics
import sys
import time
import warnings
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import modules as m  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.join(ROOT, "samples", "DateNormalization", "Model")
OPSET = 14
INPUTS = ["previous_token", "hidden", "feed", "encoder_outputs"]
OUTPUTS = ["logits", "attention", "new_hidden", "new_feed"]
EXAMPLE = "the 3rd of march 1998"


class DecoderStep(nn.Module):
    """One decoding step of a one-layer GRU decoder with Luong general attention and input feeding."""

    def __init__(self, decoder):
        super().__init__()
        assert decoder.rnn_type == "gru" and decoder.num_layers == 1
        assert decoder.attention_type == "general" and decoder.input_feeding
        self.d = decoder

    def forward(self, previous_token, hidden, feed, encoder_outputs):
        d = self.d
        x = torch.cat([d.embedding(previous_token), feed], dim=1).unsqueeze(1)    # [1, 1, Ed + Hd]
        top, new_hidden = d.rnn(x, hidden)
        top = top[:, 0]                                                           # [1, Hd]
        query = top @ d.attention.linear_in.weight                                # (W^T q), [1, De]
        scores = torch.bmm(encoder_outputs, query.unsqueeze(2)).squeeze(2)         # [1, S]
        attention = F.softmax(scores, dim=1)
        context = torch.bmm(attention.unsqueeze(1), encoder_outputs).squeeze(1)   # [1, De]
        new_feed = torch.tanh(d.combine(torch.cat([context, top], dim=1)))
        return d.out(new_feed), attention, new_hidden, new_feed


def load_model():
    with open(os.path.join(MODEL_DIR, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    sys.path.insert(0, HERE)
    import train_dates
    model = train_dates.build_model(len(vocab["source"]["tokens"]))
    tensors, _, _ = read_safetensors(os.path.join(MODEL_DIR, "dates.safetensors"))
    model.load_state_dict(OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in tensors.items()), strict=True)
    index = {c: i for i, c in enumerate(vocab["source"]["tokens"])}
    return model.eval(), [index.get(c, 0) for c in EXAMPLE]


def median_ns(fn, repetitions, warmup=200):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repetitions):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times)


def check_step(step, model, run):
    """DecoderStep == modules.Decoder.step over a greedy decode of the example."""
    state = run.initial_state
    hidden, feed = state.h.unsqueeze(1).clone(), torch.zeros(1, model.decoder.hidden)
    keys = run.encoder_outputs.unsqueeze(0)
    token = model.start_token
    with torch.no_grad():
        for _ in range(model.max_length):
            logits, weights, state = run.step(token, state)
            lg, att, hidden, feed = step(torch.tensor([token]), hidden, feed, keys)
            assert float((lg[0] - logits).abs().max()) < 1e-5 and float((att[0] - weights).abs().max()) < 1e-5
            assert float((hidden[:, 0] - state.h).abs().max()) < 1e-5 and float((feed[0] - state.feed).abs().max()) < 1e-5
            token = int(logits.argmax())
            if token == model.stop_token:
                break


def export_onnx(step, run, path):
    args = (torch.tensor([model_start(run)]), run.initial_state.h.unsqueeze(1).clone(),
            torch.zeros(1, run.model.decoder.hidden), run.encoder_outputs.unsqueeze(0).clone())
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch 1.13 warns about GRU shape inference; harmless
        torch.onnx.export(step, args, buf, opset_version=OPSET, input_names=INPUTS, output_names=OUTPUTS,
                          dynamic_axes={"encoder_outputs": {1: "source_length"}, "attention": {1: "source_length"}},
                          do_constant_folding=True)
    blob = buf.getvalue()
    for n in INPUTS + OUTPUTS:   # every graph input/output name is in the file (no onnx package here)
        if (b"\x0a" + bytes([len(n)]) + n.encode()) not in blob:
            raise SystemExit("ONNX export lost the name %r" % n)
    with open(path, "wb") as f:
        f.write(blob)
    return len(blob)


def model_start(run):
    return run.model.start_token


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repetitions", type=int, default=5000)
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    model, source = load_model()
    run = model.begin(source=source)
    step = DecoderStep(model.decoder).eval()
    check_step(step, model, run)

    state = run.initial_state
    token = model.start_token
    hidden, feed = state.h.unsqueeze(1).clone(), torch.zeros(1, model.decoder.hidden)
    keys = run.encoder_outputs.unsqueeze(0).clone()
    prev = torch.tensor([token])
    with torch.no_grad():
        traced = torch.jit.trace(step, (prev, hidden, feed, keys))
        ref_ns = median_ns(lambda: run.step(token, state), args.repetitions)
        eager_ns = median_ns(lambda: step(prev, hidden, feed, keys), args.repetitions)
        traced_ns = median_ns(lambda: traced(prev, hidden, feed, keys), args.repetitions)
        decode_ns = median_ns(lambda: m.greedy(model.begin(source=source)), max(50, args.repetitions // 20), 20)
    tokens = m.greedy(run)
    d = model.decoder
    print("model: source vocab %d, bi-GRU He %d, decoder GRU Hd %d, Luong general + input feeding, vocab %d" % (
        model.encoder.vocab, model.encoder.hidden, d.hidden, d.vocab))
    print("example %r: S = %d, %d output tokens; torch %s, 1 thread" % (EXAMPLE, len(source), len(tokens),
                                                                         torch.__version__))
    print("PyTorch decoder step, reference modules.Decoder.step: %8.0f ns (median of %d)" % (ref_ns, args.repetitions))
    print("PyTorch decoder step, DecoderStep eager:               %8.0f ns" % eager_ns)
    print("PyTorch decoder step, DecoderStep TorchScript (trace): %8.0f ns" % traced_ns)
    print("PyTorch encode + greedy decode of the example:         %8.0f ns" % decode_ns)
    if not args.no_export:
        path = os.path.join(MODEL_DIR, "decoder_step.onnx")
        size = export_onnx(step, run, path)
        print("ONNX: wrote %s (%d bytes, opset %d); inputs %s; outputs %s" % (
            os.path.relpath(path, ROOT), size, OPSET, ", ".join(INPUTS), ", ".join(OUTPUTS)))


if __name__ == "__main__":
    main()
