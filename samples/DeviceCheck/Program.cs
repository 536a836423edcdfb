// EdgeRnn DeviceCheck: the program targets/verify.sh publishes for every device preset (-p:EdgeRnnTarget=NAME)
// and runs, natively or under qemu. It prints, one fact per line, in a form a script can read:
//   isa arch=Arm64 vector128=True ... dp=True   the instruction sets this binary sees (constants under NativeAOT)
//   runtime aot=True                             NativeAOT (no JIT) or not
//   out I VALUE / state I VALUE                  outputs of a fixed, exactly reproducible input, and the final state
//   reference steps=N maxdiff=X                  largest difference from PyTorch (models/amp.expected.json next to the binary)
//   alloc steps=100000 bytes=N                   GC.GetTotalAllocatedBytes(true) delta over 100,000 Step calls
//   time steps=100000 ns_per_step=X              wall time per Step (under qemu: emulated time)
//   seq2seq ... / alloc_seq2seq ... / out s2s.K   the encoder–decoder checks (Seq2SeqCheck.cs)
// With --startup it only builds the model, runs one step and prints it: what the start-up time is measured on.
// Exit code: 0 when both references match within 1e-5, the decoded tokens are PyTorch's and nothing was allocated, 1 otherwise.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using EdgeRnn;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args is ["--startup"])
{
    var first = new AmpModel();
    Span<float> y = stackalloc float[AmpModel.OutputSize];
    first.Step([0.25f], y);
    Console.WriteLine("startup out=" + y[0].ToString("R"));
    return 0;
}

Console.WriteLine(
    $"isa arch={RuntimeInformation.ProcessArchitecture} " +
    $"vector128={Vector128.IsHardwareAccelerated} vector256={Vector256.IsHardwareAccelerated} vector512={Vector512.IsHardwareAccelerated} " +
    $"avx2={Avx2.IsSupported} fma={Fma.IsSupported} avx512f={Avx512F.IsSupported} " +
    $"advsimd={AdvSimd.Arm64.IsSupported} dp={Dp.IsSupported} rdm={Rdm.IsSupported}");
Console.WriteLine($"runtime aot={!RuntimeFeature.IsDynamicCodeSupported}");

bool ok = true;

// 1. A fixed input that is bit-for-bit the same on every machine: a triangle wave plus xorshift noise,
//    integer arithmetic and correctly rounded float operations only (no sin/exp whose last bit may differ).
const int Steps = 4800, PrintEvery = 48;
var model = new AmpModel();
Span<float> x = stackalloc float[AmpModel.InputSize];
Span<float> output = stackalloc float[AmpModel.OutputSize];
uint noise = 0x12345678;
for (int n = 0; n < Steps; n++)
{
    x[0] = Input(n, ref noise);
    model.Step(x, output);
    if (n % PrintEvery == 0 || n == Steps - 1)
        Console.WriteLine($"out {n} {output[0].ToString("R")}");
}
Span<float> state = stackalloc float[AmpModel.StateSize];
model.CopyStateTo(state);
for (int i = 0; i < state.Length; i++)
    Console.WriteLine($"state {i} {state[i].ToString("R")}");

// 2. PyTorch's own outputs for the same model, when the reference file was copied next to the binary.
string referencePath = Path.Combine(AppContext.BaseDirectory, "models", "amp.expected.json");
if (File.Exists(referencePath))
{
    var root = JsonDocument.Parse(File.ReadAllText(referencePath)).RootElement;
    float[] inputs = root.GetProperty("inputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    float[] expected = root.GetProperty("outputs").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    var reference = new AmpModel();
    float maxDiff = 0;
    for (int n = 0; n < inputs.Length; n++)
    {
        reference.Step(inputs.AsSpan(n, 1), output);
        maxDiff = Math.Max(maxDiff, Math.Abs(output[0] - expected[n]));
    }
    Console.WriteLine($"reference steps={inputs.Length} maxdiff={maxDiff.ToString("R")}");
    ok &= maxDiff <= 1e-5f;
}
else
{
    Console.WriteLine("reference missing=" + referencePath);
}

// 3. Allocations and time over 100,000 steps, after half a second of warm-up (the JIT tiers up; NativeAOT has nothing to warm).
const int Measured = 100_000;
model.Reset();
noise = 0x12345678;
float sum = 0;
long warmUp = Stopwatch.GetTimestamp();
for (int n = 0; n < 10_000 || Stopwatch.GetElapsedTime(warmUp).TotalMilliseconds < 500; n++)
{ x[0] = Input(n, ref noise); model.Step(x, output); sum += output[0]; }
long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
long start = Stopwatch.GetTimestamp();
for (int n = 0; n < Measured; n++) { x[0] = Input(n, ref noise); model.Step(x, output); sum += output[0]; }
var elapsed = Stopwatch.GetElapsedTime(start);
long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
Console.WriteLine($"alloc steps={Measured} bytes={allocated}");
Console.WriteLine($"time steps={Measured} ns_per_step={(elapsed.TotalNanoseconds / Measured).ToString("F1")} checksum={sum.ToString("R")}");
ok &= allocated == 0;

// 4. An encoder–decoder model: encoder, teacher forcing, greedy and beam decoding against PyTorch, and allocations (Seq2SeqCheck.cs).
ok &= Seq2SeqCheck.Run();

return ok ? 0 : 1;

static float Input(int n, ref uint s)
{
    s ^= s << 13; s ^= s >> 17; s ^= s << 5;                      // xorshift32
    float triangle = Math.Abs(n % 400 - 200) / 200f - 0.5f;        // 120 Hz at 48 kHz, amplitude 0.5
    float jitter = (int)(s >> 8) * (1f / (1 << 24)) - 0.5f;        // uniform in [-0.5, 0.5), exact
    return triangle + 0.05f * jitter;
}

[EdgeRnnModel("models/amp.edgernn.json")]
public partial struct AmpModel;
