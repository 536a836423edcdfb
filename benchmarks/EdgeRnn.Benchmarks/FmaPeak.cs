using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace EdgeRnn.Benchmarks;

/// <summary>
/// The single-core FMA peak: 10 independent chains of Vector256 fused multiply-adds kept in registers
/// (enough to cover 2 FMA pipes × 4–5 cycles of latency). One operation = one loop iteration =
/// 10 FMAs × 8 lanes × 2 flops = 160 flops; the GFLOP/s column is the peak the "% peak" column divides by.
/// Meaningful on a job where Vector256 is hardware-accelerated with FMA (Default, AVX2, NativeAOT x86-64-v3).
/// </summary>
[MemoryDiagnoser]
public class FmaPeak256
{
    public const int Iterations = 1 << 14;

    public static double FlopsPerOperation => 10 * 8 * 2;

    [Benchmark(OperationsPerInvoke = Iterations)]
    public float Fma256()
    {
        var a = Vector256.Create(0.9999f);
        var b = Vector256.Create(1e-4f);
        Vector256<float> s0 = Vector256.Create(1.00f), s1 = Vector256.Create(1.01f), s2 = Vector256.Create(1.02f),
            s3 = Vector256.Create(1.03f), s4 = Vector256.Create(1.04f), s5 = Vector256.Create(1.05f),
            s6 = Vector256.Create(1.06f), s7 = Vector256.Create(1.07f), s8 = Vector256.Create(1.08f), s9 = Vector256.Create(1.09f);
        for (int n = 0; n < Iterations; n++)
        {
            s0 = Vector256.FusedMultiplyAdd(s0, a, b);
            s1 = Vector256.FusedMultiplyAdd(s1, a, b);
            s2 = Vector256.FusedMultiplyAdd(s2, a, b);
            s3 = Vector256.FusedMultiplyAdd(s3, a, b);
            s4 = Vector256.FusedMultiplyAdd(s4, a, b);
            s5 = Vector256.FusedMultiplyAdd(s5, a, b);
            s6 = Vector256.FusedMultiplyAdd(s6, a, b);
            s7 = Vector256.FusedMultiplyAdd(s7, a, b);
            s8 = Vector256.FusedMultiplyAdd(s8, a, b);
            s9 = Vector256.FusedMultiplyAdd(s9, a, b);
        }
        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9);
    }
}

/// <summary>The same with Vector512 (16 lanes, 320 flops per iteration); only run where the CPU has AVX-512.</summary>
[MemoryDiagnoser]
public class FmaPeak512
{
    public const int Iterations = 1 << 14;

    public static double FlopsPerOperation => 10 * 16 * 2;

    [Benchmark(OperationsPerInvoke = Iterations)]
    public float Fma512()
    {
        var a = Vector512.Create(0.9999f);
        var b = Vector512.Create(1e-4f);
        Vector512<float> s0 = Vector512.Create(1.00f), s1 = Vector512.Create(1.01f), s2 = Vector512.Create(1.02f),
            s3 = Vector512.Create(1.03f), s4 = Vector512.Create(1.04f), s5 = Vector512.Create(1.05f),
            s6 = Vector512.Create(1.06f), s7 = Vector512.Create(1.07f), s8 = Vector512.Create(1.08f), s9 = Vector512.Create(1.09f);
        for (int n = 0; n < Iterations; n++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, a, b);
            s1 = Vector512.FusedMultiplyAdd(s1, a, b);
            s2 = Vector512.FusedMultiplyAdd(s2, a, b);
            s3 = Vector512.FusedMultiplyAdd(s3, a, b);
            s4 = Vector512.FusedMultiplyAdd(s4, a, b);
            s5 = Vector512.FusedMultiplyAdd(s5, a, b);
            s6 = Vector512.FusedMultiplyAdd(s6, a, b);
            s7 = Vector512.FusedMultiplyAdd(s7, a, b);
            s8 = Vector512.FusedMultiplyAdd(s8, a, b);
            s9 = Vector512.FusedMultiplyAdd(s9, a, b);
        }
        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9);
    }
}
