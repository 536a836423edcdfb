using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// <c>--first-call</c>: how fast a fresh process's first steps are, against the same process's steady state.
/// Starts this program again per model and run (<c>--runs</c>, default 5) with <see cref="ChildSwitch"/>; each child
/// constructs the model, times its first <see cref="FirstSteps"/> <c>Step</c> calls in blocks of <see cref="Block"/>,
/// keeps stepping for <see cref="WarmupSeconds"/> s (tiered compilation promotes hot methods to tier 1 in the background:
/// 30 calls, then a 100 ms quiet period; loops move up by on-stack replacement) and then times
/// <see cref="SteadySamples"/> more runs of <see cref="FirstSteps"/> steps. The parent prints medians over the runs and
/// the ratio (time of the first 10,000 steps) / (time of 10,000 steady-state steps): 1.0 is "no warm-up cost".
/// Two clocks: wall time, and the stepping thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). On a shared machine
/// the wall clock also counts the time the thread waited for a core; the thread's CPU time does not, and still counts
/// the tier-0 JIT work done on that thread (tier-1 compilation runs on a background thread, as in an application).
/// The child inherits the environment, so DOTNET_TieredCompilation / DOTNET_TieredPGO / DOTNET_ReadyToRun apply.
/// </summary>
public static class FirstCall
{
    public const string ChildSwitch = "--first-call-child";
    public const int FirstSteps = 10_000;
    public const int Block = 1_000;
    public const double WarmupSeconds = 3;
    public const int SteadySamples = 10;

    /// <summary>The target of the speed issue: the first 10,000 steps within 1.3× of steady state.</summary>
    public const double Goal = 1.3;

    private static readonly string[] DefaultModels =
        [nameof(AmpLstmH40), nameof(AmpGruH8), nameof(LstmH8), nameof(LstmH32), nameof(GruH64), nameof(LstmH128), nameof(Lstm2H64)];

    /// <summary>One fresh process. Wall-clock fields, then the same on the thread's CPU clock (zero where there is none).</summary>
    private sealed record Result(string Model, double ConstructUs, double PrepareUs, double FirstCallUs, double[] BlocksNs, double First10kNs, double SteadyNs,
                                 double CpuFirstCallUs, double[] CpuBlocksNs, double CpuFirst10kNs, double CpuSteadyNs)
    {
        /// <summary>CPU ns per step of steps 2 … 10,000: the first 10,000 without the first call (which JITs the step).</summary>
        public double CpuAfterFirstCallNs => (CpuFirst10kNs * FirstSteps - CpuFirstCallUs * 1000) / (FirstSteps - 1);
    }

    /// <summary>
    /// The parent: <c>--first-call [--runs N] [--models AmpLstmH40,LstmH32] [--prepare]</c>. With <c>--prepare</c> each
    /// child calls the model's <c>Prepare()</c> before the timed steps (what an application does at start-up) and its
    /// time is a column of its own.
    /// </summary>
    public static int Run(string[] args)
    {
        int runs = 5;
        bool prepare = args.Contains("--prepare");
        string[] models = DefaultModels;
        for (int a = 0; a + 1 < args.Length; a++)
        {
            if (args[a] == "--runs") runs = int.Parse(args[a + 1], CultureInfo.InvariantCulture);
            if (args[a] == "--models") models = args[a + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        var unknown = models.Where(m => ModelType(m) is null).ToArray();
        if (unknown.Length > 0 || runs < 1)
        {
            Console.Error.WriteLine($"--first-call: unknown model(s) {string.Join(", ", unknown)} or --runs < 1; models: {string.Join(", ", BenchConfig.AllModels)}");
            return 2;
        }
        string env = string.Join(", ", Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)).Order().Select(k => k + "=" + Environment.GetEnvironmentVariable(k)));
        Console.WriteLine($"// first-call: {runs} fresh processes per model; each {(prepare ? "calls Prepare(), then " : "")}times its first {FirstSteps:N0} steps (blocks of {Block:N0}), " +
                          $"steps {WarmupSeconds} s more, then times {SteadySamples} × {FirstSteps:N0} steady steps");
        Console.WriteLine($"// runtime {Environment.Version}, environment: {(env.Length == 0 ? "no DOTNET_ variables (default tiered JIT)" : env)}");
        Console.WriteLine();
        Console.WriteLine("Medians over the runs; \"first / steady\" is the median of the runs' ratios; CPU = the stepping thread's CPU time.");
        Console.WriteLine();
        Console.WriteLine($"| model | runs | construct µs | Prepare() µs | first call µs | first {FirstSteps:N0} ns/step (wall) | steady ns/step (wall) | first / steady (wall) | " +
                          $"first {FirstSteps:N0} ns/step (CPU) | steady ns/step (CPU) | first / steady (CPU) | per run (CPU) | CPU ≤ {Goal}×? | " +
                          "without the first call / steady (CPU) |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|--:|");
        var all = new List<Result[]>();
        foreach (string model in models)
        {
            var results = new Result[runs];
            for (int r = 0; r < runs; r++)
                results[r] = Launch(model, prepare);
            all.Add(results);
            double wall = Median(results.Select(x => x.First10kNs / x.SteadyNs));
            double[] cpuRatios = results.Select(x => x.CpuFirst10kNs / x.CpuSteadyNs).ToArray();
            double cpu = Median(cpuRatios);
            Console.WriteLine($"| {model} | {runs} | {Median(results.Select(x => x.ConstructUs)):N0} | {(prepare ? Median(results.Select(x => x.PrepareUs)).ToString("N0", CultureInfo.InvariantCulture) : "–")} | {Median(results.Select(x => x.FirstCallUs)):N0} | " +
                              $"{Median(results.Select(x => x.First10kNs)):N0} | {Median(results.Select(x => x.SteadyNs)):N0} | {wall:F2}× | " +
                              $"{Median(results.Select(x => x.CpuFirst10kNs)):N0} | {Median(results.Select(x => x.CpuSteadyNs)):N0} | {cpu:F2}× | " +
                              $"{string.Join(" ", cpuRatios.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} | {(cpu <= Goal ? "met" : "**missed**")} | " +
                              $"{Median(results.Select(x => x.CpuAfterFirstCallNs / x.CpuSteadyNs)):F2}× |");
        }
        Console.WriteLine();
        Console.WriteLine($"Median CPU ns/step per block of {Block:N0} steps (block 1 includes the first call):");
        Console.WriteLine();
        Console.WriteLine("| model | " + string.Join(" | ", Enumerable.Range(1, FirstSteps / Block)) + " | steady |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("--:|", FirstSteps / Block + 1)));
        foreach (var results in all)
        {
            var blocks = Enumerable.Range(0, FirstSteps / Block).Select(b => Median(results.Select(x => x.CpuBlocksNs[b])));
            Console.WriteLine($"| {results[0].Model} | {string.Join(" | ", blocks.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))} | " +
                              $"{Median(results.Select(x => x.CpuSteadyNs)):N0} |");
        }
        return 0;
    }

    private static Result Launch(string model, bool prepare)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(FirstCall).Assembly.Location);
        start.ArgumentList.Add(ChildSwitch);
        start.ArgumentList.Add(model);
        if (prepare) start.ArgumentList.Add("--prepare");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + self);
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"first-call child for {model} failed (exit {process.ExitCode}): {output}");
        return JsonSerializer.Deserialize<Result>(line) ?? throw new InvalidOperationException("empty result");
    }

    private static Type? ModelType(string name)
    {
        var type = typeof(FirstCall).Assembly.GetType(typeof(FirstCall).Namespace + "." + name);
        return type is not null && type.IsValueType && typeof(IBenchModel).IsAssignableFrom(type) ? type : null;
    }

    /// <summary>The child: <c>--first-call-child MODEL</c>; prints one JSON line.</summary>
    public static int Child(string[] args)
    {
        string model = args[Array.IndexOf(args, ChildSwitch) + 1];
        var type = ModelType(model) ?? throw new ArgumentException("unknown model " + model);
        var measure = typeof(FirstCall).GetMethod(nameof(Measure), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        var result = (Result)measure.Invoke(null, [args.Contains("--prepare")])!;
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static Result Measure<TModel>(bool prepare) where TModel : struct, IBenchModel
    {
        float[] xs = Rnn<TModel>.MakeInputs(Rnn<TModel>.T, TModel.InputSize);
        float[] y = new float[TModel.OutputSize];
        int t = 0;

        long before = Stopwatch.GetTimestamp();
        var model = new TModel();
        double constructUs = Stopwatch.GetElapsedTime(before).TotalMicroseconds;
        double prepareUs = 0;
        // The application's loop: as written, or (--prepare) as docs/getting-started.md recommends for a real-time
        // callback, marked AggressiveOptimization so the loop itself never runs as tier-0 code either.
        StepLoop<TModel> loop = prepare ? PreparedSteps : Steps;
        if (prepare)
        {
            long prepareStart = Stopwatch.GetTimestamp();
            TModel.Prepare();
            loop(ref model, xs, y, ref t, 0); // the callback compiled at start-up too
            prepareUs = Stopwatch.GetElapsedTime(prepareStart).TotalMicroseconds;
        }

        var blocks = new double[FirstSteps / Block];
        var cpuBlocks = new double[FirstSteps / Block];
        double firstCallUs = 0, cpuFirstCallUs = 0;
        for (int b = 0; b < blocks.Length; b++)
        {
            long cpuStart = ThreadCpuNs();
            long start = Stopwatch.GetTimestamp();
            if (b == 0)
            {
                loop(ref model, xs, y, ref t, 1);
                firstCallUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                cpuFirstCallUs = (ThreadCpuNs() - cpuStart) / 1000.0;
                loop(ref model, xs, y, ref t, Block - 1);
            }
            else
            {
                loop(ref model, xs, y, ref t, Block);
            }
            blocks[b] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Block;
            cpuBlocks[b] = (double)(ThreadCpuNs() - cpuStart) / Block;
        }

        long warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm).TotalSeconds < WarmupSeconds)
            loop(ref model, xs, y, ref t, Block);

        var steady = new double[SteadySamples];
        var cpuSteady = new double[SteadySamples];
        for (int s = 0; s < steady.Length; s++)
        {
            long cpuStart = ThreadCpuNs();
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < FirstSteps / Block; b++)
                loop(ref model, xs, y, ref t, Block);
            steady[s] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / FirstSteps;
            cpuSteady[s] = (double)(ThreadCpuNs() - cpuStart) / FirstSteps;
        }
        return new Result(TModel.ModelName, constructUs, prepareUs, firstCallUs, blocks, blocks.Average(), Median(steady),
                          cpuFirstCallUs, cpuBlocks, cpuBlocks.Average(), Median(cpuSteady));
    }

    private delegate void StepLoop<TModel>(ref TModel model, float[] xs, float[] y, ref int t, int count) where TModel : struct, IBenchModel;

    /// <summary><see cref="Steps{TModel}"/> as a real-time callback should be written: fully optimised from its first call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PreparedSteps<TModel>(ref TModel model, float[] xs, float[] y, ref int t, int count) where TModel : struct, IBenchModel
    {
        int i = TModel.InputSize;
        for (int k = 0; k < count; k++)
        {
            model.Step(new ReadOnlySpan<float>(xs, t * i, i), y);
            if (++t == Rnn<TModel>.T) t = 0;
        }
    }

    /// <summary>What an application's audio loop does: one Step per sample over a rotating input. The same method in both phases.</summary>
    private static void Steps<TModel>(ref TModel model, float[] xs, float[] y, ref int t, int count) where TModel : struct, IBenchModel
    {
        int i = TModel.InputSize;
        for (int k = 0; k < count; k++)
        {
            model.Step(new ReadOnlySpan<float>(xs, t * i, i), y);
            if (++t == Rnn<TModel>.T) t = 0;
        }
    }

    /// <summary>The calling thread's CPU time in ns (Linux; 0 elsewhere, where only the wall-clock columns mean anything).</summary>
    private static long ThreadCpuNs()
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        const int ClockThreadCpuTimeId = 3;
        clock_gettime(ClockThreadCpuTimeId, out var ts);
        return ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
    }

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
