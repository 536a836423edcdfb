using System.Numerics;
using System.Runtime.CompilerServices;

namespace EdgeRnn;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// public-domain C code at https://prng.di.unimi.it/splitmix64.c): a 64-bit counter advanced by the golden-ratio
/// constant 0x9E3779B97F4A7C15 and hashed. Used to seed <see cref="Xoshiro256StarStar"/>, as its authors recommend.
/// </summary>
/// <remarks>
/// Pure integer arithmetic (wrapping multiplication, shifts, xor), so the sequence is the same on every platform,
/// .NET version and runtime (JIT or NativeAOT). A value type: copying it copies the generator's position.
/// </remarks>
/// <param name="seed">The initial state; every value, 0 included, is a valid seed.</param>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Returns the next 64 pseudorandom bits and advances the generator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 2021; the
/// public-domain C code at https://prng.di.unimi.it/xoshiro256starstar.c): a small, fast generator with 256 bits
/// of state and period 2^256 − 1, seeded from a single <see cref="ulong"/> through <see cref="SplitMix64"/>.
/// </summary>
/// <remarks>
/// <para>
/// Deterministic by construction: only wrapping integer arithmetic, so a seed gives the same sequence on x64 and
/// ARM64, under the JIT and NativeAOT, in every .NET version (unlike <see cref="System.Random"/>, whose algorithm
/// is an implementation detail). A value type with no references: it lives on the stack or inside another struct
/// and never allocates. Copying it copies its position in the sequence.
/// </para>
/// <para>
/// Seeding: the four state words are the first four outputs of <c>SplitMix64(seed)</c>, the seeding Vigna
/// recommends; they are never all zero. A <c>default</c> instance (all zero, the one state xoshiro cannot leave)
/// behaves as if it had been created with seed 0. Not for cryptography.
/// </para>
/// </remarks>
public struct Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator whose sequence is determined by <paramref name="seed"/> (any value, 0 included).</summary>
    /// <param name="seed">The seed.</param>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = new SplitMix64(seed);
        _s0 = sm.NextUInt64();
        _s1 = sm.NextUInt64();
        _s2 = sm.NextUInt64();
        _s3 = sm.NextUInt64();
    }

    /// <summary>Returns the next 64 pseudorandom bits and advances the generator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        if ((_s0 | _s1 | _s2 | _s3) == 0) this = new Xoshiro256StarStar(0); // default(Xoshiro256StarStar)
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Returns a uniformly distributed double in [0, 1): the top 53 bits of <see cref="NextUInt64"/> times 2^-53
    /// (every multiple of 2^-53 in the interval is equally likely; exact, no rounding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
