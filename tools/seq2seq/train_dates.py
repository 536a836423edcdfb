#!/usr/bin/env python3
"""Train the DateNormalization sample: dates written many ways -> ISO 8601 ("the 3rd of march 1998" -> "1998-03-03").

    /usr/bin/python3 tools/seq2seq/train_dates.py              # about 3 minutes on one core
    /usr/bin/python3 tools/seq2seq/train_dates.py --minutes 2 --threads 2

Data: generated (seeded); numeric forms are day first ("03/04/1998" is 3 April); two-digit years are 1950-2049.
Model (modules.py, the reference modules of the C# generator): character embedding -> bidirectional GRU encoder
-> concat bridge through bridge.h + tanh -> GRU decoder with Luong "general" attention, input feeding and the
combine layer -> 14-token output (digits, '-', start, stop). Training uses teacher forcing on batches of sources
of one length (no padding, so the encoder sees exactly what EdgeRnn's does), Adam, gradient clipping, and stops
when validation exact match reaches 99.7% or time runs out.

Writes
    samples/DateNormalization/Model/dates.edgernn.json, dates.safetensors, vocab.json
    samples/DateNormalization/data/heldout.tsv      source, target, PyTorch greedy, PyTorch beam (width 4)
    samples/DateNormalization/data/attention_pytorch.svg   PyTorch's attention map of the first held-out example
and prints PyTorch's exact-match accuracy on the held-out set (greedy and beam).
"""
import argparse
import datetime
import json
import os
import random
import sys
import time
from collections import OrderedDict, defaultdict

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import modules as m  # noqa: E402
from attention_svg import attention_svg  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.join(ROOT, "samples", "DateNormalization", "Model")
DATA_DIR = os.path.join(ROOT, "samples", "DateNormalization", "data")

SEED = 15
MAX_SOURCE = 40          # encoder.max_length; the longest generated source is well below it
TARGET_LENGTH = 10       # "yyyy-mm-dd"
MAX_DECODE = 12          # decoder.max_length: 10 characters + stop, with one to spare
MAX_BEAM = 4
HELDOUT = 500
VALIDATION = 500
TRAIN_POOL = 60000
BATCH = 64

TARGET_TOKENS = ["<pad>", "<s>", "</s>", "-"] + [str(d) for d in range(10)]
START, STOP = 1, 2

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


# --------------------------------------------------------------------------- data

def ordinal(d):
    suffix = "th" if 11 <= d % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return "%d%s" % (d, suffix)


def cased(word, rng):
    r = rng.random()
    return word.capitalize() if r < 0.35 else (word.upper() if r < 0.45 else word)


def formats(date, rng):
    d, mo, y = date.day, date.month, date.year
    month = cased(MONTHS[mo - 1], rng)
    mon = cased(MONTHS[mo - 1][:3], rng)
    wd = cased(WEEKDAYS[date.weekday()], rng)
    yy = "%02d" % (y % 100)
    return [
        "the %s of %s %d" % (ordinal(d), month, y),
        "%02d/%02d/%d" % (d, mo, y),
        "%s %d, %d" % (month, d, y),
        "%d %s %s" % (d, mon, yy),
        "%d %s %d" % (d, month, y),
        "%d-%02d-%02d" % (y, mo, d),
        "%d.%d.%d" % (d, mo, y),
        "%s %d %d" % (mon, d, y),
        "%s %s, %d" % (month, ordinal(d), y),
        "%02d-%s-%s" % (d, mon, yy),
        "%s %d %s %d" % (wd, d, month, y),
        "%s, %s %d, %d" % (wd, month, d, y),
        "%d/%d/%s" % (d, mo, yy),
        "%d/%02d/%02d" % (y, mo, d),
        "%s %s %d" % (ordinal(d), month, y),
    ]


def random_example(rng):
    two_digit_year_ok = True
    date = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(200 * 365 + 48))
    choices = formats(date, rng)
    k = rng.randrange(len(choices))
    if date.year < 1950 or date.year > 2049:
        two_digit_year_ok = False
    while not two_digit_year_ok and k in (3, 9, 12):   # two-digit years only where they are unambiguous
        k = rng.randrange(len(choices))
    return choices[k], date.isoformat()


def make_data(rng):
    """Held-out, validation and training sets with disjoint source strings."""
    seen, sets = set(), []
    for n in (HELDOUT, VALIDATION, TRAIN_POOL):
        part = []
        while len(part) < n:
            src, tgt = random_example(rng)
            if src in seen:
                continue
            seen.add(src)
            part.append((src, tgt))
        sets.append(part)
    return sets


class Vocab:
    def __init__(self, chars):
        self.source_tokens = ["<unk>"] + sorted(chars)
        self.source_index = {c: i for i, c in enumerate(self.source_tokens)}

    def source_ids(self, text):
        return [self.source_index.get(c, 0) for c in text]

    @staticmethod
    def target_ids(text):
        return [TARGET_TOKENS.index(c) for c in text]

    @staticmethod
    def target_text(ids):
        return "".join(TARGET_TOKENS[i] for i in ids if i > STOP)

    def json(self):
        return OrderedDict([
            ("source", OrderedDict([("unknown_token", 0), ("tokens", self.source_tokens)])),
            ("target", OrderedDict([("start_token", START), ("stop_token", STOP), ("tokens", TARGET_TOKENS)])),
            ("max_source_length", MAX_SOURCE),
            ("note", "token id = index in tokens; source characters not listed map to unknown_token; "
                     "numeric dates are day first; output = the target tokens' characters without <s>/</s>"),
        ])


def vocab_text(d):
    """Indented JSON with each token list on one line."""
    def dump(v, indent):
        if isinstance(v, dict):
            pad = "  " * (indent + 1)
            return "{\n" + ",\n".join("%s%s: %s" % (pad, json.dumps(k), dump(x, indent + 1)) for k, x in v.items()) \
                + "\n" + "  " * indent + "}"
        return json.dumps(v, ensure_ascii=False)
    return dump(d, 0) + "\n"


def batches_by_length(pairs, vocab, rng):
    """Batches whose sources all have one length (no padding needed)."""
    buckets = defaultdict(list)
    for src, tgt in pairs:
        buckets[len(src)].append((vocab.source_ids(src), [START] + vocab.target_ids(tgt) + [STOP]))
    out = []
    for items in buckets.values():
        rng.shuffle(items)
        for i in range(0, len(items), BATCH):
            chunk = items[i:i + BATCH]
            out.append((torch.tensor([s for s, _ in chunk]), torch.tensor([t for _, t in chunk])))
    rng.shuffle(out)
    return out


# --------------------------------------------------------------------------- model

def build_model(source_vocab):
    encoder = m.Encoder("gru", 32, bidirectional=True, vocab=source_vocab, embedding_size=16)
    decoder = m.Decoder(len(TARGET_TOKENS), 16, "gru", 64, attention="general",
                        encoder_output_size=encoder.output_size, input_feeding=True)
    bridge = m.Bridge(encoder, "gru", 64, "concat", linear=True, activation="tanh")
    return m.Seq2Seq(decoder, encoder, bridge, start_token=START, stop_token=STOP, max_source_length=MAX_SOURCE,
                     max_length=MAX_DECODE, max_beam=MAX_BEAM)


def batched_decode(model, src, tgt_in=None, steps=None):
    """Batched form of modules.Decoder.step for this model (GRU, one layer, Luong general, input feeding).
    With tgt_in: teacher forcing, returns logits [B, T, V]; without: greedy, returns token ids [B, steps]."""
    enc, br, dec = model.encoder, model.bridge, model.decoder
    outs, h_n = enc.rnn(enc.embedding(src))                       # [B, S, De], [2, B, He]
    B = src.shape[0]
    h = torch.tanh(br.h(h_n.permute(1, 0, 2).reshape(B, -1))).unsqueeze(0)   # [1, B, Hd]: [h_fwd; h_bwd]
    keys = dec.attention.linear_in(outs)                           # W s_j, [B, S, Hd]
    feed = torch.zeros(B, dec.hidden)
    token = torch.full((B,), START, dtype=torch.long)
    logits, tokens = [], []
    for t in range(tgt_in.shape[1] if tgt_in is not None else steps):
        if tgt_in is not None:
            token = tgt_in[:, t]
        x = torch.cat([dec.embedding(token), feed], dim=1).unsqueeze(1)
        top, h = dec.rnn(x, h)
        top = top[:, 0]
        weights = F.softmax(torch.bmm(keys, top.unsqueeze(2)).squeeze(2), dim=1)
        context = torch.bmm(weights.unsqueeze(1), outs).squeeze(1)
        feed = torch.tanh(dec.combine(torch.cat([context, top], dim=1)))
        lg = dec.out(feed)
        logits.append(lg)
        token = lg.argmax(dim=1)
        tokens.append(token)
    return torch.stack(logits, dim=1) if tgt_in is not None else torch.stack(tokens, dim=1)


def exact_match(model, pairs, vocab):
    """Batched greedy exact match (a check during training; the reported numbers use modules.greedy)."""
    correct = 0
    with torch.no_grad():
        for src, tgt in batches_by_length(pairs, vocab, random.Random(0)):
            pred = batched_decode(model, src, steps=TARGET_LENGTH + 1)
            correct += int((pred == tgt[:, 1:]).all(dim=1).sum())
    return correct / len(pairs)


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=4.0, help="training time limit (default 4)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--target", type=float, default=0.997, help="stop when validation exact match reaches this")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    t_start = time.time()

    heldout, validation, train = make_data(rng)
    vocab = Vocab({c for src, _ in heldout + validation + train for c in src})
    assert max(len(s) for s, _ in heldout + validation + train) <= MAX_SOURCE
    model = build_model(len(vocab.source_tokens))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    print("data: %d train, %d validation, %d held-out; source vocab %d; %d parameters" % (
        len(train), len(validation), len(heldout), len(vocab.source_tokens),
        sum(p.numel() for p in model.parameters())))

    t0, step, epoch, done = time.time(), 0, 0, False
    while not done:
        epoch += 1
        model.train()
        for src, tgt in batches_by_length(train, vocab, rng):
            logits = batched_decode(model, src, tgt[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            if step % 200 == 0:
                model.eval()
                acc = exact_match(model, validation, vocab)
                model.train()
                print("step %5d  epoch %d  %5.1f s  loss %.4f  validation exact match %.1f%%" % (
                    step, epoch, time.time() - t0, loss.item(), 100 * acc), flush=True)
                if acc >= args.target or time.time() - t0 > args.minutes * 60:
                    done = True
                    break
        if not done and epoch >= 2:
            sched.step()
    train_seconds = time.time() - t0
    model.eval()

    # ---- write the model exactly as stored (float32), then reload it: the predictions come from the file
    os.makedirs(MODEL_DIR, exist_ok=True)
    os.makedirs(DATA_DIR, exist_ok=True)
    st_path = os.path.join(MODEL_DIR, "dates.safetensors")
    write_safetensors(st_path, m.state_dict_f32(model), "F32", {"format": "pt"})
    with open(os.path.join(MODEL_DIR, "dates.edgernn.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(m.manifest_text(model, "dates.safetensors"))
    with open(os.path.join(MODEL_DIR, "vocab.json"), "w", encoding="utf-8", newline="\n") as f:
        f.write(vocab_text(vocab.json()))
    back, _, _ = read_safetensors(st_path)
    model = build_model(len(vocab.source_tokens))
    model.load_state_dict(OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in back.items()), strict=True)
    model.eval()

    # ---- the trainer's batched path and the reference modules' step path must agree
    with torch.no_grad():
        for src, tgt in heldout[:20]:
            ids = vocab.source_ids(src)
            teacher = [START] + vocab.target_ids(tgt)
            batched = batched_decode(model, torch.tensor([ids]), torch.tensor([teacher]))[0].numpy()
            stepwise, _ = model.begin(source=ids).teacher_forced(teacher)
            assert np.max(np.abs(batched - stepwise)) < 1e-4, np.max(np.abs(batched - stepwise))

    # ---- held-out predictions with the reference decoding rules (what EdgeRnn reproduces)
    rows, greedy_ok, beam_ok = [], 0, 0
    for src, tgt in heldout:
        run = model.begin(source=vocab.source_ids(src))
        g = vocab.target_text(m.greedy(run))
        b = vocab.target_text(m.beam(run, MAX_BEAM)[0])
        greedy_ok += g == tgt
        beam_ok += b == tgt
        rows.append((src, tgt, g, b))
    with open(os.path.join(DATA_DIR, "heldout.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("source\ttarget\tpytorch_greedy\tpytorch_beam%d\n" % MAX_BEAM)
        for r in rows:
            assert all("\t" not in x for x in r)
            f.write("\t".join(r) + "\n")

    example = "the 3rd of march 1998"
    run = model.begin(source=vocab.source_ids(example))
    tokens = m.greedy(run)
    _, attention = run.teacher_forced([START] + tokens[:-1])
    outputs = [TARGET_TOKENS[t] for t in tokens]
    attention_svg(attention.tolist(), list(example), outputs,
                  os.path.join(DATA_DIR, "attention_pytorch.svg"),
                  title="PyTorch: %s \u2192 %s" % (example, vocab.target_text(tokens)))

    print("training: %d steps, %d epochs, %.1f s (threads %d); total %.1f s" % (
        step, epoch, train_seconds, args.threads, time.time() - t_start))
    print("PyTorch exact match on %d held-out examples: greedy %.1f%%, beam(%d) %.1f%%" % (
        len(heldout), 100.0 * greedy_ok / len(heldout), MAX_BEAM, 100.0 * beam_ok / len(heldout)))
    wrong = [r for r in rows if r[2] != r[1]][:10]
    for r in wrong:
        print("  wrong: %-32s %s  greedy %s" % (r[0], r[1], r[2]))


if __name__ == "__main__":
    main()
