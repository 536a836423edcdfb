// EdgeRnn benchmarks: see docs/benchmarks.md.
//   dotnet run -c Release --project benchmarks/EdgeRnn.Benchmarks -- --quick    (H ∈ {32, 64, 128} + amp; Default and AVX2 jobs; < 10 min)
//   dotnet run -c Release --project benchmarks/EdgeRnn.Benchmarks -- --full     (every shape; Default, AVX2, Vector128, Scalar, NativeAOT)
//   dotnet run -c Release --project benchmarks/EdgeRnn.Benchmarks -- --verify   (only the cross-checks, a few seconds)
//   dotnet run -c Release --project benchmarks/EdgeRnn.Benchmarks -- --rtneural (EdgeRnn vs RTNeural Step, 18 configs; AVX2 and Vector128 jobs)
//   dotnet run -c Release --project benchmarks/EdgeRnn.Benchmarks -- --first-call (fresh processes: the first 10,000 steps vs steady state)
//   dotnet run -c Release --project benchmarks/EdgeRnn.Benchmarks -- --decode-step (the date model's decoder step vs ONNX Runtime, whole decodings; DefaultISA job)
//   ... --full --jobs AVX2,NativeAOT-v3                                           (some jobs only: DefaultISA, AVX2, Vector128, Scalar, NativeAOT-v3)
// Any other argument goes to BenchmarkDotNet (e.g. --filter '*LstmH64*' '*FmaPeak*', --list flat).
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;
using EdgeRnn.Benchmarks;
using EdgeRnn.Benchmarks.Peers;

if (args.Contains("--verify"))
    return Verify.All(); // only the GlobalSetup checks (all implementations agree), in-process, no timing
if (args.Contains(FirstCall.ChildSwitch))
    return FirstCall.Child(args);
if (args.Contains("--first-call"))
    return FirstCall.Run(args);

bool full = args.Contains("--full");
bool quick = args.Contains("--quick") || !full;
bool rtNeural = args.Contains("--rtneural");
bool decodeStep = args.Contains("--decode-step");
var rest = args.Where(a => a is not "--quick" and not "--full" and not "--rtneural" and not "--decode-step").ToList();
string[]? jobs = null; // --jobs AVX2,NativeAOT-v3: run only these of BenchConfig.AllJobs
int jobsAt = rest.IndexOf("--jobs");
if (jobsAt >= 0 && jobsAt + 1 < rest.Count)
{
    jobs = rest[jobsAt + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = jobs.Where(j => !BenchConfig.AllJobs.Contains(j, StringComparer.OrdinalIgnoreCase)).ToArray();
    if (unknown.Length > 0)
    {
        Console.Error.WriteLine($"unknown job(s) {string.Join(", ", unknown)}; known: {string.Join(", ", BenchConfig.AllJobs)}");
        return 2;
    }
    rest.RemoveRange(jobsAt, 2);
}
if (!rest.Any(a => a is "--filter" or "-f" || a.StartsWith("--filter=", StringComparison.Ordinal)) && !rest.Contains("--list"))
    rest.AddRange(["--filter", "*"]); // otherwise BenchmarkSwitcher asks interactively

var config = BenchConfig.Create(quick, jobs ?? (decodeStep ? ["DefaultISA"] : null), rtNeural);
// The encoder–decoder step runs on its own switch only.
config.AddFilter(new SimpleFilter(b => (b.Descriptor.Type == typeof(DecodeStep)) == decodeStep));
if (!Vector512.IsHardwareAccelerated)
    config.AddFilter(new SimpleFilter(b => b.Descriptor.Type != typeof(FmaPeak512)));
if (RtNeuralShim.Unavailable is { } why)
{
    Console.WriteLine($"// RTNeural skipped: {why}");
    if (rtNeural)
        return 2;
    config.AddFilter(new SimpleFilter(b => !b.Descriptor.Type.IsGenericType || b.Descriptor.Type.GetGenericTypeDefinition() != typeof(VsRtNeural<>)));
}
else
{
    Console.WriteLine($"// RTNeural: {RtNeuralShim.BuildInfo ?? "shim loaded"}");
}
Console.WriteLine($"// EdgeRnn benchmarks, {(quick ? "quick" : "full")} mode{(rtNeural ? ", RTNeural comparison" : "")}{(decodeStep ? ", encoder–decoder step" : "")}; jobs: {string.Join(", ", config.GetJobs().Select(j => j.Id))}");
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run([.. rest], config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
