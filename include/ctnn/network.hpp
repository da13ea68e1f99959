// ctnn::network: a network's topology as a type, its parameter layout computed at compile time, and its
// forward and backward passes unrolled over the layers.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <span>
#include <type_traits>
#include <utility>

#include <boost/hana/append.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/integral_constant.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <ctnn/detail/extent.hpp>
#include <ctnn/kernels/simd.hpp>
#include <ctnn/layers/batch_norm.hpp>
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/dropout.hpp>
#include <ctnn/layers/input.hpp>
#include <ctnn/layers/layer.hpp>
#include <ctnn/random.hpp>

namespace ctnn {

namespace hana = boost::hana;

// Indices [begin, end) of a buffer.
struct index_range {
    std::size_t begin;
    std::size_t end;
};

// Where one layer lives in the parameter buffer and in the workspace, for element type T. Offsets count Ts.
// Trainable values of a layer: weight_rows rows of `out` values (row i at weight_offset + i * stride; PyTorch's
// weight[o][i] is row i, column o), then `out` biases at bias_offset when has_bias. dense: weight_rows = in;
// batch_norm: 1 row (gamma) and beta as the bias, then buffer_rows = 2 rows of buffers (running mean, running
// variance) at buffer_offset; dropout: nothing.
struct layer_layout {
    std::string_view kind;
    std::string_view activation;
    std::string_view activation_parameter_name;  // empty when the activation has no parameter
    double activation_parameter;
    std::size_t in;
    std::size_t out;
    std::size_t stride;         // padded length of one weight row, of the bias and of the activation buffers
    std::size_t weight_offset;  // weight row i (the weights from input i) starts at weight_offset + i * stride
    std::size_t bias_offset;
    std::size_t z_offset;  // in the workspace: pre-activations
    std::size_t y_offset;  // in the workspace: activations
    std::size_t weight_rows = 0;
    bool has_bias = false;
    std::size_t buffer_offset = 0;
    std::size_t buffer_rows = 0;
    std::size_t extra_offset = 0;  // workspace: the layer's own rows (dropout's mask; batch_norm's xhat, inv_std)
    double momentum = 0;           // batch_norm
    double eps = 0;                // batch_norm
    double drop_probability = 0;   // dropout

    constexpr std::size_t trainable_count() const noexcept { return weight_rows * out + (has_bias ? out : 0); }
};

namespace detail {
// The parameter buffer; zero, except that batch_norm's running variance starts at 1 (constexpr: a static
// parameters object stays constant-initialized).
template <class Net, class T, bool Buffers = Net::has_buffers>
struct alignas(row_alignment) parameter_storage {
    alignas(row_alignment) T data[Net::template storage_size<T>]{};
};
template <class Net, class T>
struct alignas(row_alignment) parameter_storage<Net, T, true> {
    alignas(row_alignment) T data[Net::template storage_size<T>]{};
    constexpr parameter_storage() noexcept {
        for (const auto& l : Net::template layout<T>)
            if (l.buffer_rows == 2)
                for (std::size_t o = 0; o < l.out; ++o) data[l.buffer_offset + l.stride + o] = T(1);
    }
};
}  // namespace detail

// The trainable parameters of network Net in its internal, SIMD-friendly layout (see kernels/dense.hpp);
// ctnn/torch_layout.hpp imports and exports PyTorch's. Gradients use the same type.
// Buffers (batch_norm's running statistics) live here too, outside the trainable ranges.
template <class Net, class T>
struct alignas(row_alignment) parameters : detail::parameter_storage<Net, T> {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ctnn::parameters<Net, T>: T must be float or double");
    using network_type = Net;
    using value_type = T;
    static constexpr std::size_t storage_size = Net::template storage_size<T>;
    using detail::parameter_storage<Net, T>::data;

    // W[out][in] and b[out] of layer `layer`, in PyTorch's indexing (batch_norm: weight(layer, o, 0) = gamma[o],
    // bias(layer, o) = beta[o]).
    constexpr T& weight(std::size_t layer, std::size_t out, std::size_t in) noexcept {
        const auto& l = Net::template layout<T>[layer];
        return data[l.weight_offset + in * l.stride + out];
    }
    constexpr const T& weight(std::size_t layer, std::size_t out, std::size_t in) const noexcept {
        const auto& l = Net::template layout<T>[layer];
        return data[l.weight_offset + in * l.stride + out];
    }
    constexpr T& bias(std::size_t layer, std::size_t out) noexcept {
        return data[Net::template layout<T>[layer].bias_offset + out];
    }
    constexpr const T& bias(std::size_t layer, std::size_t out) const noexcept {
        return data[Net::template layout<T>[layer].bias_offset + out];
    }
    // batch_norm's buffers (PyTorch's running_mean, running_var).
    constexpr T& running_mean(std::size_t layer, std::size_t out) noexcept {
        return data[Net::template layout<T>[layer].buffer_offset + out];
    }
    constexpr const T& running_mean(std::size_t layer, std::size_t out) const noexcept {
        return data[Net::template layout<T>[layer].buffer_offset + out];
    }
    constexpr T& running_var(std::size_t layer, std::size_t out) noexcept {
        const auto& l = Net::template layout<T>[layer];
        return data[l.buffer_offset + l.stride + out];
    }
    constexpr const T& running_var(std::size_t layer, std::size_t out) const noexcept {
        const auto& l = Net::template layout<T>[layer];
        return data[l.buffer_offset + l.stride + out];
    }
    // Every trainable value (weights and biases) to v; buffers and padding stay.
    void fill(T v) noexcept;
};

// What forward keeps for backward (every layer's input, pre-activation and activation) plus backward's scratch.
template <class Net, class T>
struct alignas(row_alignment) workspace {
    using network_type = Net;
    using value_type = T;
    alignas(row_alignment) T data[Net::template workspace_size<T>]{};
};

template <class P, class Net>
inline constexpr bool is_parameters_of_v = false;
template <class Net, class T>
inline constexpr bool is_parameters_of_v<parameters<Net, T>, Net> = true;

namespace detail {

template <class... E>
struct first_element {
    using type = void;
};
template <class F, class... E>
struct first_element<F, E...> {
    using type = F;
};

enum class declaration_problem {
    none,
    no_layers,
    no_input_first,
    input_zero,
    not_a_layer,
    layer_zero_size,
    not_an_activation,
    bad_activation_parameter,
    bad_drop_probability,
    bad_batch_norm_parameter,
    batch_norm_not_an_activation
};

// The first thing wrong with a declaration, found without instantiating any of its elements.
template <class... E>
constexpr declaration_problem find_declaration_problem() {
    using P = declaration_problem;
    if constexpr (sizeof...(E) < 2) {
        return P::no_layers;
    } else {
        using In = typename first_element<E...>::type;
        if constexpr (!is_input_v<In>) {
            return P::no_input_first;
        } else if constexpr (input_size_v<In> == 0) {
            return P::input_zero;
        } else {
            return []<class I, class... L>(hana::basic_type<I>, hana::basic_type<L>...) {
                if (!(is_layer_v<L> && ...)) return P::not_a_layer;
                for (layer_problem lp : {layer_problem_v<L>...}) {
                    if (lp == layer_problem::zero_size) return P::layer_zero_size;
                    if (lp == layer_problem::not_an_activation) return P::not_an_activation;
                    if (lp == layer_problem::bad_activation_parameter) return P::bad_activation_parameter;
                    if (lp == layer_problem::bad_drop_probability) return P::bad_drop_probability;
                    if (lp == layer_problem::bad_batch_norm_parameter) return P::bad_batch_norm_parameter;
                    if (lp == layer_problem::batch_norm_not_an_activation) return P::batch_norm_not_an_activation;
                }
                return P::none;
            }(hana::type_c<E>...);
        }
    }
}

// Binds each layer spec to the output size of the one before it: a hana fold over the layer list.
template <std::size_t In, class... Specs>
constexpr auto bind_layers() {
    auto result = hana::fold_left(hana::tuple_t<Specs...>, hana::make_pair(hana::tuple_t<>, hana::size_c<In>),
                                  [](auto state, auto spec) {
                                      using Spec = typename decltype(spec)::type;
                                      using Bound = typename Spec::template bind<std::remove_cvref_t<decltype(hana::second(state))>::value>;
                                      return hana::make_pair(hana::append(hana::first(state), hana::type_c<Bound>),
                                                             hana::size_c<Bound::out_size>);
                                  });
    return hana::first(result);
}

template <class Self, class In, class... Specs>
struct network_impl {
  private:
    using bound_t = decltype(bind_layers<In::size, Specs...>());
    static constexpr auto indices = hana::make_range(hana::size_c<0>, hana::size_c<sizeof...(Specs)>);

  public:
    template <std::size_t I>
    using layer = typename decltype(+hana::at_c<I>(bound_t{}))::type;

    static constexpr std::size_t layer_count = sizeof...(Specs);
    static constexpr std::size_t input_size = In::size;
    static constexpr std::size_t output_size = layer<layer_count - 1>::out_size;
    static constexpr std::size_t parameter_count =
        hana::fold_left(bound_t{}, std::size_t{0}, [](std::size_t n, auto l) {
            return n + decltype(l)::type::parameter_count;
        });

    template <std::size_t I>
    static constexpr std::size_t in_size = layer<I>::in_size;
    template <std::size_t I>
    static constexpr std::size_t out_size = layer<I>::out_size;

  private:
    template <class T>
    static constexpr std::size_t input_stride = round_up(In::size, row_granule<T>);

    // The layout, then the ends of the parameter block and of the activation rows.
    template <class T>
    struct layout_result {
        std::array<layer_layout, layer_count> layers{};
        std::size_t params = 0;
        std::size_t activations = 0;
    };
    template <class T>
    static constexpr layout_result<T> make_layout() {
        layout_result<T> r;
        std::size_t params = 0;
        std::size_t ws = input_stride<T>;
        hana::for_each(indices, [&](auto i) {
            using L = layer<decltype(i)::value>;
            using shape = typename L::template shape<T>;
            using A = typename L::activation;
            constexpr std::size_t S = shape::stride;
            r.layers[i] = layer_layout{.kind = L::kind,
                                       .activation = A::name,
                                       .activation_parameter_name = A::parameter_name,
                                       .activation_parameter = A::parameter,
                                       .in = L::in_size,
                                       .out = L::out_size,
                                       .stride = S,
                                       .weight_offset = params,
                                       .bias_offset = params + shape::weight_size,
                                       .z_offset = ws,
                                       .y_offset = ws + S,
                                       .weight_rows = shape::weight_rows,
                                       .has_bias = shape::has_bias,
                                       .buffer_offset = params + shape::weight_size + (shape::has_bias ? S : 0),
                                       .buffer_rows = shape::buffer_rows,
                                       .extra_offset = ws + 2 * S,
                                       .momentum = L::momentum,
                                       .eps = L::eps,
                                       .drop_probability = L::drop_probability};
            params += shape::size;
            ws += (2 + shape::extra_rows) * S;
        });
        r.params = params;
        r.activations = ws;
        return r;
    }
    template <class T>
    static constexpr layout_result<T> layout_all = make_layout<T>();

  public:
    template <class T>
    static constexpr std::array<layer_layout, layer_count> layout = layout_all<T>.layers;

    // At least one row: a network of dropout layers alone has no parameters.
    template <class T>
    static constexpr std::size_t storage_size = layout_all<T>.params > 0 ? layout_all<T>.params : row_granule<T>;

  private:
    // The trainable values as maximal runs of consecutive indices: rows that fill their stride run into the next
    // row, the bias and the next layer, so optimizers and fill() make a few long passes instead of one per row.
    // emit(run) is called once per run, in order.
    template <class T>
    static constexpr void for_each_trainable_run(auto&& emit) {
        index_range run{0, 0};
        const auto add = [&](std::size_t begin, std::size_t len) {
            if (len == 0) return;
            if (run.end != run.begin && begin == run.end) {
                run.end += len;
                return;
            }
            if (run.end != run.begin) emit(run);
            run = index_range{begin, begin + len};
        };
        for (const layer_layout& l : layout<T>) {
            for (std::size_t i = 0; i < l.weight_rows; ++i) add(l.weight_offset + i * l.stride, l.out);
            if (l.has_bias) add(l.bias_offset, l.out);
        }
        if (run.end != run.begin) emit(run);
    }
    template <class T>
    static constexpr std::size_t trainable_run_count = [] {
        std::size_t n = 0;
        for_each_trainable_run<T>([&](index_range) { ++n; });
        return n;
    }();

  public:
    template <class T>
    static constexpr auto trainable_ranges = [] {
        std::array<index_range, trainable_run_count<T>> r{};
        std::size_t n = 0;
        for_each_trainable_run<T>([&](index_range run) { r[n++] = run; });
        return r;
    }();

    // batch_norm somewhere: training needs the whole mini-batch per layer, and the parameters hold buffers.
    static constexpr bool has_batch_statistics =
        hana::fold_left(bound_t{}, false, [](bool b, auto l) { return b || decltype(l)::type::batch_statistics; });
    static constexpr bool has_buffers = has_batch_statistics;
    // dropout somewhere: training draws random numbers.
    static constexpr bool has_random =
        hana::fold_left(bound_t{}, false, [](bool b, auto l) { return b || decltype(l)::type::random_draws > 0; });

    template <class T>
    static constexpr std::size_t max_stride = [] {
        std::size_t m = input_stride<T>;
        for (const auto& l : layout<T>) m = l.stride > m ? l.stride : m;
        return m;
    }();

  private:
    template <class T>
    static constexpr std::size_t activations_end = layout_all<T>.activations;
    // Backward's scratch after the activations: two gradient buffers and dz.
    template <class T>
    static constexpr std::size_t grad_a_offset = activations_end<T>;
    template <class T>
    static constexpr std::size_t grad_b_offset = activations_end<T> + max_stride<T>;
    template <class T>
    static constexpr std::size_t dz_offset = activations_end<T> + 2 * max_stride<T>;

  public:
    template <class T>
    static constexpr std::size_t workspace_size = activations_end<T> + 3 * max_stride<T>;

    template <class T>
    using parameters = ctnn::parameters<Self, T>;
    template <class T>
    using gradients = ctnn::parameters<Self, T>;
    template <class T>
    using workspace = ctnn::workspace<Self, T>;

  private:
    // Argument checks: each static_assert speaks once, and the call below it happens only when all hold,
    // so a mistake gives one message.
    template <class P>
    static constexpr bool check_parameters() {
        constexpr bool ok = is_parameters_of_v<std::remove_cvref_t<P>, Self>;
        static_assert(ok, "ctnn::network: these parameters belong to a different network type; "
                          "declare them as Net::parameters<float> (or <double>) of this network");
        return ok;
    }
    template <class P>
    using value_type_of = typename std::conditional_t<is_parameters_of_v<std::remove_cvref_t<P>, Self>,
                                                      std::remove_cvref_t<P>, ctnn::parameters<Self, float>>::value_type;

    template <class X, class T>
    static constexpr bool check_input() {
        using E = extent_of<X>;
        constexpr bool known = E::known;
        constexpr bool same_type = std::is_same_v<std::remove_cv_t<typename E::element_type>, T>;
        static_assert(known, "ctnn::network: pass the input as a C array, std::array or fixed-size std::span");
        static_assert(!known || same_type, "ctnn::network: the input's element type differs from the parameters' type");
        static_assert(!known || !same_type || E::value == input_size,
                      "ctnn::network: the input's size differs from the network's input_size");
        return known && same_type && E::value == input_size;
    }
    template <class Y, class T>
    static constexpr bool check_output() {
        using E = extent_of<Y>;
        constexpr bool known = E::known;
        constexpr bool same_type = std::is_same_v<typename E::element_type, T>;
        static_assert(known, "ctnn::network: pass the output as a C array, std::array or fixed-size std::span");
        static_assert(!known || same_type,
                      "ctnn::network: the output's element type differs from the parameters' type (or is const)");
        static_assert(!known || !same_type || E::value == output_size,
                      "ctnn::network: the output's size differs from the network's output_size");
        return known && same_type && E::value == output_size;
    }
    template <class W, class T>
    static constexpr bool check_workspace() {
        constexpr bool ok = std::is_same_v<W, workspace<T>>;
        static_assert(ok, "ctnn::network: the workspace must be this network's Net::workspace<T>");
        return ok;
    }
    template <class G, class T>
    static constexpr bool check_gradients() {
        constexpr bool ok = std::is_same_v<G, gradients<T>>;
        static_assert(ok, "ctnn::network: the gradients must be this network's Net::gradients<T>, "
                          "of the parameters' element type");
        return ok;
    }
    template <class D, class T, std::size_t N>
    static constexpr bool is_vector_of = extent_of<D>::known &&
                                         std::is_same_v<std::remove_cv_t<typename extent_of<D>::element_type>, T> &&
                                         extent_of<D>::value == N;

    template <class Arch, class T>
    static void forward_raw(const T* p, const T* x, T* y) noexcept {
        alignas(row_alignment) T buf[2][max_stride<T>];
        const T* cur = x;
        hana::for_each(indices, [&](auto i) {
            constexpr std::size_t I = decltype(i)::value;
            T* out = buf[I % 2];
            layer<I>::template forward<T>(Arch{}, p + layout<T>[I].weight_offset, cur, nullptr, out);
            cur = out;
        });
        for (std::size_t o = 0; o < output_size; ++o) y[o] = cur[o];
    }

    // Forward keeping every layer's values in ws; Train: training mode, dropout drawing from *rng (one sample, so no
    // batch_norm in the network).
    template <class Arch, bool Train = false, class T>
    static void forward_raw(const T* p, const T* x, T* y, T* ws, random_source* rng = nullptr) noexcept {
        for (std::size_t i = 0; i < input_size; ++i) ws[i] = x[i];
        const T* cur = ws;
        hana::for_each(indices, [&](auto i) {
            constexpr std::size_t I = decltype(i)::value;
            constexpr auto l = layout<T>[I];
            if constexpr (Train)
                layer<I>::template forward_train<T>(Arch{}, p + l.weight_offset, cur, ws + l.z_offset,
                                                    ws + l.y_offset, ws + l.extra_offset, *rng);
            else
                layer<I>::template forward<T>(Arch{}, p + l.weight_offset, cur, ws + l.z_offset, ws + l.y_offset,
                                              ws + l.extra_offset);
            cur = ws + l.y_offset;
        });
        for (std::size_t o = 0; o < output_size; ++o) y[o] = cur[o];
    }

    // Random draws of the layers before layer I, per sample.
    template <std::size_t I>
    static constexpr std::size_t draws_before = [] {
        std::size_t n = 0;
        hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<I>),
                       [&](auto k) { n += layer<decltype(k)::value>::random_draws; });
        return n;
    }();

    // Training mode layer by layer over the whole mini-batch (a network with batch_norm). Sample b's dropout
    // draws come from random_source(s_b), s_b the b-th draw of rng, in layer order: the same draws as the
    // per-sample path.
    template <class Arch, class T>
    static void forward_batch_train(const T* p, std::span<const std::array<T, input_size>> x,
                                    std::span<std::array<T, output_size>> y, std::span<workspace<T>> ws,
                                    random_source& rng, T* running) noexcept {
        const std::size_t n = x.size();
        const auto at = [&](std::size_t b) { return ws[b].data; };
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t i = 0; i < input_size; ++i) ws[b].data[i] = x[b][i];
        const random_source seeds = rng;
        hana::for_each(indices, [&](auto i) {
            constexpr std::size_t I = decltype(i)::value;
            using L = layer<I>;
            constexpr auto l = layout<T>[I];
            constexpr std::size_t x_off = I == 0 ? 0 : layout<T>[I == 0 ? 0 : I - 1].y_offset;
            if constexpr (L::batch_statistics) {
                L::template forward_train_batch<T>(p + l.weight_offset, at, n, x_off, l.z_offset, l.y_offset,
                                                   l.extra_offset, running ? running + l.weight_offset : nullptr);
            } else if constexpr (L::random_draws > 0) {
                random_source s = seeds;
                for (std::size_t b = 0; b < n; ++b) {
                    random_source r(s.next());
                    for (std::size_t k = 0; k < draws_before<I>; ++k) r.next();
                    T* w = ws[b].data;
                    L::template forward_train<T>(Arch{}, p + l.weight_offset, w + x_off, w + l.z_offset,
                                                 w + l.y_offset, w + l.extra_offset, r);
                }
            } else {
                for (std::size_t b = 0; b < n; ++b) {
                    T* w = ws[b].data;
                    L::template forward<T>(Arch{}, p + l.weight_offset, w + x_off, w + l.z_offset, w + l.y_offset,
                                           w + l.extra_offset);
                }
            }
        });
        if constexpr (has_random)
            for (std::size_t b = 0; b < n; ++b) rng.next();
        constexpr std::size_t out_off = layout<T>[layer_count - 1].y_offset;
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t o = 0; o < output_size; ++o) y[b][o] = ws[b].data[out_off + o];
    }

    // backward_train's counterpart: layer by layer over the mini-batch; gradients flow through batch statistics.
    template <class Arch, class T>
    static void backward_batch_train(const T* p, std::span<workspace<T>> ws,
                                     std::span<const std::array<T, output_size>> dy, T* g) noexcept {
        const std::size_t n = ws.size();
        const auto at = [&](std::size_t b) { return ws[b].data; };
        constexpr auto last = layout<T>[layer_count - 1];
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t o = 0; o < last.stride; ++o)
                ws[b].data[grad_a_offset<T> + o] = o < output_size ? dy[b][o] : T(0);
        hana::for_each(indices, [&](auto i) {
            constexpr std::size_t R = decltype(i)::value;
            constexpr std::size_t I = layer_count - 1 - R;
            using L = layer<I>;
            constexpr auto l = layout<T>[I];
            constexpr std::size_t x_off = I == 0 ? 0 : layout<T>[I == 0 ? 0 : I - 1].y_offset;
            constexpr std::size_t gy_off = R % 2 == 0 ? grad_a_offset<T> : grad_b_offset<T>;
            constexpr std::size_t gx_off = R % 2 == 0 ? grad_b_offset<T> : grad_a_offset<T>;
            constexpr std::size_t npos = ~std::size_t{0};
            bool batch = false;
            if constexpr (L::batch_statistics) {
                if (n > 1) {
                    L::template backward_train_batch<T>(p + l.weight_offset, g + l.weight_offset, at, n, l.z_offset,
                                                        l.y_offset, gy_off, I == 0 ? npos : gx_off, dz_offset<T>,
                                                        l.extra_offset);
                    batch = true;
                }
            }
            if (!batch)
                for (std::size_t b = 0; b < n; ++b) {
                    T* w = ws[b].data;
                    L::template backward<T>(Arch{}, p + l.weight_offset, w + x_off, w + l.z_offset, w + l.y_offset,
                                            w + gy_off, g + l.weight_offset, I == 0 ? nullptr : w + gx_off,
                                            w + dz_offset<T>, w + l.extra_offset);
                }
            if constexpr (I > 0) {
                constexpr std::size_t prev_stride = layout<T>[I - 1].stride;
                for (std::size_t b = 0; b < n; ++b)
                    for (std::size_t k = l.in; k < prev_stride; ++k) ws[b].data[gx_off + k] = 0;
            }
        });
    }

    template <class Arch, class T>
    static void backward_raw(const T* p, T* ws, const T* dy, T* g, T* dx) noexcept {
        T* gy = ws + grad_a_offset<T>;
        T* gx = ws + grad_b_offset<T>;
        T* dz = ws + dz_offset<T>;
        constexpr auto last = layout<T>[layer_count - 1];
        for (std::size_t o = 0; o < last.stride; ++o) gy[o] = o < output_size ? dy[o] : T(0);
        hana::for_each(indices, [&](auto i) {
            constexpr std::size_t I = layer_count - 1 - decltype(i)::value;
            constexpr auto l = layout<T>[I];
            const T* x = I == 0 ? ws : ws + layout<T>[I == 0 ? 0 : I - 1].y_offset;
            T* gin = I == 0 ? dx : gx;
            layer<I>::template backward<T>(Arch{}, p + l.weight_offset, x, ws + l.z_offset, ws + l.y_offset, gy,
                                           g + l.weight_offset, gin, dz, ws + l.extra_offset);
            if constexpr (I > 0) {
                constexpr std::size_t prev_stride = layout<T>[I - 1].stride;
                for (std::size_t k = l.in; k < prev_stride; ++k) gx[k] = 0;
                std::swap(gx, gy);
            }
        });
    }

  public:
    // y = net(x) for one sample. x, y: C arrays, std::arrays or fixed-size spans of input_size / output_size.
    template <class Arch = default_arch, class P, class X, class Y>
    static void forward(const P& params, const X& x, Y&& y) noexcept {
        if constexpr (check_parameters<P>()) {
            using T = value_type_of<P>;
            if constexpr (check_input<X, T>() && check_output<Y, T>())
                forward_raw<Arch>(params.data, std::data(x), std::data(y));
        }
    }

    // The same, keeping in ws what backward needs.
    template <class Arch = default_arch, class P, class X, class Y, class W>
    static void forward(const P& params, const X& x, Y&& y, W& ws) noexcept {
        if constexpr (check_parameters<P>()) {
            using T = value_type_of<P>;
            if constexpr (check_input<X, T>() && check_output<Y, T>() && check_workspace<W, T>())
                forward_raw<Arch>(params.data, std::data(x), std::data(y), ws.data);
        }
    }

    // B samples: x[B][input_size] -> y[B][output_size].
    template <class Arch = default_arch, class P, class TX, class TY, std::size_t B, std::size_t NI, std::size_t NO>
    static void forward_batch(const P& params, const TX (&x)[B][NI], TY (&y)[B][NO]) noexcept {
        if constexpr (check_parameters<P>()) {
            using T = value_type_of<P>;
            if constexpr (check_input<TX[NI], T>() && check_output<TY[NO], T>())
                for (std::size_t b = 0; b < B; ++b) forward_raw<Arch>(params.data, x[b], y[b]);
        }
    }

    // After forward(params, x, y, ws): adds dLoss/dparameters to grads and writes dLoss/dx to dx.
    template <class Arch = default_arch, class P, class W, class DY, class G, class DX>
    static void backward(const P& params, W& ws, const DY& dy, G& grads, DX&& dx) noexcept {
        if constexpr (check_parameters<P>()) {
            using T = value_type_of<P>;
            constexpr bool dy_ok = is_vector_of<DY, T, output_size>;
            constexpr bool dx_ok = is_vector_of<DX, T, input_size> &&
                                   !std::is_const_v<typename extent_of<DX>::element_type>;
            static_assert(dy_ok, "ctnn::network: dLoss/dOutput must hold output_size values of the parameters' type "
                                 "(C array, std::array or fixed-size std::span)");
            static_assert(!dy_ok || dx_ok, "ctnn::network: dLoss/dInput must hold input_size values of the parameters' "
                                           "type (C array, std::array or fixed-size std::span, not const)");
            if constexpr (dy_ok && dx_ok && check_workspace<W, T>() && check_gradients<G, T>())
                backward_raw<Arch>(params.data, ws.data, std::data(dy), grads.data, std::data(dx));
        }
    }

    // The same without dLoss/dx (the first layer then skips that product).
    template <class Arch = default_arch, class P, class W, class DY, class G>
    static void backward(const P& params, W& ws, const DY& dy, G& grads) noexcept {
        if constexpr (check_parameters<P>()) {
            using T = value_type_of<P>;
            constexpr bool dy_ok = is_vector_of<DY, T, output_size>;
            static_assert(dy_ok, "ctnn::network: dLoss/dOutput must hold output_size values of the parameters' type "
                                 "(C array, std::array or fixed-size std::span)");
            if constexpr (dy_ok && check_workspace<W, T>() && check_gradients<G, T>())
                backward_raw<Arch>(params.data, ws.data, std::data(dy), grads.data, static_cast<T*>(nullptr));
        }
    }

    // Training mode on a mini-batch of n = x.size() samples, with ws[b] keeping sample b for backward_train.
    // dropout drops at random: sample b's draws come from random_source(s_b), s_b = the b-th rng.next() (rng
    // advances by n when the network has dropout, else not at all). batch_norm normalizes with the statistics of
    // these n samples and, when running_stats is not null, moves the running statistics in *running_stats
    // (usually &p) towards them; a batch of one sample is normalized with the running statistics, which then stay.
    // x, y and ws must have the same length (the fit loop's per-thread shard of a mini-batch: the batch statistics
    // are the shard's). Without batch_norm each sample goes through the whole network in turn.
    template <class Arch = default_arch, class T>
    static void forward_train(const parameters<T>& p, std::type_identity_t<std::span<const std::array<T, input_size>>> x,
                              std::type_identity_t<std::span<std::array<T, output_size>>> y,
                              std::type_identity_t<std::span<workspace<T>>> ws, random_source& rng,
                              parameters<T>* running_stats = nullptr) noexcept {
        if constexpr (has_batch_statistics) {
            forward_batch_train<Arch, T>(p.data, x, y, ws, rng, running_stats ? running_stats->data : nullptr);
        } else if constexpr (has_random) {
            (void)running_stats;
            for (std::size_t b = 0; b < x.size(); ++b) {
                random_source r(rng.next());
                forward_raw<Arch, true>(p.data, x[b].data(), y[b].data(), ws[b].data, &r);
            }
        } else {
            (void)rng;
            (void)running_stats;
            for (std::size_t b = 0; b < x.size(); ++b) forward_raw<Arch>(p.data, x[b].data(), y[b].data(), ws[b].data);
        }
    }

    // After forward_train on the same ws: adds the mini-batch's dLoss/dparameters to g (dy[b] = dLoss/dy[b]).
    template <class Arch = default_arch, class T>
    static void backward_train(const parameters<T>& p, std::type_identity_t<std::span<workspace<T>>> ws,
                               std::type_identity_t<std::span<const std::array<T, output_size>>> dy,
                               gradients<T>& g) noexcept {
        if constexpr (has_batch_statistics) {
            backward_batch_train<Arch, T>(p.data, ws, dy, g.data);
        } else {
            for (std::size_t b = 0; b < ws.size(); ++b)
                backward_raw<Arch>(p.data, ws[b].data, dy[b].data(), g.data, static_cast<T*>(nullptr));
        }
    }
};

// What a declaration that failed its checks becomes: nothing more to complain about.
struct invalid_network {};

template <bool Ok, class Self, class... E>
struct network_base {
    using type = invalid_network;
};
template <class Self, class In, class... Specs>
struct network_base<true, Self, In, Specs...> {
    using type = network_impl<Self, In, Specs...>;
};

}  // namespace detail

// A network: ctnn::input<N> followed by layers, e.g.
//   using Net = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;
template <class... Elements>
struct network : detail::network_base<detail::find_declaration_problem<Elements...>() == detail::declaration_problem::none,
                                      network<Elements...>, Elements...>::type {
  private:
    using P = detail::declaration_problem;
    static constexpr P problem = detail::find_declaration_problem<Elements...>();
    static_assert(problem != P::no_layers, "ctnn::network: a network needs ctnn::input<N> followed by at least one "
                                           "layer, e.g. ctnn::network<ctnn::input<4>, ctnn::dense<3>>");
    static_assert(problem != P::no_input_first,
                  "ctnn::network: the first element must be ctnn::input<N>, the size of one input sample");
    static_assert(problem != P::input_zero, "ctnn::input<N>: N (the number of inputs) must be at least 1");
    static_assert(problem != P::not_a_layer, "ctnn::network: every element after ctnn::input<N> must be a layer, "
                                             "such as ctnn::dense<N, Activation>");
    static_assert(problem != P::layer_zero_size,
                  "ctnn::dense<N, Activation>: N (the layer's output size) must be at least 1");
    static_assert(problem != P::not_an_activation,
                  "ctnn::dense<N, Activation>: Activation must be an activation such as ctnn::relu or ctnn::tanh");
    static_assert(problem != P::bad_activation_parameter,
                  "ctnn::network: an activation's parameter Num/Den needs a non-zero Den "
                  "(ctnn::leaky_relu<Num, Den>, ctnn::elu<Num, Den>)");
    static_assert(problem != P::bad_drop_probability,
                  "ctnn::dropout<Num, Den>: the drop probability Num/Den must be at least 0 and below 1 (Den not 0), "
                  "e.g. ctnn::dropout<20> drops 20%");
    static_assert(problem != P::bad_batch_norm_parameter,
                  "ctnn::batch_norm<Activation, MomentumNum, MomentumDen, EpsNum, EpsDen>: the momentum "
                  "MomentumNum/MomentumDen must be in [0, 1] and eps EpsNum/EpsDen above 0 (denominators not 0)");
    static_assert(problem != P::batch_norm_not_an_activation,
                  "ctnn::batch_norm<Activation, ...>: Activation must be an activation such as ctnn::relu");
};

template <class Net, class T>
void parameters<Net, T>::fill(T v) noexcept {
    if (v == T(0) && !Net::has_buffers) {  // padding is 0 anyway: one pass over everything
        for (T& x : data) x = T(0);
        return;
    }
    for (const index_range& r : Net::template trainable_ranges<T>)
        for (std::size_t k = r.begin; k < r.end; ++k) data[k] = v;
}

}  // namespace ctnn
