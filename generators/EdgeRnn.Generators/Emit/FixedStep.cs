using System.Collections.Generic;
using System.Linq;

namespace EdgeRnn.Generators.Emit;

/// <summary>
/// A SIMD width the fixed-size step code is written for, and the C# text of its operations (the generated file has
/// no usings, so every name is global::-qualified). Which width a step takes is <see cref="FixedStep.EmitDispatch"/>'s.
/// </summary>
internal sealed class VectorWidth
{
    public static readonly VectorWidth V128 = new("Vector128", 4, null);
    public static readonly VectorWidth V256 = new("Vector256", 8, V128);
    public static readonly VectorWidth V512 = new("Vector512", 16, V256);

    private VectorWidth(string name, int lanes, VectorWidth? half)
    {
        Name = name;
        Lanes = lanes;
        Half = half;
    }

    /// <summary>The width of half a vector (null for Vector128, whose halves are written float by float).</summary>
    public VectorWidth? Half { get; }

    public string Name { get; }

    public int Lanes { get; }

    /// <summary>The static class (<c>global::System.Runtime.Intrinsics.Vector256</c>).</summary>
    public string T => "global::System.Runtime.Intrinsics." + Name;

    public string IsAccelerated => T + ".IsHardwareAccelerated";

    public string Load(string source, string offset) => $"{T}.LoadUnsafe(ref {source}, {offset})";

    /// <summary>A store statement (the static form: generated files have no usings for the extension methods).</summary>
    public string Store(string vector, string destination, string offset) => $"{T}.StoreUnsafe({vector}, ref {destination}, {offset});";

    public string Broadcast(string source, string index) => $"{T}.Create({Element(source, index)})";

    public string Fma(string a, string b, string addend) => $"{T}.MultiplyAddEstimate({a}, {b}, {addend})";

    public static string Element(string source, string index) => index == "0"
        ? source
        : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, {index})";

    /// <summary>
    /// The first <paramref name="count"/> floats at <paramref name="offset"/>, zeros in the other lanes: state vectors
    /// are exactly H floats, so the last vector of a layer whose H is not a whole number of lanes must not read past them.
    /// </summary>
    public string LoadPartial(string source, int offset, int count)
    {
        if (count >= Lanes) return Load(source, offset.ToString());
        if (Half is { } half)
        {
            // The lower half whole (or partial), the upper half partial (or zeros).
            string low = count >= half.Lanes ? half.Load(source, offset.ToString()) : half.LoadPartial(source, offset, count);
            string high = count > half.Lanes ? half.LoadPartial(source, offset + half.Lanes, count - half.Lanes) : $"global::System.Runtime.Intrinsics.{half.Name}<float>.Zero";
            return $"{T}.Create({low}, {high})";
        }
        var lanes = Enumerable.Range(0, Lanes).Select(k => k < count ? Element(source, (offset + k).ToString()) : "0f");
        return $"{T}.Create({string.Join(", ", lanes)})";
    }

    /// <summary>Stores the first <paramref name="count"/> lanes of <paramref name="vector"/> at <paramref name="offset"/>, nothing past them.</summary>
    public void StorePartial(SourceWriter w, string vector, string destination, int offset, int count)
    {
        if (count >= Lanes)
        {
            w.Line(Store(vector, destination, offset.ToString()));
            return;
        }
        if (Half is { } half)
        {
            if (count >= half.Lanes) w.Line(half.Store($"{T}.GetLower({vector})", destination, offset.ToString()));
            else half.StorePartial(w, $"{T}.GetLower({vector})", destination, offset, count);
            if (count > half.Lanes) half.StorePartial(w, $"{T}.GetUpper({vector})", destination, offset + half.Lanes, count - half.Lanes);
            return;
        }
        for (int k = 0; k < count; k++)
            w.Line($"{Element(destination, (offset + k).ToString())} = {T}.GetElement({vector}, {k});");
    }
}

/// <summary>A run of columns a tile's accumulators sum over: <c>W[:, j] · source[j]</c> for j &lt; <see cref="Count"/>.</summary>
/// <param name="Source">The ref the column values are broadcast from (<c>x</c>, <c>h</c>).</param>
/// <param name="Weights">The ref of the packed matrix.</param>
/// <param name="Stride">Floats from one column to the next in the packed matrix.</param>
internal sealed record ColumnRun(string Source, string Weights, int Count, int Stride, string What);

/// <summary>One vector of gate rows kept in a register while a tile's columns stream past.</summary>
/// <param name="Init">Its initial value (the bias), a C# expression.</param>
/// <param name="Offsets">Per <see cref="ColumnRun"/> (same order), the offset of this vector's rows in column 0, or -1 when that run doesn't feed it.</param>
internal sealed record Accumulator(string Name, string Init, int[] Offsets);

/// <summary>
/// The matrix-vector core every fixed-size recurrent step shares: a tile of accumulators (a few vectors of gate rows,
/// as many as the registers keep in flight) starts at its bias and takes one FMA per column per accumulator, the column
/// value broadcast once for the whole tile. Short runs are unrolled (every offset a constant); longer ones are loops
/// with a constant bound.
/// </summary>
internal static class FixedStep
{
    /// <summary>Columns up to which a run is written out instead of looped.</summary>
    public const int UnrollLimit = 8;

    /// <summary>Accumulators per tile: 8 independent FMA chains cover the FMA latency on two FMA ports (4 cycles × 2).</summary>
    public const int TileAccumulators = 8;

    /// <summary>
    /// The two column runs of a gate-block layer (LSTM, GRU): <c>W_ih x</c> from the input matrix <c>wx</c> in panels
    /// of 16 rows, then <c>W_hh h</c> from the recurrent matrix <c>wh</c>, one panel per block of <paramref name="blockRows"/>.
    /// </summary>
    public static ColumnRun[] GateBlockRuns(int input, int hidden, int blockRows) =>
    [
        new ColumnRun("x", "wx", input, KernelLayout.PanelWidth, $"W_ih x ({input} column{(input == 1 ? "" : "s")})"),
        new ColumnRun("h", "wh", hidden, blockRows, $"W_hh h ({hidden} columns)"),
    ];

    /// <summary>Where row <paramref name="row"/>'s column 0 is in a matrix of <paramref name="columns"/> columns packed in panels (<see cref="WeightPacking.Panels"/>).</summary>
    public static int PanelOffset(int row, int columns) =>
        row / KernelLayout.PanelWidth * KernelLayout.PanelWidth * columns + row % KernelLayout.PanelWidth;

    /// <summary>
    /// Most column phases: a tile with fewer than <see cref="TileAccumulators"/> accumulators (a small layer) keeps
    /// one copy of them per phase, the columns dealt round-robin, so it still has that many chains in flight and each
    /// chain is a fraction as long (a small step is bound by the FMA latency of its longest chain, not by throughput).
    /// </summary>
    public const int MaxPhases = 4;

    public static void EmitProducts(SourceWriter w, VectorWidth v, IReadOnlyList<Accumulator> tile, IReadOnlyList<ColumnRun> runs)
    {
        int phases = System.Math.Max(1, System.Math.Min(MaxPhases, TileAccumulators / System.Math.Max(1, tile.Count)));
        string Phase(Accumulator a, int p) => p == 0 ? a.Name : $"{a.Name}_{p}";
        foreach (var a in tile) w.Line($"var {a.Name} = {a.Init};");
        if (phases > 1)
        {
            w.Line($"// {phases} column phases: {phases * tile.Count} FMA chains in flight, each {phases}× shorter");
            for (int p = 1; p < phases; p++)
                foreach (var a in tile) w.Line($"var {Phase(a, p)} = global::System.Runtime.Intrinsics.{v.Name}<float>.Zero;");
        }
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            var fed = tile.Where(a => a.Offsets[r] >= 0).ToList();
            if (fed.Count == 0 || run.Count == 0) continue;
            w.Line($"// + {run.What}");
            // Column j (a constant, or the loop's j plus a constant) into phase p.
            void Column(string index, string offset, int p)
            {
                w.Line($"var e{p} = {v.Broadcast(run.Source, index)};");
                foreach (var a in fed)
                {
                    string at = offset.Length == 0 ? a.Offsets[r].ToString() : a.Offsets[r] == 0 ? offset : $"{offset} + {a.Offsets[r]}";
                    w.Line($"{Phase(a, p)} = {v.Fma(v.Load(run.Weights, at), $"e{p}", Phase(a, p))};");
                }
            }
            int looped = run.Count <= UnrollLimit ? 0 : run.Count / phases * phases;
            if (looped > 0)
            {
                w.Open($"for (int j = 0; j < {looped}; j += {phases})");
                w.Line($"nuint k = (nuint)j * {run.Stride};");
                for (int p = 0; p < phases; p++)
                    Column(p == 0 ? "j" : $"j + {p}", p == 0 ? "k" : $"k + {p * run.Stride}", p);
                w.Close();
            }
            for (int j = looped; j < run.Count; j++)
            {
                w.OpenBlock();
                int p = j % phases;
                w.Line($"var e{p} = {v.Broadcast(run.Source, j.ToString())};");
                foreach (var a in fed)
                    w.Line($"{Phase(a, p)} = {v.Fma(v.Load(run.Weights, (a.Offsets[r] + j * run.Stride).ToString()), $"e{p}", Phase(a, p))};");
                w.Close();
            }
        }
        if (phases > 1)
        {
            w.Line("// The phases summed");
            foreach (var a in tile)
            {
                var terms = Enumerable.Range(0, phases).Select(p => Phase(a, p)).ToList();
                w.Line(phases == 4
                    ? $"{a.Name} = ({terms[0]} + {terms[1]}) + ({terms[2]} + {terms[3]});"
                    : $"{a.Name} = {string.Join(" + ", terms)};");
            }
        }
    }

    /// <summary>
    /// The body once per path: <c>if (…) { … } else if (…) { … } else { … }</c>. The caller runs fixed steps only where
    /// Vector128 is accelerated, so the last path needs no test. With <paramref name="registerBound"/> (the body
    /// inlines sigmoid and tanh, whose constants compete with the accumulators for registers): Vector512 where it is
    /// accelerated (or forced, EDGERNN_FORCE_VECTOR512=1); Vector256 on other EVEX hardware (AVX-512's 32 vector
    /// registers), all in one pass; Vector256 on AVX2's 16 registers with the activations left to a loop of the
    /// runtime's (inlined after the products they spill to the stack: measured 2.5× slower); Vector128 all in one pass
    /// on ARM64 (NEON's 32 registers, <c>SimdPaths.FusedVector128</c>), split on x64's 16 SSE registers.
    /// </summary>
    public static void EmitDispatch(SourceWriter w, bool registerBound, System.Action<VectorWidth, bool> body)
    {
        var paths = registerBound
            ? new[]
            {
                ("global::EdgeRnn.Kernels.SimdPaths.Vector512", VectorWidth.V512, true),
                ("global::System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported", VectorWidth.V256, true),
                (VectorWidth.V256.IsAccelerated, VectorWidth.V256, false),
                ("global::EdgeRnn.Kernels.SimdPaths.FusedVector128", VectorWidth.V128, true),
                ("", VectorWidth.V128, false),
            }
            : new[] { (VectorWidth.V256.IsAccelerated, VectorWidth.V256, true), ("", VectorWidth.V128, true) };
        for (int i = 0; i < paths.Length; i++)
        {
            var (condition, v, inline) = paths[i];
            w.Open(i == 0 ? $"if ({condition})" : condition.Length > 0 ? $"else if ({condition})" : "else");
            body(v, inline);
            w.Close();
        }
    }

    /// <summary>Unit groups in tiles of <paramref name="groupsPerTile"/> (the last tile may be smaller).</summary>
    public static IEnumerable<List<(int Unit, int Valid)>> Tiles(VectorWidth v, int units, int groupsPerTile)
    {
        var tile = new List<(int, int)>();
        foreach (var g in UnitGroups(v, units))
        {
            tile.Add(g);
            if (tile.Count == groupsPerTile)
            {
                yield return tile;
                tile = new List<(int, int)>();
            }
        }
        if (tile.Count > 0) yield return tile;
    }

    /// <summary>"units 8–15" for comments.</summary>
    public static string UnitsText(int first, int last) => first == last ? $"unit {first}" : $"units {first}–{last}";

    /// <summary>The vectors (first unit, valid units) that cover <paramref name="units"/> units at <paramref name="v"/>'s width.</summary>
    public static IEnumerable<(int Unit, int Valid)> UnitGroups(VectorWidth v, int units)
    {
        for (int u = 0; u < units; u += v.Lanes)
            yield return (u, System.Math.Min(v.Lanes, units - u));
    }

    /// <summary>Copies the new h (whole vectors in <c>work</c>) into the state's exact <paramref name="units"/> floats.</summary>
    public static void EmitCopyToState(SourceWriter w, VectorWidth v, int units, string destination)
    {
        w.Line("// The new h replaces the old only now: every tile above read the old one.");
        foreach (var (u, valid) in UnitGroups(v, units))
        {
            if (valid == v.Lanes)
            {
                w.Line(v.Store(v.Load("work", u.ToString()), destination, u.ToString()));
                continue;
            }
            w.OpenBlock();
            w.Line($"var tail = {v.Load("work", u.ToString())};");
            v.StorePartial(w, "tail", destination, u, valid);
            w.Close();
        }
    }
}
