using System.Runtime.CompilerServices;
namespace EdgeRnn.Kernels;

public static partial class Cells
{
    /// <summary>Linear layer y = W x + b followed by an activation; <paramref name="y"/> is the padded output count long.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Linear(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y,
        int outputs, ActivationKind activation)
    {
        PanelGemv.Multiply(weights, x, bias, y);
        ElementWise.Activate(y.Slice(0, outputs), activation);
    }
}

public static partial class Sequences
{
    /// <summary>Linear layer over <paramref name="steps"/> rows; <paramref name="outputs"/> rows are the padded output count apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Linear(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> inputs, int inputStride,
        int steps, Span<float> outputs, int outputCount, ActivationKind activation)
    {
        int rows = bias.Length;
        PanelGemm.Multiply(weights, weights.Length / rows, bias, inputs, inputStride, outputs, rows, steps);
        if (activation == ActivationKind.None) return;
        for (int t = 0; t < steps; t++) ElementWise.Activate(outputs.Slice(t * rows, outputCount), activation);
    }
}
