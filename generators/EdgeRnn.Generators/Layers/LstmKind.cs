using System.Collections.Generic;
using EdgeRnn.Generators.Diagnostics;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// nn.LSTM (gates i, f, g, o): c′ = f⊙c + i⊙g, h′ = o⊙tanh(c′); with proj_size, h′ = W_hr (o⊙tanh c′).
/// Without a projection the gate rows are interleaved in blocks of units (EdgeRnn.Kernels.GateBlocks: the recurrent
/// product and the cell update in one pass); with one, gate-major rows and a separate projection.
/// </summary>
internal sealed class LstmKind : RecurrentKind
{
    private static readonly string[] s_properties = ["type", "prefix", "num_layers", "hidden_size", "input_size", "bias", "bidirectional", "proj_size", "name"];

    public override string TypeName => "lstm";

    public override IReadOnlyList<string> ManifestProperties => s_properties;

    public override int Gates => 4;

    public override IEnumerable<(string Name, int Size)> StateParts(LayerSpec layer) => [("h", layer.OutputSize), ("c", layer.CellSize)];

    protected override LayerDecl ParseRecurrentFields(LayerFields fields, LayerDecl decl) =>
        decl with { StatedProjection = fields.Integer("proj_size", 0) };

    /// <summary>proj_size: weight_hr [P, H] maps the cell's H outputs to the P-wide h; weight_hh is then [4H, P].</summary>
    protected override (TensorSpec Hh, int Cell, int Width, EquatableArray<float> Projection)? RecurrentMatrix(ModelBuilder b, LayerDecl decl, int k, string suffix)
    {
        string hrName = ModelBuilder.Name(decl.Prefix, $"weight_hr_l{k}{suffix}");
        if (!b.TryGetTensor(hrName, out _))
        {
            var plain = base.RecurrentMatrix(b, decl, k, suffix);
            if (plain is { } p && decl.StatedProjection is int stated && stated != 0)
                b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} proj_size", stated, 0, p.Hh.Name, p.Hh.ShapeText);
            return plain;
        }
        var hr = b.Use(hrName, "[P, H]", "the projection of an LSTM with proj_size");
        if (hr is null) return null;
        if (hr.Shape.Length != 2 || hr.Shape[0] == 0 || hr.Shape[1] <= hr.Shape[0])
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, hrName, "[P, H] with P < H", hr.ShapeText, "PyTorch requires 0 < proj_size < hidden_size");
            return null;
        }
        int cell = hr.Shape[1], width = hr.Shape[0];
        string hhName = ModelBuilder.Name(decl.Prefix, $"weight_hh_l{k}{suffix}");
        var hh = b.Use(hhName, $"[{Gates * cell}, {width}]", $"the recurrent weights of {TypeName} sub-layer {k}");
        if (hh is null) return null;
        if (hh.Shape.Length != 2 || hh.Shape[0] != (long)Gates * cell || hh.Shape[1] != width)
        {
            b.Report(Descriptors.TensorShapeMismatch, b.ManifestName, hhName, $"[{Gates * cell}, {width}]", hh.ShapeText, $"projected h of {width} from '{hrName}'");
            return null;
        }
        if (decl.StatedOutputSize is int statedHidden && statedHidden != cell)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} hidden_size", statedHidden, cell, hhName, hh.ShapeText);
        if (decl.StatedProjection is int statedProj && statedProj != width)
            b.Report(Descriptors.StatedSizeMismatch, b.ManifestName, $"layer {decl.Index} proj_size", statedProj, width, hrName, hr.ShapeText);
        return (hh, cell, width, hr.Data);
    }

    public override LayerFootprint Footprint(LayerSpec layer)
    {
        if (layer.IsProjected)
        {
            int gates = KernelLayout.Padded(Gates * layer.CellSize);
            // o ⊙ tanh(c) (cell width) and the padded projection.
            return new(gates, layer.CellSize + KernelLayout.Padded(layer.OutputSize), 0, gates, layer.OutputSize);
        }
        int rows = KernelLayout.InterleavedRows(layer.CellSize, Gates);
        // The new h of whole blocks of units, before it replaces the old one.
        return new(rows, rows / Gates, 0, rows, layer.OutputSize);
    }

    public override void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights)
    {
        int rows = Gates * layer.CellSize;
        // b_ih + b_hh folded once: an LSTM only ever adds them.
        float[] bias = WeightPacking.SumBias(layer.InputBias, layer.RecurrentBias, rows);
        if (layer.IsProjected)
        {
            weights.Matrix($"{name}InputWeights", WeightPacking.Panels(layer.InputWeights, rows, layer.InputSize));
            weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(layer.RecurrentWeights, rows, layer.OutputSize));
            weights.Matrix($"{name}ProjectionWeights", WeightPacking.Panels(layer.ProjectionWeights, layer.OutputSize, layer.CellSize));
            weights.Vector($"{name}ProjectionBias", WeightPacking.Bias(EquatableArray<float>.Empty, layer.OutputSize));
            weights.Vector($"{name}Bias", bias);
            return;
        }
        // Gate rows interleaved in blocks of units, then packed in panels; the recurrent matrix one panel per block,
        // so the recurrent pass reads one sequential stream.
        int hidden = layer.CellSize, blocked = KernelLayout.InterleavedRows(hidden, Gates);
        weights.Matrix($"{name}InputWeights", WeightPacking.Panels(WeightPacking.InterleaveGates(layer.InputWeights, Gates, hidden, layer.InputSize), blocked, layer.InputSize));
        weights.Matrix($"{name}RecurrentWeights", WeightPacking.Panels(WeightPacking.InterleaveGates(layer.RecurrentWeights, Gates, hidden, hidden), blocked, hidden, KernelLayout.BlockUnits(Gates) * Gates));
        var gateMajorBias = WeightPacking.Rows(new EquatableArray<float>(bias), 0, rows, 1);
        weights.Vector($"{name}Bias", WeightPacking.Bias(WeightPacking.InterleaveGates(gateMajorBias, Gates, hidden, 1), blocked));
    }

    /// <summary>Largest hidden size given fixed step code: past it the general kernels' 512-bit paths win on AVX-512 hardware.</summary>
    public const int FixedStepMaxUnits = 64;

    public override bool HasFixedStep(LayerSpec layer) => !layer.IsProjected && layer.CellSize <= FixedStepMaxUnits;

    /// <summary>
    /// One step fused: per tile of units, the gates start at the bias and take the input and recurrent products in
    /// registers; then the cell update of those units, c written back, the new h to <c>work</c>. Reads the packed
    /// layout of <see cref="PlanWeights"/>: rows interleaved in blocks of 8 units [i f g o]; the input matrix in panels
    /// of 16 rows, the recurrent one a panel per block.
    /// </summary>
    public override void EmitFixedStep(SourceWriter w, LayerSpec layer, string name)
    {
        int hidden = layer.CellSize, input = layer.InputSize;
        const int units = KernelLayout.LstmBlockUnits, blockRows = KernelLayout.LstmBlockRows;
        w.Line(WeightsRef("wx", $"{name}InputWeights"));
        w.Line(WeightsRef("wh", $"{name}RecurrentWeights"));
        w.Line(WeightsRef("bias", $"{name}Bias"));
        w.Line("ref float h = ref state;");
        w.Line($"ref float c = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref state, {hidden});");
        var runs = FixedStep.GateBlockRuns(input, hidden, blockRows);
        string[] gates = ["i", "f", "g", "o"];
        FixedStep.EmitDispatch(w, registerBound: true, (v, inline) =>
        {
            if (v.Lanes > units)
            {
                EmitWideFixedStep(w, v, hidden, input, runs);
                return;
            }
            foreach (var tile in FixedStep.Tiles(v, hidden, FixedStep.TileAccumulators / gates.Length))
            {
                w.Line($"// {FixedStep.UnitsText(tile[0].Unit, tile[tile.Count - 1].Unit + tile[tile.Count - 1].Valid - 1)}: gates i, f, g, o = b + W_ih x + W_hh h");
                w.OpenBlock();
                var accumulators = new List<Accumulator>();
                var rows = new List<int>();
                for (int t = 0; t < tile.Count; t++)
                {
                    int u = tile[t].Unit, block = u / units, lane = u % units;
                    for (int g = 0; g < gates.Length; g++)
                    {
                        int row = block * blockRows + g * units + lane;
                        rows.Add(row);
                        accumulators.Add(new Accumulator($"{gates[g]}{t}", v.Load("bias", row.ToString()),
                            [FixedStep.PanelOffset(row, input), block * blockRows * hidden + g * units + lane]));
                    }
                }
                FixedStep.EmitProducts(w, v, accumulators, runs);
                if (!inline)
                {
                    w.Line("// To the gate rows, for the activation pass below");
                    for (int a = 0; a < accumulators.Count; a++) w.Line(v.Store(accumulators[a].Name, "gates", rows[a].ToString()));
                }
                for (int t = 0; t < tile.Count && inline; t++)
                {
                    var (u, valid) = tile[t];
                    w.Line($"// {FixedStep.UnitsText(u, u + valid - 1)}: c = σ(f)⊙c + σ(i)⊙tanh(g), h = σ(o)⊙tanh(c)");
                    w.Line($"var c{t} = {v.Fma($"{VectorMath}.Sigmoid(f{t})", v.LoadPartial("c", u, valid), $"{VectorMath}.Sigmoid(i{t}) * {VectorMath}.Tanh(g{t})")};");
                    v.StorePartial(w, $"c{t}", "c", u, valid);
                    w.Line(v.Store($"{VectorMath}.Sigmoid(o{t}) * {VectorMath}.Tanh(c{t})", "work", u.ToString()));
                }
                w.Close();
            }
            if (!inline)
            {
                w.Line("// Every gate activated in one loop, then c and the new h of every unit");
                w.Line($"{Kernels}.GateBlocks.LstmActivateUpdate(ref gates, ref c, ref work, {hidden});");
            }
            FixedStep.EmitCopyToState(w, v, hidden, "h");
        });
    }

    /// <summary>
    /// Vectors wider than a block's gate (Vector512: 16 lanes, 8 units): one vector holds a block's [i | f], the next
    /// its [g | o]; the update runs on their Vector256 halves.
    /// </summary>
    private static void EmitWideFixedStep(SourceWriter w, VectorWidth v, int hidden, int input, ColumnRun[] runs)
    {
        const int units = KernelLayout.LstmBlockUnits, blockRows = KernelLayout.LstmBlockRows;
        var half = v.Half!;
        int blocks = KernelLayout.BlockCount(hidden, KernelLayout.LstmGates), blocksPerTile = FixedStep.TileAccumulators / 2;
        w.Line($"// σ in the i, f and o lanes (½·tanh(x/2) + ½), tanh in the g lanes");
        w.Line($"var scaleGo = {v.T}.Create({half.T}.Create(1f), {half.T}.Create(0.5f));");
        for (int first = 0; first < blocks; first += blocksPerTile)
        {
            int count = System.Math.Min(blocksPerTile, blocks - first);
            w.Line($"// {FixedStep.UnitsText(first * units, System.Math.Min(hidden, (first + count) * units) - 1)}: gates [i f] and [g o] = b + W_ih x + W_hh h");
            w.OpenBlock();
            var accumulators = new List<Accumulator>();
            for (int t = 0; t < count; t++)
            {
                int block = first + t;
                foreach (var (name, offset) in new[] { ("if", 0), ("go", 2 * units) })
                {
                    int row = block * blockRows + offset;
                    accumulators.Add(new Accumulator($"{name}{t}", v.Load("bias", row.ToString()),
                        [FixedStep.PanelOffset(row, input), block * blockRows * hidden + offset]));
                }
            }
            FixedStep.EmitProducts(w, v, accumulators, runs);
            for (int t = 0; t < count; t++)
            {
                int u = (first + t) * units, valid = System.Math.Min(units, hidden - u);
                w.Line($"// {FixedStep.UnitsText(u, u + valid - 1)}: c = σ(f)⊙c + σ(i)⊙tanh(g), h = σ(o)⊙tanh(c)");
                w.Line($"var sif{t} = {VectorMath}.Sigmoid(if{t});");
                w.Line($"var sgo{t} = {VectorMath}.SigmoidOrTanh(go{t}, scaleGo);");
                w.Line($"var c{t} = {half.Fma($"{v.T}.GetUpper(sif{t})", half.LoadPartial("c", u, valid), $"{v.T}.GetLower(sif{t}) * {v.T}.GetLower(sgo{t})")};");
                half.StorePartial(w, $"c{t}", "c", u, valid);
                w.Line(half.Store($"{v.T}.GetUpper(sgo{t}) * {VectorMath}.Tanh(c{t})", "work", u.ToString()));
            }
            w.Close();
        }
        FixedStep.EmitCopyToState(w, half, hidden, "h");
    }

    public override string StepCall(LayerSpec layer, StepSite s) => layer.IsProjected
        ? $"{Kernels}.Cells.LstmProjected({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}Bias, {s.Weights}ProjectionWeights, {s.Weights}ProjectionBias, {s.Input}, {s.H}, {s.C}, {s.Gates}, {s.Work})"
        : $"{Kernels}.Cells.Lstm({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}Bias, {s.Input}, {s.H}, {s.C}, {s.Gates}, {s.Work})";

    public override string ChunkCall(LayerSpec layer, ChunkSite s) => layer.IsProjected
        ? $"{Kernels}.Sequences.LstmProjected({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}Bias, {s.Weights}ProjectionWeights, {s.Weights}ProjectionBias, {s.Input}, {s.InputStride}, n, {s.H}, {s.C}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})"
        : $"{Kernels}.Sequences.Lstm({s.Weights}InputWeights, {s.Weights}RecurrentWeights, {s.Weights}Bias, {s.Input}, {s.InputStride}, n, {s.H}, {s.C}, {s.Gates}, {s.Work}, {s.Output}, {s.OutputStride})";
}
