// Compiled into both the runtime (src/EdgeRnn) and the source generator (generators/EdgeRnn.Generators, netstandard2.0)
// through <Compile Include="../../src/Shared/KernelLayout.cs" Link=... />: the generator packs weights in exactly the
// layout the kernels read, so the numbers that define that layout are written once, here. Keep it netstandard2.0 C#.
namespace EdgeRnn;

/// <summary>The packed weight layouts shared by the generator (which writes them) and the kernels (which read them).</summary>
internal static class KernelLayout
{
    /// <summary>
    /// Rows per panel of a packed matrix: one Vector512, two Vector256 or four Vector128. A matrix is stored panel by
    /// panel; inside a panel, column j's <see cref="PanelWidth"/> values are contiguous; rows are zero-padded to whole panels.
    /// </summary>
    public const int PanelWidth = 16;

    /// <summary>Hidden units per LSTM gate block: one Vector256 per gate, so a block is 4 × 8 = 32 rows [i | f | g | o].</summary>
    public const int LstmBlockUnits = 8;

    /// <summary>Hidden units per GRU gate block: one panel per gate, so a block is 3 × 16 = 48 rows [r | z | n].</summary>
    public const int GruBlockUnits = 16;

    /// <summary>Gates of an LSTM (i, f, g, o).</summary>
    public const int LstmGates = 4;

    /// <summary>Gates of a GRU (r, z, n).</summary>
    public const int GruGates = 3;

    /// <summary>Rows of one LSTM gate block (the recurrent weights' column stride inside a block).</summary>
    public const int LstmBlockRows = LstmGates * LstmBlockUnits;

    /// <summary>Rows of one GRU gate block (the recurrent weights' column stride inside a block).</summary>
    public const int GruBlockRows = GruGates * GruBlockUnits;

    /// <summary>Rounds a row count up to a whole number of panels.</summary>
    public static int Padded(int rows) => (rows + PanelWidth - 1) / PanelWidth * PanelWidth;

    /// <summary>Hidden units per gate block for a cell of <paramref name="gates"/> gates (4: LSTM, 3: GRU).</summary>
    public static int BlockUnits(int gates) => gates == LstmGates ? LstmBlockUnits : GruBlockUnits;

    /// <summary>Gate blocks for <paramref name="hidden"/> units; the last one may be partly zero rows.</summary>
    public static int BlockCount(int hidden, int gates) => (hidden + BlockUnits(gates) - 1) / BlockUnits(gates);

    /// <summary>Rows of the gate-interleaved layout: whole blocks of every gate (always a whole number of panels).</summary>
    public static int InterleavedRows(int hidden, int gates) => BlockCount(hidden, gates) * BlockUnits(gates) * gates;
}
