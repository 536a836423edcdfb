using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;

namespace EdgeRnn.Generators.Model;

/// <summary>
/// Keras layout: tensors named as Keras saves them (<c>lstm/kernel</c> [I, G·H], <c>lstm/recurrent_kernel</c>
/// [H, G·H], <c>lstm/bias</c>; Dense <c>kernel</c> [in, out]) are rewritten once into PyTorch's layout, so the
/// rest of the build — checks, packing, kernels — is the same for both. LSTM gates (i, f, c, o) already match
/// PyTorch's (i, f, g, o); GRU gates (z, r, h) are reordered to (r, z, n). A GRU bias of [2, 3H] is
/// reset_after=True (input and recurrent bias, PyTorch's equations); a bias of [3H] is reset_after=False, where
/// r multiplies h before the recurrent product (see LayerSpec.ResetAfter).
/// </summary>
internal sealed partial class ModelBuilder
{
    private readonly HashSet<int> _resetBefore = new();

    private bool ConvertKerasTensors(ManifestSpec manifest)
    {
        int errorsBefore = ErrorCount();
        foreach (var decl in manifest.Layers)
        {
            _layerLocation = decl.Location;
            if (decl.Kind == LayerKind.Linear) ConvertDense(decl);
            else if (decl.Kind is LayerKind.Lstm or LayerKind.Gru or LayerKind.Rnn) ConvertRecurrent(decl);
            _layerLocation = null;
        }
        return ErrorCount() == errorsBefore;
    }

    private void ConvertDense(LayerDecl decl)
    {
        var kernel = Use(KerasName(decl.Prefix, "kernel"), "[in, out]", "the kernel of a Dense layer");
        if (kernel is null) return;
        if (kernel.Shape.Length != 2)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, kernel.Name, "[in, out]", kernel.ShapeText, "a Dense kernel is a matrix");
            return;
        }
        int input = kernel.Shape[0], output = kernel.Shape[1];
        Add(Name(decl.Prefix, "weight"), [output, input], Transpose(kernel.Data.AsSpan(), input, output, gates: 1, reorderGru: false));
        string biasName = KerasName(decl.Prefix, "bias");
        if (_tensors.TryGetValue(biasName, out var bias))
        {
            _used.Add(biasName);
            Add(Name(decl.Prefix, "bias"), [.. bias.Shape], bias.Data.AsSpan().ToArray());
        }
    }

    private void ConvertRecurrent(LayerDecl decl)
    {
        int gates = decl.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
        string gateText = gates == 1 ? "H" : $"{gates}·H";
        if (decl.NumLayers != 1)
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, $"layer {decl.Index}: Keras layers are not stacked with \"num_layers\"; list each layer");
            return;
        }
        var recurrent = Use(KerasName(decl.Prefix, "recurrent_kernel"), $"[H, {gateText}]", "the recurrent kernel");
        if (recurrent is null) return;
        if (recurrent.Shape.Length != 2 || recurrent.Shape[1] != gates * recurrent.Shape[0] || recurrent.Shape[0] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, recurrent.Name, $"[H, {gateText}]", recurrent.ShapeText, $"Keras keeps {gates} gate(s) per unit in the columns");
            return;
        }
        int hidden = recurrent.Shape[0], rows = gates * hidden;
        var kernel = Use(KerasName(decl.Prefix, "kernel"), $"[I, {rows}]", "the input kernel");
        if (kernel is null) return;
        if (kernel.Shape.Length != 2 || kernel.Shape[1] != rows || kernel.Shape[0] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, kernel.Name, $"[I, {rows}]", kernel.ShapeText, $"{gates} gate(s) × hidden size {hidden}");
            return;
        }
        int input = kernel.Shape[0];
        bool gru = decl.Kind == LayerKind.Gru;
        Add(Name(decl.Prefix, "weight_ih_l0"), [rows, input], Transpose(kernel.Data.AsSpan(), input, rows, gates, gru));
        Add(Name(decl.Prefix, "weight_hh_l0"), [rows, hidden], Transpose(recurrent.Data.AsSpan(), hidden, rows, gates, gru));

        string biasName = KerasName(decl.Prefix, "bias");
        if (!_tensors.TryGetValue(biasName, out var bias))
        {
            if (gru && decl.StatedResetAfter == false) _resetBefore.Add(decl.Index);
            return; // use_bias=False
        }
        _used.Add(biasName);
        var b = bias.Data.AsSpan();
        if (gru && bias.Shape.Length == 2 && bias.Shape[0] == 2 && bias.Shape[1] == rows)
        {
            if (decl.StatedResetAfter == false)
                Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} reset_after", "false", "a [2, 3·H] bias (reset_after=True)", bias.Name, bias.ShapeText);
            Add(Name(decl.Prefix, "bias_ih_l0"), [rows], ReorderGru(b.Slice(0, rows).ToArray(), hidden));
            Add(Name(decl.Prefix, "bias_hh_l0"), [rows], ReorderGru(b.Slice(rows, rows).ToArray(), hidden));
        }
        else if (bias.Shape.Length == 1 && bias.Shape[0] == rows)
        {
            if (gru)
            {
                if (decl.StatedResetAfter == true)
                    Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} reset_after", "true", "a [3·H] bias (reset_after=False)", bias.Name, bias.ShapeText);
                _resetBefore.Add(decl.Index);
            }
            Add(Name(decl.Prefix, "bias_ih_l0"), [rows], gru ? ReorderGru(b.ToArray(), hidden) : b.ToArray());
            Add(Name(decl.Prefix, "bias_hh_l0"), [rows], new float[rows]);
        }
        else
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, bias.Name, gru ? $"[2, {rows}] or [{rows}]" : $"[{rows}]", bias.ShapeText, "one bias per gate column");
        }
    }

    /// <summary>[rows_in, cols] (Keras: columns are gate·unit) → [cols, rows_in] (PyTorch), GRU gate blocks z, r, h → r, z, n.</summary>
    private static float[] Transpose(System.ReadOnlySpan<float> source, int inner, int outer, int gates, bool reorderGru)
    {
        var result = new float[source.Length];
        int hidden = outer / gates;
        for (int col = 0; col < outer; col++)
        {
            int target = reorderGru ? GruRow(col, hidden) : col;
            for (int i = 0; i < inner; i++)
                result[target * inner + i] = source[i * outer + col];
        }
        return result;
    }

    /// <summary>Keras GRU column (z, r, h blocks) → PyTorch row (r, z, n blocks).</summary>
    private static int GruRow(int kerasColumn, int hidden)
    {
        int block = kerasColumn / hidden, unit = kerasColumn % hidden;
        int pytorchBlock = block switch { 0 => 1, 1 => 0, _ => 2 };
        return pytorchBlock * hidden + unit;
    }

    private static float[] ReorderGru(float[] keras, int hidden)
    {
        var result = new float[keras.Length];
        for (int i = 0; i < keras.Length; i++) result[GruRow(i, hidden)] = keras[i];
        return result;
    }

    private void Add(string name, int[] shape, float[] data) =>
        _tensors[name] = new TensorSpec(name, new EquatableArray<int>(shape), new EquatableArray<float>(data));

    private static string KerasName(string prefix, string name) => prefix.Length == 0 ? name : prefix + "/" + name;
}
