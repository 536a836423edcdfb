using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Layers;

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
    /// <summary>The manifest's layers with what the Keras tensors tell (a GRU's reset_after); null after an error.</summary>
    private EquatableArray<LayerDecl>? ConvertKerasTensors(ManifestSpec manifest)
    {
        int errorsBefore = ErrorCount();
        var converted = new List<LayerDecl>();
        foreach (var decl in manifest.Layers)
        {
            _layerLocation = decl.Location;
            if (decl.Kind == LayerKinds.Linear) ConvertDense(decl);
            else if (decl.Kind is RecurrentKind && ConvertRecurrent(decl)) { converted.Add(decl with { ResetBefore = true }); continue; }
            converted.Add(decl);
            _layerLocation = null;
        }
        _layerLocation = null;
        return ErrorCount() == errorsBefore ? new EquatableArray<LayerDecl>([.. converted]) : null;
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
        Add(Name(decl.Prefix, "weight"), [output, input], Transpose(kernel.Data.AsSpan(), input, output, gateOrder: null));
        string biasName = KerasName(decl.Prefix, "bias");
        if (_tensors.TryGetValue(biasName, out var bias))
        {
            _used.Add(biasName);
            Add(Name(decl.Prefix, "bias"), [.. bias.Shape], bias.Data.AsSpan().ToArray());
        }
    }

    /// <summary>Rewrites one recurrent layer's tensors; true when its GRU applies r before the recurrent product (reset_after=False).</summary>
    private bool ConvertRecurrent(LayerDecl decl)
    {
        int gates = decl.Kind.Gates;
        int[]? gateOrder = decl.Kind.KerasGateOrder;
        string gateText = gates == 1 ? "H" : $"{gates}·H";
        if (decl.NumLayers != 1)
        {
            Report(Descriptors.InvalidManifestValue, _manifestName, $"layer {decl.Index}: Keras layers are not stacked with \"num_layers\"; list each layer");
            return false;
        }
        var recurrent = Use(KerasName(decl.Prefix, "recurrent_kernel"), $"[H, {gateText}]", "the recurrent kernel");
        if (recurrent is null) return false;
        if (recurrent.Shape.Length != 2 || recurrent.Shape[1] != (long)gates * recurrent.Shape[0] || recurrent.Shape[0] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, recurrent.Name, $"[H, {gateText}]", recurrent.ShapeText, $"Keras keeps {gates} gate(s) per unit in the columns");
            return false;
        }
        int hidden = recurrent.Shape[0], rows = gates * hidden;
        var kernel = Use(KerasName(decl.Prefix, "kernel"), $"[I, {rows}]", "the input kernel");
        if (kernel is null) return false;
        if (kernel.Shape.Length != 2 || kernel.Shape[1] != rows || kernel.Shape[0] == 0)
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, kernel.Name, $"[I, {rows}]", kernel.ShapeText, $"{gates} gate(s) × hidden size {hidden}");
            return false;
        }
        int input = kernel.Shape[0];
        // Keras' GRU has reset_after and its two bias forms.
        bool gru = decl.Kind == LayerKinds.Gru;
        Add(Name(decl.Prefix, "weight_ih_l0"), [rows, input], Transpose(kernel.Data.AsSpan(), input, rows, gateOrder));
        Add(Name(decl.Prefix, "weight_hh_l0"), [rows, hidden], Transpose(recurrent.Data.AsSpan(), hidden, rows, gateOrder));

        string biasName = KerasName(decl.Prefix, "bias");
        if (!_tensors.TryGetValue(biasName, out var bias))
        {
            return gru && decl.StatedResetAfter == false; // use_bias=False
        }
        _used.Add(biasName);
        var b = bias.Data.AsSpan();
        if (gru && bias.Shape.Length == 2 && bias.Shape[0] == 2 && bias.Shape[1] == rows)
        {
            if (decl.StatedResetAfter == false)
                Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} reset_after", "false", "a [2, 3·H] bias (reset_after=True)", bias.Name, bias.ShapeText);
            Add(Name(decl.Prefix, "bias_ih_l0"), [rows], Reorder(b.Slice(0, rows).ToArray(), hidden, gateOrder));
            Add(Name(decl.Prefix, "bias_hh_l0"), [rows], Reorder(b.Slice(rows, rows).ToArray(), hidden, gateOrder));
            return false;
        }
        else if (bias.Shape.Length == 1 && bias.Shape[0] == rows)
        {
            if (gru)
            {
                if (decl.StatedResetAfter == true)
                    Report(Descriptors.StatedSizeMismatch, _manifestName, $"layer {decl.Index} reset_after", "true", "a [3·H] bias (reset_after=False)", bias.Name, bias.ShapeText);
            }
            Add(Name(decl.Prefix, "bias_ih_l0"), [rows], Reorder(b.ToArray(), hidden, gateOrder));
            Add(Name(decl.Prefix, "bias_hh_l0"), [rows], new float[rows]);
            return gru;
        }
        else
        {
            Report(Descriptors.TensorShapeMismatch, _manifestName, bias.Name, gru ? $"[2, {rows}] or [{rows}]" : $"[{rows}]", bias.ShapeText, "one bias per gate column");
            return false;
        }
    }

    /// <summary>[rows_in, cols] (Keras: columns are gate·unit) → [cols, rows_in] (PyTorch), gate blocks moved by <paramref name="gateOrder"/>.</summary>
    private static float[] Transpose(System.ReadOnlySpan<float> source, int inner, int outer, int[]? gateOrder)
    {
        var result = new float[source.Length];
        int hidden = gateOrder is null ? outer : outer / gateOrder.Length;
        for (int col = 0; col < outer; col++)
        {
            int target = gateOrder is null ? col : PyTorchRow(col, hidden, gateOrder);
            for (int i = 0; i < inner; i++)
                result[target * inner + i] = source[i * outer + col];
        }
        return result;
    }

    /// <summary>Keras column (gate blocks in Keras' order) → PyTorch row.</summary>
    private static int PyTorchRow(int kerasColumn, int hidden, int[] gateOrder) =>
        gateOrder[kerasColumn / hidden] * hidden + kerasColumn % hidden;

    private static float[] Reorder(float[] keras, int hidden, int[]? gateOrder)
    {
        if (gateOrder is null) return keras;
        var result = new float[keras.Length];
        for (int i = 0; i < keras.Length; i++) result[PyTorchRow(i, hidden, gateOrder)] = keras[i];
        return result;
    }

    private void Add(string name, int[] shape, float[] data) =>
        _tensors[name] = new TensorSpec(name, new EquatableArray<int>(shape), new EquatableArray<float>(data));

    private static string KerasName(string prefix, string name) => prefix.Length == 0 ? name : prefix + "/" + name;
}
