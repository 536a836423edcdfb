"""export(model, path, example_input): a trained torch nn.Module -> the files EdgeRnn compiles and tests against.

The layers are found by running the model once on `example_input` with forward hooks, so their order is the order
forward() calls them, whatever the attribute order. The manifest's meaning (docs/manifest.md, "Semantics") is then
computed again from those layers alone, in float64, and must reproduce the model's own forward(): that is how a
residual ("skip"), a many-to-one output ("output": "last") and anything the manifest cannot express are found,
instead of writing a manifest that compiles but computes something else.
"""
import copy
import os
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

from .reference_file import expected_text
from .safetensors_io import DTYPES, quantize, write_safetensors

RECURRENT = OrderedDict([(nn.LSTM, "lstm"), (nn.GRU, "gru"), (nn.RNN, "rnn")])
ACTIVATIONS = OrderedDict([(nn.Tanh, "tanh"), (nn.Sigmoid, "sigmoid"), (nn.ReLU, "relu")])
NORMALISERS = OrderedDict([(nn.Softmax, "softmax"), (nn.LogSoftmax, "log_softmax")])
# Identity in eval mode, which the export runs in.
PASS_THROUGH = (nn.Dropout, nn.Identity)

# How close (relative to the output's magnitude) the manifest's float64 run must come to the model's float64 forward.
# Both run the same torch kernels on the same weights; only the order of a few additions may differ.
SEMANTICS_TOLERANCE = 1e-9


class ExportError(ValueError):
    """The model cannot be described by an edgernn/1 manifest, or the arguments are wrong; the message says why."""


class Exported:
    """What export() wrote and measured."""

    def __init__(self, manifest_path, weights_path, expected_path, manifest, max_difference, f32_maxdiff):
        self.manifest_path = manifest_path
        self.weights_path = weights_path
        self.expected_path = expected_path
        #: the manifest, as a dict
        self.manifest = manifest
        #: largest |manifest semantics - model.forward()| in float64 (a check, always <= the tolerance)
        self.max_difference = max_difference
        #: largest |float32 run - float64 reference| over outputs and final state: what to expect of float32 code
        self.f32_maxdiff = f32_maxdiff

    def __repr__(self):
        return "Exported(%r, %r, %r)" % (self.manifest_path, self.weights_path, self.expected_path)


class _Layer:
    def __init__(self, module, name, entry):
        self.module = module
        self.name = name
        self.entry = entry  # the manifest's layer object

    def describe(self):
        return "%s %r" % (self.entry["type"], self.name or "<root>")


def export(model, path, example_input, *, skip=None, dtype="F32", name=None, description=None):
    """Writes PATH.edgernn.json, PATH.safetensors and PATH.expected.json for a trained model.

    model          a torch nn.Module built from nn.LSTM / nn.GRU / nn.RNN (stacked, bidirectional, proj_size), the
                   MUT1 / MUT2 / MUT3 cells of tools/mut_cells.py (stacked),
                   nn.Linear (optionally followed by an nn.Tanh / nn.Sigmoid / nn.ReLU module), nn.Embedding (first
                   only) and nn.Softmax / nn.LogSoftmax over the last axis; nn.Dropout / nn.Identity are skipped.
    path           "models/amp" or "models/amp.edgernn.json": the three files go next to each other.
    example_input  one sequence, as forward() takes it: [1, T, I] or [T, 1, I] (batch of one) or [T, I]; for a
                   token model ids [1, T] or [T]. It becomes the reference inputs, so make T at least a few steps.
    skip           None: found by comparing with forward(); or the number of leading input channels forward() adds
                   to the leading output channels.
    dtype          "F32" (default), "F16" or "BF16": how the weights are stored (references use the stored values).

    The model is not modified (the work is done on a copy, in eval mode). Raises ExportError when the model's
    forward() is not what the manifest would compute.
    """
    if dtype not in DTYPES:
        raise ExportError("dtype must be one of %s, not %r" % (", ".join(DTYPES), dtype))
    stem = path[:-len(".edgernn.json")] if path.endswith(".edgernn.json") else path
    name = name or os.path.basename(stem)
    if not name:
        raise ExportError("path %r names no file" % path)

    work = copy.deepcopy(model).cpu().eval()
    example = torch.as_tensor(example_input).cpu()
    layers, _ = _discover(work, example)
    tokens = layers[0].entry["type"] == "embedding"
    if tokens and example.dtype not in (torch.int64, torch.int32):
        raise ExportError("the first layer is an embedding: example_input must hold integer token ids, not %s" % example.dtype)
    if not tokens and not example.is_floating_point():
        raise ExportError("example_input must be a float tensor (got %s)" % example.dtype)

    # The weights exactly as stored, and the reference model running on them in float64.
    stored = OrderedDict()
    for layer in layers:
        for key, tensor in layer.module.state_dict().items():
            full = layer.name + "." + key if layer.name else key
            stored[full] = quantize(tensor.detach().cpu().float().numpy(), dtype)
    _load(layers, stored)
    sequence_in, batch_axis = _as_sequence(example, tokens)

    reference = work.double()
    x64 = example if tokens else example.double()
    with torch.no_grad():
        forward_out = reference(x64)
    if isinstance(forward_out, (tuple, list)):
        forward_out = forward_out[0]
    y64, state64 = _run_manifest(layers, sequence_in if tokens else sequence_in.double())
    forward_out = _drop_batch_axis(torch.as_tensor(forward_out).detach(), batch_axis, y64.dim())

    if forward_out.shape == y64.shape:
        output_last = False
    elif forward_out.shape == y64.shape[1:]:
        output_last = True
    else:
        raise ExportError("forward() returns shape %s, but the layers found (%s) give %s per sequence (or %s for the last step)"
                          % (tuple(forward_out.shape), _describe(layers), tuple(y64.shape), tuple(y64.shape[1:])))
    skip = _find_skip(forward_out, y64, sequence_in, output_last, tokens, skip, layers)
    if skip:
        y64 = y64.clone()
        y64[:, :skip] += sequence_in.double()[:, :skip]
    compared = y64[-1] if output_last else y64
    max_difference = float((forward_out.double() - compared).abs().max()) if compared.numel() else 0.0

    sequence_only = any(layer.entry.get("bidirectional") for layer in layers)
    if sequence_only:
        state64 = state64[:0]

    # The same manifest run in float32: what float32 code should be expected to reach.
    work32 = copy.deepcopy(model).cpu().eval().float()
    layers32, _ = _discover(work32, example if tokens else example.float())
    _load(layers32, stored)
    y32, state32 = _run_manifest(layers32, sequence_in if tokens else sequence_in.float())
    if skip:
        y32 = y32.clone()
        y32[:, :skip] += sequence_in.float()[:, :skip]
    if sequence_only:
        state32 = state32[:0]
    outputs = y64.numpy().astype(np.float32)
    final_state = state64.numpy().astype(np.float32)
    f32_maxdiff = float(np.max(np.abs(np.concatenate([y32.double().numpy().ravel(), state32.double().numpy().ravel()])
                                      - np.concatenate([outputs.ravel(), final_state.ravel()]).astype(np.float64))))

    manifest = _manifest(layers, name + ".safetensors", sequence_in, tokens, output_last, skip)
    inputs = sequence_in.double().numpy().astype(np.float32)
    fields = OrderedDict([
        ("name", name),
        ("input_size", 1 if tokens else int(inputs.shape[1])),
        ("output_size", int(outputs.shape[1])),
        ("state_size", int(final_state.size)),
        ("steps", int(inputs.shape[0])),
        ("inputs", inputs),
        ("outputs", outputs),
        ("final_state", final_state),
        ("output_last", output_last),
        ("sequence_only", sequence_only),
        ("torch_version", torch.__version__),
        ("f32_maxdiff", float(np.float32(f32_maxdiff))),
        ("description", description or "%s exported by edgernn_export: %s" % (type(model).__name__, _describe(layers))),
    ])

    directory = os.path.dirname(stem)
    if directory:
        os.makedirs(directory, exist_ok=True)
    weights_path = stem + ".safetensors"
    manifest_path = stem + ".edgernn.json"
    expected_path = stem + ".expected.json"
    write_safetensors(weights_path, stored, dtype, {"format": "pt"})
    with open(manifest_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(manifest_text(manifest))
    with open(expected_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(expected_text(fields))
    return Exported(manifest_path, weights_path, expected_path, manifest, max_difference, f32_maxdiff)


def _discover(model, example):
    """Runs forward() once and returns the manifest layers in call order (and forward's output)."""
    names = {id(m): n for n, m in model.named_modules()}
    calls = []

    def record(module, args):
        calls.append((module, args[0].dim() if args and torch.is_tensor(args[0]) else None))

    watched = [m for m in model.modules() if _is_watched(m)]
    handles = [m.register_forward_pre_hook(record) for m in watched]
    try:
        with torch.no_grad():
            out = model(example)
    except Exception as e:  # the user's forward(): say which call failed, keep the cause
        raise ExportError("model(example_input) failed: %s: %s" % (type(e).__name__, e)) from e
    finally:
        for h in handles:
            h.remove()

    layers, seen = [], set()
    for module, rank in calls:
        if isinstance(module, PASS_THROUGH):
            continue
        name = names[id(module)]
        label = "%s (%s)" % (repr(name) if name else "the model itself", type(module).__name__)
        if id(module) in seen:
            raise ExportError("%s is called more than once in forward(); each EdgeRnn layer runs once per step, in order" % label)
        seen.add(id(module))
        activation = _lookup(ACTIVATIONS, module)
        if activation:
            last = layers[-1] if layers else None
            if last is None or last.entry["type"] != "linear" or "activation" in last.entry:
                raise ExportError("%s follows %s: EdgeRnn applies tanh, sigmoid and relu only as the activation of a "
                                  "linear layer" % (label, last.describe() if last else "nothing"))
            last.entry["activation"] = activation
            continue
        normaliser = _lookup(NORMALISERS, module)
        if normaliser:
            if module.dim != -1 and (rank is None or module.dim != rank - 1):
                raise ExportError("%s works over dim=%s; EdgeRnn's %s works over the last axis (dim=-1)" % (label, module.dim, normaliser))
            layers.append(_Layer(module, name, OrderedDict(type=normaliser)))
            continue
        entry = OrderedDict()
        kind = _lookup(RECURRENT, module) or _mut_kind(module)
        if kind:
            entry["type"] = kind
            _prefix(entry, name)
            if module.num_layers > 1:
                entry["num_layers"] = module.num_layers
            if kind == "rnn":
                entry["nonlinearity"] = module.nonlinearity
            if getattr(module, "bidirectional", False):
                entry["bidirectional"] = True
            if getattr(module, "proj_size", 0):
                entry["proj_size"] = module.proj_size
        elif isinstance(module, nn.Linear):
            entry["type"] = "linear"
            _prefix(entry, name)
        elif isinstance(module, nn.Embedding):
            if layers:
                raise ExportError("%s comes after %s: an embedding can only be the first layer" % (label, layers[-1].describe()))
            entry["type"] = "embedding"
            _prefix(entry, name)
        else:
            raise ExportError("%s has weights but is not a layer EdgeRnn reads (nn.LSTM, nn.GRU, nn.RNN, nn.Linear, "
                              "nn.Embedding, the MUT1/MUT2/MUT3 cells of tools/mut_cells.py)" % label)
        layers.append(_Layer(module, name, entry))
    if not any(layer.entry["type"] not in ("softmax", "log_softmax") for layer in layers):
        raise ExportError("forward() called no layer EdgeRnn reads (nn.LSTM, nn.GRU, nn.RNN, nn.Linear, nn.Embedding)")
    return layers, out


def _is_watched(module):
    known = tuple(RECURRENT) + tuple(ACTIVATIONS) + tuple(NORMALISERS) + PASS_THROUGH + (nn.Linear, nn.Embedding)
    return isinstance(module, known) or next(module.parameters(recurse=False), None) is not None


def _mut_kind(module):
    """The MUT cells of tools/mut_cells.py (MUT1, MUT2, MUT3), known by class name: torch has no such module. Their
    forward() returns (y, h_n) like nn.GRU and their state_dict names are the manifest's (docs/manifest.md)."""
    for cls in type(module).__mro__:
        if cls.__name__ in ("MUT1", "MUT2", "MUT3"):
            return cls.__name__.lower()
    return None


def _lookup(table, module):
    for cls, value in table.items():
        if isinstance(module, cls):
            return value
    return None


def _prefix(entry, name):
    if name:
        entry["prefix"] = name


def _load(layers, stored):
    """Puts the stored (possibly F16/BF16-rounded) weights into the layers' modules."""
    for layer in layers:
        own = OrderedDict()
        for key in layer.module.state_dict():
            full = layer.name + "." + key if layer.name else key
            own[key] = torch.from_numpy(np.array(stored[full], dtype=np.float32))
        dtype = next(layer.module.parameters(), torch.zeros(0)).dtype
        layer.module.load_state_dict(OrderedDict((k, v.to(dtype)) for k, v in own.items()), strict=True)


def _as_sequence(example, tokens):
    """example_input as [T, I] (or [T] token ids), and where its batch axis of one was (None: unbatched)."""
    rank = example.dim()
    if tokens:
        if rank == 1:
            return example.long(), None
        if rank == 2 and example.shape[0] == 1:
            return example[0].long(), 0
        raise ExportError("token ids must be [T] or [1, T] (one sequence), not %s" % (tuple(example.shape),))
    if rank == 2:
        return example, None
    if rank == 3 and example.shape[0] == 1:
        return example[0], 0
    if rank == 3 and example.shape[1] == 1:
        return example[:, 0], 1
    raise ExportError("example_input must be one sequence: [1, T, I], [T, 1, I] or [T, I], not %s" % (tuple(example.shape),))


def _drop_batch_axis(out, batch_axis, sequence_rank):
    """forward()'s output without the batch axis: [T, O] for a sequence, [O] for a many-to-one model."""
    if batch_axis is None:
        return out
    if out.dim() == sequence_rank + 1:  # [1, T, O] or [T, 1, O]
        return out.select(batch_axis, 0) if out.shape[batch_axis] == 1 else out
    if out.dim() == sequence_rank and out.shape[0] == 1:  # [1, O]
        return out[0]
    return out


def _run_manifest(layers, sequence):
    """What the manifest means (docs/manifest.md): the layers in order over one sequence from the zero state.
    Returns the per-step outputs [T, O] and the final state in the C# API's layout."""
    h = sequence.unsqueeze(0)
    state = []
    with torch.no_grad():
        for layer in layers:
            kind, module = layer.entry["type"], layer.module
            if kind in ("embedding", "linear"):
                h = module(h)
                activation = layer.entry.get("activation")
                if activation:
                    h = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[activation](h)
            elif kind == "softmax":
                h = torch.softmax(h, dim=-1)
            elif kind == "log_softmax":
                h = torch.log_softmax(h, dim=-1)
            else:
                y, final = module(h if module.batch_first else h.transpose(0, 1))
                h = y if module.batch_first else y.transpose(0, 1)
                # Per stacked sub-layer: h, then c for an LSTM (a bidirectional model keeps no state).
                hn, cn = final if kind == "lstm" else (final, None)
                for k in range(module.num_layers):
                    state.append(hn[k, 0])
                    if cn is not None:
                        state.append(cn[k, 0])
    return h[0], (torch.cat(state) if state else torch.zeros(0, dtype=h.dtype))


def _find_skip(forward_out, y, sequence_in, output_last, tokens, skip, layers):
    """The residual forward() adds: the first S input channels onto the first S outputs (S = 0: none)."""
    target = y[-1] if output_last else y
    x = sequence_in.double()
    x = x[-1] if output_last else x
    scale = max(1.0, float(forward_out.double().abs().max())) if forward_out.numel() else 1.0

    def residual_is(s):
        expected = target.clone()
        if s:
            expected[..., :s] += x[..., :s]
        return float((forward_out.double() - expected).abs().max()) <= SEMANTICS_TOLERANCE * scale

    if skip is not None:
        if skip and (tokens or skip > min(x.shape[-1], target.shape[-1])):
            raise ExportError("skip=%d: the model has %s inputs and %d outputs" % (skip, "token" if tokens else x.shape[-1], target.shape[-1]))
        candidates = [skip]
    else:
        candidates = [0] if tokens else range(0, min(x.shape[-1], target.shape[-1]) + 1)
    for s in candidates:
        if residual_is(s):
            return s
    difference = float((forward_out.double() - target).abs().max())
    raise ExportError(
        "forward() computes something the layers found (%s)%s do not: the largest difference is %.3g. EdgeRnn "
        "runs the layers in forward()'s call order, each on the previous one's output; an activation must be an "
        "nn.Tanh/nn.Sigmoid/nn.ReLU module right after an nn.Linear (not torch.tanh in forward), and the only "
        "residual it knows adds the first S input channels to the first S outputs (\"skip\")."
        % (_describe(layers), "" if skip is None else " with skip=%d" % skip, difference))


def _describe(layers):
    return " -> ".join(layer.describe() + ("+" + layer.entry["activation"] if "activation" in layer.entry else "")
                       for layer in layers)


def _manifest(layers, weights_file, sequence_in, tokens, output_last, skip):
    manifest = OrderedDict()
    manifest["format"] = "edgernn/1"
    manifest["weights"] = weights_file
    manifest["layout"] = "pytorch"
    manifest["input"] = OrderedDict(vocab=layers[0].module.num_embeddings) if tokens else OrderedDict(size=int(sequence_in.shape[1]))
    if output_last:
        manifest["output"] = "last"
    manifest["layers"] = [layer.entry for layer in layers]
    if skip:
        manifest["skip"] = skip
    return manifest


def manifest_text(manifest):
    """The manifest as the repository writes them: one key per line, one layer per line."""
    import json

    def inline(value):
        if isinstance(value, dict):
            return "{ " + ", ".join("%s: %s" % (json.dumps(k), inline(v)) for k, v in value.items()) + " }"
        return json.dumps(value)

    lines = []
    for key, value in manifest.items():
        if key == "layers":
            lines.append('  "layers": [\n' + ",\n".join("    " + inline(layer) for layer in value) + "\n  ]")
        else:
            lines.append("  %s: %s" % (json.dumps(key), inline(value)))
    return "{\n" + ",\n".join(lines) + "\n}\n"
