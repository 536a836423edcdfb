using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Kernels;

/// <summary>
/// A packed weight matrix copied once, when the generated model type is first used, from its RVA bytes into a pinned
/// array at a <see cref="Alignment"/>-byte boundary.
/// </summary>
/// <remarks>
/// Why: the compiler aligns RVA data to 8 bytes only, so a kernel's 32- or 64-byte vector loads straddle two cache
/// lines every other load. For an LSTM step whose weights sit in L1 (the amp model, H ≤ 40) that cost 35–40 % of the
/// recurrent product's time. The copy is exact (the same bits); it is one allocation per matrix per process, on the
/// pinned object heap, so the array never moves and Step and Run allocate nothing.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AlignedWeights
{
    /// <summary>Byte boundary of the first float: one cache line, a whole Vector512.</summary>
    public const int Alignment = 64;

    private const int FloatsPerLine = Alignment / sizeof(float);

    private readonly float[] _buffer;
    private readonly int _start;
    private readonly int _length;

    /// <summary>Copies <paramref name="bytes"/> (little-endian IEEE-754 floats) to an aligned, pinned array.</summary>
    public AlignedWeights(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
            throw new ArgumentException($"weight bytes must be whole floats, got {bytes.Length} bytes", nameof(bytes));
        _length = bytes.Length / sizeof(float);
        _buffer = GC.AllocateUninitializedArray<float>(_length + FloatsPerLine - 1, pinned: true);
        // Array elements are at least 4-byte aligned, so a whole number of floats reaches the boundary.
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0).ToInt64();
        _start = (int)((Alignment - address % Alignment) % Alignment / sizeof(float));
        MemoryMarshal.Cast<byte, float>(bytes).CopyTo(_buffer.AsSpan(_start, _length));
    }

    /// <summary>The weights, starting at an <see cref="Alignment"/>-byte boundary.</summary>
    public ReadOnlySpan<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _start), _length);
    }
}
