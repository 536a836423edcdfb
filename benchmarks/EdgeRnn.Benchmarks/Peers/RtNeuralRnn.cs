using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRnn.Benchmarks.Peers;

/// <summary>
/// RTNeural (its compile-time API: <c>ModelT</c> of <c>LSTMLayerT</c> / <c>GRULayerT</c> / <c>DenseT</c>, Eigen backend,
/// g++ -O3 -march=native) through the C shim Native/rtneural_shim.cpp, built with the project when an RTNeural
/// checkout, Eigen and g++ are there (see the csproj). The weights are the model's PyTorch tensors, loaded by
/// RTNeural's own torch_helpers. A step is one direct call of the config's <c>edgernn_rtn_step_NAME</c> entry
/// with <c>[SuppressGCTransition]</c>: no GC transition frame, the cheapest managed-to-native call there is.
/// </summary>
public sealed unsafe class RtNeuralRnn<TModel> : IDisposable where TModel : struct, IBenchModel
{
    private nint _model;

    public RtNeuralRnn(RnnWeights w)
    {
        RtNeuralShim.ThrowIfUnavailable();
        var tensors = new List<float[]>();
        foreach (var layer in w.Layers)
            tensors.AddRange([layer.WeightIh, layer.WeightHh, layer.BiasIh, layer.BiasHh]);
        if (w.HeadWeight is { } head)
            tensors.AddRange([head, [w.HeadBias]]);
        var handles = tensors.Select(t => GCHandle.Alloc(t, GCHandleType.Pinned)).ToArray();
        try
        {
            var pointers = handles.Select(h => h.AddrOfPinnedObject()).ToArray();
            fixed (nint* p = pointers)
                _model = RtNeuralShim.edgernn_rtn_create(TModel.ModelName, (float**)p, pointers.Length);
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
        if (_model == 0)
            throw new InvalidOperationException($"RTNeural shim: no config '{TModel.ModelName}' taking {tensors.Count} tensors " +
                                                $"(it expects {RtNeuralShim.edgernn_rtn_size(TModel.ModelName, 2)})");
        if (RtNeuralShim.edgernn_rtn_size(TModel.ModelName, 0) != TModel.InputSize || RtNeuralShim.edgernn_rtn_size(TModel.ModelName, 1) != TModel.OutputSize)
            throw new InvalidOperationException($"RTNeural shim: config '{TModel.ModelName}' has other input/output sizes than the EdgeRnn struct");
    }

    public void Reset() => RtNeuralShim.edgernn_rtn_reset(_model);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(ReadOnlySpan<float> x, Span<float> y)
    {
        fixed (float* px = x)
        fixed (float* py = y)
            RtNeuralShim.Step<TModel>(_model, px, py);
    }

    public void Dispose()
    {
        if (_model != 0)
            RtNeuralShim.edgernn_rtn_destroy(_model);
        _model = 0;
    }
}

/// <summary>The shim's entry points, and where the library is (or why it is not).</summary>
public static unsafe class RtNeuralShim
{
    private const string Library = "rtneural_shim";

    /// <summary>Null when the shim is loaded; else one sentence saying why RTNeural is skipped.</summary>
    public static string? Unavailable { get; }

    /// <summary>What the build script recorded about the build (RTNeural commit, compiler), or null.</summary>
    public static string? BuildInfo { get; }

    private static readonly nint s_handle;

    static RtNeuralShim()
    {
        string? dir = typeof(RtNeuralShim).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "EdgeRnnRtNeuralShim")?.Value;
        if (dir is null)
        {
            Unavailable = "the assembly does not say where the RTNeural shim is built";
            return;
        }
        string lib = Path.Combine(dir, "librtneural_shim.so");
        string status = Path.Combine(dir, "rtneural_shim.status");
        string built = Path.Combine(dir, "rtneural_shim.built");
        if (!File.Exists(lib))
        {
            Unavailable = File.Exists(status)
                ? File.ReadAllText(status).Trim()
                : $"{lib} was not built (the project's BuildRtNeuralShim target needs g++, Eigen and RTNeural's headers)";
            return;
        }
        if (!NativeLibrary.TryLoad(lib, out s_handle))
        {
            Unavailable = $"{lib} exists but does not load";
            return;
        }
        BuildInfo = File.Exists(built) ? File.ReadAllText(built).Trim() : null;
        NativeLibrary.SetDllImportResolver(typeof(RtNeuralShim).Assembly,
            (name, _, _) => name == Library ? s_handle : 0);
    }

    public static void ThrowIfUnavailable()
    {
        if (Unavailable is { } why)
            throw new InvalidOperationException("RTNeural is not available: " + why);
    }

    [DllImport(Library)] internal static extern nint edgernn_rtn_create([MarshalAs(UnmanagedType.LPUTF8Str)] string config, float** tensors, int count);
    [DllImport(Library)] internal static extern int edgernn_rtn_size([MarshalAs(UnmanagedType.LPUTF8Str)] string config, int which);
    [DllImport(Library)] internal static extern void edgernn_rtn_reset(nint model);
    [DllImport(Library)] internal static extern void edgernn_rtn_destroy(nint model);

    // One step entry per config (the shim's EDGERNN_RTN_CONFIGS). typeof(TModel) == typeof(X) is a constant for a
    // struct TModel once the method is optimized, so Step<TModel> compiles to the one call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Step<TModel>(nint m, float* x, float* y) where TModel : struct, IBenchModel
    {
        if (typeof(TModel) == typeof(LstmH8)) lstm_h8(m, x, y);
        else if (typeof(TModel) == typeof(LstmH16)) lstm_h16(m, x, y);
        else if (typeof(TModel) == typeof(LstmH32)) lstm_h32(m, x, y);
        else if (typeof(TModel) == typeof(LstmH64)) lstm_h64(m, x, y);
        else if (typeof(TModel) == typeof(LstmH128)) lstm_h128(m, x, y);
        else if (typeof(TModel) == typeof(LstmH256)) lstm_h256(m, x, y);
        else if (typeof(TModel) == typeof(GruH8)) gru_h8(m, x, y);
        else if (typeof(TModel) == typeof(GruH16)) gru_h16(m, x, y);
        else if (typeof(TModel) == typeof(GruH32)) gru_h32(m, x, y);
        else if (typeof(TModel) == typeof(GruH64)) gru_h64(m, x, y);
        else if (typeof(TModel) == typeof(GruH128)) gru_h128(m, x, y);
        else if (typeof(TModel) == typeof(GruH256)) gru_h256(m, x, y);
        else if (typeof(TModel) == typeof(AmpLstmH12)) amp_lstm_h12(m, x, y);
        else if (typeof(TModel) == typeof(AmpLstmH16)) amp_lstm_h16(m, x, y);
        else if (typeof(TModel) == typeof(AmpLstmH20)) amp_lstm_h20(m, x, y);
        else if (typeof(TModel) == typeof(AmpLstmH40)) amp_lstm_h40(m, x, y);
        else if (typeof(TModel) == typeof(AmpGruH8)) amp_gru_h8(m, x, y);
        else if (typeof(TModel) == typeof(Lstm2H64)) lstm2_h64(m, x, y);
        else throw new NotSupportedException($"no RTNeural step entry for {typeof(TModel).Name}");
    }

    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm_h8"), SuppressGCTransition] private static extern void lstm_h8(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm_h16"), SuppressGCTransition] private static extern void lstm_h16(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm_h32"), SuppressGCTransition] private static extern void lstm_h32(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm_h64"), SuppressGCTransition] private static extern void lstm_h64(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm_h128"), SuppressGCTransition] private static extern void lstm_h128(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm_h256"), SuppressGCTransition] private static extern void lstm_h256(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_gru_h8"), SuppressGCTransition] private static extern void gru_h8(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_gru_h16"), SuppressGCTransition] private static extern void gru_h16(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_gru_h32"), SuppressGCTransition] private static extern void gru_h32(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_gru_h64"), SuppressGCTransition] private static extern void gru_h64(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_gru_h128"), SuppressGCTransition] private static extern void gru_h128(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_gru_h256"), SuppressGCTransition] private static extern void gru_h256(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_amp_lstm_h12"), SuppressGCTransition] private static extern void amp_lstm_h12(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_amp_lstm_h16"), SuppressGCTransition] private static extern void amp_lstm_h16(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_amp_lstm_h20"), SuppressGCTransition] private static extern void amp_lstm_h20(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_amp_lstm_h40"), SuppressGCTransition] private static extern void amp_lstm_h40(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_amp_gru_h8"), SuppressGCTransition] private static extern void amp_gru_h8(nint m, float* x, float* y);
    [DllImport(Library, EntryPoint = "edgernn_rtn_step_lstm2_h64"), SuppressGCTransition] private static extern void lstm2_h64(nint m, float* x, float* y);
}
