"""Tests of edgernn_export.export: run with  /usr/bin/python3 -m unittest discover -s tools/edgernn_export/tests -v

Each test builds a small PyTorch model, exports it to a temporary folder and checks the three files against what
the model itself computes (its forward() and the state its recurrent modules return, in float64), not against
numbers written here.
"""
import json
import os
import sys
import tempfile
import unittest

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from edgernn_export import ExportError, export, read_safetensors  # noqa: E402
from edgernn_export.safetensors_io import quantize  # noqa: E402

torch.set_num_threads(1)


class Amp(nn.Module):
    """LSTM -> linear, plus the input sample (skip 1); the head is declared before the LSTM on purpose."""

    def __init__(self, hidden=8):
        super().__init__()
        self.lin = nn.Linear(hidden, 1)
        self.rec = nn.LSTM(1, hidden, batch_first=True)

    def forward(self, x):
        y, _ = self.rec(x)
        return self.lin(y) + x[..., :1]


class StackedGru(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(3, 6, num_layers=2, batch_first=True)
        self.head = nn.Sequential(nn.Linear(6, 2), nn.Tanh(), nn.Dropout(0.5))

    def forward(self, x):
        return self.head(self.rnn(x)[0])


class BiRnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 5, num_layers=2, nonlinearity="relu", bidirectional=True, batch_first=True)
        self.head = nn.Linear(10, 3)

    def forward(self, x):
        return self.head(self.rnn(x)[0])


class ProjectedTimeMajor(nn.Module):
    """LSTM with proj_size, batch_first=False: input [T, 1, I]."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 7, num_layers=2, proj_size=4)
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        return self.out(self.lstm(x)[0])


class TokenLm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(13, 5)
        self.rnn = nn.LSTM(5, 9, batch_first=True)
        self.head = nn.Linear(9, 13)
        self.norm = nn.LogSoftmax(dim=-1)

    def forward(self, tokens):
        return self.norm(self.head(self.rnn(self.embed(tokens))[0]))


class LastStep(nn.Module):
    """Many-to-one: the head reads the last step only."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(2, 6, batch_first=True)
        self.head = nn.Linear(6, 3)
        self.prob = nn.Softmax(dim=-1)

    def forward(self, x):
        return self.prob(self.head(self.rnn(x)[0][:, -1]))


def float64_forward(model, x):
    """The model's own forward() in float64 on a copy: what the reference outputs must be."""
    import copy
    m = copy.deepcopy(model).eval().double()
    with torch.no_grad():
        return m(x if not x.is_floating_point() else x.double())


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class ExportTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, "models", name)

    def test_amp_layers_in_call_order_skip_found_and_references_from_pytorch(self):
        torch.manual_seed(1)
        model = Amp()
        x = torch.randn(1, 40, 1)
        result = export(model, self.path("amp"), x)

        manifest = read_json(result.manifest_path)
        self.assertEqual(manifest["weights"], "amp.safetensors")
        self.assertEqual([(l["type"], l["prefix"]) for l in manifest["layers"]], [("lstm", "rec"), ("linear", "lin")])
        self.assertEqual(manifest["skip"], 1)
        self.assertEqual(manifest["input"], {"size": 1})

        tensors, dtypes, meta = read_safetensors(result.weights_path)
        self.assertEqual(sorted(tensors), sorted(model.state_dict()))
        for key, value in model.state_dict().items():
            np.testing.assert_array_equal(tensors[key], value.numpy())
        self.assertEqual(meta, {"format": "pt"})

        expected = read_json(result.expected_path)
        self.assertEqual((expected["input_size"], expected["output_size"], expected["steps"]), (1, 1, 40))
        np.testing.assert_array_equal(np.float32(expected["inputs"]), x.numpy().ravel())
        want = float64_forward(model, x)[0].numpy().astype(np.float32).ravel()
        np.testing.assert_allclose(np.float32(expected["outputs"]), want, rtol=0, atol=1e-7)
        # The final state, h then c, is what the LSTM itself returns after the sequence.
        import copy
        rec = copy.deepcopy(model.rec).double()
        with torch.no_grad():
            _, (h, c) = rec(x.double())
        np.testing.assert_allclose(np.float32(expected["final_state"]), np.concatenate([h[0, 0], c[0, 0]]).astype(np.float32), atol=1e-7)
        self.assertEqual(expected["state_size"], 16)
        self.assertLessEqual(result.max_difference, 1e-12)
        self.assertLess(expected["f32_maxdiff"], 1e-4)

    def test_model_is_left_as_it_was(self):
        torch.manual_seed(2)
        model = Amp().train()
        before = {k: v.clone() for k, v in model.state_dict().items()}
        export(model, self.path("amp"), torch.randn(1, 10, 1))
        self.assertTrue(model.training)
        for key, value in model.state_dict().items():
            self.assertEqual(value.dtype, torch.float32)
            self.assertTrue(torch.equal(value, before[key]), key)

    def test_stacked_gru_with_activation_module_and_dropout(self):
        torch.manual_seed(3)
        model = StackedGru()
        x = torch.randn(1, 30, 3)
        result = export(model, self.path("gru.edgernn.json"), x)
        self.assertTrue(result.manifest_path.endswith("gru.edgernn.json"))
        layers = read_json(result.manifest_path)["layers"]
        self.assertEqual(layers, [{"type": "gru", "prefix": "rnn", "num_layers": 2},
                                  {"type": "linear", "prefix": "head.0", "activation": "tanh"}])
        expected = read_json(result.expected_path)
        self.assertNotIn("skip", read_json(result.manifest_path))
        np.testing.assert_allclose(np.float32(expected["outputs"]), float64_forward(model, x)[0].numpy().ravel(), atol=1e-7)
        self.assertEqual(expected["state_size"], 12)

    def test_bidirectional_is_sequence_only_without_state(self):
        torch.manual_seed(4)
        model = BiRnn()
        x = torch.randn(1, 25, 4)
        result = export(model, self.path("bi"), x)
        layer = read_json(result.manifest_path)["layers"][0]
        self.assertEqual(layer, {"type": "rnn", "prefix": "rnn", "num_layers": 2, "nonlinearity": "relu", "bidirectional": True})
        expected = read_json(result.expected_path)
        self.assertTrue(expected["sequence_only"])
        self.assertEqual((expected["state_size"], expected["final_state"]), (0, []))
        np.testing.assert_allclose(np.float32(expected["outputs"]), float64_forward(model, x)[0].numpy().ravel(), atol=1e-7)

    def test_projected_lstm_time_major_state_is_h_then_c_per_layer(self):
        torch.manual_seed(5)
        model = ProjectedTimeMajor()
        x = torch.randn(20, 1, 3)
        result = export(model, self.path("proj"), x)
        layer = read_json(result.manifest_path)["layers"][0]
        self.assertEqual(layer, {"type": "lstm", "prefix": "lstm", "num_layers": 2, "proj_size": 4})
        expected = read_json(result.expected_path)
        np.testing.assert_allclose(np.float32(expected["outputs"]), float64_forward(model, x)[:, 0].numpy().ravel(), atol=1e-7)
        import copy
        with torch.no_grad():
            _, (h, c) = copy.deepcopy(model.lstm).double()(x.double())
        want = np.concatenate([np.concatenate([h[k, 0], c[k, 0]]) for k in range(2)]).astype(np.float32)
        np.testing.assert_allclose(np.float32(expected["final_state"]), want, atol=1e-7)
        self.assertEqual(expected["state_size"], 2 * (4 + 7))

    def test_token_model_with_log_softmax(self):
        torch.manual_seed(6)
        model = TokenLm()
        tokens = torch.randint(0, 13, (1, 35))
        result = export(model, self.path("lm"), tokens)
        manifest = read_json(result.manifest_path)
        self.assertEqual(manifest["input"], {"vocab": 13})
        self.assertEqual([l["type"] for l in manifest["layers"]], ["embedding", "lstm", "linear", "log_softmax"])
        expected = read_json(result.expected_path)
        self.assertEqual(expected["input_size"], 1)
        self.assertEqual(expected["inputs"], [float(t) for t in tokens[0].tolist()])
        np.testing.assert_allclose(np.float32(expected["outputs"]), float64_forward(model, tokens)[0].numpy().ravel(), atol=1e-6)

    def test_many_to_one_is_output_last_with_every_step_written(self):
        torch.manual_seed(7)
        model = LastStep()
        x = torch.randn(1, 22, 2)
        result = export(model, self.path("clf"), x)
        self.assertEqual(read_json(result.manifest_path)["output"], "last")
        expected = read_json(result.expected_path)
        self.assertTrue(expected["output_last"])
        outputs = np.float32(expected["outputs"]).reshape(22, 3)
        np.testing.assert_allclose(outputs[-1], float64_forward(model, x)[0].numpy(), atol=1e-7)
        # Every step's output (what Step gives): the head on each prefix of the sequence.
        np.testing.assert_allclose(outputs[10], float64_forward(model, x[:, :11])[0].numpy(), atol=1e-7)

    def test_bare_module_has_unprefixed_names(self):
        torch.manual_seed(8)
        model = nn.GRU(3, 4, batch_first=True)
        result = export(model, self.path("bare"), torch.randn(1, 12, 3))
        self.assertEqual(read_json(result.manifest_path)["layers"], [{"type": "gru"}])
        tensors, _, _ = read_safetensors(result.weights_path)
        self.assertEqual(sorted(tensors), sorted(model.state_dict()))

    def test_f16_weights_and_references_use_the_stored_values(self):
        torch.manual_seed(9)
        model = Amp()
        x = torch.randn(1, 16, 1)
        result = export(model, self.path("half"), x, dtype="F16")
        tensors, dtypes, _ = read_safetensors(result.weights_path)
        self.assertEqual(set(dtypes.values()), {"F16"})
        rounded = Amp()
        rounded.load_state_dict({k: torch.from_numpy(quantize(v.numpy(), "F16")) for k, v in model.state_dict().items()})
        expected = read_json(result.expected_path)
        np.testing.assert_allclose(np.float32(expected["outputs"]), float64_forward(rounded, x)[0].numpy().ravel(), atol=1e-7)

    def test_mut_cells_of_tools_export_like_a_gru(self):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
        import mut_cells

        class MutModel(nn.Module):
            def __init__(self):
                super().__init__()
                self.cell = mut_cells.MUT2(input_size=4, hidden_size=4, num_layers=2, batch_first=True)
                self.head = nn.Linear(4, 2)

            def forward(self, x):
                return self.head(self.cell(x)[0])

        torch.manual_seed(11)
        model = MutModel()
        x = torch.randn(1, 18, 4)
        result = export(model, self.path("mut"), x)
        self.assertEqual(read_json(result.manifest_path)["layers"][0], {"type": "mut2", "prefix": "cell", "num_layers": 2})
        tensors, _, _ = read_safetensors(result.weights_path)
        self.assertEqual(sorted(tensors), sorted(model.state_dict()))
        expected = read_json(result.expected_path)
        np.testing.assert_allclose(np.float32(expected["outputs"]), float64_forward(model, x)[0].numpy().ravel(), atol=1e-7)
        import copy
        with torch.no_grad():
            _, h_n = copy.deepcopy(model.cell).double()(x.double())
        np.testing.assert_allclose(np.float32(expected["final_state"]), h_n[:, 0].numpy().ravel().astype(np.float32), atol=1e-7)

    def test_unsupported_module_is_named(self):
        class WithConv(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv1d(1, 1, 3, padding=1)
                self.rnn = nn.GRU(1, 3, batch_first=True)

            def forward(self, x):
                return self.rnn(self.conv(x.transpose(1, 2)).transpose(1, 2))[0]

        with self.assertRaisesRegex(ExportError, r"'conv' \(Conv1d\) has weights but is not a layer EdgeRnn reads"):
            export(WithConv(), self.path("conv"), torch.randn(1, 8, 1))
        self.assertFalse(os.path.exists(self.path("conv.edgernn.json")))

    def test_functional_activation_is_a_difference_not_a_wrong_manifest(self):
        class FunctionalTanh(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(2, 4, batch_first=True)
                self.head = nn.Linear(4, 2)

            def forward(self, x):
                return torch.tanh(self.head(self.rnn(x)[0]))

        with self.assertRaisesRegex(ExportError, r"lstm 'rnn' -> linear 'head'.*largest difference"):
            export(FunctionalTanh(), self.path("f"), torch.randn(1, 8, 2))

    def test_activation_after_a_recurrent_layer_is_refused(self):
        class TanhAfterLstm(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(2, 4, batch_first=True)
                self.act = nn.Tanh()

            def forward(self, x):
                return self.act(self.rnn(x)[0])

        with self.assertRaisesRegex(ExportError, r"'act' \(Tanh\) follows lstm 'rnn'"):
            export(TanhAfterLstm(), self.path("a"), torch.randn(1, 8, 2))

    def test_a_module_called_twice_is_refused(self):
        class Twice(nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = nn.Linear(3, 3)

            def forward(self, x):
                return self.lin(self.lin(x))

        with self.assertRaisesRegex(ExportError, "called more than once"):
            export(Twice(), self.path("t"), torch.randn(1, 5, 3))

    def test_explicit_skip_that_forward_does_not_add_is_refused(self):
        torch.manual_seed(10)
        with self.assertRaisesRegex(ExportError, "with skip=1"):
            export(StackedGru(), self.path("s"), torch.randn(1, 8, 3), skip=1)

    def test_a_batch_of_several_sequences_is_refused(self):
        with self.assertRaisesRegex(ExportError, "one sequence"):
            export(Amp(), self.path("b"), torch.randn(2, 8, 1))


if __name__ == "__main__":
    unittest.main()
