using System.Runtime.InteropServices;

namespace EdgeRnn.Generators.Model;

/// <summary>Reinterprets between float and its IEEE bits (netstandard2.0 has no BitConverter.SingleToUInt32Bits).</summary>
[StructLayout(LayoutKind.Explicit)]
internal struct FloatBits
{
    [FieldOffset(0)] private uint _bits;
    [FieldOffset(0)] private float _value;

    public static float ToSingle(uint bits) => new FloatBits { _bits = bits }._value;
    public static uint ToBits(float value) => new FloatBits { _value = value }._bits;
}
