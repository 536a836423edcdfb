// A small RIFF/WAVE reader and writer: PCM 16-bit, PCM 24-bit and IEEE float 32-bit, any channel count.
// Also compiled into tests/EdgeRnn.Tests (WavTests.cs).
using System.Buffers.Binary;
using System.Text;

namespace EdgeRnn.Samples.Pedal;

/// <summary>The sample encodings this reader and writer support.</summary>
internal enum WavEncoding
{
    /// <summary>Signed 16-bit little-endian integers (format tag 1).</summary>
    Pcm16,
    /// <summary>Signed 24-bit little-endian integers, 3 bytes per sample (format tag 1).</summary>
    Pcm24,
    /// <summary>32-bit IEEE-754 floats (format tag 3).</summary>
    Float32,
}

/// <summary>A decoded WAV file: interleaved samples as floats, integers scaled to [-1, 1).</summary>
internal sealed class WavAudio(int sampleRate, int channels, WavEncoding encoding, float[] samples)
{
    public int SampleRate { get; } = sampleRate;
    public int Channels { get; } = channels;
    /// <summary>How the samples were stored in the file.</summary>
    public WavEncoding Encoding { get; } = encoding;
    /// <summary>Interleaved: frame 0 channel 0, frame 0 channel 1, ...</summary>
    public float[] Samples { get; } = samples;
    public int Frames => Samples.Length / Channels;

    /// <summary>One channel, de-interleaved.</summary>
    public float[] Channel(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, Channels);
        var result = new float[Frames];
        for (int i = 0; i < result.Length; i++) result[i] = Samples[i * Channels + channel];
        return result;
    }

    /// <summary>The average of all channels (the channel itself for mono).</summary>
    public float[] MixToMono()
    {
        if (Channels == 1) return (float[])Samples.Clone();
        var result = new float[Frames];
        for (int i = 0; i < result.Length; i++)
        {
            float sum = 0;
            for (int c = 0; c < Channels; c++) sum += Samples[i * Channels + c];
            result[i] = sum / Channels;
        }
        return result;
    }
}

/// <summary>A file that is not a WAV file this reader supports, or is damaged.</summary>
internal sealed class WavFormatException(string message) : Exception(message);

internal static class Wav
{
    private const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;
    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: the format tag in the first two bytes, then this fixed tail.
    private static readonly byte[] s_guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static WavAudio Read(string path) => Read(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>Decodes a whole WAV file. <paramref name="name"/> is used in error messages.</summary>
    public static WavAudio Read(ReadOnlySpan<byte> file, string name = "the file")
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new WavFormatException($"{name} is not a WAV file (no RIFF/WAVE header)");

        ReadOnlySpan<byte> fmt = default, data = default;
        bool haveFmt = false, haveData = false;
        int pos = 12;
        while (pos + 8 <= file.Length)
        {
            var id = file.Slice(pos, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(pos + 4, 4));
            int body = pos + 8;
            if (size > (uint)(file.Length - body))
                throw new WavFormatException($"{name} is truncated: chunk '{Ascii(id)}' declares {size} bytes but only {file.Length - body} remain");
            var chunk = file.Slice(body, (int)size);
            if (id.SequenceEqual("fmt "u8) && !haveFmt) { fmt = chunk; haveFmt = true; }
            else if (id.SequenceEqual("data"u8) && !haveData) { data = chunk; haveData = true; }
            pos = body + (int)size + (int)(size & 1); // chunks are padded to an even length
        }
        if (!haveFmt) throw new WavFormatException($"{name} has no 'fmt ' chunk");
        if (!haveData) throw new WavFormatException($"{name} has no 'data' chunk (truncated?)");
        if (fmt.Length < 16) throw new WavFormatException($"{name}: the 'fmt ' chunk is {fmt.Length} bytes, at least 16 expected");

        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40) throw new WavFormatException($"{name}: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of {fmt.Length} bytes, 40 expected");
            int validBits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[18..]);
            if (validBits != 0 && validBits != bits)
                throw new WavFormatException($"{name}: unsupported WAV: {validBits} valid bits in a {bits}-bit container; supported: PCM 16-bit, PCM 24-bit, IEEE float 32-bit");
            if (!fmt.Slice(26, 14).SequenceEqual(s_guidTail))
                throw new WavFormatException($"{name}: unsupported WAV: WAVE_FORMAT_EXTENSIBLE with a sub-format that is neither PCM nor IEEE float");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        WavEncoding encoding = (tag, bits) switch
        {
            (FormatPcm, 16) => WavEncoding.Pcm16,
            (FormatPcm, 24) => WavEncoding.Pcm24,
            (FormatFloat, 32) => WavEncoding.Float32,
            _ => throw new WavFormatException($"{name}: unsupported WAV encoding: {Describe(tag, bits)}; supported: PCM 16-bit, PCM 24-bit, IEEE float 32-bit"),
        };
        if (channels == 0) throw new WavFormatException($"{name}: the 'fmt ' chunk says 0 channels");
        if (sampleRate == 0 || sampleRate > int.MaxValue) throw new WavFormatException($"{name}: invalid sample rate {sampleRate}");
        int bytesPerSample = bits / 8;
        if (blockAlign != channels * bytesPerSample)
            throw new WavFormatException($"{name}: block align {blockAlign} does not match {channels} channel(s) × {bytesPerSample} bytes");
        if (data.Length % blockAlign != 0)
            throw new WavFormatException($"{name} is truncated: the 'data' chunk holds {data.Length} bytes, not a whole number of {blockAlign}-byte frames");

        var samples = new float[data.Length / bytesPerSample];
        for (int i = 0; i < samples.Length; i++)
        {
            var s = data.Slice(i * bytesPerSample, bytesPerSample);
            samples[i] = encoding switch
            {
                WavEncoding.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                WavEncoding.Pcm24 => ((s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8) / 8388608f,
                _ => BinaryPrimitives.ReadSingleLittleEndian(s),
            };
        }
        return new WavAudio((int)sampleRate, channels, encoding, samples);
    }

    public static void Write(string path, ReadOnlySpan<float> interleaved, int channels, int sampleRate, WavEncoding encoding) =>
        File.WriteAllBytes(path, Encode(interleaved, channels, sampleRate, encoding));

    /// <summary>
    /// Encodes a WAV file. Integer encodings scale by 2^15 or 2^23, round to nearest and clip to the integer range
    /// (so values read from a file of the same encoding come back exactly). Float files get the 18-byte 'fmt ' chunk
    /// and the 'fact' chunk that non-PCM WAV files carry.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<float> interleaved, int channels, int sampleRate, WavEncoding encoding)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        if (interleaved.Length % channels != 0)
            throw new ArgumentException($"{interleaved.Length} samples are not a whole number of {channels}-channel frames", nameof(interleaved));
        int bytesPerSample = encoding switch { WavEncoding.Pcm16 => 2, WavEncoding.Pcm24 => 3, WavEncoding.Float32 => 4, _ => throw new ArgumentOutOfRangeException(nameof(encoding)) };
        bool isFloat = encoding == WavEncoding.Float32;
        long dataBytes = (long)interleaved.Length * bytesPerSample;
        int fmtBytes = isFloat ? 18 : 16, factBytes = isFloat ? 12 : 0;
        long total = 12 + 8 + fmtBytes + factBytes + 8 + dataBytes + (dataBytes & 1);
        if (total - 8 > uint.MaxValue) throw new ArgumentException("too many samples for a WAV file (4 GiB limit)", nameof(interleaved));
        int blockAlign = channels * bytesPerSample;

        var file = new byte[total];
        var w = file.AsSpan();
        "RIFF"u8.CopyTo(w);
        BinaryPrimitives.WriteUInt32LittleEndian(w[4..], (uint)(total - 8));
        "WAVE"u8.CopyTo(w[8..]);
        "fmt "u8.CopyTo(w[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(w[16..], (uint)fmtBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(w[20..], isFloat ? FormatFloat : FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(w[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(w[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(w[28..], (uint)((long)sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(w[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(w[34..], (ushort)(bytesPerSample * 8));
        int pos = 36;
        if (isFloat)
        {
            pos += 2; // cbSize = 0
            "fact"u8.CopyTo(w[pos..]);
            BinaryPrimitives.WriteUInt32LittleEndian(w[(pos + 4)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(w[(pos + 8)..], (uint)(interleaved.Length / channels));
            pos += 12;
        }
        "data"u8.CopyTo(w[pos..]);
        BinaryPrimitives.WriteUInt32LittleEndian(w[(pos + 4)..], (uint)dataBytes);
        pos += 8;
        foreach (float v in interleaved)
        {
            switch (encoding)
            {
                case WavEncoding.Pcm16:
                    BinaryPrimitives.WriteInt16LittleEndian(w[pos..], (short)Quantize(v, 32768));
                    break;
                case WavEncoding.Pcm24:
                    int q = Quantize(v, 8388608);
                    w[pos] = (byte)q;
                    w[pos + 1] = (byte)(q >> 8);
                    w[pos + 2] = (byte)(q >> 16);
                    break;
                default:
                    BinaryPrimitives.WriteSingleLittleEndian(w[pos..], v);
                    break;
            }
            pos += bytesPerSample;
        }
        return file;
    }

    /// <summary>round(v · scale) clipped to [-scale, scale − 1]; NaN becomes 0.</summary>
    private static int Quantize(float v, int scale)
    {
        double x = Math.Round((double)v * scale, MidpointRounding.ToEven);
        if (double.IsNaN(x)) return 0;
        return (int)Math.Clamp(x, -scale, scale - 1);
    }

    private static string Describe(ushort tag, int bits) => tag switch
    {
        FormatPcm => $"PCM {bits}-bit",
        FormatFloat => $"IEEE float {bits}-bit",
        2 => "Microsoft ADPCM",
        6 => "A-law",
        7 => "µ-law",
        0x11 => "IMA ADPCM",
        0x55 => "MPEG layer 3",
        _ => $"format tag 0x{tag:X4} with {bits} bits per sample",
    };

    private static string Ascii(ReadOnlySpan<byte> id)
    {
        var sb = new StringBuilder(4);
        foreach (byte b in id) sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        return sb.ToString();
    }
}
