using Xunit.Abstractions;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Tests;

/// <summary>
/// CI runs the tests again under DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0 and DOTNET_EnableHWIntrinsic=0;
/// this checks the switch really took effect, so a green run proves the path it names.
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
        if (Environment.GetEnvironmentVariable("EDGERNN_FORCE_VECTOR512") == "1")
            Assert.True(EdgeRnn.Kernels.Isa.ForceVector512, "the Vector512 kernel path is forced");
        if (Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") is null && Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") is null)
            Assert.True(Vector128.IsHardwareAccelerated, "this machine has SIMD; only the switches turn it off");
    }
}
