#!/usr/bin/env python3
"""PyTorch reference modules of EdgeRnn's encoder-decoder models (issue 15, /work/seq2seq-contract.md).

The state_dict names of `Seq2Seq` are the contract the `"model": "seq2seq"` manifest maps
(docs/seq2seq-modules.md):

    encoder.embedding   encoder.rnn   bridge.h / bridge.c   features.h / features.c
    decoder.embedding   decoder.rnn   decoder.attention.*   decoder.combine   decoder.out

Batch size 1 throughout; every RNN is nn.LSTM / nn.GRU / nn.RNN with batch_first=True. Besides the
modules this file holds the decoding rules of contract section 4 (`greedy`, `beam`) and
`manifest(model, weights_file)`, the `edgernn/1` manifest of a model instance.
"""
import json
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True  # keep tools/ free of __pycache__

RNN_TYPES = ("lstm", "gru", "rnn")
LUONG_TYPES = ("dot", "general", "concat")
ATTENTION_TYPES = LUONG_TYPES + ("bahdanau",)
ACTIVATIONS = ("tanh", "none")


def make_rnn(kind, input_size, hidden, num_layers=1, bidirectional=False, nonlinearity="tanh"):
    if kind == "lstm":
        return nn.LSTM(input_size, hidden, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)
    if kind == "gru":
        return nn.GRU(input_size, hidden, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)
    if kind == "rnn":
        return nn.RNN(input_size, hidden, num_layers=num_layers, bidirectional=bidirectional,
                      nonlinearity=nonlinearity, batch_first=True)
    raise ValueError("unknown rnn type %r" % kind)


def activate(x, activation):
    if activation == "tanh":
        return torch.tanh(x)
    assert activation == "none", activation
    return x


class Encoder(nn.Module):
    """embedding (token source) or float steps -> nn.LSTM/GRU/RNN, bidirectional allowed."""

    def __init__(self, rnn_type, hidden, num_layers=1, bidirectional=False, vocab=None, embedding_size=None,
                 input_size=None, nonlinearity="tanh"):
        super().__init__()
        assert (vocab is None) != (input_size is None), "a token source (vocab) or a float source (input_size)"
        self.rnn_type, self.hidden, self.num_layers = rnn_type, hidden, num_layers
        self.directions = 2 if bidirectional else 1
        self.vocab, self.input_size, self.nonlinearity = vocab, input_size, nonlinearity
        if vocab is not None:
            self.embedding = nn.Embedding(vocab, embedding_size)
            input_size = embedding_size
        self.rnn = make_rnn(rnn_type, input_size, hidden, num_layers, bidirectional, nonlinearity)

    @property
    def output_size(self):
        return self.hidden * self.directions

    def forward(self, source):
        """source: LongTensor [S] or float [S, I]. Returns (outputs [S, De], h_n [L*dirs, He], c_n or None)
        with h_n / c_n exactly as PyTorch returns them (layer-major, forward then backward)."""
        x = self.embedding(source) if self.vocab is not None else source
        out, state = self.rnn(x.unsqueeze(0))
        if self.rnn_type == "lstm":
            h_n, c_n = state
            return out[0], h_n[:, 0], c_n[:, 0]
        return out[0], state[:, 0], None


class Bridge(nn.Module):
    """Encoder final state -> decoder initial state, per layer: directions concatenated or summed, then
    optionally act(Linear). `bridge.c` exists only when the bridge has linears and both sides are LSTMs."""

    def __init__(self, encoder, decoder_rnn_type, decoder_hidden, directions="concat", linear=False,
                 activation="tanh"):
        super().__init__()
        assert directions in ("concat", "sum") and activation in ACTIVATIONS
        self.directions, self.has_linear, self.activation = directions, linear, activation
        self.encoder_dirs, self.encoder_hidden = encoder.directions, encoder.hidden
        self.num_layers = encoder.num_layers
        self.carries_cell = encoder.rnn_type == "lstm" and decoder_rnn_type == "lstm"
        dc = self.combined_size
        if linear:
            if decoder_rnn_type == "lstm" and encoder.rnn_type != "lstm":
                # The contract's "bridge.c present iff bridge.h and an LSTM decoder" and "c0 = 0 without an
                # encoder c_n" disagree here; the reference cases never build this combination.
                raise ValueError("a linear bridge into an LSTM decoder needs an LSTM encoder")
            self.h = nn.Linear(dc, decoder_hidden)
            if self.carries_cell:
                self.c = nn.Linear(dc, decoder_hidden)
        else:
            assert dc == decoder_hidden, "without bridge linears the combined state width must equal Hd"

    @property
    def combined_size(self):
        return self.encoder_hidden * (self.encoder_dirs if self.directions == "concat" else 1)

    def combine(self, final):
        """final: [L*dirs, He] -> [L, Dc]."""
        per_layer = final.reshape(self.num_layers, self.encoder_dirs, self.encoder_hidden)
        if self.directions == "sum":
            return per_layer.sum(dim=1)
        return per_layer.reshape(self.num_layers, self.encoder_dirs * self.encoder_hidden)

    def forward(self, h_n, c_n, decoder_hidden):
        h = self.combine(h_n)
        c = self.combine(c_n) if (c_n is not None) else None
        if self.has_linear:
            h = activate(self.h(h), self.activation)
            if c is not None and self.carries_cell:
                c = activate(self.c(c), self.activation)
        if c is None:
            c = torch.zeros(self.num_layers, decoder_hidden, dtype=h.dtype)
        return h, c


class FeatureInit(nn.Module):
    """Captioning: h0 = act(features.h(f)), c0 = act(features.c(f)) (LSTM), the same for every layer."""

    def __init__(self, feature_size, decoder_rnn_type, decoder_hidden, num_layers, activation="tanh", feed=False):
        super().__init__()
        assert activation in ACTIVATIONS
        self.feature_size, self.activation, self.feed, self.num_layers = feature_size, activation, feed, num_layers
        self.h = nn.Linear(feature_size, decoder_hidden)
        if decoder_rnn_type == "lstm":
            self.c = nn.Linear(feature_size, decoder_hidden)

    def forward(self, features):
        h = activate(self.h(features), self.activation).expand(self.num_layers, -1).clone()
        if hasattr(self, "c"):
            c = activate(self.c(features), self.activation).expand(self.num_layers, -1).clone()
        else:
            c = torch.zeros_like(h)
        return h, c


class LuongAttention(nn.Module):
    """Luong et al. 2015 scores: dot q.s, general q.(W s), concat v.tanh(W [q; s])."""

    def __init__(self, kind, decoder_hidden, encoder_output_size, attention_size=None):
        super().__init__()
        assert kind in LUONG_TYPES
        self.kind = kind
        if kind == "dot":
            assert decoder_hidden == encoder_output_size, "dot attention needs De = Hd"
        elif kind == "general":
            self.linear_in = nn.Linear(encoder_output_size, decoder_hidden, bias=False)
        else:
            self.W = nn.Linear(decoder_hidden + encoder_output_size, attention_size, bias=False)
            self.v = nn.Linear(attention_size, 1, bias=False)

    def forward(self, query, keys):
        """query [Hd], keys [S, De] -> (context [De], weights [S])."""
        if self.kind == "dot":
            scores = keys @ query
        elif self.kind == "general":
            scores = self.linear_in(keys) @ query
        else:
            q = query.unsqueeze(0).expand(keys.shape[0], -1)
            scores = self.v(torch.tanh(self.W(torch.cat([q, keys], dim=1)))).squeeze(1)
        weights = F.softmax(scores, dim=0)
        return weights @ keys, weights


class BahdanauAttention(nn.Module):
    """The PyTorch seq2seq tutorial's BahdanauAttention: Va(tanh(Wa q + Ua s))."""

    def __init__(self, decoder_hidden, encoder_output_size, attention_size):
        super().__init__()
        self.Wa = nn.Linear(decoder_hidden, attention_size)
        self.Ua = nn.Linear(encoder_output_size, attention_size)
        self.Va = nn.Linear(attention_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query).unsqueeze(0) + self.Ua(keys))).squeeze(1)
        weights = F.softmax(scores, dim=0)
        return weights @ keys, weights


class DecoderState:
    """h [L, Hd], c [L, Hd] (zeros unless LSTM), feed [Hd] (Luong h~_{t-1}, zeros at t = 0)."""

    def __init__(self, h, c, feed):
        self.h, self.c, self.feed = h, c, feed


class Decoder(nn.Module):
    """embedding -> unidirectional RNN with attention (Luong with combine and optional input feeding, or the
    tutorial's Bahdanau AttnDecoderRNN), or without attention for captioning -> out."""

    def __init__(self, vocab, embedding_size, rnn_type, hidden, num_layers=1, attention=None,
                 encoder_output_size=0, attention_size=None, input_feeding=False, feature_feed_size=0,
                 combine_bias=True, nonlinearity="tanh"):
        super().__init__()
        assert attention is None or attention in ATTENTION_TYPES
        self.vocab, self.rnn_type, self.hidden, self.num_layers = vocab, rnn_type, hidden, num_layers
        self.attention_type, self.nonlinearity = attention, nonlinearity
        self.input_feeding = bool(input_feeding) and attention in LUONG_TYPES
        assert not (input_feeding and attention not in LUONG_TYPES), "input feeding is a Luong option"
        self.feature_feed_size = feature_feed_size
        self.embedding = nn.Embedding(vocab, embedding_size)
        extra = feature_feed_size
        if attention == "bahdanau":
            extra += encoder_output_size
        elif self.input_feeding:
            extra += hidden
        self.rnn = make_rnn(rnn_type, embedding_size + extra, hidden, num_layers, False, nonlinearity)
        if attention in LUONG_TYPES:
            self.attention = LuongAttention(attention, hidden, encoder_output_size, attention_size)
            self.combine = nn.Linear(encoder_output_size + hidden, hidden, bias=combine_bias)
        elif attention == "bahdanau":
            self.attention = BahdanauAttention(hidden, encoder_output_size, attention_size)
        self.out = nn.Linear(hidden, vocab)

    def initial_state(self, h0, c0):
        return DecoderState(h0, c0, torch.zeros(self.hidden, dtype=h0.dtype))

    def _rnn(self, x, state):
        """One step of the stacked RNN: x [In] -> top-layer output [Hd], (h, c)."""
        if self.rnn_type == "lstm":
            out, (h, c) = self.rnn(x.view(1, 1, -1), (state.h.unsqueeze(1).contiguous(),
                                                       state.c.unsqueeze(1).contiguous()))
            return out[0, 0], h[:, 0], c[:, 0]
        out, h = self.rnn(x.view(1, 1, -1), state.h.unsqueeze(1).contiguous())
        return out[0, 0], h[:, 0], state.c

    def step(self, previous_token, state, encoder_outputs=None, features=None):
        """Consumes y_{t-1}; returns (logits [V], attention weights [S] or None, new DecoderState)."""
        emb = self.embedding(torch.tensor(previous_token, dtype=torch.long))
        parts = [emb]
        weights = None
        if self.attention_type == "bahdanau":
            context, weights = self.attention(state.h[-1], encoder_outputs)
            parts.append(context)
        elif self.input_feeding:
            parts.append(state.feed)
        if self.feature_feed_size:
            parts.append(features)
        top, h, c = self._rnn(torch.cat(parts), state)
        feed = state.feed
        if self.attention_type in LUONG_TYPES:
            context, weights = self.attention(top, encoder_outputs)
            feed = torch.tanh(self.combine(torch.cat([context, top])))
            logits = self.out(feed)
        else:
            logits = self.out(top)
        return logits, weights, DecoderState(h, c, feed)


class Seq2Seq(nn.Module):
    """encoder + bridge + decoder, or features + decoder (captioning). `begin(...)` returns a `Run` whose
    step() decodes one token."""

    def __init__(self, decoder, encoder=None, bridge=None, features=None, start_token=1, stop_token=2,
                 max_source_length=None, max_length=10, max_beam=4):
        super().__init__()
        assert (encoder is None) == (bridge is None) and (encoder is None) != (features is None)
        if encoder is not None:
            self.encoder, self.bridge = encoder, bridge
        else:
            self.features = features
        self.decoder = decoder
        self.start_token, self.stop_token = start_token, stop_token
        self.max_source_length, self.max_length, self.max_beam = max_source_length, max_length, max_beam

    @property
    def is_captioning(self):
        return not hasattr(self, "encoder")

    def begin(self, source=None, features=None):
        """Encodes the source (or starts from the feature vector) and returns a Run."""
        with torch.no_grad():
            if self.is_captioning:
                f = torch.as_tensor(np.asarray(features), dtype=self.decoder.out.weight.dtype)
                h0, c0 = self.features(f)
                return Run(self, None, None, None, self.decoder.initial_state(h0, c0),
                           f if self.features.feed else None)
            if self.encoder.vocab is not None:
                src = torch.as_tensor(np.asarray(source), dtype=torch.long)
            else:
                src = torch.as_tensor(np.asarray(source), dtype=self.decoder.out.weight.dtype)
            assert 1 <= src.shape[0] <= self.max_source_length
            outputs, h_n, c_n = self.encoder(src)
            h0, c0 = self.bridge(h_n, c_n, self.decoder.hidden)
            return Run(self, outputs, h_n, c_n, self.decoder.initial_state(h0, c0), None)


class Run:
    """One source's decoding context: encoder outputs, final state, and the decoder's initial state."""

    def __init__(self, model, encoder_outputs, h_n, c_n, initial_state, features):
        self.model, self.encoder_outputs, self.h_n, self.c_n = model, encoder_outputs, h_n, c_n
        self.initial_state, self.features = initial_state, features

    def step(self, previous_token, state):
        with torch.no_grad():
            return self.model.decoder.step(previous_token, state, self.encoder_outputs, self.features)

    def log_probs(self, previous_token, state):
        logits, weights, new_state = self.step(previous_token, state)
        return F.log_softmax(logits.double(), dim=0).numpy(), weights, new_state

    def teacher_forced(self, tokens):
        """Feeds tokens (y_{t-1} of each step) -> (logits [T, V], attention [T, S] or None)."""
        state, logits, attention = self.initial_state, [], []
        for tok in tokens:
            lg, w, state = self.step(int(tok), state)
            logits.append(lg.numpy())
            if w is not None:
                attention.append(w.numpy())
        return np.stack(logits), (np.stack(attention) if attention else None)


# --------------------------------------------------------------------------- decoding (contract section 4)

class Margins:
    """Records how close the decisions of a decoding came to a tie (for checking that a float32
    implementation makes the same decisions)."""

    def __init__(self):
        self.smallest = math.inf

    def gap(self, a, b):
        self.smallest = min(self.smallest, abs(float(a) - float(b)))


def greedy(run, margins=None):
    """argmax (lowest id on ties) until stop_token (included) or max_length tokens."""
    m = run.model
    state, token, out = run.initial_state, m.start_token, []
    for _ in range(m.max_length):
        logits, _, state = run.step(token, state)
        lg = logits.double().numpy()
        token = int(np.argmax(lg))
        if margins is not None and lg.size > 1:
            top2 = np.sort(lg)[-2:]
            margins.gap(top2[0], top2[1])
        out.append(token)
        if token == m.stop_token:
            break
    return out


def beam(run, width, margins=None):
    """Beam search of contract section 4. Returns (tokens, score): tokens exclude start_token and include
    stop_token when the hypothesis finished; score = sum of the chosen tokens' log_softmax."""
    m = run.model
    assert 1 <= width <= m.max_beam
    alive = [([], 0.0, run.initial_state)]     # (tokens, score, decoder state), best first
    finished = []                              # (tokens, score, finish order)
    for _ in range(m.max_length):
        expansions = []
        for index, (tokens, score, state) in enumerate(alive):
            previous = tokens[-1] if tokens else m.start_token
            lp, _, new_state = run.log_probs(previous, state)
            for tok in range(lp.size):
                expansions.append((score + lp[tok], index, tok, new_state))
        expansions.sort(key=lambda e: (-e[0], e[1], e[2]))
        if margins is not None and len(expansions) > width:
            margins.gap(expansions[width - 1][0], expansions[width][0])
        chosen = expansions[:width]
        next_alive = []
        for score, index, tok, new_state in chosen:
            tokens = alive[index][0] + [tok]
            if tok == m.stop_token:
                finished.append((tokens, score, len(finished)))
            else:
                next_alive.append((tokens, score, new_state))
        alive = next_alive
        if not alive:
            break
        if finished:
            best_finished = max(f[1] for f in finished)
            if margins is not None:
                margins.gap(best_finished, alive[0][1])
            if best_finished >= alive[0][1]:
                break
    if finished:
        ranked = sorted(finished, key=lambda f: (-f[1], len(f[0]), f[2]))
        if margins is not None and len(ranked) > 1:
            margins.gap(ranked[0][1], ranked[1][1])
        return ranked[0][0], float(ranked[0][1])
    return alive[0][0], float(alive[0][1])


# --------------------------------------------------------------------------- manifest (contract section 2)

def _rnn_entry(rnn_type, prefix, num_layers, nonlinearity, bidirectional=None):
    d = OrderedDict(type=rnn_type, prefix=prefix, num_layers=num_layers)
    if bidirectional is not None:
        d["bidirectional"] = bidirectional
    if rnn_type == "rnn":
        d["nonlinearity"] = nonlinearity
    return d


def manifest(model, weights_file):
    """The edgernn/1 seq2seq manifest of a Seq2Seq instance, as an OrderedDict."""
    d = OrderedDict()
    d["format"] = "edgernn/1"
    d["model"] = "seq2seq"
    d["weights"] = weights_file
    dec = model.decoder
    if model.is_captioning:
        f = model.features
        d["features"] = OrderedDict([("size", f.feature_size), ("prefix", "features"),
                                     ("activation", f.activation), ("feed", f.feed)])
    else:
        enc, br = model.encoder, model.bridge
        e = OrderedDict()
        e["input"] = {"vocab": enc.vocab} if enc.vocab is not None else {"size": enc.input_size}
        e["max_length"] = model.max_source_length
        layers = []
        if enc.vocab is not None:
            layers.append(OrderedDict(type="embedding", prefix="encoder.embedding"))
        layers.append(_rnn_entry(enc.rnn_type, "encoder.rnn", enc.num_layers, enc.nonlinearity,
                                 enc.directions == 2))
        e["layers"] = layers
        d["encoder"] = e
        b = OrderedDict(directions=br.directions)
        if br.has_linear:
            b["prefix"] = "bridge"
            b["activation"] = br.activation
        d["bridge"] = b
    o = OrderedDict()
    o["vocab"] = dec.vocab
    o["start_token"] = model.start_token
    o["stop_token"] = model.stop_token
    o["max_length"] = model.max_length
    o["max_beam"] = model.max_beam
    o["embedding"] = "decoder.embedding"
    o["rnn"] = _rnn_entry(dec.rnn_type, "decoder.rnn", dec.num_layers, dec.nonlinearity)
    if dec.attention_type is not None:
        o["attention"] = OrderedDict([("type", dec.attention_type), ("prefix", "decoder.attention"),
                                      ("input_feeding", dec.input_feeding)])
        if dec.attention_type in LUONG_TYPES:
            o["combine"] = "decoder.combine"
    o["head"] = "decoder.out"
    d["decoder"] = o
    return d


def manifest_text(model, weights_file):
    """Two-level indented JSON with the small objects on one line, like the contract's example."""
    def dump(v, indent):
        if isinstance(v, dict) and indent < 2 and any(isinstance(x, (dict, list)) for x in v.values()):
            pad = "  " * (indent + 1)
            items = ["%s%s: %s" % (pad, json.dumps(k), dump(x, indent + 1)) for k, x in v.items()]
            return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
        if isinstance(v, list) and v and isinstance(v[0], dict):
            pad = "  " * (indent + 1)
            return "[\n" + ",\n".join(pad + dump(x, 9) for x in v) + "\n" + "  " * indent + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join("%s: %s" % (json.dumps(k), dump(x, 9)) for k, x in v.items()) + " }"
        return json.dumps(v)
    return dump(manifest(model, weights_file), 0) + "\n"


def state_dict_f32(model):
    return OrderedDict((k, v.detach().cpu().float().numpy().copy()) for k, v in model.state_dict().items())


if __name__ == "__main__":
    # Smoke test: one model of each attention type encodes and decodes.
    torch.manual_seed(0)
    for kind in ATTENTION_TYPES:
        enc = Encoder("gru", 4, bidirectional=True, vocab=9, embedding_size=5)
        dec = Decoder(7, 5, "gru", 8, attention=kind, encoder_output_size=8, attention_size=6,
                      input_feeding=kind in LUONG_TYPES)
        br = Bridge(enc, dec.rnn_type, 8, "concat", linear=kind != "dot")
        model = Seq2Seq(dec, enc, br, max_source_length=6, max_length=5).eval()
        run = model.begin(source=[3, 4, 5])
        print(kind, greedy(run), beam(run, 3))
    print(manifest_text(model, "x.safetensors"))
