#!/usr/bin/env python3
"""Self-check of the decoding rules in modules.py (contract section 4).

    /usr/bin/python3 tools/seq2seq/check_decoding.py

On tiny random models (vocab 4-5, max_length 3-4) of several shapes:
1. Exhaustive search: every token sequence of length <= max_length that ends in the stop token (and has no earlier
   stop) is scored from scratch (teacher forcing from the initial state, summing log_softmax). A beam wider than
   the number of live sequences never prunes, so `beam` must return the best of them (ties: shorter first).
2. Width 1 equals greedy, and its score equals the from-scratch score of the greedy sequence.
3. For every width, the incremental `beam` (which carries decoder states) equals an independent, stateless
   reimplementation of the section-4 rule that rescoring every prefix from scratch.
4. Every returned score equals the from-scratch score of the returned tokens.
"""
import itertools
import os
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modules as m  # noqa: E402


def score_from_scratch(run, tokens):
    """Sum of log_softmax of `tokens`, teacher-forcing start_token + tokens[:-1] from the initial state."""
    state, previous, total = run.initial_state, run.model.start_token, 0.0
    for tok in tokens:
        lp, _, state = run.log_probs(previous, state)
        total += lp[tok]
        previous = tok
    return total


def exhaustive_best(run):
    model = run.model
    V = model.decoder.vocab
    best = None
    for length in range(1, model.max_length + 1):
        for body in itertools.product([t for t in range(V) if t != model.stop_token], repeat=length - 1):
            tokens = list(body) + [model.stop_token]
            s = score_from_scratch(run, tokens)
            if best is None or s > best[1]:   # strictly greater: a shorter sequence wins a tie
                best = (tokens, s)
    return best


def stateless_beam(run, width):
    """Contract section 4 written from the text, recomputing every score from scratch."""
    model = run.model
    V = model.decoder.vocab
    alive, finished = [[]], []
    for _ in range(model.max_length):
        expansions = sorted(((score_from_scratch(run, h + [t]), i, t) for i, h in enumerate(alive)
                             for t in range(V)), key=lambda e: (-e[0], e[1], e[2]))
        new_alive = []
        for s, i, t in expansions[:width]:
            (finished if t == model.stop_token else new_alive).append(alive[i] + [t])
        alive = new_alive
        if not alive:
            break
        if finished and max(score_from_scratch(run, f) for f in finished) >= score_from_scratch(run, alive[0]):
            break
    if finished:
        order = sorted(range(len(finished)),
                       key=lambda k: (-score_from_scratch(run, finished[k]), len(finished[k]), k))
        return finished[order[0]]
    return alive[0]


def tiny_models():
    yield "luong_general_gru", m.Seq2Seq(
        m.Decoder(4, 3, "gru", 5, attention="general", encoder_output_size=6, input_feeding=True),
        m.Encoder("gru", 3, bidirectional=True, vocab=6, embedding_size=3),
        m.Bridge(m.Encoder("gru", 3, bidirectional=True, vocab=6, embedding_size=3), "gru", 5, "concat", True),
        max_source_length=5, max_length=4, max_beam=4)
    yield "bahdanau_lstm", m.Seq2Seq(
        m.Decoder(5, 3, "lstm", 4, attention="bahdanau", encoder_output_size=4, attention_size=3),
        m.Encoder("lstm", 4, vocab=6, embedding_size=3),
        m.Bridge(m.Encoder("lstm", 4, vocab=6, embedding_size=3), "lstm", 4, "concat", False),
        max_source_length=5, max_length=3, max_beam=4)
    yield "caption_gru_feed", m.Seq2Seq(
        m.Decoder(4, 3, "gru", 5, feature_feed_size=3), features=m.FeatureInit(3, "gru", 5, 1, "tanh", True),
        max_length=4, max_beam=4)


def main():
    torch.set_num_threads(1)
    checked = 0
    for seed in range(12):
        for name, model in tiny_models():
            torch.manual_seed(1000 + seed)
            with torch.no_grad():
                for p in model.parameters():
                    p.normal_(0.0, 1.2)     # peaky, varied distributions; different winners per seed
            model = model.double().eval()
            model.max_beam = model.decoder.vocab ** model.max_length   # no pruning for the exhaustive width
            rng = np.random.default_rng(seed)
            if model.is_captioning:
                run = model.begin(features=rng.standard_normal(3))
            else:
                run = model.begin(source=rng.integers(0, 6, size=int(rng.integers(1, 6))))

            g = m.greedy(run)
            b1, s1 = m.beam(run, 1)
            assert b1 == g, (name, seed, b1, g)
            assert abs(s1 - score_from_scratch(run, g)) < 1e-9

            wide = model.max_beam
            best = exhaustive_best(run)
            bw, sw = m.beam(run, wide)
            assert bw == best[0] and abs(sw - best[1]) < 1e-9, (name, seed, bw, sw, best)

            for width in (1, 2, 3, 5, wide):
                tokens, score = m.beam(run, width)
                assert tokens == stateless_beam(run, width), (name, seed, width)
                assert abs(score - score_from_scratch(run, tokens)) < 1e-9
                checked += 1
            print("%-18s seed %2d greedy %-14s beam(2) %-14s exhaustive best %s (%.4f)" % (
                name, seed, g, m.beam(run, 2)[0], best[0], best[1]))
    print("ok: %d beam results checked" % checked)


if __name__ == "__main__":
    main()
