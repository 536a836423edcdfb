using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRnn.Kernels;

/// <summary>
/// One timestep of each layer kind, with PyTorch's exact equations. Weights come packed by the generator
/// (see <see cref="PanelGemv"/>); gate scratch spans are the padded gate count long. The element-wise
/// updates run 8 or 4 lanes at a time with <see cref="VectorMath"/>; the lanes left over (and the no-SIMD
/// path) use the scalar <see cref="Activations"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Cells
{
    /// <summary>
    /// LSTM (gates i, f, g, o): c = f⊙c + i⊙g, h = o⊙tanh(c), with the gate rows interleaved in blocks
    /// (<see cref="GateBlocks"/>). <paramref name="bias"/> is b_ih + b_hh; <paramref name="gates"/> is
    /// <c>GateBlocks.Rows(H, 4)</c> floats, <paramref name="hNew"/> at least a quarter of that.
    /// </summary>
    public static void Lstm(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates, Span<float> hNew)
    {
        PanelGemv.Multiply(inputWeights, x, bias, gates);
        GateBlocks.LstmRecurrent(recurrentWeights, gates, h, c, hNew);
    }

    /// <summary>
    /// LSTM with proj_size: gates over [x; h] with h of the projected width P, c of the cell width H, then
    /// h = W_hr (o ⊙ tanh c). <paramref name="work"/>: H + padded P floats.
    /// </summary>
    public static void LstmProjected(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> projectionWeights, ReadOnlySpan<float> projectionBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> c, Span<float> gates, Span<float> work)
    {
        PanelGemv.Multiply(inputWeights, x, bias, gates);
        PanelGemv.MultiplyAdd(recurrentWeights, h, gates);
        LstmProject(projectionWeights, projectionBias, gates, h, c, work);
    }

    /// <summary>The cell update and projection of <see cref="LstmProjected"/>, given its gates.</summary>
    public static void LstmProject(ReadOnlySpan<float> projectionWeights, ReadOnlySpan<float> projectionBias,
        Span<float> gates, Span<float> h, Span<float> c, Span<float> work)
    {
        var full = work.Slice(0, c.Length);
        var projected = work.Slice(c.Length, projectionBias.Length);
        LstmUpdate(gates, full, c);
        PanelGemv.Multiply(projectionWeights, full, projectionBias, projected);
        projected.Slice(0, h.Length).CopyTo(h);
    }

    /// <summary>
    /// GRU (gates r, z, n): n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h = (1 − z)⊙n + z⊙h, with the gate rows
    /// interleaved in blocks (<see cref="GateBlocks"/>). The input and recurrent products stay apart because b_hn
    /// sits inside the r product.
    /// </summary>
    public static void Gru(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> inputGates, Span<float> hNew)
    {
        PanelGemv.Multiply(inputWeights, x, inputBias, inputGates);
        GateBlocks.GruRecurrent(recurrentWeights, recurrentBias, inputGates, h, hNew);
    }

    /// <summary>
    /// GRU with Keras' reset_after=False: n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn) — r multiplies h before the
    /// recurrent product, so the r,z rows (<paramref name="recurrentWeights"/>) and the n rows
    /// (<paramref name="candidateWeights"/>) are separate matrices. <paramref name="work"/>: padded 2H + padded H + H floats.
    /// </summary>
    public static void GruResetBefore(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> inputBias, ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> candidateBias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> inputGates, Span<float> work)
    {
        PanelGemv.Multiply(inputWeights, x, inputBias, inputGates);
        GruResetBeforeUpdate(recurrentWeights, candidateWeights, recurrentBias, candidateBias, inputGates, h, work);
    }

    /// <summary>The recurrent half of <see cref="GruResetBefore"/>, given the input gates [r | z | n] (overwritten).</summary>
    public static void GruResetBeforeUpdate(ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> candidateWeights,
        ReadOnlySpan<float> recurrentBias, ReadOnlySpan<float> candidateBias, Span<float> inputGates, Span<float> h, Span<float> work)
    {
        int n = h.Length;
        var rz = work.Slice(0, recurrentBias.Length);
        var candidate = work.Slice(recurrentBias.Length, candidateBias.Length);
        var resetH = work.Slice(recurrentBias.Length + candidateBias.Length, n);
        PanelGemv.Multiply(recurrentWeights, h, recurrentBias, rz);
        var gates = inputGates.Slice(0, 2 * n);
        Add(gates, rz.Slice(0, 2 * n));
        Apply<SigmoidOp>(gates);
        for (int j = 0; j < n; j++) resetH[j] = inputGates[j] * h[j];
        PanelGemv.Multiply(candidateWeights, resetH, candidateBias, candidate);
        var xn = inputGates.Slice(2 * n, n);
        Add(xn, candidate.Slice(0, n));
        Apply<TanhOp>(xn);
        for (int j = 0; j < n; j++)
        {
            float z = inputGates[n + j];
            h[j] = (1f - z) * xn[j] + z * h[j];
        }
    }

    /// <summary>Elman RNN: h = tanh or relu(W_ih x + b_ih + W_hh h + b_hh); <paramref name="bias"/> is b_ih + b_hh, padded.</summary>
    public static void Rnn(ReadOnlySpan<float> inputWeights, ReadOnlySpan<float> recurrentWeights, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> x, Span<float> h, Span<float> gates, bool relu)
    {
        PanelGemv.Multiply(inputWeights, x, bias, gates);
        PanelGemv.MultiplyAdd(recurrentWeights, h, gates);
        Activate(gates.Slice(0, h.Length), relu ? ActivationKind.Relu : ActivationKind.Tanh);
        gates.Slice(0, h.Length).CopyTo(h);
    }

    /// <summary>Linear layer y = W x + b followed by an activation; <paramref name="y"/> is the padded output count long.</summary>
    public static void Linear(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> y,
        int outputs, ActivationKind activation)
    {
        PanelGemv.Multiply(weights, x, bias, y);
        Activate(y.Slice(0, outputs), activation);
    }

    /// <summary>c = σ(f)⊙c + σ(i)⊙tanh(g); h = σ(o)⊙tanh(c), over gates laid out [i | f | g | o] (activated in place).</summary>
    public static void LstmUpdate(Span<float> gates, Span<float> h, Span<float> c)
    {
        int n = h.Length;
        // One activation per pass keeps every pass's constants in registers (a fused pass spills).
        Apply<SigmoidOp>(gates.Slice(0, 2 * n));
        Apply<TanhOp>(gates.Slice(2 * n, n));
        Apply<SigmoidOp>(gates.Slice(3 * n, n));
        ref float gi = ref MemoryMarshal.GetReference(gates);
        ref float gf = ref Unsafe.Add(ref gi, n);
        ref float gg = ref Unsafe.Add(ref gi, 2 * n);
        ref float go = ref Unsafe.Add(ref gi, 3 * n);
        ref float hs = ref MemoryMarshal.GetReference(h);
        ref float cs = ref MemoryMarshal.GetReference(c);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= n; j += 8)
            {
                nuint k = (nuint)j;
                var cj = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref gf, k), Vector256.LoadUnsafe(ref cs, k),
                    Vector256.LoadUnsafe(ref gi, k) * Vector256.LoadUnsafe(ref gg, k));
                cj.StoreUnsafe(ref cs, k);
                (Vector256.LoadUnsafe(ref go, k) * VectorMath.Tanh(cj)).StoreUnsafe(ref hs, k);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; j + 4 <= n; j += 4)
            {
                nuint k = (nuint)j;
                var cj = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref gf, k), Vector128.LoadUnsafe(ref cs, k),
                    Vector128.LoadUnsafe(ref gi, k) * Vector128.LoadUnsafe(ref gg, k));
                cj.StoreUnsafe(ref cs, k);
                (Vector128.LoadUnsafe(ref go, k) * VectorMath.Tanh(cj)).StoreUnsafe(ref hs, k);
            }
        }
        for (; j < n; j++)
        {
            float cj = Unsafe.Add(ref gf, j) * Unsafe.Add(ref cs, j) + Unsafe.Add(ref gi, j) * Unsafe.Add(ref gg, j);
            Unsafe.Add(ref cs, j) = cj;
            Unsafe.Add(ref hs, j) = Unsafe.Add(ref go, j) * Activations.Tanh(cj);
        }
    }

    /// <summary>
    /// softmax(x) = e^(x − max) / Σ e^(x − max), or log_softmax(x) = x − max − log Σ e^(x − max), into <paramref name="y"/>
    /// (the max shift keeps e^ finite; the sum is accumulated in double).
    /// </summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        int n = x.Length;
        float max = float.NegativeInfinity;
        for (int j = 0; j < n; j++) max = MathF.Max(max, x[j]);
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            float e = MathF.Exp(x[j] - max);
            y[j] = e;
            sum += e;
        }
        if (log)
        {
            float logSum = (float)Math.Log(sum);
            for (int j = 0; j < n; j++) y[j] = x[j] - max - logSum;
        }
        else
        {
            float scale = (float)(1.0 / sum);
            for (int j = 0; j < n; j++) y[j] *= scale;
        }
    }

    /// <summary>Applies an activation in place.</summary>
    public static void Activate(Span<float> values, ActivationKind activation)
    {
        switch (activation)
        {
            case ActivationKind.Tanh: Apply<TanhOp>(values); break;
            case ActivationKind.Sigmoid: Apply<SigmoidOp>(values); break;
            case ActivationKind.Relu: Apply<ReluOp>(values); break;
        }
    }

    /// <summary>values += other, element-wise.</summary>
    private static void Add(Span<float> values, ReadOnlySpan<float> other)
    {
        int n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        ref float o = ref MemoryMarshal.GetReference(other);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8) (Vector256.LoadUnsafe(ref v, (nuint)j) + Vector256.LoadUnsafe(ref o, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= n; j += 4) (Vector128.LoadUnsafe(ref v, (nuint)j) + Vector128.LoadUnsafe(ref o, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref v, j) += Unsafe.Add(ref o, j);
    }

    /// <summary>An element-wise function at every width (the TensorPrimitives operator-struct pattern).</summary>
    private interface IUnaryOp
    {
        static abstract Vector256<float> Invoke(Vector256<float> x);
        static abstract Vector128<float> Invoke(Vector128<float> x);
        static abstract float Invoke(float x);
    }

    private readonly struct SigmoidOp : IUnaryOp
    {
        public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Sigmoid(x);
        public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Sigmoid(x);
        public static float Invoke(float x) => Activations.Sigmoid(x);
    }

    private readonly struct TanhOp : IUnaryOp
    {
        public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);
        public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Tanh(x);
        public static float Invoke(float x) => Activations.Tanh(x);
    }

    private readonly struct ReluOp : IUnaryOp
    {
        public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Relu(x);
        public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Relu(x);
        public static float Invoke(float x) => Activations.Relu(x);
    }

    /// <summary>Applies <typeparamref name="TOp"/> in place: 8 lanes, then 4, then the scalar tail.</summary>
    private static void Apply<TOp>(Span<float> values) where TOp : struct, IUnaryOp
    {
        int n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8) TOp.Invoke(Vector256.LoadUnsafe(ref v, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        if (Vector128.IsHardwareAccelerated)
            for (; j + 4 <= n; j += 4) TOp.Invoke(Vector128.LoadUnsafe(ref v, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
        for (; j < n; j++) Unsafe.Add(ref v, j) = TOp.Invoke(Unsafe.Add(ref v, j));
    }
}

/// <summary>The activation after a linear layer.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum ActivationKind
{
    /// <summary>Identity.</summary>
    None,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>max(x, 0).</summary>
    Relu,
}
