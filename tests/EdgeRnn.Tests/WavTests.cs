using System.Buffers.Binary;
using EdgeRnn.Samples.Pedal;

namespace EdgeRnn.Tests;

/// <summary>The Pedal sample's WAV reader and writer (samples/Pedal/Wav.cs, compiled into this project).</summary>
public class WavTests
{
    // --------------------------------------------------------------------------------------------- round trips

    [Fact]
    public void Pcm16_round_trips_exactly_and_writes_the_canonical_header()
    {
        // every value k / 32768 is representable, including both extremes
        float[] samples = [0f, 1 / 32768f, -1 / 32768f, 0.5f, -0.5f, -1f, 32767 / 32768f, 12345 / 32768f, -23456 / 32768f, 0.25f];
        byte[] file = Wav.Encode(samples, channels: 2, sampleRate: 44_100, WavEncoding.Pcm16);

        Assert.Equal(44 + samples.Length * 2, file.Length);
        Assert.Equal("RIFF", Ascii(file, 0));
        Assert.Equal((uint)(file.Length - 8), U32(file, 4));
        Assert.Equal("WAVE", Ascii(file, 8));
        Assert.Equal("fmt ", Ascii(file, 12));
        Assert.Equal(16u, U32(file, 16));
        Assert.Equal(1, U16(file, 20));          // PCM
        Assert.Equal(2, U16(file, 22));          // channels
        Assert.Equal(44_100u, U32(file, 24));    // sample rate
        Assert.Equal(44_100u * 4, U32(file, 28)); // byte rate
        Assert.Equal(4, U16(file, 32));          // block align
        Assert.Equal(16, U16(file, 34));         // bits
        Assert.Equal("data", Ascii(file, 36));
        Assert.Equal((uint)(samples.Length * 2), U32(file, 40));
        Assert.Equal(-32768, BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(44 + 5 * 2)));   // -1
        Assert.Equal(32767, BinaryPrimitives.ReadInt16LittleEndian(file.AsSpan(44 + 6 * 2)));    // 32767/32768

        var wav = Wav.Read(file);
        Assert.Equal(44_100, wav.SampleRate);
        Assert.Equal(2, wav.Channels);
        Assert.Equal(WavEncoding.Pcm16, wav.Encoding);
        Assert.Equal(samples.Length / 2, wav.Frames);
        Assert.Equal(samples, wav.Samples);
    }

    [Fact]
    public void Pcm24_round_trips_exactly_with_sign_extension()
    {
        float[] samples = [0f, 1 / 8388608f, -1 / 8388608f, -1f, 8388607 / 8388608f, 0.123456716f, -0.76543212f, 4194304 / 8388608f, -65536 / 8388608f];
        for (int i = 0; i < samples.Length; i++) samples[i] = MathF.Round(samples[i] * 8388608f) / 8388608f;
        byte[] file = Wav.Encode(samples, channels: 1, sampleRate: 48_000, WavEncoding.Pcm24);

        Assert.Equal(44 + samples.Length * 3 + 1, file.Length); // 27 data bytes: one pad byte keeps the chunk even
        Assert.Equal(1, U16(file, 20));
        Assert.Equal(48_000u * 3, U32(file, 28));
        Assert.Equal(3, U16(file, 32));
        Assert.Equal(24, U16(file, 34));
        Assert.Equal((uint)(samples.Length * 3), U32(file, 40));
        // -1 is 0x800000 and -1/2^23 is 0xFFFFFF, little-endian
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80 }, file.AsSpan(44 + 3 * 3, 3).ToArray());
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF }, file.AsSpan(44 + 2 * 3, 3).ToArray());

        var wav = Wav.Read(file);
        Assert.Equal(WavEncoding.Pcm24, wav.Encoding);
        Assert.Equal(48_000, wav.SampleRate);
        Assert.Equal(samples, wav.Samples);
    }

    [Fact]
    public void Float32_round_trips_bit_for_bit_without_clipping_and_has_a_fact_chunk()
    {
        float[] samples = [0f, -0f, 1e-40f, -3.5f, 2f, 0.1f, float.Epsilon, -1f, 1f, 0.999999f, 123.456f];
        byte[] file = Wav.Encode(samples, channels: 1, sampleRate: 96_000, WavEncoding.Float32);

        Assert.Equal(12 + 8 + 18 + 12 + 8 + samples.Length * 4, file.Length);
        Assert.Equal((uint)(file.Length - 8), U32(file, 4));
        Assert.Equal(18u, U32(file, 16));        // fmt with cbSize
        Assert.Equal(3, U16(file, 20));          // IEEE float
        Assert.Equal(96_000u * 4, U32(file, 28));
        Assert.Equal(4, U16(file, 32));
        Assert.Equal(32, U16(file, 34));
        Assert.Equal(0, U16(file, 36));          // cbSize
        Assert.Equal("fact", Ascii(file, 38));
        Assert.Equal(4u, U32(file, 42));
        Assert.Equal((uint)samples.Length, U32(file, 46)); // frames
        Assert.Equal("data", Ascii(file, 50));
        Assert.Equal((uint)(samples.Length * 4), U32(file, 54));

        var wav = Wav.Read(file);
        Assert.Equal(WavEncoding.Float32, wav.Encoding);
        Assert.Equal(samples.Length, wav.Samples.Length);
        for (int i = 0; i < samples.Length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(samples[i]), BitConverter.SingleToInt32Bits(wav.Samples[i]));
    }

    [Fact]
    public void Integer_encodings_round_to_nearest_and_clip()
    {
        float[] samples = [1f, 1.5f, -1.5f, float.NaN, 0.4f / 32768, 0.6f / 32768, -0.6f / 32768, 2.5f / 32768];
        var back = Wav.Read(Wav.Encode(samples, 1, 8000, WavEncoding.Pcm16)).Samples;
        Assert.Equal([32767 / 32768f, 32767 / 32768f, -1f, 0f, 0f, 1 / 32768f, -1 / 32768f, 2 / 32768f], back);

        var back24 = Wav.Read(Wav.Encode([1f, -2f, 0.3f], 1, 8000, WavEncoding.Pcm24)).Samples;
        Assert.Equal([8388607 / 8388608f, -1f, MathF.Round(0.3f * 8388608) / 8388608f], back24);
    }

    [Fact]
    public void Write_and_Read_go_through_a_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"edgernn-wav-{Guid.NewGuid():N}.wav");
        try
        {
            float[] samples = Enumerable.Range(0, 4801).Select(n => (float)Math.Round(0.5 * Math.Sin(n * 0.05) * 8388608) / 8388608f).ToArray();
            Wav.Write(path, samples, 1, 48_000, WavEncoding.Pcm24);
            Assert.Equal(44 + 4801 * 3 + 1, new FileInfo(path).Length); // odd data chunk: one pad byte
            var wav = Wav.Read(path);
            Assert.Equal(samples, wav.Samples);
            Assert.Equal(4801, wav.Frames);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // --------------------------------------------------------------------------------------------- files from elsewhere

    [Fact]
    public void Reads_a_hand_built_file_with_extra_chunks_before_and_after_the_data()
    {
        byte[] data = new byte[6];
        BinaryPrimitives.WriteInt16LittleEndian(data, 16384);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2), -16384);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(4), -32768);
        byte[] file = Build(
            Chunk("LIST", [0x49, 0x4E, 0x46, 0x4F, 0x01]), // odd size: padded
            Fmt(tag: 1, channels: 1, rate: 22_050, bits: 16),
            Chunk("data", data),
            Chunk("smpl", new byte[8]));
        var wav = Wav.Read(file);
        Assert.Equal(22_050, wav.SampleRate);
        Assert.Equal(1, wav.Channels);
        Assert.Equal([0.5f, -0.5f, -1f], wav.Samples);
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(1, 24)]
    [InlineData(3, 32)]
    public void Reads_WAVE_FORMAT_EXTENSIBLE(int subFormat, int bits)
    {
        int bytes = bits / 8;
        var data = new byte[2 * bytes];
        if (subFormat == 3)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data, 0.75f);
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), -0.25f);
        }
        else
        {
            // 0.75 and -0.25 in the integer format
            int scale = 1 << (bits - 1);
            WriteInt(data, 0, bytes, (int)(0.75 * scale));
            WriteInt(data, bytes, bytes, (int)(-0.25 * scale));
        }
        var fmt = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), 2);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), 48_000);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(48_000 * 2 * bytes));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)(2 * bytes));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)bits);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)bits);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), 3); // front left | front right
        SubFormatGuid(subFormat).CopyTo(fmt, 24);
        var wav = Wav.Read(Build(Chunk("fmt ", fmt), Chunk("data", data)));
        Assert.Equal(2, wav.Channels);
        Assert.Equal(1, wav.Frames);
        Assert.Equal([0.75f], wav.Channel(0));
        Assert.Equal([-0.25f], wav.Channel(1));
        Assert.Equal([0.25f], wav.MixToMono());
    }

    [Fact]
    public void Stereo_channels_are_deinterleaved_and_mixed()
    {
        float[] interleaved = [0.5f, -0.5f, 0.25f, 0.75f, -1f, 0f];
        var wav = Wav.Read(Wav.Encode(interleaved, 2, 48_000, WavEncoding.Float32));
        Assert.Equal(3, wav.Frames);
        Assert.Equal([0.5f, 0.25f, -1f], wav.Channel(0));
        Assert.Equal([-0.5f, 0.75f, 0f], wav.Channel(1));
        Assert.Equal([0f, 0.5f, -0.5f], wav.MixToMono());
        Assert.Throws<ArgumentOutOfRangeException>(() => wav.Channel(2));
        var mono = Wav.Read(Wav.Encode([0.1f, 0.2f], 1, 48_000, WavEncoding.Float32));
        Assert.Equal([0.1f, 0.2f], mono.MixToMono());
    }

    // --------------------------------------------------------------------------------------------- rejected files

    [Theory]
    [InlineData(1, 8, "PCM 8-bit")]
    [InlineData(1, 32, "PCM 32-bit")]
    [InlineData(3, 64, "IEEE float 64-bit")]
    [InlineData(2, 4, "Microsoft ADPCM")]
    [InlineData(7, 8, "µ-law")]
    [InlineData(0x1234, 16, "format tag 0x1234")]
    public void Rejects_unsupported_encodings_naming_them(int tag, int bits, string named)
    {
        int block = Math.Max(1, bits / 8);
        byte[] file = Build(Fmt((ushort)tag, 1, 48_000, (ushort)bits, (ushort)block), Chunk("data", new byte[block * 4]));
        var e = Assert.Throws<WavFormatException>(() => Wav.Read(file, "x.wav"));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.Contains("supported: PCM 16-bit, PCM 24-bit, IEEE float 32-bit", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.wav", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_truncated_data_chunk()
    {
        byte[] file = Wav.Encode(new float[1000], 1, 48_000, WavEncoding.Pcm16);
        var e = Assert.Throws<WavFormatException>(() => Wav.Read(file.AsSpan(0, file.Length - 1)));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("'data' declares 2000 bytes but only 1999 remain", e.Message, StringComparison.Ordinal);
        // cut inside the header: no data chunk at all
        var e2 = Assert.Throws<WavFormatException>(() => Wav.Read(file.AsSpan(0, 40)));
        Assert.Contains("no 'data' chunk", e2.Message, StringComparison.Ordinal);
        // cut inside the fmt chunk
        var e3 = Assert.Throws<WavFormatException>(() => Wav.Read(file.AsSpan(0, 30)));
        Assert.Contains("truncated", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_partial_last_frame()
    {
        byte[] file = Build(Fmt(1, 2, 48_000, 24), Chunk("data", new byte[6 * 3 + 3]));
        var e = Assert.Throws<WavFormatException>(() => Wav.Read(file));
        Assert.Contains("not a whole number of 6-byte frames", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_files_that_are_not_WAV()
    {
        Assert.Contains("not a WAV file", Assert.Throws<WavFormatException>(() => Wav.Read(""u8)).Message, StringComparison.Ordinal);
        Assert.Contains("not a WAV file", Assert.Throws<WavFormatException>(() => Wav.Read("RIFF\0\0\0\0AVI LIST"u8)).Message, StringComparison.Ordinal);
        Assert.Contains("not a WAV file", Assert.Throws<WavFormatException>(() => Wav.Read("ID3\u0003 some mp3 bytes"u8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_inconsistent_or_missing_format_fields()
    {
        Assert.Contains("no 'fmt ' chunk", Assert.Throws<WavFormatException>(() => Wav.Read(Build(Chunk("data", new byte[4])))).Message, StringComparison.Ordinal);
        Assert.Contains("at least 16 expected", Assert.Throws<WavFormatException>(() => Wav.Read(Build(Chunk("fmt ", new byte[14]), Chunk("data", new byte[4])))).Message, StringComparison.Ordinal);
        Assert.Contains("block align 3", Assert.Throws<WavFormatException>(() => Wav.Read(Build(Fmt(1, 1, 48_000, 16, blockAlign: 3), Chunk("data", new byte[6])))).Message, StringComparison.Ordinal);
        Assert.Contains("0 channels", Assert.Throws<WavFormatException>(() => Wav.Read(Build(Fmt(1, 0, 48_000, 16, blockAlign: 0), Chunk("data", new byte[4])))).Message, StringComparison.Ordinal);
        Assert.Contains("sample rate 0", Assert.Throws<WavFormatException>(() => Wav.Read(Build(Fmt(1, 1, 0, 16), Chunk("data", new byte[4])))).Message, StringComparison.Ordinal);
        var fmt = Fmt(0xFFFE, 1, 48_000, 32).Skip(8).ToArray();
        Assert.Contains("EXTENSIBLE", Assert.Throws<WavFormatException>(() => Wav.Read(Build(Chunk("fmt ", fmt), Chunk("data", new byte[4])))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_extensible_files_with_padded_samples_or_other_subformats()
    {
        var fmt = new byte[40];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), 48_000);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), 48_000 * 3);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), 24);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), 20); // 20 valid bits in 24
        SubFormatGuid(1).CopyTo(fmt, 24);
        var e = Assert.Throws<WavFormatException>(() => Wav.Read(Build(Chunk("fmt ", fmt), Chunk("data", new byte[3]))));
        Assert.Contains("20 valid bits in a 24-bit container", e.Message, StringComparison.Ordinal);

        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), 24);
        fmt[30] = 0x11; // not the KSDATAFORMAT GUID tail
        var e2 = Assert.Throws<WavFormatException>(() => Wav.Read(Build(Chunk("fmt ", fmt), Chunk("data", new byte[3]))));
        Assert.Contains("neither PCM nor IEEE float", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_rejects_bad_arguments()
    {
        Assert.Throws<ArgumentException>(() => Wav.Encode(new float[3], 2, 48_000, WavEncoding.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wav.Encode(new float[2], 0, 48_000, WavEncoding.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wav.Encode(new float[2], 1, 0, WavEncoding.Pcm16));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wav.Encode(new float[2], 1, 48_000, (WavEncoding)7));
    }

    // --------------------------------------------------------------------------------------------- helpers

    private static string Ascii(byte[] b, int offset) => System.Text.Encoding.ASCII.GetString(b, offset, 4);
    private static uint U32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));
    private static int U16(byte[] b, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(offset));

    private static void WriteInt(byte[] b, int offset, int bytes, int value)
    {
        for (int i = 0; i < bytes; i++) b[offset + i] = (byte)(value >> (8 * i));
    }

    /// <summary>KSDATAFORMAT_SUBTYPE_PCM (1) or _IEEE_FLOAT (3): 0000000X-0000-0010-8000-00AA00389B71.</summary>
    private static byte[] SubFormatGuid(int subFormat) =>
        [(byte)subFormat, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    private static byte[] Fmt(ushort tag, ushort channels, uint rate, ushort bits, ushort? blockAlign = null)
    {
        ushort block = blockAlign ?? (ushort)(channels * bits / 8);
        var fmt = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), rate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), rate * block);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), block);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), bits);
        return Chunk("fmt ", fmt);
    }

    private static byte[] Chunk(string id, byte[] body)
    {
        var chunk = new byte[8 + body.Length + (body.Length & 1)];
        System.Text.Encoding.ASCII.GetBytes(id).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)body.Length);
        body.CopyTo(chunk, 8);
        return chunk;
    }

    private static byte[] Build(params byte[][] chunks)
    {
        int size = 4 + chunks.Sum(c => c.Length);
        var file = new byte[8 + size];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)size);
        "WAVE"u8.CopyTo(file.AsSpan(8));
        int pos = 12;
        foreach (var c in chunks)
        {
            c.CopyTo(file, pos);
            pos += c.Length;
        }
        return file;
    }
}
