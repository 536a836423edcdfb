#!/usr/bin/env python3
"""Reference cases for whole-sequence models: token models (embedding), softmax heads, many-to-one
classifiers. Same file formats as make_reference.py (run it the same way):

    /usr/bin/python3 tools/make_reference_sequence_models.py

Each case: PyTorch module (seeded default init) -> NAME.safetensors (state_dict) + NAME.edgernn.json +
NAME.expected.json. References are computed in float64 on the stored float32 weights. Token inputs are
written as whole-number floats in "inputs" (the span API carries token ids as floats); "output_last": true
marks a many-to-one model: "outputs" still holds every step's output (what Step gives), Run writes only the
last row. Bidirectional cases also carry "h_n": PyTorch's final hidden state [layers * 2, hidden], flattened.

    /usr/bin/python3 tools/make_reference_sequence_models.py bidirectional   # only the bidirectional cases
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import expected_text  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "EdgeRnn.Tests", "Models")


class TokenLm(nn.Module):
    """embedding -> 2-layer LSTM -> linear -> log_softmax (a character language model's shape)."""

    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, tokens):
        y, (h, c) = self.rnn(self.embed(tokens))
        out = torch.log_softmax(self.head(y), dim=-1)
        state = torch.cat([torch.stack([h[k, 0], c[k, 0]]).reshape(-1) for k in range(h.shape[0])])
        return out, state


class Projected(nn.Module):
    """LSTM with proj_size (h = W_hr (o * tanh c)), then a linear head."""

    def __init__(self, inputs, hidden, proj, layers, outputs):
        super().__init__()
        self.rnn = nn.LSTM(inputs, hidden, num_layers=layers, proj_size=proj, batch_first=True)
        self.head = nn.Linear(proj, outputs)

    def forward(self, x):
        y, (h, c) = self.rnn(x)
        state = torch.cat([torch.cat([h[k, 0], c[k, 0]]) for k in range(h.shape[0])])
        return self.head(y), state


class Bidirectional(nn.Module):
    """A bidirectional recurrent module (per-step output [forward ‖ backward]), optionally with a linear head."""

    def __init__(self, kind, inputs, hidden, layers, head=None, nonlinearity="tanh", head_on_h_n=False):
        super().__init__()
        self.head_on_h_n = head_on_h_n
        if kind == "rnn":
            self.rnn = nn.RNN(inputs, hidden, num_layers=layers, nonlinearity=nonlinearity, bidirectional=True, batch_first=True)
        else:
            self.rnn = getattr(nn, kind.upper())(inputs, hidden, num_layers=layers, bidirectional=True, batch_first=True)
        self.head = nn.Linear(2 * hidden, head) if head else None

    def forward(self, x):
        y, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state
        if self.head_on_h_n:
            # The classifier of "output": "h_n": the head reads the last layer's [h_fwd; h_bwd], not output[:, -1].
            y = self.head(torch.cat([h_n[-2], h_n[-1]], dim=-1))[:, None]
        elif self.head is not None:
            y = self.head(y)
        return y, torch.zeros(0, dtype=y.dtype), h_n[:, 0]


class Classifier(nn.Module):
    """GRU -> linear -> softmax, read at the last step (many-to-one)."""

    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.rnn = nn.GRU(inputs, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        y, h = self.rnn(x)
        return torch.softmax(self.head(y), dim=-1), h[0, 0]


def write_case(name, module, inputs, manifest, description, output_last=False, input_size=1, sequence_only=False):
    tensors = {k: v.detach().to(torch.float32).numpy() for k, v in module.state_dict().items()}
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors)
    with open(os.path.join(OUT, name + ".edgernn.json"), "w") as f:
        f.write(json.dumps(manifest, indent=2) + "\n")
    m64 = module.double()
    with torch.no_grad():
        out, state, *h_n = m64(inputs if inputs.dtype == torch.long else inputs.double())
    out = out[0].numpy()
    steps = inputs.shape[1]  # input steps: a "h_n" model's output is one row
    flat_inputs = inputs[0].double().numpy().reshape(-1) if inputs.dtype != torch.long else inputs[0].double().numpy()
    fields = {
        "name": name,
        "input_size": input_size,
        "output_size": int(out.shape[1]),
        "state_size": int(state.numel()),
        "steps": int(steps),
        "inputs": np.asarray(flat_inputs, dtype=np.float32),
        "outputs": np.asarray(out.reshape(-1), dtype=np.float32),
        "final_state": np.asarray(state.numpy(), dtype=np.float32),
        "output_last": output_last,
        "sequence_only": sequence_only,
        **({"h_n": np.asarray(h_n[0].numpy().reshape(-1), dtype=np.float32)} if h_n else {}),
        "torch_version": torch.__version__,
        "description": description,
    }
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        f.write(expected_text(fields))
    print(name, "steps", steps, "outputs", out.shape)


def main(groups):
    torch.set_num_threads(1)
    if groups == ["bidirectional"]:
        bidirectional_cases()
        return

    torch.manual_seed(501)
    lm = TokenLm(vocab=23, emb=11, hidden=17)
    tokens = torch.randint(0, 23, (1, 150))
    write_case("token_lstm_lm", lm, tokens, {
        "format": "edgernn/1", "weights": "token_lstm_lm.safetensors", "layout": "pytorch",
        "input": {"vocab": 23},
        "layers": [{"type": "embedding", "prefix": "embed"}, {"type": "lstm", "prefix": "rnn", "num_layers": 2},
                   {"type": "linear", "prefix": "head"}, {"type": "log_softmax"}],
    }, "embedding(23, 11) -> 2-layer LSTM(17) -> linear -> log_softmax over 150 token ids")

    torch.manual_seed(502)
    clf = Classifier(inputs=5, hidden=9, classes=4)
    x = torch.randn(1, 130, 5)
    write_case("gru_classifier_last", clf, x, {
        "format": "edgernn/1", "weights": "gru_classifier_last.safetensors", "layout": "pytorch",
        "input": {"size": 5}, "output": "last",
        "layers": [{"type": "gru", "prefix": "rnn"}, {"type": "linear", "prefix": "head"}, {"type": "softmax"}],
    }, "many-to-one GRU(5 -> 9) classifier: linear -> softmax, Run writes the last step's 4 probabilities",
        output_last=True, input_size=5)

    projected_cases()
    bidirectional_cases()


def bidirectional_cases():
    cases = [
        ("bilstm_i3_h5", 511, "lstm", 3, 5, 1, None, "tanh"),
        ("bilstm_2layer_i4_h7_head", 512, "lstm", 4, 7, 2, 3, "tanh"),
        ("bigru_i5_h6", 513, "gru", 5, 6, 1, None, "tanh"),
        ("bigru_2layer_i3_h9", 514, "gru", 3, 9, 2, None, "tanh"),
        ("birnn_tanh_i4_h5", 515, "rnn", 4, 5, 1, None, "tanh"),
        ("birnn_2layer_relu_i3_h7", 516, "rnn", 3, 7, 2, None, "relu"),
    ]
    for name, seed, kind, inputs, hidden, layers, head, nonlinearity in cases:
        torch.manual_seed(seed)
        model = Bidirectional(kind, inputs, hidden, layers, head, nonlinearity)
        x = torch.randn(1, 110, inputs)
        layer = {"type": kind, "prefix": "rnn", "bidirectional": True}
        if layers > 1:
            layer["num_layers"] = layers
        if kind == "rnn":
            layer["nonlinearity"] = nonlinearity
        manifest = {"format": "edgernn/1", "weights": name + ".safetensors", "layout": "pytorch",
                    "input": {"size": inputs}, "layers": [layer] + ([{"type": "linear", "prefix": "head"}] if head else [])}
        write_case(name, model, x, manifest,
                   "bidirectional %s(%d -> %d) x %d layer(s)%s; per-step output [forward | backward]; Run over the whole sequence"
                   % (kind.upper(), inputs, hidden, layers, " -> linear(%d)" % head if head else ""),
                   input_size=inputs, sequence_only=True)

    # "output": "h_n": a bidirectional classifier whose head reads h_n (PyTorch's usual cat(h_n[-2], h_n[-1])).
    torch.manual_seed(517)
    name = "bigru_2layer_classifier_h_n"
    model = Bidirectional("gru", 4, 6, 2, head=3, head_on_h_n=True)
    x = torch.randn(1, 90, 4)
    write_case(name, model, x, {"format": "edgernn/1", "weights": name + ".safetensors", "layout": "pytorch",
                                "input": {"size": 4}, "output": "h_n",
                                "layers": [{"type": "gru", "prefix": "rnn", "bidirectional": True, "num_layers": 2},
                                           {"type": "linear", "prefix": "head"}]},
               "bidirectional GRU(4 -> 6) x 2 layers; \"output\": \"h_n\": linear(3) on the last layer's [h_fwd; h_bwd]; Run writes one row",
               output_last=True, input_size=4, sequence_only=True)


def projected_cases():
    for name, seed, layers in (("lstm_proj_i4_h9_p5", 503, 1), ("lstm_proj_2layer_i3_h8_p3", 504, 2)):
        torch.manual_seed(seed)
        inputs, hidden, proj = (4, 9, 5) if layers == 1 else (3, 8, 3)
        model = Projected(inputs, hidden, proj, layers, outputs=2)
        x = torch.randn(1, 120, inputs)
        write_case(name, model, x, {
            "format": "edgernn/1", "weights": name + ".safetensors", "layout": "pytorch",
            "input": {"size": inputs},
            "layers": [{"type": "lstm", "prefix": "rnn", "num_layers": layers, "proj_size": proj}, {"type": "linear", "prefix": "head"}],
        } if layers > 1 else {
            "format": "edgernn/1", "weights": name + ".safetensors", "layout": "pytorch",
            "input": {"size": inputs},
            "layers": [{"type": "lstm", "prefix": "rnn", "proj_size": proj}, {"type": "linear", "prefix": "head"}],
        }, "LSTM(%d -> %d, proj_size %d) x %d layer(s) -> linear(2); state per layer: h (%d) then c (%d)" % (inputs, hidden, proj, layers, proj, hidden),
            input_size=inputs)


if __name__ == "__main__":
    main(sys.argv[1:])
