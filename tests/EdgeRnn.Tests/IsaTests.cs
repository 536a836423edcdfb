using System.Runtime.Intrinsics;
using EdgeRnn.Kernels;
using Xunit.Abstractions;

namespace EdgeRnn.Tests;

/// <summary>
/// CI runs the tests again under EDGERNN_FORCE_VECTOR512=1, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0 (and
/// DOTNET_EnableAVX512=0 reaches the AVX2 path on AVX-512 machines); this checks the switch really took effect, in the
/// runtime and in the kernels' waterfall, so a green run proves the path it names.
/// </summary>
public class IsaTests
{
    private readonly ITestOutputHelper _output;

    public IsaTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void The_forced_SIMD_path_is_the_one_running()
    {
        _output.WriteLine($"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.False(Vector128.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.False(Vector256.IsHardwareAccelerated);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
            Assert.False(Vector512.IsHardwareAccelerated);
        bool forced = Environment.GetEnvironmentVariable("EDGERNN_FORCE_VECTOR512") == "1";
        Assert.Equal(forced, Isa.ForceVector512);
        _output.WriteLine($"kernel path: {Isa.Widest}");
        // The waterfall the kernels follow (Isa.Widest) honours each switch.
        if (forced)
            Assert.Equal(SimdWidth.Vector512, Isa.Widest);
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.Equal(SimdWidth.Scalar, Isa.Widest);
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0")
            Assert.Equal(SimdWidth.Vector128, Isa.Widest);
        else if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
            Assert.Equal(SimdWidth.Vector256, Isa.Widest);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") is null && Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") is null)
            Assert.True(Vector128.IsHardwareAccelerated, "this machine has SIMD; only the switches turn it off");
    }
}
