using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.NativeAot;
using Perfolizer.Horology;

namespace EdgeRnn.Benchmarks;

/// <summary>The BenchmarkDotNet configuration of the quick and the full run.</summary>
public static class BenchConfig
{
    /// <summary>Every model, in the order of the tables.</summary>
    public static readonly string[] AllModels =
    [
        nameof(LstmH8), nameof(LstmH16), nameof(LstmH32), nameof(LstmH64), nameof(LstmH128), nameof(LstmH256),
        nameof(GruH8), nameof(GruH16), nameof(GruH32), nameof(GruH64), nameof(GruH128), nameof(GruH256),
        nameof(AmpLstmH12), nameof(AmpLstmH16), nameof(AmpLstmH20), nameof(AmpLstmH40), nameof(AmpGruH8), nameof(Lstm2H64),
    ];

    /// <summary>The shapes of the quick run: H ∈ {32, 64, 128} and the amp model.</summary>
    public static readonly string[] QuickModels =
        [nameof(LstmH32), nameof(LstmH64), nameof(LstmH128), nameof(GruH32), nameof(GruH64), nameof(GruH128), nameof(AmpLstmH40)];

    /// <summary>The job ids, in the order of the full run.</summary>
    public static readonly string[] AllJobs = ["DefaultISA", "AVX2", "Vector128", "Scalar", "NativeAOT-v3"];

    /// <summary>The jobs of the RTNeural comparison: the JIT at x86-64-v3 (AVX2, the goal's job) and at Vector128 (NEON's width);
    /// full mode adds DefaultISA (AVX-512 where the CPU has it) and NativeAOT-v3.</summary>
    public static readonly string[] RtNeuralQuickJobs = ["AVX2", "Vector128"];
    public static readonly string[] RtNeuralFullJobs = ["DefaultISA", "AVX2", "Vector128", "NativeAOT-v3"];

    /// <param name="quick">Quick mode: short runs. Without <paramref name="rtNeural"/>: <see cref="Rnn{TModel}"/> on the
    /// <see cref="QuickModels"/> only, jobs DefaultISA and AVX2, no RTNeural. The full mode runs every benchmark type.</param>
    /// <param name="jobs">Job ids to run instead of the mode's (from <see cref="AllJobs"/>), or null.</param>
    /// <param name="rtNeural">Only <see cref="VsRtNeural{TModel}"/> (every config) and the FMA peak; jobs <see cref="RtNeuralQuickJobs"/> / <see cref="RtNeuralFullJobs"/>.</param>
    public static ManualConfig Create(bool quick, IReadOnlyCollection<string>? jobs = null, bool rtNeural = false)
    {
        // Quick: a ShortRun-like job with shorter iterations (about 3 s per benchmark, 2 jobs × 57 benchmarks).
        // Full: fixed counts rather than BenchmarkDotNet's open-ended default, so the run has a known length.
        Job baseJob = quick
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(7).WithIterationTime(TimeInterval.FromMilliseconds(120))
            : Job.Default.WithLaunchCount(1).WithWarmupCount(6).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(250));

        // The ISA tiers of the JIT on .NET 10, forced with the runtime's switches (DOTNET_EnableAVX512F does nothing there).
        Job @default = baseJob.WithId("DefaultISA");   // AVX-512 where the CPU has it, else AVX2
        Job avx2 = baseJob.WithEnvironmentVariable("DOTNET_EnableAVX512", "0").WithId("AVX2");
        Job vector128 = baseJob.WithEnvironmentVariable("DOTNET_EnableAVX2", "0").WithId("Vector128");
        Job scalar = baseJob.WithEnvironmentVariable("DOTNET_EnableHWIntrinsic", "0").WithId("Scalar");
        // NativeAOT compiles for the minimum x64 ISA unless told otherwise: x86-64-v3 = AVX2 + FMA + BMI.
        Job nativeAot = baseJob
            .WithRuntime(NativeAotRuntime.Net10_0)
            .WithToolchain(NativeAotToolchain.CreateBuilder()
                .UseNuGet()
                .IlcInstructionSet("x86-64-v3")
                .TargetFrameworkMoniker("net10.0")
                .ToToolchain())
            .WithId("NativeAOT-v3");

        jobs ??= rtNeural ? (quick ? RtNeuralQuickJobs : RtNeuralFullJobs)
            : quick ? ["DefaultISA", "AVX2"] : AllJobs;
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(new[] { @default, avx2, vector128, scalar, nativeAot }.Where(j => jobs.Contains(j.Id, StringComparer.OrdinalIgnoreCase)).ToArray())
            .AddColumn(StatisticColumn.Median, new GflopsColumn(), new PeakPercentColumn())
            .WithBuildTimeout(TimeSpan.FromMinutes(30))
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithOptions(ConfigOptions.JoinSummary)
            // One table for the whole run; ratios against EdgeRnn within the same model, category (Step / Run) and job.
            .WithOrderer(new TypeFirstOrderer())
            .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByJob);
        if (rtNeural)
        {
            config.AddFilter(new SimpleFilter(b => !b.Descriptor.Type.IsGenericType || b.Descriptor.Type.GetGenericTypeDefinition() == typeof(VsRtNeural<>)));
        }
        else if (quick)
        {
            config.AddFilter(new SimpleFilter(b =>
                !b.Descriptor.Type.IsGenericType
                || (b.Descriptor.Type.GetGenericTypeDefinition() == typeof(Rnn<>) && QuickModels.Contains(b.Descriptor.Type.GetGenericArguments()[0].Name))));
        }
        return config;
    }
}
