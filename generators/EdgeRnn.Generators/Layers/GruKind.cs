using System.Collections.Generic;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// nn.GRU (gates r, z, n): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h′ = (1 − z)⊙n + z⊙h, with the gate rows
/// interleaved in blocks (EdgeRnn.Kernels.GateBlocks). Keras' reset_after=False (r multiplies h before the recurrent
/// product, <see cref="LayerSpec.ResetAfter"/> false) keeps the r,z rows and the n rows as separate gate-major matrices.
/// </summary>
internal sealed class GruKind : RecurrentKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "bidirectional", "reset_after", "name"];

    public override string TypeName => "gru";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override int Gates => 3;

    /// <summary>Keras saves GRU gates z, r, h; PyTorch's order is r, z, n.</summary>
    public override int[]? KerasGateOrder => [1, 0, 2];

    protected override LayerDecl ParseRecurrentFields(LayerFields fields, LayerDecl decl) =>
        decl with { StatedResetAfter = fields.Bool("reset_after") };

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        int h = layer.OutputSize;
        if (!layer.ResetAfter)
        {
            int gates = KernelLayout.Padded(Gates * h);
            // r,z gates, n gates (each padded) and r⊙h.
            return new(gates, KernelLayout.Padded(2 * h) + KernelLayout.Padded(h) + h, 0, gates, h);
        }
        int rows = KernelLayout.InterleavedRows(h, Gates);
        return new(rows, rows / Gates, 0, rows, h);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights)
    {
        int h = layer.OutputSize, rows = Gates * h;
        if (!layer.ResetAfter)
        {
            weights.Comment($"{name} recurrent weights: rows r,z here; rows n in {name}CandidateWeights.");
            weights.Matrix($"{name}InputWeights", WeightPacking.Panels(layer.InputWeights, rows, layer.InputSize));
            weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(WeightPacking.Rows(layer.RecurrentWeights, 0, 2 * h, h), 2 * h, h));
            weights.Matrix($"{name}CandidateWeights", WeightPacking.Panels(WeightPacking.Rows(layer.RecurrentWeights, 2 * h, h, h), h, h));
            weights.Vector($"{name}InputBias", WeightPacking.Bias(layer.InputBias, rows));
            weights.Vector($"{name}RecurrentBias", WeightPacking.Bias(WeightPacking.Rows(layer.RecurrentBias, 0, 2 * h, 1), 2 * h));
            weights.Vector($"{name}CandidateBias", WeightPacking.Bias(WeightPacking.Rows(layer.RecurrentBias, 2 * h, h, 1), h));
            return;
        }
        // b_hn sits inside the r product, so the input and recurrent biases stay apart.
        int blocked = KernelLayout.InterleavedRows(h, Gates);
        weights.Matrix($"{name}InputWeights", WeightPacking.Panels(WeightPacking.InterleaveGates(layer.InputWeights, Gates, h, layer.InputSize), blocked, layer.InputSize));
        weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(WeightPacking.InterleaveGates(layer.RecurrentWeights, Gates, h, h), blocked, h, KernelLayout.BlockUnits(Gates) * Gates));
        weights.Vector($"{name}InputBias", WeightPacking.Bias(WeightPacking.InterleaveGates(layer.InputBias, Gates, h, 1), blocked));
        weights.Vector($"{name}RecurrentBias", WeightPacking.Bias(WeightPacking.InterleaveGates(layer.RecurrentBias, Gates, h, 1), blocked));
    }

    /// <summary>Largest hidden size given fixed step code (as <see cref="LstmKind.FixedStepMaxUnits"/>).</summary>
    public const int FixedStepMaxUnits = 64;

    /// <summary>PyTorch's reset_after form only: reset_before multiplies r into h before a second product.</summary>
    public override bool HasFixedStep(LayerSpec layer) => layer.ResetAfter && layer.OutputSize <= FixedStepMaxUnits;

    /// <summary>
    /// One step fused: per tile of units, r and z take b_ih + b_hh and both products, x_n and a_n (apart, since r
    /// multiplies a_n) take theirs; then the update of those units into <c>work</c>. Reads the layout of
    /// <see cref="PlanWeights"/>: rows interleaved in blocks of 16 units [r z n]; the input matrix in panels of 16 rows,
    /// the recurrent one a panel per block.
    /// </summary>
    public override void EmitFixedStep(SourceWriter w, LayerSpec layer, string name)
    {
        int hidden = layer.OutputSize, input = layer.InputSize;
        const int units = KernelLayout.GruBlockUnits, blockRows = KernelLayout.GruBlockRows;
        w.Line(WeightsRef("wx", $"{name}InputWeights"));
        w.Line(WeightsRef("wh", $"{name}RecurrentWeights"));
        w.Line(WeightsRef("bx", $"{name}InputBias"));
        w.Line(WeightsRef("bh", $"{name}RecurrentBias"));
        w.Line("ref float h = ref state;");
        var runs = FixedStep.GateBlockRuns(input, hidden, blockRows);
        FixedStep.EmitDispatch(w, registerBound: true, (v, inline) =>
        {
            foreach (var tile in FixedStep.Tiles(v, hidden, FixedStep.TileAccumulators / 4))
            {
                w.Line($"// {FixedStep.UnitsText(tile[0].Unit, tile[tile.Count - 1].Unit + tile[tile.Count - 1].Valid - 1)}: r, z = b + W_ih x + W_hh h; x_n = b_in + W_in x; a_n = b_hn + W_hn h");
                w.OpenBlock();
                var accumulators = new List<Accumulator>();
                var stores = new List<(string Destination, int Offset)>();
                for (int t = 0; t < tile.Count; t++)
                {
                    int u = tile[t].Unit, block = u / units, lane = u % units;
                    int Row(int gate) => block * blockRows + gate * units + lane;
                    int InputOffset(int gate) => FixedStep.PanelOffset(Row(gate), input);
                    int RecurrentOffset(int gate) => block * blockRows * hidden + gate * units + lane;
                    accumulators.Add(new Accumulator($"r{t}", $"{v.Load("bx", Row(0).ToString())} + {v.Load("bh", Row(0).ToString())}", [InputOffset(0), RecurrentOffset(0)]));
                    accumulators.Add(new Accumulator($"z{t}", $"{v.Load("bx", Row(1).ToString())} + {v.Load("bh", Row(1).ToString())}", [InputOffset(1), RecurrentOffset(1)]));
                    accumulators.Add(new Accumulator($"xn{t}", v.Load("bx", Row(2).ToString()), [InputOffset(2), -1]));
                    accumulators.Add(new Accumulator($"an{t}", v.Load("bh", Row(2).ToString()), [-1, RecurrentOffset(2)]));
                    // The activation pass's layout: r, z, x_n in the gate rows, a_n where the unit's new h goes.
                    stores.AddRange([("gates", Row(0)), ("gates", Row(1)), ("gates", Row(2)), ("work", u)]);
                }
                FixedStep.EmitProducts(w, v, accumulators, runs);
                if (!inline)
                {
                    w.Line("// r, z, x_n to the gate rows and a_n to the new h's place, for the activation pass below");
                    for (int a = 0; a < accumulators.Count; a++) w.Line(v.Store(accumulators[a].Name, stores[a].Destination, stores[a].Offset.ToString()));
                }
                for (int t = 0; t < tile.Count && inline; t++)
                {
                    var (u, valid) = tile[t];
                    w.Line($"// {FixedStep.UnitsText(u, u + valid - 1)}: n = tanh(x_n + σ(r)⊙a_n), h = (1 − σ(z))⊙n + σ(z)⊙h");
                    w.Line($"var zs{t} = {VectorMath}.Sigmoid(z{t});");
                    w.Line($"var n{t} = {VectorMath}.Tanh({v.Fma($"{VectorMath}.Sigmoid(r{t})", $"an{t}", $"xn{t}")});");
                    w.Line(v.Store($"(global::System.Runtime.Intrinsics.{v.Name}<float>.One - zs{t}) * n{t} + zs{t} * {v.LoadPartial("h", u, valid)}", "work", u.ToString()));
                }
                w.Close();
            }
            if (!inline)
            {
                w.Line("// σ of every r and z in one loop, then the new h of every unit");
                w.Line($"{Kernels}.GateBlocks.GruActivateUpdate(ref gates, ref h, ref work, {hidden});");
            }
            FixedStep.EmitCopyToState(w, v, hidden, "h");
        });
    }

    public override string StepCall(LayerSpec layer, StepSite s) => layer.ResetAfter
        ? $"{Kernels}.Cells.Gru({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Input}, {s.H}, {s.Gates}, {s.Work})"
        : $"{Kernels}.Cells.GruResetBefore({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}CandidateWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Weights}CandidateBias, {s.Input}, {s.H}, {s.Gates}, {s.Work})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) => layer.ResetAfter
        ? $"{Kernels}.Sequences.Gru({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Input}, {s.InputStride}, n, {s.H}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})"
        : $"{Kernels}.Sequences.GruResetBefore({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}CandidateWeights, {s.Weights}InputBias, {s.Weights}RecurrentBias, {s.Weights}CandidateBias, {s.Input}, {s.InputStride}, n, {s.H}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})";
}
