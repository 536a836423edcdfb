using System.Numerics.Tensors;

namespace EdgeRnn.Benchmarks.Peers;

/// <summary>
/// The step written with System.Numerics.Tensors.TensorPrimitives: weights stored row-major
/// [G·H, I+H] (PyTorch's W_ih and W_hh side by side per row), one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// per gate row over the concatenated [x|h], then the cell update with TensorPrimitives' Sigmoid, Tanh,
/// Multiply and Add. GRU's n rows need W_in·x and W_hn·h apart (r multiplies only the second), so they
/// take two Dots over the two halves of the same row.
/// </summary>
public sealed class TensorPrimitivesRnn
{
    private readonly bool _lstm;
    private readonly int _i, _h, _k;
    private readonly float[] _w;      // [G·H, I+H]
    private readonly float[] _b;      // [G·H]: b_ih + b_hh (GRU n rows: b_in only)
    private readonly float[] _bhn;    // GRU: b_hn [H]
    private readonly float[]? _head;
    private readonly float _headBias;
    private readonly bool _skip;
    private readonly float[] _xh;     // [x | h]
    private readonly float[] _c, _gates, _t1, _t2;

    public TensorPrimitivesRnn(RnnWeights w)
    {
        _lstm = w.Kind == "lstm";
        _i = w.InputSize;
        _h = w.HiddenSize;
        _k = _i + _h;
        int rows = w.Gates * _h;
        _w = new float[rows * _k];
        _b = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            w.WeightIh.AsSpan(r * _i, _i).CopyTo(_w.AsSpan(r * _k, _i));
            w.WeightHh.AsSpan(r * _h, _h).CopyTo(_w.AsSpan(r * _k + _i, _h));
            bool gruN = !_lstm && r >= 2 * _h;
            _b[r] = gruN ? w.BiasIh[r] : w.BiasIh[r] + w.BiasHh[r];
        }
        _bhn = _lstm ? [] : w.BiasHh.AsSpan(2 * _h, _h).ToArray();
        _head = w.HeadWeight;
        _headBias = w.HeadBias;
        _skip = w.Skip;
        _xh = new float[_k];
        _c = new float[_h];
        _gates = new float[rows];
        _t1 = new float[_h];
        _t2 = new float[_h];
    }

    public void Reset()
    {
        Array.Clear(_xh);
        Array.Clear(_c);
    }

    public void Step(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = _h, k = _k;
        Span<float> xh = _xh;
        x.CopyTo(xh);
        Span<float> h = xh.Slice(_i, n);
        ReadOnlySpan<float> w = _w;
        Span<float> gates = _gates;
        Span<float> t1 = _t1, t2 = _t2;
        if (_lstm)
        {
            for (int r = 0; r < 4 * n; r++)
                gates[r] = TensorPrimitives.Dot(w.Slice(r * k, k), xh);
            TensorPrimitives.Add(gates, _b, gates);
            TensorPrimitives.Sigmoid(gates[..(2 * n)], gates[..(2 * n)]);        // i, f
            TensorPrimitives.Tanh(gates.Slice(2 * n, n), gates.Slice(2 * n, n));   // g
            TensorPrimitives.Sigmoid(gates.Slice(3 * n, n), gates.Slice(3 * n, n)); // o
            Span<float> c = _c;
            TensorPrimitives.Multiply(gates.Slice(n, n), c, c);                    // f ⊙ c
            TensorPrimitives.Multiply(gates[..n], gates.Slice(2 * n, n), t1);      // i ⊙ g
            TensorPrimitives.Add(c, t1, c);
            TensorPrimitives.Tanh(c, t1);
            TensorPrimitives.Multiply(gates.Slice(3 * n, n), t1, h);               // h = o ⊙ tanh(c)
        }
        else
        {
            for (int r = 0; r < 2 * n; r++)
                gates[r] = TensorPrimitives.Dot(w.Slice(r * k, k), xh);
            for (int j = 0; j < n; j++)
            {
                int r = 2 * n + j;
                gates[r] = TensorPrimitives.Dot(w.Slice(r * k, _i), x);          // W_in · x
                t1[j] = TensorPrimitives.Dot(w.Slice(r * k + _i, n), h);          // W_hn · h
            }
            TensorPrimitives.Add(gates, _b, gates);
            TensorPrimitives.Sigmoid(gates[..(2 * n)], gates[..(2 * n)]);        // r, z
            Span<float> nn = gates.Slice(2 * n, n);
            TensorPrimitives.Add(t1, _bhn, t1);
            TensorPrimitives.Multiply(gates[..n], t1, t1);                         // r ⊙ (W_hn h + b_hn)
            TensorPrimitives.Add(nn, t1, nn);
            TensorPrimitives.Tanh(nn, nn);                                         // n
            TensorPrimitives.Subtract(h, nn, t2);                                  // h - n
            TensorPrimitives.Multiply(gates.Slice(n, n), t2, t2);                  // z ⊙ (h - n)
            TensorPrimitives.Add(nn, t2, h);                                       // h = (1 - z) ⊙ n + z ⊙ h
        }
        if (_head is { } head)
        {
            float s = TensorPrimitives.Dot(head, h) + _headBias;
            y[0] = _skip ? s + x[0] : s;
        }
        else
        {
            h.CopyTo(y);
        }
    }
}
