using System.ComponentModel;

namespace EdgeRnn.Kernels;

/// <summary>
/// The recurrent half of an LSTM or GRU step in two passes over blocks of hidden units: first the recurrent
/// matrix-vector product, block by block, leaving each block's pre-activation gates in the gate buffer; then one
/// sweep that activates every gate (<see cref="LstmCell.ActivateBlocks"/>, <see cref="GruCell.ActivateBlocks"/>) and one
/// that updates the state (<see cref="LstmCell.Update"/>, <see cref="GruCell.Update{TCandidate}"/>). One activation pass instead of one per gate, and its
/// blocks are independent, so the CPU overlaps their long sigmoid/tanh chains (measured faster than activating each
/// block right after its product, where those chains stall the next block's weight loads).
/// </summary>
/// <remarks>
/// <para>
/// Layout (written by the generator): the gate rows are interleaved by blocks of hidden units. An LSTM block is
/// <see cref="KernelLayout.LstmBlockUnits"/> units, 32 rows <c>[i | f | g | o]</c>; a GRU block is <see cref="KernelLayout.GruBlockUnits"/> units,
/// 48 rows <c>[r | z | n]</c>. Units past the hidden size are zero rows. The input weights in this row order are packed
/// in panels as for <see cref="PanelGemv"/> (a block is a whole number of panels), so the input projection (Step:
/// <see cref="PanelGemv"/>, Run: <see cref="PanelGemm"/>) needs no other kernel. The recurrent weights are packed one
/// block at a time, column-major inside the block: each column of a block is 32 (48) contiguous floats, so the pass
/// over the weights is one sequential stream — measured 5 cycles per eight FMAs against 7.5 for four 16-row panels.
/// </para>
/// <para>
/// The new h goes to <c>hNew</c> (whole blocks long) and is copied into h at the end, because every block reads
/// all of the old h. The last block's units past the hidden size go through the product (zero rows) but not the update.
/// </para>
/// <para>
/// Files: this one holds the layout; Lstm/LstmGateBlocks.cs and Gru/GruGateBlocks.cs the two kernels, with one
/// product body per width (their register blocking differs) chosen by <see cref="Isa.Widest"/>.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class GateBlocks
{
    /// <summary>Rows of the interleaved layout for <paramref name="hidden"/> units and <paramref name="gates"/> gates.</summary>
    public static int Rows(int hidden, int gates) => KernelLayout.InterleavedRows(hidden, gates);

    private static void ThrowSizes(int weights, int gates, int hidden, int hNew) =>
        throw new ArgumentException($"interleaved gate blocks do not match: {weights} weights, {gates} gates, hidden size {hidden}, hNew {hNew}");
}
