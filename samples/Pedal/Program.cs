// EdgeRnn pedal: runs a guitar-pedal model once per audio sample over a WAV file, the way a pedal on a small board
// would, and measures it: real-time factor, per-sample latency percentiles and the bytes allocated in the audio loop.
//
//   dotnet run --project samples/Pedal -c Release                                # generated riff -> output/input.wav, output/output.wav
//   dotnet run --project samples/Pedal -c Release -- --in guitar.wav --out ts9.wav
//
// The model is compiled in: models/neuralseed_ts9_lstm8.json (an Ibanez TS9 capture from GuitarML/NeuralSeed, MIT),
// read directly in its own JSON format by the EdgeRnn generator.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using EdgeRnn;

namespace EdgeRnn.Samples.Pedal;

/// <summary>The TS9 overdrive: LSTM, 8 units, linear head, input added back; trained at 48 kHz.</summary>
[EdgeRnnModel("models/neuralseed_ts9_lstm8.json")]
public partial struct Ts9;

internal static class Program
{
    /// <summary>NeuralSeed processes, and its models were trained, at 48 kHz (the file format has no sample-rate field).</summary>
    private const int ModelSampleRate = 48_000;
    private const string ModelDescription = "Ibanez TS9 overdrive, LSTM 8 units (GuitarML/NeuralSeed lstm8_ts9_pytorch.json, MIT)";

    private static int Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string? inPath = null, outPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--in" when i + 1 < args.Length: inPath = args[++i]; break;
                case "--out" when i + 1 < args.Length: outPath = args[++i]; break;
                case "-h" or "--help": Usage(Console.Out); return 0;
                default:
                    Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'");
                    Usage(Console.Error);
                    return 2;
            }
        }

        if (!StreamsOneChannel<Ts9>())
        {
            Console.Error.WriteLine($"error: this sample streams one audio channel; the model has {Ts9.InputSize} inputs and {Ts9.OutputSize} outputs");
            return 1;
        }
        Console.WriteLine($"model: {ModelDescription}");
        Console.WriteLine($"       {Ts9.InputSize} input, {Ts9.OutputSize} output, {Ts9.StateSize} floats of state, trained at {ModelSampleRate} Hz");

        // Unless told where, the files go to a folder the sample owns, next to its program (bin/.../output/; beside the
        // binary on a device), never into whatever directory it is started from.
        string ownFolder = Path.Combine(AppContext.BaseDirectory, "output");
        outPath ??= Path.Combine(ownFolder, inPath is null ? "output.wav" : Path.GetFileNameWithoutExtension(inPath) + "_ts9.wav");

        float[] input;
        int sampleRate;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            if (inPath is null)
            {
                sampleRate = ModelSampleRate;
                input = GuitarSignal.Generate(sampleRate);
                string generatedPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, "input.wav");
                Wav.Write(generatedPath, input, 1, sampleRate, WavEncoding.Float32);
                Console.WriteLine($"input: generated guitar riff (Karplus-Strong plucked strings), {Seconds(input.Length, sampleRate)} at {sampleRate} Hz, {Level(input)}");
                Console.WriteLine($"       written to {generatedPath} (mono, float 32-bit)");
            }
            else
            {
                var wav = Wav.Read(inPath);
                sampleRate = wav.SampleRate;
                input = wav.MixToMono();
                string channels = wav.Channels == 1 ? "mono" : $"{wav.Channels} channels mixed to mono (average)";
                Console.WriteLine($"input: {Path.GetFullPath(inPath)}: {wav.Encoding}, {channels}, {Seconds(input.Length, sampleRate)} at {sampleRate} Hz, {Level(input)}");
                if (sampleRate != ModelSampleRate)
                    Console.WriteLine($"       note: the model was trained at {ModelSampleRate} Hz; processing at the file's {sampleRate} Hz (the sound differs a little; resample to {ModelSampleRate} Hz for the captured tone)");
            }
        }
        catch (Exception e) when (e is WavFormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        if (input.Length == 0)
        {
            Console.Error.WriteLine("error: the input has no samples");
            return 1;
        }

        var output = new float[input.Length];
        var ticks = new long[input.Length];   // per-sample Step durations, in Stopwatch ticks
        var model = new Ts9();

        // Warm-up on (up to) the first second, so that the JIT has compiled everything; then back to the zero state.
        int warm = Math.Min(input.Length, ModelSampleRate);
        Process(ref model, input.AsSpan(0, warm), output.AsSpan(0, warm), ticks.AsSpan(0, warm));
        model.Reset();

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        Process(ref model, input, output, ticks);
        long elapsedTicks = Stopwatch.GetTimestamp() - start;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        try
        {
            Wav.Write(outPath, output, 1, sampleRate, WavEncoding.Float32);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        Console.WriteLine($"output: {Path.GetFullPath(outPath)} (mono, float 32-bit, {sampleRate} Hz), {Level(output)}");

        double secondsPerSample = elapsedTicks / (double)Stopwatch.Frequency / input.Length;
        double rtf = secondsPerSample * ModelSampleRate;
        Console.WriteLine($"audio loop: {input.Length} Steps in {elapsedTicks * 1e3 / Stopwatch.Frequency:F1} ms, {secondsPerSample * 1e9:F0} ns per sample");
        Console.WriteLine($"real-time factor at {ModelSampleRate / 1000} kHz: {rtf:F4} (processing time / audio time; {1 / rtf:F0}x faster than real time)");
        if (sampleRate != ModelSampleRate)
            Console.WriteLine($"real-time factor at the file's {sampleRate} Hz: {secondsPerSample * sampleRate:F4}");

        Array.Sort(ticks);
        long p50 = Percentile(ticks, 0.50), p99 = Percentile(ticks, 0.99), max = ticks[^1];
        long clock = TimerOverhead(ticks.AsSpan(0, Math.Min(ticks.Length, 10_000))); // the durations are no longer needed
        Console.WriteLine($"per-sample latency (one Step, Stopwatch): p50 {Ns(p50)}, p99 {Ns(p99)}, max {Ns(max)} " +
                          $"(budget per sample at {ModelSampleRate / 1000} kHz: {1e9 / ModelSampleRate:F0} ns; each includes a clock read of about {Ns(clock)})");
        Console.WriteLine($"allocated in the audio loop: {allocated} bytes");
        if (allocated != 0)
        {
            Console.Error.WriteLine("error: the audio loop allocated memory");
            return 3;
        }
        return 0;
    }

    /// <summary>The audio loop: one Step per sample, each timed; nothing is allocated.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Process(ref Ts9 model, ReadOnlySpan<float> input, Span<float> output, Span<long> ticks)
    {
        for (int n = 0; n < input.Length; n++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.Step(input.Slice(n, 1), output.Slice(n, 1));
            ticks[n] = Stopwatch.GetTimestamp() - t0;
        }
    }

    /// <summary>One audio sample in, one out (a model with knob inputs would need them fed too).</summary>
    private static bool StreamsOneChannel<TModel>() where TModel : struct, IEdgeRnnModel =>
        TModel.InputSize == 1 && TModel.OutputSize == 1;

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static long Percentile(long[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Ns(long ticks)
    {
        double ns = ticks * 1e9 / Stopwatch.Frequency;
        return ns switch
        {
            < 10_000 => $"{ns:F0} ns",
            < 10_000_000 => $"{ns / 1e3:F1} µs",
            _ => $"{ns / 1e6:F1} ms",
        };
    }

    /// <summary>The median cost of the two clock reads around each Step (included in the latencies).</summary>
    private static long TimerOverhead(Span<long> scratch)
    {
        for (int i = 0; i < scratch.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            scratch[i] = Stopwatch.GetTimestamp() - t0;
        }
        scratch.Sort();
        return scratch[scratch.Length / 2];
    }

    private static string Seconds(int samples, int rate) => $"{samples / (double)rate:F2} s";

    private static string Level(ReadOnlySpan<float> x)
    {
        double peak = 0, sum = 0;
        foreach (float v in x)
        {
            peak = Math.Max(peak, Math.Abs(v));
            sum += (double)v * v;
        }
        double rms = Math.Sqrt(sum / Math.Max(1, x.Length));
        return $"peak {Db(peak)} dBFS, RMS {Db(rms)} dBFS";
    }

    private static string Db(double v) => v > 0 ? $"{20 * Math.Log10(v):F1}" : "-inf";

    private static void Usage(TextWriter w)
    {
        w.WriteLine("usage: Pedal [--in input.wav] [--out output.wav]");
        w.WriteLine("  no --in: generates a guitar riff, writes it to input.wav (next to the output) and processes it");
        w.WriteLine("  --in:    mono WAV, PCM 16-bit, PCM 24-bit or IEEE float 32-bit (more channels are mixed to mono)");
        w.WriteLine("  --out:   output WAV, mono IEEE float 32-bit at the input's sample rate");
        w.WriteLine("           (default: output.wav, or <input name>_ts9.wav with --in, in the folder output/ next to this program)");
    }
}

/// <summary>
/// A guitar-like test signal: plucked strings by Karplus–Strong synthesis (a burst of filtered noise circulating in a
/// delay line one period long, averaged and damped on every pass), a short single-note riff and a strummed chord.
/// Deterministic: its own random generator with a fixed seed.
/// </summary>
internal static class GuitarSignal
{
    public static float[] Generate(int sampleRate)
    {
        var mix = new double[(int)(4.5 * sampleRate)];
        uint rng = 0x9E3779B9;
        // (start in seconds, frequency in Hz, amplitude): E2 G2 A2, E2 G2 Bb2 A2, then an open E major strum.
        (double At, double Hz, double Amp)[] notes =
        [
            (0.00, 82.41, 1.0), (0.40, 98.00, 0.9), (0.80, 110.00, 0.9),
            (1.40, 82.41, 1.0), (1.80, 98.00, 0.9), (2.10, 116.54, 0.9), (2.40, 110.00, 0.8),
        ];
        foreach (var (at, hz, amp) in notes) Pluck(mix, (int)(at * sampleRate), hz, amp, sampleRate, ref rng);
        double[] chord = [82.41, 123.47, 164.81, 207.65, 246.94, 329.63]; // E2 B2 E3 G#3 B3 E4
        for (int s = 0; s < chord.Length; s++)
            Pluck(mix, (int)((3.0 + 0.018 * s) * sampleRate), chord[s], 0.6, sampleRate, ref rng);

        double peak = 0;
        foreach (double v in mix) peak = Math.Max(peak, Math.Abs(v));
        var result = new float[mix.Length];
        for (int i = 0; i < mix.Length; i++) result[i] = (float)(0.5 * mix[i] / peak); // peak at -6 dBFS, like a DI'd guitar
        return result;
    }

    private static void Pluck(double[] mix, int start, double frequency, double amplitude, int sampleRate, ref uint rng)
    {
        int period = (int)Math.Round(sampleRate / frequency - 0.5); // the two-point average adds half a sample of delay
        var line = new double[period];
        double mean = 0;
        for (int i = 0; i < period; i++)
        {
            line[i] = NextUniform(ref rng);
            if (i > 0) line[i] = 0.5 * (line[i] + line[i - 1]); // a softer pick: low-pass the noise burst
            mean += line[i];
        }
        mean /= period;
        for (int i = 0; i < period; i++) line[i] -= mean;

        // Every value is damped once per pass (frequency passes per second): -60 dB after t60 seconds, about 3 s for
        // the low E and shorter for higher strings (the averaging takes the highs away sooner on its own).
        double t60 = 3.0 * Math.Sqrt(82.41 / frequency);
        double decay = Math.Pow(0.001, 1.0 / (frequency * t60));
        for (int n = start, k = 0; n < mix.Length; n++)
        {
            int next = k + 1 == period ? 0 : k + 1;
            double v = line[k];
            line[k] = decay * 0.5 * (v + line[next]);
            mix[n] += amplitude * v;
            k = next;
        }
    }

    /// <summary>xorshift32, mapped to [-1, 1).</summary>
    private static double NextUniform(ref uint state)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state / 2147483648.0 - 1.0;
    }
}
