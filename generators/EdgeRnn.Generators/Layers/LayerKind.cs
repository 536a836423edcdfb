using System.Collections.Generic;
using EdgeRnn.Generators.Emit;
using EdgeRnn.Generators.Model;

namespace EdgeRnn.Generators.Layers;

/// <summary>
/// Everything the generator knows about one manifest layer type, in one place: its manifest fields
/// (<see cref="ManifestProperties"/>, <see cref="Parse"/>), its tensors and their checks (<see cref="Build"/>),
/// how its weights are packed (<see cref="PlanWeights"/>) and the kernel calls emitted for it
/// (<see cref="StepCall"/>, <see cref="ChunkCall"/>). Each kind is a singleton registered in <see cref="LayerKinds"/>;
/// records compare kinds by reference.
/// </summary>
internal abstract class LayerKind
{
    /// <summary>The manifest's <c>"type"</c>.</summary>
    public abstract string TypeName { get; }

    public override string ToString() => TypeName;

    // ---- Manifest -------------------------------------------------------------------------------------------

    /// <summary>Properties a layer object of this type may have; others get ERNN0019.</summary>
    public abstract IReadOnlyList<string> ManifestProperties { get; }

    /// <summary>Reads this kind's fields into <paramref name="decl"/> (index, kind and location already set).</summary>
    public abstract LayerDecl Parse(LayerFields fields, LayerDecl decl);

    // ---- Model ----------------------------------------------------------------------------------------------

    /// <summary>Keeps state across steps (h, and c for LSTM), and stacks with <c>num_layers</c>.</summary>
    public virtual bool IsRecurrent => false;

    /// <summary>Gate rows per unit in the input and recurrent matrices (4 for LSTM, 3 for GRU, 1 otherwise).</summary>
    public virtual int Gates => 1;

    /// <summary>
    /// Keras layout: where Keras' gate blocks go in PyTorch's order (GRU saves z, r, h; PyTorch keeps r, z, n);
    /// null when they already match.
    /// </summary>
    public virtual int[]? KerasGateOrder => null;

    /// <summary>Sub-layers a manifest layer expands to (a recurrent module's <c>num_layers</c>; 0 for the embedding).</summary>
    public virtual int SubLayerCount(LayerDecl decl) => 1;

    /// <summary>The state this layer keeps, in the state layout's order (name, floats).</summary>
    public virtual IEnumerable<(string Name, int Size)> StateParts(LayerSpec layer) => [];

    /// <summary>Builds sub-layer <paramref name="subLayer"/> from the tensors: every size from the shapes, every problem reported.</summary>
    /// <param name="previousWidth">Floats per step the layer before hands over (-1 when unknown).</param>
    public abstract LayerSpec? Build(ModelBuilder builder, LayerDecl decl, int subLayer, int previousWidth);

    /// <summary>Checks on the manifest layer as a whole, after its sub-layers were built.</summary>
    public virtual void CheckDeclaration(ModelBuilder builder, LayerDecl decl) { }

    /// <summary>The tensor whose shape gives the layer's input size, for messages.</summary>
    public virtual string FirstWeightName(LayerDecl decl, int subLayer) => ModelBuilder.Name(decl.Prefix, "weight");

    /// <summary>How a layer is named in messages ("lstm sub-layer 1", "linear").</summary>
    public virtual string Describe(LayerDecl decl, int subLayer) => TypeName;

    // ---- Plan and emit ----------------------------------------------------------------------------------------

    /// <summary>The scratch a layer needs, in floats.</summary>
    public abstract LayerFootprint Footprint(LayerSpec layer);

    /// <summary>Packs the weights and names them <c>{name}…</c> (name is "L0", "L0R" for a reverse direction, …).</summary>
    public abstract void PlanWeights(LayerSpec layer, string name, WeightsEmitter weights);

    /// <summary>The kernel call for one timestep (a C# expression, no semicolon).</summary>
    public abstract string StepCall(LayerSpec layer, StepSite site);

    /// <summary>The kernel call for <c>n</c> timesteps of Run's chunk (a C# expression, no semicolon).</summary>
    public abstract string ChunkCall(LayerSpec layer, ChunkSite site);

    // ---- Fixed-size step code (Emit/FixedStep.cs) ------------------------------------------------------------------

    /// <summary>
    /// Whether this layer gets step code written for its exact sizes (<see cref="EmitFixedStep"/>) instead of the
    /// general kernel call; false where specialising doesn't pay or isn't written.
    /// </summary>
    public virtual bool HasFixedStep(LayerSpec layer) => false;

    /// <summary>
    /// The body of the layer's fixed step: refs <c>x</c> (input), <c>state</c> (this layer's state), <c>gates</c>
    /// (scratch for the gate rows), <c>work</c> (scratch: a recurrent layer's new h before it replaces the old one) and
    /// <c>y</c> (a stateless layer's output) are in scope; <c>x</c> is exactly the layer's input size long. Written once per <see cref="VectorWidth"/> (see <see cref="FixedStep.EmitDispatch"/>).
    /// </summary>
    public virtual void EmitFixedStep(SourceWriter w, LayerSpec layer, string name) { }

    protected const string Kernels = "global::EdgeRnn.Kernels";

    protected const string VectorMath = "global::EdgeRnn.Kernels.VectorMath";

    protected static string WeightsRef(string local, string array) =>
        $"ref float {local} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({array});";

    protected static string Bool(bool value) => value ? "true" : "false";
}

/// <summary>
/// Scratch floats a layer needs: for one step, its gate rows and a second work area (both 0 for layers without),
/// and, for layers that don't keep their output in the state, a padded output row. For Run's chunk, the gate
/// rows (or padded output) per step and the stride of its output rows.
/// </summary>
internal readonly record struct LayerFootprint(int StepGates, int StepWork, int StepOutput, int ChunkRowsPerStep, int OutputStride);

/// <summary>Where one step's operands are, as C# expressions of the generated code.</summary>
/// <param name="Weights">The weight field prefix ("L0").</param>
/// <param name="Output">The padded output row of a layer without state ("" for recurrent layers, whose output is h).</param>
internal sealed record StepSite(string Weights, string Input, string H, string C, string Gates, string Work, string Output);

/// <summary>Where Run's chunk operands are: <c>n</c> rows of <paramref name="Input"/> with stride <paramref name="InputStride"/> into rows of <paramref name="Output"/>.</summary>
internal sealed record ChunkSite(string Weights, string Input, int InputStride, string H, string C, string Gates, string Work, string Output, int OutputStride);
