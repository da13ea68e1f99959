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
#include <ctnn/layers/dense.hpp>
#include <ctnn/layers/input.hpp>
#include <ctnn/layers/layer.hpp>
#include <ctnn/random.hpp>

namespace ctnn {

namespace hana = boost::hana;

// Where one layer lives in the parameter buffer and in the workspace, for element type T. Offsets count Ts.
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
};

// The trainable parameters of network Net in its internal, SIMD-friendly layout (see kernels/dense.hpp);
// ctnn/torch_layout.hpp imports and exports PyTorch's. Gradients use the same type.
template <class Net, class T>
struct alignas(row_alignment) parameters {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "ctnn::parameters<Net, T>: T must be float or double");
    using network_type = Net;
    using value_type = T;
    static constexpr std::size_t storage_size = Net::template storage_size<T>;

    alignas(row_alignment) T data[storage_size]{};

    // W[out][in] and b[out] of layer `layer`, in PyTorch's indexing.
    T& weight(std::size_t layer, std::size_t out, std::size_t in) noexcept {
        const auto& l = Net::template layout<T>[layer];
        return data[l.weight_offset + in * l.stride + out];
    }
    const T& weight(std::size_t layer, std::size_t out, std::size_t in) const noexcept {
        const auto& l = Net::template layout<T>[layer];
        return data[l.weight_offset + in * l.stride + out];
    }
    T& bias(std::size_t layer, std::size_t out) noexcept { return data[Net::template layout<T>[layer].bias_offset + out]; }
    const T& bias(std::size_t layer, std::size_t out) const noexcept {
        return data[Net::template layout<T>[layer].bias_offset + out];
    }
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
    bad_activation_parameter
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

    template <class T>
    static constexpr auto make_layout() {
        std::array<layer_layout, layer_count> out{};
        std::size_t params = 0;
        std::size_t ws = input_stride<T>;
        hana::for_each(indices, [&](auto i) {
            using L = layer<decltype(i)::value>;
            using shape = typename L::template shape<T>;
            using A = typename L::activation;
            out[i] = layer_layout{L::kind,     A::name,         A::parameter_name,
                                  A::parameter, L::in_size,     L::out_size,
                                  shape::stride, params,         params + shape::weight_size,
                                  ws,           ws + shape::stride};
            params += shape::size;
            ws += 2 * shape::stride;
        });
        return out;
    }

  public:
    template <class T>
    static constexpr std::array<layer_layout, layer_count> layout = make_layout<T>();

    template <class T>
    static constexpr std::size_t storage_size = layout<T>[layer_count - 1].bias_offset + layout<T>[layer_count - 1].stride;

    template <class T>
    static constexpr std::size_t max_stride = [] {
        std::size_t m = input_stride<T>;
        for (const auto& l : layout<T>) m = l.stride > m ? l.stride : m;
        return m;
    }();

  private:
    template <class T>
    static constexpr std::size_t activations_end = layout<T>[layer_count - 1].y_offset + layout<T>[layer_count - 1].stride;
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

    template <class Arch, class T>
    static void forward_raw(const T* p, const T* x, T* y, T* ws) noexcept {
        for (std::size_t i = 0; i < input_size; ++i) ws[i] = x[i];
        const T* cur = ws;
        hana::for_each(indices, [&](auto i) {
            constexpr std::size_t I = decltype(i)::value;
            constexpr auto l = layout<T>[I];
            layer<I>::template forward<T>(Arch{}, p + l.weight_offset, cur, ws + l.z_offset, ws + l.y_offset);
            cur = ws + l.y_offset;
        });
        for (std::size_t o = 0; o < output_size; ++o) y[o] = cur[o];
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
                                           g + l.weight_offset, gin, dz);
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
    // Layers that behave differently in training (dropout, batch normalization) do so here: random draws come
    // from rng, and a layer with running statistics updates them in *running_stats when it is not null.
    // x, y and ws must have the same length (the fit loop's per-thread shard of a mini-batch).
    template <class Arch = default_arch, class T>
    static void forward_train(const parameters<T>& p, std::type_identity_t<std::span<const std::array<T, input_size>>> x,
                              std::type_identity_t<std::span<std::array<T, output_size>>> y,
                              std::type_identity_t<std::span<workspace<T>>> ws, random_source& rng,
                              parameters<T>* running_stats = nullptr) noexcept {
        (void)rng;
        (void)running_stats;
        for (std::size_t b = 0; b < x.size(); ++b) forward_raw<Arch>(p.data, x[b].data(), y[b].data(), ws[b].data);
    }

    // After forward_train on the same ws: adds the mini-batch's dLoss/dparameters to g (dy[b] = dLoss/dy[b]).
    template <class Arch = default_arch, class T>
    static void backward_train(const parameters<T>& p, std::type_identity_t<std::span<workspace<T>>> ws,
                               std::type_identity_t<std::span<const std::array<T, output_size>>> dy,
                               gradients<T>& g) noexcept {
        for (std::size_t b = 0; b < ws.size(); ++b)
            backward_raw<Arch>(p.data, ws[b].data, dy[b].data(), g.data, static_cast<T*>(nullptr));
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
};

template <class Net, class T>
void parameters<Net, T>::fill(T v) noexcept {
    for (const auto& l : Net::template layout<T>) {
        for (std::size_t i = 0; i < l.in; ++i)
            for (std::size_t o = 0; o < l.out; ++o) data[l.weight_offset + i * l.stride + o] = v;
        for (std::size_t o = 0; o < l.out; ++o) data[l.bias_offset + o] = v;
    }
}

}  // namespace ctnn
