#!/usr/bin/env python3
"""Train the character-level language model of samples/CharLm.

Run from the repository root with Debian's interpreter (python3-torch, python3-numpy):

    apt-get install -y bible-kjv-text          # the corpus (King James Bible, public domain)
    apt-get install -y libopenblas0-pthread    # optional: about 10x faster training (see below)
    /usr/bin/python3 tools/train_charlm.py --minutes 18   # the defaults: --minutes 18 --steps 3000 --seed 1234

The model is nn.Embedding(V, 32) -> nn.LSTM(32, 192, num_layers=2, batch_first=True) -> nn.Linear(192, V),
with state_dict prefixes `embed.`, `rnn.` and `head.`. It writes into samples/CharLm/model/:

    charlm.safetensors     the weights as F16 (EdgeRnn widens F16 to F32 exactly at compile time)
    charlm.edgernn.json    the EdgeRnn manifest (token input, embedding -> lstm x2 -> linear)
    vocab.json             {"chars": "...", "fallback": " "}: token id i <-> chars[i]
    heldout.json           about 2000 held-out characters as token ids and PyTorch's mean per-character
                           cross-entropy over them (predicting token t+1 from tokens <= t, zero initial
                           state, float32 arithmetic on the F16-widened weights: the very numbers the C#
                           model computes with)

Corpus. Debian's `bible-kjv-text` ships the King James Version (1611; its copyright has expired, see
/usr/share/doc/bible-kjv-text/copyright) as /usr/lib/bible.data: the "EC02" container of the Bible
Retrieval System. Layout (big-endian u32s): at byte 0x54 the uncompressed block size (65536) and the
block count n, then n + 1 offsets; block i is bytes [off[i], off[i+1]) of the file, a Unix `compress`
(LZW, .Z) stream whose 3-byte header 1f 9d 90 is stored once, just before the first block. `gzip -dc`
decompresses .Z streams, so each block is piped through it. The text is one verse per line,
"Ge1:1 In the beginning God created ...", after a one-line title. The script drops the title and the
verse references and keeps one verse per line: plain prose with newlines.

Size: H = 192 rather than 256. Training is compute-bound (about 6 x parameters FLOPs per character), and
with ~18 minutes of 1-2 shared cores the smaller model sees about twice as many characters; in trial runs it
learned about as much per step as H = 256, so in a fixed time it gets further. 0.48 M parameters: 0.97 MB as F16.

Case is kept: capitals carry the KJV's style (LORD, God, proper names, sentence starts) and cost only
~25 extra symbols. The vocabulary is every character that occurs at least --min-count times (at most
96), sorted by code point; any other character (in the corpus or, later, in a prompt) maps to the
fallback, the space.

Training: truncated BPTT over --batch contiguous streams of the first 99% of the text (the state is
carried between batches, detached), Adam with a short warm-up and a cosine decay of the learning rate,
gradient clipping at norm 1. The last 1% (the end of Revelation) is held out. Training stops at --steps
or after --minutes of wall-clock time, whichever comes first, and the cosine schedule follows whichever
budget is further along, so a run cut short by the clock still ends with a small learning rate.
Everything is seeded: when --steps is the binding budget, two runs on the same machine give identical
weights; when the clock is (the log says which), the step count depends on the machine's load.

Threads: torch.set_num_threads(--threads), default 1. Measured on the 2 shared cores this was written on
(load average 10-15 from other jobs): 1 thread trained 2-3x faster than 2, which spent their time
waiting for each other. Debian's torch calls the system BLAS, and the default one
(/usr/lib/x86_64-linux-gnu/blas, the reference BLAS) is ~15x slower than OpenBLAS. If OpenBLAS is
installed the script re-executes itself with LD_LIBRARY_PATH pointing at it (without changing the
system's default), and with OPENBLAS_NUM_THREADS=1 and OMP_WAIT_POLICY=PASSIVE: on 2 shared cores,
OpenBLAS threads on top of torch's OpenMP threads oversubscribe the CPU and make training several
times slower. --no-openblas disables this.
"""

import argparse
import os
import sys
import sysconfig

# --------------------------------------------------------------------------- OpenBLAS (before torch)


def _openblas_dir():
    arch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    d = "/usr/lib/%s/openblas-pthread" % arch
    return d if os.path.exists(os.path.join(d, "libblas.so.3")) else None


if __name__ == "__main__" and "--no-openblas" not in sys.argv and not os.environ.get("EDGERNN_TRAIN_REEXEC"):
    _d = _openblas_dir()
    if _d:
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = _d + ((":" + env["LD_LIBRARY_PATH"]) if env.get("LD_LIBRARY_PATH") else "")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        env["EDGERNN_TRAIN_REEXEC"] = "1"
        os.execve(sys.executable, [sys.executable] + sys.argv, env)

import json  # noqa: E402
import math  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections import Counter, OrderedDict  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "samples", "CharLm", "model")
BIBLE_DATA = "/usr/lib/bible.data"
FALLBACK = " "
MAX_VOCAB = 96
HELDOUT_FRACTION = 0.01
HELDOUT_SLICE = 2000
MAX_WEIGHT_BYTES = 2 * 1024 * 1024


# --------------------------------------------------------------------------- corpus


def read_kjv(path=BIBLE_DATA):
    """The King James Bible from bible-kjv-text's EC02 container, as plain text (one verse per line)."""
    if not os.path.exists(path):
        sys.exit("%s not found: apt-get install -y bible-kjv-text" % path)
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"EC02":
        sys.exit("%s: not an EC02 file (magic %r)" % (path, data[:4]))
    block_size, count = struct.unpack_from(">II", data, 0x54)
    offsets = struct.unpack_from(">%dI" % (count + 1), data, 0x5C)
    z_header = data[offsets[0] - 3:offsets[0]]
    if z_header != b"\x1f\x9d\x90":
        sys.exit("%s: unexpected compress header %r" % (path, z_header))
    blocks = []
    for i in range(count):
        r = subprocess.run(["gzip", "-dc"], input=z_header + data[offsets[i]:offsets[i + 1]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if r.returncode != 0 or (i < count - 1 and len(r.stdout) != block_size):
            sys.exit("%s: block %d did not decompress (%s)" % (path, i, r.stderr.decode(errors="replace")))
        blocks.append(r.stdout)
    raw = b"".join(blocks).decode("ascii")
    lines = raw.split("\n")
    verses = []
    for line in lines[1:]:                       # lines[0] is the title
        line = line.strip()
        if not line:
            continue
        ref, _, text = line.partition(" ")       # "Ge1:1 In the beginning ..."
        if ":" not in ref or not ref[-1].isdigit():
            sys.exit("unexpected line %r" % line[:60])
        verses.append(" ".join(text.split()))
    return "\n".join(verses) + "\n", len(verses)


def build_vocab(text, min_count):
    counts = Counter(text)
    keep = [c for c, n in counts.most_common(MAX_VOCAB) if n >= min_count]
    if FALLBACK not in keep:
        keep.append(FALLBACK)
    chars = "".join(sorted(keep))
    dropped = {c: n for c, n in counts.items() if c not in chars}
    return chars, dropped


def encode(text, chars):
    index = {c: i for i, c in enumerate(chars)}
    fb = index[FALLBACK]
    return np.array([index.get(c, fb) for c in text], dtype=np.int64)


# --------------------------------------------------------------------------- model


class CharLm(nn.Module):
    def __init__(self, vocab, embed, hidden, layers):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)                                    # "prefix": "embed"
        self.rnn = nn.LSTM(embed, hidden, num_layers=layers, batch_first=True)    # "prefix": "rnn"
        self.head = nn.Linear(hidden, vocab)                                      # "prefix": "head"

    def forward(self, tokens, state=None):
        y, state = self.rnn(self.embed(tokens), state)
        return self.head(y), state


def mean_cross_entropy(model, tokens, streams=1):
    """Mean cross-entropy (nats/char) of predicting tokens[t+1] from tokens[<=t], zero initial state.

    streams > 1 splits the text into that many equal pieces run as one batch, each from the zero state
    (faster; used for the training-time estimates only)."""
    with torch.no_grad():
        x = torch.as_tensor(tokens, dtype=torch.long)
        n = (len(x) // streams) * streams
        x = x[:n].reshape(streams, -1)
        logits, _ = model(x[:, :-1])
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1),
                                           reduction="mean").item()


def sample(model, chars, prompt, length, temperature, seed):
    """Sample text one character at a time (softmax(logits / temperature)), torch's RNG seeded with `seed`."""
    index = {c: i for i, c in enumerate(chars)}
    fb = index[FALLBACK]
    gen = torch.Generator().manual_seed(seed)
    out = []
    with torch.no_grad():
        state = None
        ids = [index.get(c, fb) for c in prompt]
        logits, state = model(torch.tensor([ids]), state)
        last = logits[0, -1]
        for _ in range(length):
            p = torch.softmax(last.double() / temperature, dim=0)
            nxt = int(torch.multinomial(p, 1, generator=gen).item())
            out.append(chars[nxt])
            logits, state = model(torch.tensor([[nxt]]), state)
            last = logits[0, -1]
    return prompt + "".join(out)


def export_state_dict(model):
    return OrderedDict((k, v.detach().cpu().float().numpy()) for k, v in model.state_dict().items())


# --------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=3000, help="at most this many optimizer steps")
    ap.add_argument("--minutes", type=float, default=18.0,
                    help="at most this many minutes of training (export and sampling add about a minute)")
    ap.add_argument("--batch", type=int, default=128, help="parallel streams per batch")
    ap.add_argument("--bptt", type=int, default=64, help="truncated-BPTT length in characters")
    ap.add_argument("--embed", type=int, default=32)
    ap.add_argument("--hidden", type=int, default=192)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-3, help="peak learning rate (Adam)")
    ap.add_argument("--min-count", type=int, default=5, help="rarer characters map to the fallback (space)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--out", default=OUT_DIR)
    ap.add_argument("--no-openblas", action="store_true", help="keep the system's default BLAS")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line and ".so" in line})
    print("torch %s, %d thread(s), BLAS: %s" % (torch.__version__, torch.get_num_threads(),
                                                ", ".join(os.path.basename(b) for b in blas) or "?"))

    # ---- data
    text, n_verses = read_kjv()
    chars, dropped = build_vocab(text, args.min_count)
    ids = encode(text, chars)
    V = len(chars)
    n_held = int(len(ids) * HELDOUT_FRACTION)
    train_ids, held_ids = ids[:-n_held], ids[-n_held:]
    print("corpus: King James Bible (bible-kjv-text), %d verses, %d characters" % (n_verses, len(text)))
    print("vocabulary: %d characters %r; mapped to the fallback %r: %r" % (V, chars, FALLBACK, dropped))
    print("train %d characters, held out %d (the last %.0f%%)" % (len(train_ids), n_held, 100 * HELDOUT_FRACTION))

    # held-out slice for the C# check: the first HELDOUT_SLICE characters of the held-out part, from a line start
    held_text = text[-n_held:]
    start = held_text.index("\n") + 1
    slice_ids = held_ids[start:start + HELDOUT_SLICE]

    # ---- model
    model = CharLm(V, args.embed, args.hidden, args.layers)
    n_params = sum(p.numel() for p in model.parameters())
    print("model: Embedding(%d, %d) -> LSTM(%d, %d, num_layers=%d) -> Linear(%d, %d): %d parameters, %.2f MB as F16"
          % (V, args.embed, args.embed, args.hidden, args.layers, args.hidden, V, n_params, 2 * n_params / 1e6))
    if 2 * n_params > MAX_WEIGHT_BYTES:
        sys.exit("the F16 weights would be over 2 MB: choose a smaller --hidden")

    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    warmup = 20

    def lr_at(step, progress):  # linear warm-up, then cosine decay to 5% of the peak over the progress 0..1
        if step < warmup:
            return args.lr * (step + 1) / warmup
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    def progress_at(step):  # the larger of the step budget and the time budget used
        return max(step / args.steps, (time.time() - t_train) / (60 * args.minutes))

    # contiguous streams for truncated BPTT: stream b reads train_ids[b*L : (b+1)*L]
    B, T = args.batch, args.bptt
    L = len(train_ids) // B
    streams = torch.as_tensor(train_ids[:B * L].reshape(B, L))
    held_eval = held_ids[:16384]

    state = None
    pos = 0
    curve = []
    window, window_n = 0.0, 0
    chars_seen = 0
    stopped_early = False
    model.train()
    t_train = time.time()
    steps_done = 0
    for step in range(args.steps):
        progress = progress_at(step)
        if progress >= 1.0:
            stopped_early = True
            print("the %.1f-minute training budget is used up after %d steps: stopping" % (args.minutes, step))
            break
        if pos + T + 1 > L:
            pos, state = 0, None
        x = streams[:, pos:pos + T]
        y = streams[:, pos + 1:pos + T + 1]
        pos += T
        for g in opt.param_groups:
            g["lr"] = lr_at(step, progress)
        logits, state = model(x, state)
        state = tuple(s.detach() for s in state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        window += loss.item()
        window_n += 1
        chars_seen += B * T
        steps_done = step + 1
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps:
            model.eval()
            held = mean_cross_entropy(model, held_eval, streams=16)
            model.train()
            elapsed = time.time() - t_train
            curve.append((step + 1, window / window_n, held))
            lr_now = opt.param_groups[0]["lr"]
            print("step %4d  train %.4f  held-out %.4f nats/char  lr %.2e  epoch %.2f  %5.0f s  %4.0f chars/s"
                  % (step + 1, window / window_n, held, lr_now, chars_seen / len(train_ids), elapsed,
                     chars_seen / elapsed), flush=True)
            window, window_n = 0.0, 0
    train_seconds = time.time() - t_train

    # ---- export as F16 and reload: everything below uses the weights exactly as the C# model sees them
    os.makedirs(args.out, exist_ok=True)
    st_path = os.path.join(args.out, "charlm.safetensors")
    size = write_safetensors(st_path, export_state_dict(model), dtype="F16",
                             metadata={"format": "pt", "corpus": "King James Bible (Debian bible-kjv-text)"})
    tensors, dtypes, _ = read_safetensors(st_path)
    exported = CharLm(V, args.embed, args.hidden, args.layers)
    exported.load_state_dict(OrderedDict((k, torch.from_numpy(v)) for k, v in tensors.items()))
    exported.float().eval()

    manifest = OrderedDict([
        ("format", "edgernn/1"),
        ("name", "CharLm"),
        ("description", "Character-level LSTM language model trained on the King James Bible by tools/train_charlm.py"),
        ("weights", "charlm.safetensors"),
        ("layout", "pytorch"),
        ("input", OrderedDict([("vocab", V)])),
        ("layers", [
            OrderedDict([("type", "embedding"), ("prefix", "embed")]),
            OrderedDict([("type", "lstm"), ("prefix", "rnn"), ("num_layers", args.layers)]),
            OrderedDict([("type", "linear"), ("prefix", "head")]),
        ]),
    ])
    with open(os.path.join(args.out, "charlm.edgernn.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(OrderedDict([("chars", chars), ("fallback", FALLBACK)]), f, ensure_ascii=True)
        f.write("\n")

    ce32 = mean_cross_entropy(exported, slice_ids)
    ce64 = mean_cross_entropy(exported.double(), slice_ids)
    exported.float()
    held_full = mean_cross_entropy(exported, held_ids, streams=16)
    train_tail = mean_cross_entropy(exported, train_ids[-len(held_ids):], streams=16)
    heldout = OrderedDict([
        ("description", "Held-out KJV text (not trained on) as token ids; cross_entropy = mean over t of "
                        "-log softmax(logits_t)[tokens[t+1]], zero initial state, float32 torch on the "
                        "F16-widened weights of charlm.safetensors; cross_entropy_f64 = the same in float64"),
        ("torch_version", torch.__version__),
        ("cross_entropy", ce32),
        ("cross_entropy_f64", ce64),
        ("text", "".join(chars[i] for i in slice_ids)),
        ("tokens", [int(i) for i in slice_ids]),
    ])
    with open(os.path.join(args.out, "heldout.json"), "w", encoding="utf-8") as f:
        json.dump(heldout, f, ensure_ascii=True)
        f.write("\n")

    print()
    print("training curve (nats/char):")
    lo = min(min(c[1], c[2]) for c in curve)
    hi = max(max(c[1], c[2]) for c in curve)
    for s, tr, he in curve:
        bar = int(round(50 * (he - lo) / max(1e-9, hi - lo)))
        print("  %4d  train %.3f  held-out %.3f  %s" % (s, tr, he, "#" * bar))
    print()
    print("trained %d steps (%s), %.1f epochs, %.1f minutes" % (
        steps_done, "stopped by the --minutes budget" if stopped_early else "the full --steps",
        chars_seen / len(train_ids), train_seconds / 60))
    print("exported %s: %d bytes (F16), dtypes %s" % (st_path, size, sorted(set(dtypes.values()))))
    print("F16 weights: held-out cross-entropy %.4f nats/char (%.3f bits) over all %d held-out characters; "
          "%.4f over the last %d training characters (16 streams each, from the zero state)"
          % (held_full, held_full / math.log(2), len(held_ids), train_tail, len(held_ids)))
    print("heldout.json: %d tokens, cross-entropy %.6f (float32), %.6f (float64)" % (len(slice_ids), ce32, ce64))
    for seed in (1, 2):
        print()
        print("sample, temperature 0.8, torch seed %d:" % seed)
        print(sample(exported, chars, "The ", 400, 0.8, seed))
    print()
    print("total %.1f minutes" % ((time.time() - t_start) / 60))
    if size > MAX_WEIGHT_BYTES:
        sys.exit("charlm.safetensors is %d bytes: over the 2 MB limit" % size)


if __name__ == "__main__":
    main()
