using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// The MUT1, MUT2 and MUT3 cells (Jozefowicz, Zaremba and Sutskever 2015), σ the logistic sigmoid:
/// <list type="bullet">
/// <item>MUT1: z = σ(W_xz x + b_z); r = σ(W_xr x + W_hr h + b_r); h′ = tanh(W_hh (r⊙h) + tanh(x) + b_h)⊙z + h⊙(1 − z)</item>
/// <item>MUT2: z = σ(W_xz x + W_hz h + b_z); r = σ(x + W_hr h + b_r); h′ = tanh(W_hh (r⊙h) + W_xh x + b_h)⊙z + h⊙(1 − z)</item>
/// <item>MUT3: z = σ(W_xz x + W_hz tanh(h) + b_z); r = σ(W_xr x + W_hr h + b_r); h′ = tanh(W_hh (r⊙h) + W_xh x + b_h)⊙z + h⊙(1 − z)</item>
/// </list>
/// Tensors of sub-layer k: <c>weight_x{z,r,h}_l{k}</c> [H, in], <c>weight_h{z,r,h}_l{k}</c> [H, H], <c>bias_{z,r,h}_l{k}</c> [H]
/// (all three or none); each cell reads exactly those its equations name (tools/mut_cells.py is the PyTorch module).
/// The built <see cref="LayerSpec"/> keeps them stacked in the order EdgeRnn.Kernels.Cells.Mut packs them:
/// <c>InputWeights</c> = the x-side rows of the gate segments [c | z | r] that have them, <c>RecurrentWeights</c> =
/// [W_hz;] W_hr; W_hh, <c>InputBias</c> = [b_h; b_z; b_r] (empty without biases).
/// </summary>
internal sealed class MutKind(int variant) : StackedKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "name"];

    /// <summary>1, 2 or 3.</summary>
    public int Variant { get; } = variant;

    public override string TypeName => $"mut{Variant}";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override string FirstWeightName(LayerDecl decl, int subLayer) => ModelBuilder.Name(decl.Prefix, $"weight_xz_l{subLayer}");


    // ---- Tensors ----------------------------------------------------------------------------------------------

    /// <summary>The x-side matrices in gate-segment order [c | z | r], the gates that have one (Cells.MutInputRows).</summary>
    private string[] InputRoles => Variant switch { 1 => ["xz", "xr"], 2 => ["xh", "xz"], _ => ["xh", "xz", "xr"] };

    /// <summary>The h-side gate matrices (z, r) the cell reads; W_hh (× r⊙h) comes after them.</summary>
    private string[] RecurrentRoles => Variant == 1 ? ["hr"] : ["hz", "hr"];

    /// <summary>What the equations do with x besides the matrices, for the input-size error.</summary>
    private string InputTerm => Variant == 1 ? "adds tanh(x) to its hidden-sized candidate" : "adds x itself to its hidden-sized reset gate";

    public override LayerSpec? Build(ModelBuilder b, LayerDecl decl, int k, int previousWidth)
    {
        string Name(string role) => ModelBuilder.Name(decl.Prefix, $"{role}_l{k}");
        string sub = $"{TypeName} sub-layer {k}";

        string hhName = Name("weight_hh");
        var hh = b.Use(hhName, "[H, H]", $"W_hh of {sub}, which multiplies r ⊙ h");
        if (hh is null) return null;
        if (hh.Shape.Length != 2 || hh.Shape[0] != hh.Shape[1] || hh.Shape[0] == 0)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, hhName, "[H, H]", hh.ShapeText, $"W_hh maps the hidden state to itself in {sub}");
            return null;
        }
        int hidden = hh.Shape[0];
        if (decl.StatedOutputSize is int statedHidden && statedHidden != hidden)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} hidden_size", statedHidden, hidden, hhName, hh.ShapeText);

        string xzName = Name("weight_xz");
        var xz = b.Use(xzName, $"[{hidden}, I]", $"W_xz of {sub}");
        if (xz is null) return null;
        if (xz.Shape.Length != 2 || xz.Shape[0] != hidden || xz.Shape[1] == 0)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, xzName, $"[{hidden}, I]", xz.ShapeText, $"one row per hidden unit of '{hhName}'");
            return null;
        }
        int input = xz.Shape[1];
        if (k > 0 && input != hidden)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, xzName, $"[{hidden}, {hidden}]", xz.ShapeText, $"stacked sub-layer {k} takes the output of sub-layer {k - 1}");
            return null;
        }
        if (Variant != 3 && input != hidden)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, xzName, $"[{hidden}, {hidden}]", xz.ShapeText,
                $"{TypeName} {InputTerm}, so its input size must equal the hidden size {hidden}");
            return null;
        }
        if (k == 0 && decl.StatedInputSize is int statedInput && statedInput != input)
            b.ReportAt(Descriptors.StatedSizeMismatch, decl.Location, b.ManifestName, $"layer {decl.Index} input_size", statedInput, input, xzName, xz.ShapeText);

        var inputRows = new List<float>();
        foreach (string role in InputRoles)
        {
            var t = role == "xz" ? xz : Matrix(b, Name("weight_" + role), hidden, input, $"W_{role} of {sub}");
            if (t is null) return null;
            inputRows.AddRange(t.Data.AsSpan().ToArray());
        }
        var recurrentRows = new List<float>();
        foreach (string role in RecurrentRoles)
        {
            var t = Matrix(b, Name("weight_" + role), hidden, hidden, $"W_{role} of {sub}");
            if (t is null) return null;
            recurrentRows.AddRange(t.Data.AsSpan().ToArray());
        }
        recurrentRows.AddRange(hh.Data.AsSpan().ToArray());

        var bias = Biases(b, decl, [Name("bias_h"), Name("bias_z"), Name("bias_r")], hidden);
        if (bias is null) return null;

        string name = (decl.Prefix.Length == 0 ? TypeName : decl.Prefix) + (decl.NumLayers > 1 ? $" l{k}" : "");
        return new LayerSpec(this, name, input, hidden, Activation.None, new EquatableArray<float>([.. inputRows]),
            new EquatableArray<float>([.. recurrentRows]), bias.Value, EquatableArray<float>.Empty) { CellSize = hidden };
    }

    /// <summary>A [rows, columns] weight the equations name: missing is ERNN0016, another shape ERNN0018.</summary>
    private static TensorSpec? Matrix(ModelBuilder b, string name, int rows, int columns, string why)
    {
        var t = b.Use(name, $"[{rows}, {columns}]", why);
        if (t is null) return null;
        if (t.Shape.Length != 2 || t.Shape[0] != rows || t.Shape[1] != columns)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, name, $"[{rows}, {columns}]", t.ShapeText, why);
            return null;
        }
        return t;
    }

    /// <summary>b_h, b_z, b_r stacked in that order, all three or none (bias=False: empty, the kernel's zeros); null after an error.</summary>
    private static EquatableArray<float>? Biases(ModelBuilder b, LayerDecl decl, string[] names, int hidden)
    {
        string? present = null;
        foreach (string n in names)
            if (b.TryGetTensor(n, out _)) { present = n; break; }
        if (present is null && decl.StatedBias != true) return EquatableArray<float>.Empty;
        if (decl.StatedBias == false)
        {
            b.ReportAt(Descriptors.StatedSizeMismatch, decl.Location, b.ManifestName, $"layer {decl.Index} bias", "false", "bias tensors", present!, b.TryGetTensor(present!, out var p) ? p.ShapeText : "");
            foreach (string n in names) b.MarkUsed(n);
            return null;
        }
        var stacked = new List<float>();
        foreach (string n in names)
        {
            var t = b.Use(n, $"[{hidden}]", present is null ? "the manifest states \"bias\": true" : $"'{present}' exists, so the model has biases");
            if (t is null) return null;
            if (t.Shape.Length != 1 || t.Shape[0] != hidden)
            {
                b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, n, $"[{hidden}]", t.ShapeText, "one bias per hidden unit");
                return null;
            }
            stacked.AddRange(t.Data.AsSpan().ToArray());
        }
        return new EquatableArray<float>([.. stacked]);
    }

    // ---- Plan and emit ----------------------------------------------------------------------------------------

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        // Gate segments [c | z | r], each padded to whole panels; work holds tanh(h) (MUT3) and then r⊙h.
        int gates = 3 * KernelLayout.Padded(layer.OutputSize);
        return new(gates, layer.OutputSize, 0, gates, layer.OutputSize);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights)
    {
        int h = layer.OutputSize, gateRows = RecurrentRoles.Length * h;
        weights.Comment($"{name}: {TypeName}, gate segments [c | z | r] of {KernelLayout.Padded(h)} rows each (EdgeRnn.Kernels.Cells.Mut).");
        weights.Matrix($"{name}InputWeights", PanelBlocks(layer.InputWeights, InputRoles.Length, h, layer.InputSize));
        weights.Matrix($"{name}RecurrentWeights", PanelBlocks(WeightPacking.Rows(layer.RecurrentWeights, 0, gateRows, h), RecurrentRoles.Length, h, h));
        weights.Matrix($"{name}CandidateWeights", WeightPacking.Panels(WeightPacking.Rows(layer.RecurrentWeights, gateRows, h, h), h, h));
        weights.Vector($"{name}Bias", layer.InputBias.Length == 0 ? new float[3 * KernelLayout.Padded(h)] : PanelBlocks(layer.InputBias, 3, h, 1));
    }

    /// <summary>
    /// <paramref name="blocks"/> blocks of <paramref name="rows"/> rows, each packed on its own (padded to whole panels) and
    /// laid end to end, so every block starts on a panel boundary and a kernel can add a product into one segment.
    /// With one column this pads a stacked vector the same way.
    /// </summary>
    private static float[] PanelBlocks(EquatableArray<float> rowMajor, int blocks, int rows, int columns)
    {
        int blockFloats = KernelLayout.Padded(rows) * columns;
        var packed = new float[blocks * blockFloats];
        for (int block = 0; block < blocks; block++)
            WeightPacking.Panels(WeightPacking.Rows(rowMajor, block * rows, rows, columns), rows, columns).CopyTo(packed, block * blockFloats);
        return packed;
    }

    /// <summary>The kernel's MutVariant, as C#.</summary>
    private string VariantArgument => $"{Kernels}.MutVariant.Mut{Variant}";

    public override string StepCall(LayerSpec layer, StepSite s) =>
        $"{Kernels}.Cells.Mut({VariantArgument}, {s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}CandidateWeights, {s.Weights}Bias, {s.Input}, {s.H}, {s.Gates}, {s.Work})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) =>
        $"{Kernels}.Sequences.Mut({VariantArgument}, {s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}CandidateWeights, {s.Weights}Bias, {s.Input}, {s.InputStride}, n, {s.H}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})";
}
