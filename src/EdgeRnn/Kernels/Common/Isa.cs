using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>The vector widths a kernel can be written for, narrowest first (so they compare as widths).</summary>
internal enum SimdWidth
{
    /// <summary>No SIMD (DOTNET_EnableHWIntrinsic=0): one float at a time.</summary>
    Scalar,
    /// <summary>Vector128: SSE on x64, AdvSimd (NEON) on ARM64.</summary>
    Vector128,
    /// <summary>Vector256: AVX2; MultiplyAddEstimate is one FMA3 instruction where the CPU has it.</summary>
    Vector256,
    /// <summary>Vector512: AVX-512, or forced by EDGERNN_FORCE_VECTOR512=1.</summary>
    Vector512,
}

/// <summary>
/// The one ISA waterfall: every kernel branches on <see cref="Widest"/> and nothing else, so the choice of path — and
/// the CI override — is made here once. Kernels whose register blocking differs per width (the matrix products) keep a
/// body per width; element-wise kernels are written once over an operator struct (<see cref="IUnaryOperator"/>,
/// the pattern of System.Numerics.Tensors.TensorPrimitives) and loop from their widest width down to the scalar tail.
/// </summary>
internal static class Isa
{
    /// <summary>
    /// EDGERNN_FORCE_VECTOR512=1 takes the Vector512 path even where the CPU lacks AVX-512 (the runtime then emulates
    /// it, slowly but exactly), so that path is tested on machines without AVX-512.
    /// </summary>
    internal static readonly bool ForceVector512 = Environment.GetEnvironmentVariable("EDGERNN_FORCE_VECTOR512") == "1";

    /// <summary>The widest accelerated path. A static readonly the JIT folds to a constant, so the untaken paths compile away.</summary>
    internal static readonly SimdWidth Widest =
        Vector512.IsHardwareAccelerated || ForceVector512 ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : Vector128.IsHardwareAccelerated ? SimdWidth.Vector128
        : SimdWidth.Scalar;
}

/// <summary>
/// The waterfall's choices for code outside this assembly: the generated fixed-size step code branches on these (and
/// on the runtime's own <c>IsHardwareAccelerated</c> constants), so EDGERNN_FORCE_VECTOR512=1 reaches it too.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SimdPaths
{
    /// <summary>The Vector512 path: AVX-512 hardware, or forced by EDGERNN_FORCE_VECTOR512=1 (emulated, for tests).</summary>
    public static readonly bool Vector512 = Isa.Widest == SimdWidth.Vector512;

    /// <summary>
    /// The fixed steps' Vector128 body with the activations inlined: on ARM64 (NEON's 32 vector registers hold them);
    /// on x64's 16 SSE registers they spill, so there the activations run as the runtime's loop, unless
    /// EDGERNN_FUSED_VECTOR128=1 (CI runs the inlined body on x64 that way, since this machine has no ARM64).
    /// </summary>
    public static readonly bool FusedVector128 =
        System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported || Environment.GetEnvironmentVariable("EDGERNN_FUSED_VECTOR128") == "1";

    /// <summary>
    /// Whether generated models run their fixed-size step code (default) or the general kernels everywhere
    /// (EDGERNN_FIXED_STEPS=0: for measuring one against the other, and a way out should a fixed step misbehave).
    /// </summary>
    public static readonly bool FixedSteps = Environment.GetEnvironmentVariable("EDGERNN_FIXED_STEPS") != "0";
}
