// ctnn::network: a network's topology as a type, its parameter layout computed at compile time, and its
// forward and backward passes unrolled over the layers.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
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

template <class L>
constexpr bool layer_is_valid() {
    if constexpr (requires { L::valid; })
        return L::valid;
    else
        return true;
}

// All checks of a declaration, in order; only the first failing one speaks.
template <class... E>
struct network_check {
    static constexpr bool has_layers = sizeof...(E) >= 2;
    static constexpr bool starts_with_input = is_input_v<typename first_element<E...>::type>;
    template <class In, class... Rest>
    static constexpr bool rest_are_layers(hana::basic_type<In>, hana::basic_type<Rest>...) {
        return (is_layer_v<Rest> && ...);
    }
    static constexpr bool all_layers = []() {
        if constexpr (sizeof...(E) == 0)
            return true;
        else
            return rest_are_layers(hana::type_c<E>...);
    }();
    static_assert(has_layers, "ctnn::network: a network needs ctnn::input<N> followed by at least one layer, "
                              "e.g. ctnn::network<ctnn::input<4>, ctnn::dense<3>>");
    static_assert(!has_layers || starts_with_input,
                  "ctnn::network: the first element must be ctnn::input<N>, the size of one input sample");
    static_assert(!has_layers || !starts_with_input || all_layers,
                  "ctnn::network: every element after ctnn::input<N> must be a layer, such as "
                  "ctnn::dense<N, Activation>");
    static constexpr bool ok = has_layers && starts_with_input && all_layers;
};

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
    template <class P>
    static constexpr void check_parameters() {
        static_assert(is_parameters_of_v<std::remove_cvref_t<P>, Self>,
                      "ctnn::network: these parameters belong to a different network type; "
                      "declare them as Net::parameters<float> (or <double>) of this network");
    }
    template <class X, class T>
    static constexpr void check_input() {
        using E = extent_of<X>;
        static_assert(E::known, "ctnn::network: pass the input as a C array, std::array or fixed-size std::span");
        static_assert(!E::known || std::is_same_v<std::remove_cv_t<typename E::element_type>, T>,
                      "ctnn::network: the input's element type differs from the parameters' type");
        static_assert(!E::known || E::value == input_size,
                      "ctnn::network: the input's size differs from the network's input_size");
    }
    template <class Y, class T>
    static constexpr void check_output() {
        using E = extent_of<Y>;
        static_assert(E::known, "ctnn::network: pass the output as a C array, std::array or fixed-size std::span");
        static_assert(!E::known || std::is_same_v<typename E::element_type, T>,
                      "ctnn::network: the output's element type differs from the parameters' type (or is const)");
        static_assert(!E::known || E::value == output_size,
                      "ctnn::network: the output's size differs from the network's output_size");
    }

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
        check_parameters<P>();
        using T = typename std::remove_cvref_t<P>::value_type;
        check_input<X, T>();
        check_output<Y, T>();
        forward_raw<Arch>(params.data, std::data(x), std::data(y));
    }

    // The same, keeping in ws what backward needs.
    template <class Arch = default_arch, class P, class X, class Y, class W>
    static void forward(const P& params, const X& x, Y&& y, W& ws) noexcept {
        check_parameters<P>();
        using T = typename std::remove_cvref_t<P>::value_type;
        check_input<X, T>();
        check_output<Y, T>();
        static_assert(std::is_same_v<W, workspace<T>>,
                      "ctnn::network: the workspace must be this network's Net::workspace<T>");
        forward_raw<Arch>(params.data, std::data(x), std::data(y), ws.data);
    }

    // B samples: x[B][input_size] -> y[B][output_size].
    template <class Arch = default_arch, class P, class T, std::size_t B, std::size_t NI, std::size_t NO>
    static void forward_batch(const P& params, const T (&x)[B][NI], T (&y)[B][NO]) noexcept {
        check_parameters<P>();
        static_assert(std::is_same_v<typename P::value_type, T>,
                      "ctnn::network: the batch's element type differs from the parameters' type");
        static_assert(NI == input_size, "ctnn::network: the batch's rows differ in size from the network's input_size");
        static_assert(NO == output_size, "ctnn::network: the output rows differ in size from the network's output_size");
        for (std::size_t b = 0; b < B; ++b) forward_raw<Arch>(params.data, x[b], y[b]);
    }

    // After forward(params, x, y, ws): adds dLoss/dparameters to grads and writes dLoss/dx to dx.
    template <class Arch = default_arch, class P, class W, class DY, class G, class DX>
    static void backward(const P& params, W& ws, const DY& dy, G& grads, DX&& dx) noexcept {
        check_parameters<P>();
        check_parameters<G>();
        using T = typename P::value_type;
        static_assert(std::is_same_v<typename G::value_type, T>, "ctnn::network: gradients and parameters differ in type");
        static_assert(std::is_same_v<W, workspace<T>>,
                      "ctnn::network: the workspace must be this network's Net::workspace<T>");
        using EY = extent_of<DY>;
        using EX = extent_of<DX>;
        static_assert(EY::known && EY::value == output_size,
                      "ctnn::network: dLoss/dOutput must hold output_size values (C array, std::array or span)");
        static_assert(EX::known && EX::value == input_size,
                      "ctnn::network: dLoss/dInput must hold input_size values (C array, std::array or span)");
        backward_raw<Arch>(params.data, ws.data, std::data(dy), grads.data, std::data(dx));
    }

    // The same without dLoss/dx (the first layer then skips that product).
    template <class Arch = default_arch, class P, class W, class DY, class G>
    static void backward(const P& params, W& ws, const DY& dy, G& grads) noexcept {
        check_parameters<P>();
        check_parameters<G>();
        using T = typename P::value_type;
        static_assert(std::is_same_v<typename G::value_type, T>, "ctnn::network: gradients and parameters differ in type");
        static_assert(std::is_same_v<W, workspace<T>>,
                      "ctnn::network: the workspace must be this network's Net::workspace<T>");
        using EY = extent_of<DY>;
        static_assert(EY::known && EY::value == output_size,
                      "ctnn::network: dLoss/dOutput must hold output_size values (C array, std::array or span)");
        backward_raw<Arch>(params.data, ws.data, std::data(dy), grads.data, static_cast<T*>(nullptr));
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

template <class... E>
constexpr bool layers_valid() {
    if constexpr (network_check<E...>::ok) {
        return []<class In, class... Specs>(hana::basic_type<In>, hana::basic_type<Specs>...) {
            return In::valid && (layer_is_valid<Specs>() && ...);
        }(hana::type_c<E>...);
    } else {
        return false;
    }
}

}  // namespace detail

// A network: ctnn::input<N> followed by layers, e.g.
//   using Net = ctnn::network<ctnn::input<4>, ctnn::dense<16, ctnn::relu>, ctnn::dense<3, ctnn::softmax>>;
template <class... Elements>
struct network : detail::network_base<detail::layers_valid<Elements...>(), network<Elements...>, Elements...>::type {};

template <class Net, class T>
void parameters<Net, T>::fill(T v) noexcept {
    for (const auto& l : Net::template layout<T>) {
        for (std::size_t i = 0; i < l.in; ++i)
            for (std::size_t o = 0; o < l.out; ++o) data[l.weight_offset + i * l.stride + o] = v;
        for (std::size_t o = 0; o < l.out; ++o) data[l.bias_offset + o] = v;
    }
}

}  // namespace ctnn
