namespace EdgeRnn.Benchmarks.Peers;

/// <summary>
/// The PyTorch equations as plain C# loops over PyTorch's own weight layout: no SIMD, no packing,
/// float accumulation in the natural order. What one writes first.
/// </summary>
public sealed class NaiveRnn
{
    private readonly RnnWeights _w;
    private readonly float[] _h, _c, _gates, _nh;

    public NaiveRnn(RnnWeights weights)
    {
        _w = weights;
        int h = weights.HiddenSize;
        _h = new float[h];
        _c = new float[h];
        _gates = new float[weights.Gates * h];
        _nh = new float[h];
    }

    public void Reset()
    {
        Array.Clear(_h);
        Array.Clear(_c);
    }

    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    public void Step(ReadOnlySpan<float> x, Span<float> y)
    {
        var w = _w;
        int inputs = w.InputSize, hidden = w.HiddenSize;
        float[] wih = w.WeightIh, whh = w.WeightHh, bih = w.BiasIh, bhh = w.BiasHh, h = _h, c = _c, g = _gates;
        if (w.Kind == "lstm")
        {
            for (int r = 0; r < 4 * hidden; r++)
            {
                float s = bih[r] + bhh[r];
                for (int k = 0; k < inputs; k++) s += wih[r * inputs + k] * x[k];
                for (int k = 0; k < hidden; k++) s += whh[r * hidden + k] * h[k];
                g[r] = s;
            }
            for (int j = 0; j < hidden; j++)
            {
                float i = Sigmoid(g[j]), f = Sigmoid(g[hidden + j]), gg = MathF.Tanh(g[2 * hidden + j]), o = Sigmoid(g[3 * hidden + j]);
                c[j] = f * c[j] + i * gg;
                h[j] = o * MathF.Tanh(c[j]);
            }
        }
        else
        {
            float[] nh = _nh;
            for (int r = 0; r < 2 * hidden; r++)
            {
                float s = bih[r] + bhh[r];
                for (int k = 0; k < inputs; k++) s += wih[r * inputs + k] * x[k];
                for (int k = 0; k < hidden; k++) s += whh[r * hidden + k] * h[k];
                g[r] = Sigmoid(s);
            }
            for (int r = 2 * hidden; r < 3 * hidden; r++)
            {
                float sx = bih[r], sh = bhh[r];
                for (int k = 0; k < inputs; k++) sx += wih[r * inputs + k] * x[k];
                for (int k = 0; k < hidden; k++) sh += whh[r * hidden + k] * h[k];
                g[r] = sx;
                nh[r - 2 * hidden] = sh;
            }
            for (int j = 0; j < hidden; j++)
            {
                float rr = g[j], z = g[hidden + j];
                float n = MathF.Tanh(g[2 * hidden + j] + rr * nh[j]);
                h[j] = (1f - z) * n + z * h[j];
            }
        }
        if (w.HeadWeight is { } head)
        {
            float s = w.HeadBias;
            for (int k = 0; k < hidden; k++) s += head[k] * h[k];
            y[0] = w.Skip ? s + x[0] : s;
        }
        else
        {
            for (int j = 0; j < hidden; j++) y[j] = h[j];
        }
    }
}
