using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Numerics;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Kernels;

/// <summary>
/// All the weights of one generated model, copied once, when the model type is first used, from the string literal
/// the generator writes into a pinned array that starts at an <see cref="Alignment"/>-byte boundary. Each weight
/// array is a <see cref="Slice"/> of it; the generator puts every packed matrix at a multiple of
/// <see cref="AlignmentFloats"/>.
/// </summary>
/// <remarks>
/// Why a string literal: the C# compiler reads one literal many times faster than a <c>new byte[] { 0x.., ... }</c>
/// initializer with one bound constant per byte (docs/benchmarks.md, "Build time"). Models up to 5 MiB come as UTF-16
/// text (each char two bytes), larger ones as base64 in a UTF-8 literal.
/// Why aligned: RVA data is aligned to 8 bytes only, so a kernel's 32- or 64-byte vector loads would straddle two
/// cache lines every other load; for an LSTM step whose weights sit in L1 (the amp model, H ≤ 40) that cost 35–40 %
/// of the recurrent product's time. The copy is exact (the same bits); it is one allocation per model per process,
/// on the pinned object heap, so the array never moves and Step and Run allocate nothing.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class AlignedWeights
{
    /// <summary>Byte boundary of the blob's first float: one cache line, a whole Vector512.</summary>
    public const int Alignment = 64;

    /// <summary>Floats per <see cref="Alignment"/>: offsets that are multiples of this are aligned too.</summary>
    public const int AlignmentFloats = Alignment / sizeof(float);

    private readonly float[] _buffer;
    private readonly int _start;
    private readonly int _length;

    /// <summary>
    /// Decodes <paramref name="base64Utf8"/> (standard base64, UTF-8, of <paramref name="floats"/> little-endian
    /// IEEE-754 floats) into an aligned, pinned array.
    /// </summary>
    public AlignedWeights(ReadOnlySpan<byte> base64Utf8, int floats)
    {
        var weights = Allocate(floats, out _buffer, out _start);
        _length = floats;
        var status = Base64.DecodeFromUtf8(base64Utf8, MemoryMarshal.AsBytes(weights), out int consumed, out int written);
        if (status != OperationStatus.Done || consumed != base64Utf8.Length || written != floats * sizeof(float))
        {
            throw new ArgumentException(
                $"weights must be the base64 text of {floats} floats ({floats * sizeof(float)} bytes); decoding {base64Utf8.Length} characters stopped at {consumed} with {status} after {written} bytes",
                nameof(base64Utf8));
        }
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, uint>(weights);
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
    }

    /// <summary>
    /// Copies <paramref name="text"/>, whose UTF-16 code units are the little-endian byte pairs of
    /// <paramref name="floats"/> IEEE-754 floats, into an aligned, pinned array.
    /// </summary>
    public AlignedWeights(ReadOnlySpan<char> text, int floats)
    {
        if (text.Length != 2L * floats)
            throw new ArgumentException($"weights must be {2L * floats} characters for {floats} floats, got {text.Length}", nameof(text));
        var weights = Allocate(floats, out _buffer, out _start);
        _length = floats;
        MemoryMarshal.AsBytes(text).CopyTo(MemoryMarshal.AsBytes(weights));
        if (!BitConverter.IsLittleEndian)
        {
            // Each char is one little-endian byte pair, the low half first: swap the halves of every float.
            var bits = MemoryMarshal.Cast<float, uint>(weights);
            for (int i = 0; i < bits.Length; i++) bits[i] = BitOperations.RotateLeft(bits[i], 16);
        }
    }

    /// <summary><paramref name="floats"/> floats in a new pinned array, from index <paramref name="start"/>, the first at the boundary.</summary>
    private static Span<float> Allocate(int floats, out float[] buffer, out int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(floats);
        buffer = GC.AllocateUninitializedArray<float>(floats + AlignmentFloats - 1, pinned: true);
        // Array elements are at least 4-byte aligned, so a whole number of floats reaches the boundary.
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0).ToInt64();
        start = (int)((Alignment - address % Alignment) % Alignment / sizeof(float));
        return buffer.AsSpan(start, floats);
    }

    /// <summary>The number of floats.</summary>
    public int Length => _length;

    /// <summary><paramref name="length"/> weights from float <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the weights.</exception>
    /// <remarks>
    /// Called for every weight array on every step, so one range check, not the three of building a span over the
    /// array and slicing it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<float> Slice(int start, int length)
    {
        if ((ulong)(uint)start + (uint)length > (uint)_length) ThrowOutOfRange(start, length);
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buffer), _start + start), length);
    }

    private void ThrowOutOfRange(int start, int length) =>
        throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {start} + {length}) is not inside the {_length} weights.");
}
