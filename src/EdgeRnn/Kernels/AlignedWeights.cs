using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Kernels;

/// <summary>
/// All the weights of one generated model, decoded once, when the model type is first used, from the base64 text the
/// generator writes into a pinned array that starts at an <see cref="Alignment"/>-byte boundary. Each weight array is
/// a <see cref="Slice"/> of it; the generator puts every packed matrix at a multiple of <see cref="AlignmentFloats"/>.
/// </summary>
/// <remarks>
/// Why base64 text: the C# compiler reads one <c>"..."u8</c> literal of 1.33 characters per weight byte many times
/// faster than a <c>new byte[] { 0x.., ... }</c> initializer of 5.6 characters and one bound constant per byte
/// (docs/benchmarks.md, "Build time").
/// Why aligned: RVA data is aligned to 8 bytes only, so a kernel's 32- or 64-byte vector loads would straddle two
/// cache lines every other load; for an LSTM step whose weights sit in L1 (the amp model, H ≤ 40) that cost 35–40 %
/// of the recurrent product's time. The decode is exact (the same bits); it is one allocation per model per process,
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
        ArgumentOutOfRangeException.ThrowIfNegative(floats);
        _length = floats;
        _buffer = GC.AllocateUninitializedArray<float>(floats + AlignmentFloats - 1, pinned: true);
        // Array elements are at least 4-byte aligned, so a whole number of floats reaches the boundary.
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0).ToInt64();
        _start = (int)((Alignment - address % Alignment) % Alignment / sizeof(float));

        var weights = _buffer.AsSpan(_start, _length);
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

    /// <summary>The number of floats.</summary>
    public int Length => _length;

    /// <summary><paramref name="length"/> weights from float <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the weights.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<float> Slice(int start, int length) => new ReadOnlySpan<float>(_buffer, _start, _length).Slice(start, length);
}
