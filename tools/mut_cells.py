#!/usr/bin/env python3
"""PyTorch reference modules for the MUT1, MUT2 and MUT3 recurrent cells (Jozefowicz, Zaremba and
Sutskever, "An Empirical Exploration of Recurrent Network Architectures", ICML 2015), plus an
independent NumPy implementation of the same equations.

Import it as a library (tools/make_reference.py does):

    sys.path.insert(0, "tools"); from mut_cells import MUT1
    rnn = MUT1(input_size=5, hidden_size=5, num_layers=2, bias=True, batch_first=True)
    y, h_n = rnn(x)            # like nn.GRU: y [B, T, H] (batch_first), h_n [num_layers, B, H]

The equations (σ the logistic sigmoid, h' the new state and the layer's output):

    MUT1: z = σ(W_xz x + b_z)
          r = σ(W_xr x + W_hr h + b_r)
          h' = tanh(W_hh (r ⊙ h) + tanh(x) + b_h) ⊙ z + h ⊙ (1 − z)
    MUT2: z = σ(W_xz x + W_hz h + b_z)
          r = σ(x + W_hr h + b_r)
          h' = tanh(W_hh (r ⊙ h) + W_xh x + b_h) ⊙ z + h ⊙ (1 − z)
    MUT3: z = σ(W_xz x + W_hz tanh(h) + b_z)
          r = σ(W_xr x + W_hr h + b_r)
          h' = tanh(W_hh (r ⊙ h) + W_xh x + b_h) ⊙ z + h ⊙ (1 − z)

Parameter names (EdgeRnn's contract; saved under a prefix they read `rnn.weight_xz_l0`):
`weight_xz_l{k}`, `weight_xr_l{k}`, `weight_xh_l{k}` [H, in]; `weight_hz_l{k}`, `weight_hr_l{k}`,
`weight_hh_l{k}` [H, H]; `bias_z_l{k}`, `bias_r_l{k}`, `bias_h_l{k}` [H], where in is the input size for
k = 0 and H above. Each cell has only the tensors its equations name (USED below); bias=False drops the
three biases (they are then zero). MUT1 and MUT2 add x itself to a hidden-sized vector, so their input
size must equal H (every stacked layer then has in = H too). Initialisation is PyTorch's for recurrent
modules: every parameter U(−1/√H, 1/√H).
"""

import math

import numpy as np
import torch
from torch import nn

KINDS = ("mut1", "mut2", "mut3")

# The weight matrices each cell's equations name (biases: all three, unless bias=False).
USED = {
    "mut1": ("xz", "xr", "hr", "hh"),
    "mut2": ("xz", "hz", "hr", "xh", "hh"),
    "mut3": ("xz", "xr", "hz", "hr", "xh", "hh"),
}
BIASES = ("z", "r", "h")


def needs_square_input(kind):
    """MUT1 adds tanh(x) and MUT2 adds x to hidden-sized vectors: input size must equal H."""
    return kind in ("mut1", "mut2")


class MUT(nn.Module):
    """A stack of num_layers cells of one MUT kind, run over a sequence from a given (or zero) state."""

    kind = None  # set by the subclasses

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False):
        super().__init__()
        if needs_square_input(self.kind) and input_size != hidden_size:
            raise ValueError("%s needs input_size == hidden_size (got %d and %d)"
                             % (self.kind.upper(), input_size, hidden_size))
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        for k in range(num_layers):
            width = input_size if k == 0 else hidden_size
            for m in USED[self.kind]:
                columns = width if m[0] == "x" else hidden_size
                self.register_parameter("weight_%s_l%d" % (m, k), nn.Parameter(torch.empty(hidden_size, columns)))
            if bias:
                for g in BIASES:
                    self.register_parameter("bias_%s_l%d" % (g, k), nn.Parameter(torch.empty(hidden_size)))
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _param(self, name, k, like):
        p = getattr(self, "%s_l%d" % (name, k), None)
        return p if p is not None else torch.zeros(self.hidden_size, dtype=like.dtype)

    def cell(self, k, x, h):
        """One step of layer k: x [B, in], h [B, H] -> h' [B, H]."""
        w = lambda m: getattr(self, "weight_%s_l%d" % (m, k))  # noqa: E731
        b = lambda g: self._param("bias_" + g, k, x)  # noqa: E731
        lin = nn.functional.linear
        if self.kind == "mut1":
            z = torch.sigmoid(lin(x, w("xz")) + b("z"))
            r = torch.sigmoid(lin(x, w("xr")) + lin(h, w("hr")) + b("r"))
            candidate = torch.tanh(lin(r * h, w("hh")) + torch.tanh(x) + b("h"))
        elif self.kind == "mut2":
            z = torch.sigmoid(lin(x, w("xz")) + lin(h, w("hz")) + b("z"))
            r = torch.sigmoid(x + lin(h, w("hr")) + b("r"))
            candidate = torch.tanh(lin(r * h, w("hh")) + lin(x, w("xh")) + b("h"))
        else:
            z = torch.sigmoid(lin(x, w("xz")) + lin(torch.tanh(h), w("hz")) + b("z"))
            r = torch.sigmoid(lin(x, w("xr")) + lin(h, w("hr")) + b("r"))
            candidate = torch.tanh(lin(r * h, w("hh")) + lin(x, w("xh")) + b("h"))
        return candidate * z + h * (1 - z)

    def forward(self, x, h0=None):
        """x [B, T, in] (batch_first) or [T, B, in]; h0 [num_layers, B, H] or None (zeros).
        Returns (output of the last layer at every step, h_n [num_layers, B, H]), as nn.GRU does."""
        seq = x.transpose(0, 1) if self.batch_first else x  # [T, B, in]
        batch = seq.shape[1]
        if h0 is None:
            h0 = torch.zeros(self.num_layers, batch, self.hidden_size, dtype=x.dtype)
        finals = []
        for k in range(self.num_layers):
            h = h0[k]
            outputs = []
            for t in range(seq.shape[0]):
                h = self.cell(k, seq[t], h)
                outputs.append(h)
            seq = torch.stack(outputs)
            finals.append(h)
        out = seq.transpose(0, 1) if self.batch_first else seq
        return out, torch.stack(finals)


class MUT1(MUT):
    kind = "mut1"


class MUT2(MUT):
    kind = "mut2"


class MUT3(MUT):
    kind = "mut3"


MODULES = {"mut1": MUT1, "mut2": MUT2, "mut3": MUT3}


def make(kind, input_size, hidden_size, num_layers=1, bias=True, batch_first=False):
    return MODULES[kind](input_size, hidden_size, num_layers=num_layers, bias=bias, batch_first=batch_first)


# --------------------------------------------------------------------------- NumPy reference

def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def numpy_reference(kind, tensors, prefix, num_layers, hidden, inputs):
    """The same equations in float64 NumPy, one unit at a time for the gates (written apart from the torch
    module on purpose). tensors: the state_dict as arrays; prefix: "rnn." or ""; inputs [T, in].
    Returns (outputs [T, H], [h_n of each layer])."""
    seq = np.asarray(inputs, dtype=np.float64)
    finals = []
    for k in range(num_layers):
        def get(name):
            key = "%s%s_l%d" % (prefix, name, k)
            return np.asarray(tensors[key], dtype=np.float64) if key in tensors else None

        W = {m: get("weight_" + m) for m in ("xz", "xr", "xh", "hz", "hr", "hh")}
        b = {g: get("bias_" + g) for g in BIASES}
        b = {g: (v if v is not None else np.zeros(hidden)) for g, v in b.items()}
        for m in ("xz", "xr", "xh", "hz", "hr", "hh"):
            assert (W[m] is not None) == (m in USED[kind]), (kind, m)
        h = np.zeros(hidden)
        out = np.zeros((seq.shape[0], hidden))
        for t, x in enumerate(seq):
            if kind == "mut1":
                z_pre = W["xz"] @ x + b["z"]
                r_pre = W["xr"] @ x + W["hr"] @ h + b["r"]
                x_term = np.tanh(x)
            elif kind == "mut2":
                z_pre = W["xz"] @ x + W["hz"] @ h + b["z"]
                r_pre = x + W["hr"] @ h + b["r"]
                x_term = W["xh"] @ x
            else:
                z_pre = W["xz"] @ x + W["hz"] @ np.tanh(h) + b["z"]
                r_pre = W["xr"] @ x + W["hr"] @ h + b["r"]
                x_term = W["xh"] @ x
            z, r = _sigmoid(z_pre), _sigmoid(r_pre)
            new = np.empty(hidden)
            for j in range(hidden):
                candidate = math.tanh(float(W["hh"][j] @ (r * h)) + x_term[j] + b["h"][j])
                new[j] = candidate * z[j] + h[j] * (1.0 - z[j])
            h = new
            out[t] = h
        finals.append(h)
        seq = out
    return seq, finals


if __name__ == "__main__":
    # Self-test: module vs NumPy on random weights, every kind, stacked, with and without bias.
    torch.manual_seed(0)
    for kind in KINDS:
        for bias in (True, False):
            i = 5 if needs_square_input(kind) else 3
            m = make(kind, i, 5, num_layers=2, bias=bias, batch_first=True).double()
            x = torch.randn(1, 20, i, dtype=torch.float64)
            with torch.no_grad():
                y, hn = m(x)
            sd = {"rnn." + k: v.numpy() for k, v in m.state_dict().items()}
            y_np, finals = numpy_reference(kind, sd, "rnn.", 2, 5, x[0].numpy())
            diff = max(np.max(np.abs(y_np - y[0].numpy())), np.max(np.abs(np.stack(finals) - hn[:, 0].numpy())))
            assert diff < 1e-12, (kind, bias, diff)
            print("%s bias=%s: %d tensors, numpy vs torch %.2g" % (kind, bias, len(sd), diff))
