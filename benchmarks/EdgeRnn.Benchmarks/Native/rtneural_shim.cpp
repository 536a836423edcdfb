// RTNeural behind a C ABI, for the benchmark peer Peers/RtNeuralRnn.cs. Built by build_rtneural_shim.sh (or the
// benchmark project's BuildRtNeuralShim target) with g++ -O3 -march=native -DRTNEURAL_USE_EIGEN=1 against an
// RTNeural checkout (headers + modules/json) and Debian's Eigen. RTNeural's and Eigen's code are not in this repository.
//
// Every config is RTNeural's compile-time API: a ModelT of LSTMLayerT / GRULayerT / DenseT with the sizes as
// template arguments, loaded by RTNeural's own torch_helpers from the PyTorch state_dict tensors the benchmark reads
// from the same safetensors files as EdgeRnn.
//
// C ABI:
//   void* edgernn_rtn_create(const char* config, const float* const* tensors, int count)
//       tensors in PyTorch layout and order: per stacked sub-layer k: weight_ih_lk, weight_hh_lk, bias_ih_lk,
//       bias_hh_lk; then (amp configs) lin.weight, lin.bias. Returns null for an unknown config or a wrong count.
//   void  edgernn_rtn_reset(void* model), edgernn_rtn_destroy(void* model)
//   void  edgernn_rtn_step_CONFIG(void* model, const float* x, float* y)   one per config: a direct call to the
//       concrete ModelT's forward, no virtual dispatch on the timed path.
//   int   edgernn_rtn_input_size(const char* config), edgernn_rtn_output_size(const char* config)
#include <RTNeural/RTNeural.h>

#include <cstring>
#include <string>
#include <vector>

namespace
{
using RTNeural::DenseT;
using RTNeural::GRULayerT;
using RTNeural::LSTMLayerT;
using RTNeural::ModelT;

// Gates per recurrent layer type (0: not recurrent).
template <typename Layer>
struct Gates { static constexpr int value = 0; };
template <int I, int H, RTNeural::SampleRateCorrectionMode S, typename M>
struct Gates<LSTMLayerT<float, I, H, S, M>> { static constexpr int value = 4; };
template <int I, int H, RTNeural::SampleRateCorrectionMode S, typename M>
struct Gates<GRULayerT<float, I, H, S, M>> { static constexpr int value = 3; };

std::vector<std::vector<float>> matrix(const float* data, int rows, int cols)
{
    std::vector<std::vector<float>> m((size_t)rows);
    for (int r = 0; r < rows; ++r)
        m[(size_t)r].assign(data + (size_t)r * cols, data + (size_t)(r + 1) * cols);
    return m;
}

std::vector<float> vector(const float* data, int n) { return std::vector<float>(data, data + n); }

struct ShimBase
{
    virtual ~ShimBase() = default;
    virtual void reset() noexcept = 0;
};

// Recurrent layers first (one per stacked sub-layer), then an optional Dense head whose output gets the input
// sample added back (the amp models' skip connection).
template <typename Model, bool Skip>
struct Shim final : ShimBase
{
    static constexpr int input_size = Model::input_size;
    static constexpr int output_size = Model::output_size;

    // ModelT's Eigen path maps a multi-float input with RTNEURAL_DEFAULT_ALIGNMENT (32): the caller's span is not.
    alignas(RTNEURAL_DEFAULT_ALIGNMENT) float input[input_size];
    Model model;

    void reset() noexcept override { model.reset(); }

    inline void step(const float* x, float* y) noexcept
    {
        std::memcpy(input, x, sizeof input);
        model.forward(input);
        const float* out = model.getOutputs();
        if constexpr (Skip)
            y[0] = out[0] + x[0];
        else
            std::memcpy(y, out, sizeof(float) * output_size);
    }

    // Number of tensors create() takes.
    static constexpr int tensor_count()
    {
        int n = 0;
        count_tensors(n, std::make_index_sequence<layer_count>{});
        return n;
    }

    // Builds the state_dict as JSON and loads it with RTNeural's torch_helpers (its layout conventions:
    // transposed kernels, LSTM bias_ih + bias_hh, GRU r/z swapped).
    void load(const float* const* tensors)
    {
        nlohmann::json state;
        int next = 0;
        load_layers(state, tensors, next, std::make_index_sequence<layer_count>{});
        model.reset();
    }

private:
    using layers_type = std::remove_reference_t<decltype(std::declval<Model&>().getLayers())>;
    static constexpr int layer_count = (int)std::tuple_size<layers_type>::value;
    template <int Index>
    using layer_type = std::tuple_element_t<(size_t)Index, layers_type>;

    template <size_t... Ix>
    static constexpr void count_tensors(int& n, std::index_sequence<Ix...>)
    {
        ((n += Gates<layer_type<(int)Ix>>::value != 0 ? 4 : 2), ...);
    }

    template <size_t... Ix>
    void load_layers(nlohmann::json& state, const float* const* tensors, int& next, std::index_sequence<Ix...>)
    {
        (load_layer<(int)Ix>(state, tensors, next), ...);
    }

    template <int Index>
    void load_layer(nlohmann::json& state, const float* const* tensors, int& next)
    {
        using Layer = layer_type<Index>;
        auto& layer = model.template get<Index>();
        constexpr int gates = Gates<Layer>::value;
        constexpr int in = Layer::in_size, h = Layer::out_size;
        if constexpr (gates != 0)
        {
            const std::string k = std::to_string(Index);
            state["rnn.weight_ih_l" + k] = matrix(tensors[next++], gates * h, in);
            state["rnn.weight_hh_l" + k] = matrix(tensors[next++], gates * h, h);
            state["rnn.bias_ih_l" + k] = vector(tensors[next++], gates * h);
            state["rnn.bias_hh_l" + k] = vector(tensors[next++], gates * h);
            if constexpr (gates == 4)
                RTNeural::torch_helpers::loadLSTM<float>(state, "rnn.", layer, true, Index);
            else
                RTNeural::torch_helpers::loadGRU<float>(state, "rnn.", layer, true, Index);
        }
        else
        {
            state["lin.weight"] = matrix(tensors[next++], h, in);
            state["lin.bias"] = vector(tensors[next++], h);
            RTNeural::torch_helpers::loadDense<float>(state, "lin.", layer);
        }
    }
};

template <int I, int H> using Lstm = Shim<ModelT<float, I, H, LSTMLayerT<float, I, H>>, false>;
template <int I, int H> using Gru = Shim<ModelT<float, I, H, GRULayerT<float, I, H>>, false>;
template <int I, int H> using Lstm2 = Shim<ModelT<float, I, H, LSTMLayerT<float, I, H>, LSTMLayerT<float, H, H>>, false>;
template <int H> using AmpLstm = Shim<ModelT<float, 1, 1, LSTMLayerT<float, 1, H>, DenseT<float, H, 1>>, true>;
template <int H> using AmpGru = Shim<ModelT<float, 1, 1, GRULayerT<float, 1, H>, DenseT<float, H, 1>>, true>;

// The configs: name (the benchmark model's file stem), shim type. One list for create, sizes and the step entries.
#define EDGERNN_RTN_CONFIGS(X) \
    X(lstm_h8, (Lstm<8, 8>)) \
    X(lstm_h16, (Lstm<16, 16>)) \
    X(lstm_h32, (Lstm<32, 32>)) \
    X(lstm_h64, (Lstm<64, 64>)) \
    X(lstm_h128, (Lstm<128, 128>)) \
    X(lstm_h256, (Lstm<256, 256>)) \
    X(gru_h8, (Gru<8, 8>)) \
    X(gru_h16, (Gru<16, 16>)) \
    X(gru_h32, (Gru<32, 32>)) \
    X(gru_h64, (Gru<64, 64>)) \
    X(gru_h128, (Gru<128, 128>)) \
    X(gru_h256, (Gru<256, 256>)) \
    X(amp_lstm_h12, (AmpLstm<12>)) \
    X(amp_lstm_h16, (AmpLstm<16>)) \
    X(amp_lstm_h20, (AmpLstm<20>)) \
    X(amp_lstm_h40, (AmpLstm<40>)) \
    X(amp_gru_h8, (AmpGru<8>)) \
    X(lstm2_h64, (Lstm2<64, 64>))

#define EDGERNN_RTN_UNPAREN(...) __VA_ARGS__
}

extern "C" {

__attribute__((visibility("default"))) void* edgernn_rtn_create(const char* config, const float* const* tensors, int count)
{
#define EDGERNN_RTN_CREATE(name, type) \
    if (std::strcmp(config, #name) == 0) \
    { \
        using S = EDGERNN_RTN_UNPAREN type; \
        if (count != S::tensor_count()) \
            return nullptr; \
        auto* shim = new S(); \
        shim->load(tensors); \
        return static_cast<ShimBase*>(shim); \
    }
    EDGERNN_RTN_CONFIGS(EDGERNN_RTN_CREATE)
#undef EDGERNN_RTN_CREATE
    return nullptr;
}

#define EDGERNN_RTN_SIZES(name, type) \
    if (std::strcmp(config, #name) == 0) \
        return which == 0 ? EDGERNN_RTN_UNPAREN type::input_size : which == 1 ? EDGERNN_RTN_UNPAREN type::output_size : EDGERNN_RTN_UNPAREN type::tensor_count();

// which: 0 input floats, 1 output floats, 2 tensors create() takes; -1 for an unknown config.
__attribute__((visibility("default"))) int edgernn_rtn_size(const char* config, int which)
{
    EDGERNN_RTN_CONFIGS(EDGERNN_RTN_SIZES)
    return -1;
}
#undef EDGERNN_RTN_SIZES

__attribute__((visibility("default"))) void edgernn_rtn_reset(void* model) { static_cast<ShimBase*>(model)->reset(); }

__attribute__((visibility("default"))) void edgernn_rtn_destroy(void* model) { delete static_cast<ShimBase*>(model); }

// The shim was created by edgernn_rtn_create for the same config, so the static_cast to the concrete type is exact.
#define EDGERNN_RTN_STEP(name, type) \
    __attribute__((visibility("default"))) void edgernn_rtn_step_##name(void* model, const float* x, float* y) \
    { \
        using S = EDGERNN_RTN_UNPAREN type; \
        static_cast<S*>(static_cast<ShimBase*>(model))->step(x, y); \
    }
EDGERNN_RTN_CONFIGS(EDGERNN_RTN_STEP)
#undef EDGERNN_RTN_STEP
}
