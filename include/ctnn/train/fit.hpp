// ctnn::fit: mini-batch training of a network, data-parallel over each mini-batch on a pool of threads, with a
// loss, an optimizer, optional validation data, a metric, L1/L2 penalties, learning-rate schedules, early
// stopping, callbacks, a progress display, a history (CSV + SVG), Ctrl-C checkpoints with resume, and a stop on
// a NaN or infinite loss. Opt-in header (threads, heap, exceptions): link ctnn::train. Semantics: docs/fit.md.
//   ctnn::optim::adam<Net, float> opt({.lr = 1e-2});
//   auto r = ctnn::fit<ctnn::loss::mse>(p, opt, train, &val, {.epochs = 50, .batch_size = 16});
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include <ctnn/data/dataset.hpp>
#include <ctnn/network.hpp>
#include <ctnn/random.hpp>
#include <ctnn/train/checkpoint.hpp>
#include <ctnn/train/early_stopping.hpp>
#include <ctnn/train/history.hpp>
#include <ctnn/train/progress.hpp>
#include <ctnn/train/regularization.hpp>
#include <ctnn/train/stop_request.hpp>

namespace ctnn {

// accuracy: argmax(y) == argmax(target) when Out > 1, (y > 0.5) == (target > 0.5) when Out == 1;
// mae: mean |y - target| over the outputs.
enum class fit_metric { none, accuracy, mae };

struct fit_options {
    std::size_t epochs = 10;
    std::size_t batch_size = 32;
    std::size_t threads = 0;  // 0: std::thread::hardware_concurrency()
    std::uint64_t seed = 1;   // shuffling and dropout
    bool shuffle = true;
    fit_metric metric = fit_metric::none;
    double l1 = 0;  // penalty l1 * sum|w| over weights (not biases), added to the loss and gradient
    double l2 = 0;  // penalty l2 * sum w^2 over weights (not biases)
    early_stopping_options early_stopping{};
    progress_mode progress = progress_mode::automatic;
    std::FILE* progress_stream = stderr;
    std::filesystem::path history_csv{};  // written at the end (and at each epoch end) when not empty
    std::filesystem::path history_svg{};
    std::filesystem::path checkpoint{};  // where Ctrl-C / request_stop() saves; empty: no checkpoint
    bool resume = false;                 // when checkpoint exists: continue that run
};

struct fit_result {
    ctnn::history history{};
    std::size_t epochs_run = 0;
    std::size_t best_epoch = 0;  // 1-based epoch whose weights p holds when restore_best applied
    bool stopped_early = false, interrupted = false, diverged = false;
    std::string message{};  // why it stopped, one line
};

// Mean loss over a dataset and the metric (NaN for fit_metric::none).
struct evaluation {
    double loss = 0;
    double metric = std::numeric_limits<double>::quiet_NaN();
};

[[nodiscard]] inline const char* fit_metric_name(fit_metric m) noexcept {
    return m == fit_metric::accuracy ? "accuracy" : m == fit_metric::mae ? "mae" : "";
}

// The loop's pieces, in a namespace of their own so that their short names meet no other header's.
namespace detail::fitting {

// ------------------------------------------------------------------------------------------ argument traits
template <class Loss, class T, std::size_t Out>
concept loss_for = requires(const T (&pred)[1][Out], const T (&target)[1][Out], T (&grad)[1][Out]) {
    { Loss::value(pred, target) } -> std::convertible_to<T>;
    Loss::gradient(pred, target, grad);
};

template <class O, class Net, class T>
concept optimizer_for = requires(O& o, parameters<Net, T>& p, const parameters<Net, T>& g) {
    typename O::network_type;
    requires std::is_same_v<typename O::network_type, Net>;
    o.step(p, g);
};

template <class S>
concept epoch_schedule = requires(S& s) {
    s.step();
    { s.lr() } -> std::convertible_to<double>;
};
template <class S>
concept plateau_schedule = !epoch_schedule<S> && requires(S& s, double loss) {
    s.step(loss);
    { s.lr() } -> std::convertible_to<double>;
};
template <class S>
concept any_schedule = epoch_schedule<S> || plateau_schedule<S>;
template <class C>
concept epoch_callback = !any_schedule<C> && std::invocable<C&, const epoch_record&>;

template <class O>
concept has_lr = requires(O& o) {
    { o.options.lr } -> std::convertible_to<double>;
};

// Concatenates strings and numbers (doubles in their shortest round-trip form) with += only: GCC 12 warns
// wrongly about "literal" + std::string (PR 105329).
template <class... A>
std::string fit_text(const A&... parts) {
    std::string s;
    const auto put = [&s](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_floating_point_v<V>) {
            char buf[64];
            s.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
        } else if constexpr (std::is_integral_v<V>) {
            s += std::to_string(v);
        } else {
            s += v;
        }
    };
    (put(parts), ...);
    return s;
}

// ------------------------------------------------------------------------------------------ per-sample pieces
// Loss value of one sample and, scaled, its gradient: the loss with B = 1, so that scale = 1 / batch gives
// PyTorch's 'mean' reduction over the mini-batch.
template <class Loss, class T, std::size_t Out>
T sample_loss(const std::array<T, Out>& y, const std::array<T, Out>& t, T scale, std::array<T, Out>* dy) noexcept {
    T pred[1][Out], target[1][Out];
    for (std::size_t o = 0; o < Out; ++o) {
        pred[0][o] = y[o];
        target[0][o] = t[o];
    }
    if (dy != nullptr) {
        T grad[1][Out];
        Loss::gradient(pred, target, grad);
        for (std::size_t o = 0; o < Out; ++o) (*dy)[o] = grad[0][o] * scale;
    }
    return static_cast<T>(Loss::value(pred, target));
}

template <class T, std::size_t Out>
double sample_metric(fit_metric m, const std::array<T, Out>& y, const std::array<T, Out>& t) noexcept {
    if (m == fit_metric::accuracy) {
        if constexpr (Out == 1) {
            return (y[0] > T(0.5)) == (t[0] > T(0.5)) ? 1.0 : 0.0;
        } else {
            std::size_t ky = 0, kt = 0;  // first maximum on ties, like numpy.argmax
            for (std::size_t o = 1; o < Out; ++o) {
                if (y[o] > y[ky]) ky = o;
                if (t[o] > t[kt]) kt = o;
            }
            return ky == kt ? 1.0 : 0.0;
        }
    }
    if (m == fit_metric::mae) {
        double s = 0;
        for (std::size_t o = 0; o < Out; ++o) s += std::abs(double(y[o]) - double(t[o]));
        return s / double(Out);
    }
    return 0;
}

// Loss and metric sums over samples [begin, end) with the inference forward.
template <class Loss, class Net, class T, std::size_t In, std::size_t Out>
void evaluate_range(const parameters<Net, T>& p, const data::dataset<In, Out, T>& d, fit_metric m, std::size_t begin,
                    std::size_t end, double& loss_sum, double& metric_sum) noexcept {
    loss_sum = 0;
    metric_sum = 0;
    std::array<T, Out> y{};
    for (std::size_t i = begin; i < end; ++i) {
        Net::forward(p, d.inputs[i], y);
        loss_sum += double(sample_loss<Loss>(y, d.targets[i], T(1), static_cast<std::array<T, Out>*>(nullptr)));
        metric_sum += sample_metric(m, y, d.targets[i]);
    }
}

// ------------------------------------------------------------------------------------------ randomness
// A seed for one purpose (tag) and index from the run's seed: one SplitMix64 step over a mixed state.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t tag, std::uint64_t index) noexcept {
    random_source r(seed ^ (tag * 0x9E3779B97F4A7C15ull));
    random_source s(r.next() ^ index);
    return s.next();
}
inline constexpr std::uint64_t shuffle_tag = 1, dropout_tag = 2;

// The sample order of epoch `epoch` (1-based): 0..n-1, Fisher-Yates-shuffled (i from n-1 down to 1 swaps with
// below(i + 1)) by random_source(derive_seed(seed, shuffle_tag, epoch)) when shuffle is on.
inline void epoch_order(std::uint64_t seed, std::size_t epoch, bool shuffle, std::vector<std::size_t>& order) {
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (!shuffle || order.size() < 2) return;
    random_source r(derive_seed(seed, shuffle_tag, epoch));
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[r.below(i + 1)]);
}

// ------------------------------------------------------------------------------------------ threads
// A fixed set of threads that run one job, job(shard) for shard 0..size-1, per call to run(): the caller runs
// shard 0 itself. Workers sleep on a condition variable between jobs (no spinning).
class worker_pool {
  public:
    explicit worker_pool(std::size_t size) : size_(size) {
        workers_.reserve(size - 1);
        try {
            for (std::size_t id = 1; id < size; ++id) workers_.emplace_back([this, id] { work(id); });
        } catch (...) {
            stop();  // the threads already started must be joined before the exception leaves
            throw;
        }
    }
    ~worker_pool() { stop(); }
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    std::size_t size() const noexcept { return size_; }

    // Calls job(shard) for every shard, on every thread at once; returns when all are done. No allocation.
    template <class Job>
    void run(Job& job) noexcept {
        if (size_ > 1) {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                job_ = &call<Job>;
                context_ = &job;
                pending_ = size_ - 1;
                ++generation_;
            }
            start_.notify_all();
        }
        job(std::size_t{0});
        if (size_ > 1) {
            std::unique_lock<std::mutex> lock(mutex_);
            done_.wait(lock, [this] { return pending_ == 0; });
        }
    }

  private:
    void stop() noexcept {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            quit_ = true;
        }
        start_.notify_all();
        for (auto& t : workers_) t.join();
    }

    template <class Job>
    static void call(void* context, std::size_t shard) noexcept {
        (*static_cast<Job*>(context))(shard);
    }

    void work(std::size_t id) noexcept {
        std::uint64_t seen = 0;
        for (;;) {
            void (*job)(void*, std::size_t) = nullptr;
            void* context = nullptr;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                start_.wait(lock, [&] { return quit_ || generation_ != seen; });
                if (quit_) return;
                seen = generation_;
                job = job_;
                context = context_;
            }
            job(context, id);
            bool last = false;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                last = --pending_ == 0;
            }
            if (last) done_.notify_one();
        }
    }

    std::size_t size_;
    std::mutex mutex_;
    std::condition_variable start_, done_;
    void (*job_)(void*, std::size_t) = nullptr;
    void* context_ = nullptr;
    std::size_t pending_ = 0;
    std::uint64_t generation_ = 0;
    bool quit_ = false;
    std::vector<std::thread> workers_;
};

// [begin, end) of shard s when n items are split into `shards` contiguous parts (sizes differ by at most 1).
inline std::size_t shard_begin(std::size_t n, std::size_t shards, std::size_t s) noexcept { return s * n / shards; }

// True when any value is infinite or NaN (all exponent bits set), by integer tests that vectorize.
template <class T>
bool any_non_finite(const T* v, std::size_t n) noexcept {
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    constexpr U exponent = sizeof(T) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
    U bad = 0;
    for (std::size_t i = 0; i < n; ++i) bad |= U((std::bit_cast<U>(v[i]) & exponent) == exponent);
    return bad != 0;
}

// ------------------------------------------------------------------------------------------ run state
// Everything besides parameters, optimizer, schedules, best weights and history that a resumed run needs.
// 8-byte fields only: no padding bytes in the file.
struct fit_position {
    std::uint64_t seed = 0;
    std::uint64_t batch_size = 0;
    std::uint64_t train_size = 0;
    std::uint64_t validation_size = 0;
    std::uint64_t shuffle = 0;
    std::uint64_t epoch = 1;       // the epoch in progress, 1-based
    std::uint64_t next_batch = 0;  // its first batch not yet run
    double loss_sum = 0;           // sum over its batches run so far of batch size * batch loss
    double metric_sum = 0;
    std::uint64_t samples = 0;
    double seconds = 0;  // wall time spent in this epoch before the checkpoint
    early_stopping_state early{};
    std::uint64_t has_best = 0;
};

// Which types wrote a checkpoint: it must be read back by the same fit instantiation.
template <class Net, class T, class Optimizer, class... Schedules>
std::string checkpoint_signature() {
    std::string s = fit_text("net=", typeid(Net).name(), ";T=", sizeof(T), ";storage=", Net::template storage_size<T>,
                         ";optimizer=", typeid(Optimizer).name(), ":", sizeof(Optimizer));
    const auto add_schedule = [&s]<class S>(std::type_identity<S>) {  // callbacks carry no state: not part of it
        if constexpr (any_schedule<S>) s += fit_text(";schedule=", typeid(S).name(), ":", sizeof(S));
    };
    (add_schedule(std::type_identity<Schedules>{}), ...);
    (void)add_schedule;
    return s;
}

template <class V>
void put_bytes(checkpoint_writer& w, const V& v) {
    static_assert(std::is_trivially_copyable_v<V>, "ctnn::fit: checkpoints need trivially copyable state");
    w.value(v);
}

template <class S>
void save_schedule(checkpoint_writer& w, S& s) {
    if constexpr (any_schedule<S>) put_bytes(w, s);
}
template <class S>
void load_schedule(checkpoint_reader& r, S& s) {
    if constexpr (any_schedule<S>) r.value(s);
}

template <class Net, class T>
using params_ptr = std::unique_ptr<parameters<Net, T>>;

// ------------------------------------------------------------------------------------------ the loop
template <class Loss, class Net, class T, class Optimizer, std::size_t In, std::size_t Out, class... Extras>
fit_result fit_impl(parameters<Net, T>& p, Optimizer& opt, const data::dataset<In, Out, T>& train,
                    const data::dataset<In, Out, T>* validation, const fit_options& o, Extras&... extras) {
    using params = parameters<Net, T>;
    using input = std::array<T, In>;
    using output = std::array<T, Out>;

    const std::size_t n = train.size();
    if (n == 0) throw std::invalid_argument("ctnn::fit: the training set is empty");
    if (train.targets.size() != n)
        throw std::invalid_argument(
            fit_text("ctnn::fit: the training set has ", n, " inputs but ", train.targets.size(), " targets"));
    if (validation != nullptr && validation->targets.size() != validation->size())
        throw std::invalid_argument(fit_text("ctnn::fit: the validation set has ", validation->size(), " inputs but ",
                                         validation->targets.size(), " targets"));
    if (o.batch_size == 0) throw std::invalid_argument("ctnn::fit: batch_size must be at least 1");
    if (validation != nullptr && validation->empty()) validation = nullptr;

    const std::size_t batch = std::min(o.batch_size, n);
    const std::size_t batches = (n + batch - 1) / batch;
    std::size_t threads = o.threads != 0 ? o.threads : std::size_t(std::thread::hardware_concurrency());
    threads = std::clamp<std::size_t>(threads, 1, batch);  // more shards than samples would only sit idle
    const bool use_metric = o.metric != fit_metric::none;
    const bool early_on = o.early_stopping.patience > 0;
    const bool keep_best = early_on && o.early_stopping.restore_best;

    // Every buffer the batch loop touches, allocated once here (network buffers on the heap: they can be large).
    struct shard {
        params_ptr<Net, T> grad = std::make_unique<params>();
        std::vector<typename Net::template workspace<T>> ws;
        std::vector<input> x;
        std::vector<output> y, dy;
        double loss_sum = 0, metric_sum = 0;
    };
    const std::size_t shard_capacity = (batch + threads - 1) / threads;
    std::vector<shard> shards(threads);
    for (auto& s : shards) {
        s.ws.resize(shard_capacity);
        s.x.resize(shard_capacity);
        s.y.resize(shard_capacity);
        s.dy.resize(shard_capacity);
    }
    params_ptr<Net, T> last_good = Net::has_buffers ? std::make_unique<params>() : nullptr;
    params_ptr<Net, T> best = keep_best ? std::make_unique<params>() : nullptr;
    std::vector<std::size_t> order(n);

    fit_result result;
    result.history.metric_name = fit_metric_name(o.metric);
    fit_position pos;
    pos.seed = o.seed;
    pos.batch_size = batch;
    pos.train_size = n;
    pos.validation_size = validation != nullptr ? validation->size() : 0;
    pos.shuffle = o.shuffle ? 1 : 0;

    const std::string signature = checkpoint_signature<Net, T, Optimizer, std::remove_cvref_t<Extras>...>();
    const bool checkpointing = !o.checkpoint.empty();
    bool resumed = false;
    if (checkpointing && o.resume && std::filesystem::exists(o.checkpoint)) {
        checkpoint_reader r(o.checkpoint);
        if (r.text() != signature)
            r.fail("written by a fit of a different network, element type, optimizer or schedules");
        fit_position saved;
        r.value(saved);
        const auto mismatch = [&](const char* what, std::uint64_t was, std::uint64_t now) {
            if (was != now)
                r.fail(fit_text("written with ", what, " ", was, ", this fit has ", now));
        };
        mismatch("seed", saved.seed, pos.seed);
        mismatch("batch_size", saved.batch_size, pos.batch_size);
        mismatch("training set size", saved.train_size, pos.train_size);
        mismatch("validation set size", saved.validation_size, pos.validation_size);
        mismatch("shuffle", saved.shuffle, pos.shuffle);
        if (saved.has_best != 0 && !keep_best) r.fail("it holds best weights, but this fit does not restore them");
        if (saved.has_best == 0 && keep_best && saved.early.best_epoch() != 0)
            r.fail("it holds no best weights, but this fit restores them");
        auto loaded = std::make_unique<params>();
        r.value(*loaded);
        auto opt_loaded = std::make_unique<Optimizer>(opt);  // optimizer state can be large: not on the stack
        r.value(*opt_loaded);
        if (saved.has_best != 0) r.value(*best);
        (load_schedule(r, extras), ...);
        const auto records = r.get<std::uint64_t>();
        if (records > saved.epoch) r.fail("damaged (more history rows than epochs)");
        std::vector<epoch_record> rows(records);
        for (auto& row : rows) r.value(row);
        r.expect_end();
        p = *loaded;
        opt = *opt_loaded;
        result.history.epochs = std::move(rows);
        pos = saved;
        resumed = true;
    }
    const auto save_checkpoint = [&] {
        checkpoint_writer w;
        w.text(signature);
        pos.has_best = best != nullptr && pos.early.best_epoch() != 0 ? 1 : 0;
        w.value(pos);
        w.value(p);
        put_bytes(w, opt);
        if (pos.has_best != 0) w.value(*best);
        (save_schedule(w, extras), ...);
        w.value(std::uint64_t(result.history.epochs.size()));
        for (const auto& row : result.history.epochs) w.value(row);
        w.save(o.checkpoint);
    };
    double last_history_write = -1e300;
    const auto write_history = [&] {
        if (!o.history_csv.empty()) result.history.write_csv(o.history_csv);
        if (!o.history_svg.empty()) result.history.write_svg(o.history_svg);
    };

    clear_stop_request();
    scoped_sigint_handler sigint;
    worker_pool pool(threads);
    progress display(o.progress, o.progress_stream, fit_metric_name(o.metric));

    // One mini-batch, shard s of it: gather, training forward, per-sample loss and gradient, backward.
    std::size_t batch_begin = 0, batch_count = 0, epoch = 0;
    auto train_shard = [&](std::size_t s) noexcept {
        shard& sh = shards[s];
        const std::size_t b = shard_begin(batch_count, threads, s), e = shard_begin(batch_count, threads, s + 1);
        const std::size_t m = e - b;
        sh.loss_sum = 0;
        sh.metric_sum = 0;
        std::fill(std::begin(sh.grad->data), std::end(sh.grad->data), T(0));
        if (m == 0) return;
        for (std::size_t k = 0; k < m; ++k) sh.x[k] = train.inputs[order[batch_begin + b + k]];
        const std::uint64_t first = (epoch - 1) * n + batch_begin + b;  // the shard's first sample in the run
        if constexpr (Net::has_batch_statistics) {
            // Batch statistics need the whole shard in one call; shard 0 alone moves the running statistics.
            // (A shard is never smaller than shard 0, and a one-sample shard leaves them alone.)
            random_source rng(derive_seed(o.seed, dropout_tag, first));
            Net::forward_train(p, std::span<const input>(sh.x.data(), m), std::span<output>(sh.y.data(), m),
                               std::span(sh.ws.data(), m), rng, s == 0 ? &p : nullptr);
        } else {
            // One random source per sample, from its position in the run: dropout masks do not depend on threads.
            for (std::size_t k = 0; k < m; ++k) {
                random_source rng(derive_seed(o.seed, dropout_tag, first + k));
                Net::forward_train(p, std::span<const input>(&sh.x[k], 1), std::span<output>(&sh.y[k], 1),
                                   std::span(&sh.ws[k], 1), rng);
            }
        }
        const T scale = T(1) / static_cast<T>(batch_count);
        for (std::size_t k = 0; k < m; ++k) {
            const output& target = train.targets[order[batch_begin + b + k]];
            sh.loss_sum += double(sample_loss<Loss>(sh.y[k], target, scale, &sh.dy[k]));
            if (use_metric) sh.metric_sum += sample_metric(o.metric, sh.y[k], target);
        }
        Net::backward_train(p, std::span(sh.ws.data(), m), std::span<const output>(sh.dy.data(), m), *sh.grad);
    };
    // The validation pass, shard s of the validation set.
    auto validate_shard = [&](std::size_t s) noexcept {
        const std::size_t m = validation->size();
        evaluate_range<Loss>(p, *validation, o.metric, shard_begin(m, threads, s), shard_begin(m, threads, s + 1),
                             shards[s].loss_sum, shards[s].metric_sum);
    };

    const auto now = [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
    const auto best_note = [&] {
        return keep_best && pos.early.best_epoch() != 0
                   ? fit_text("; restored the weights of epoch ", pos.early.best_epoch())
                   : std::string();
    };

    // The shards' loss and metric sums, added in fixed shard order: the same sums for the same thread count.
    const auto shard_sums = [&] {
        std::pair<double, double> sums{0, 0};
        for (const auto& sh : shards) {
            sums.first += sh.loss_sum;
            sums.second += sh.metric_sum;
        }
        return sums;
    };

    bool stop = false;
    for (; pos.epoch <= o.epochs && !stop; ++pos.epoch) {
        epoch = pos.epoch;
        epoch_order(o.seed, epoch, o.shuffle, order);
        const double epoch_start = now() - pos.seconds;
        display.begin_epoch(epoch, o.epochs, batches, n);
        for (std::size_t b = pos.next_batch; b < batches; ++b) {
            batch_begin = b * batch;
            batch_count = std::min(batch, n - batch_begin);
            if constexpr (Net::has_buffers) *last_good = p;  // forward_train may move running statistics
            pool.run(train_shard);

            const auto [loss_sum, metric_sum] = shard_sums();
            params& g = *shards[0].grad;
            for (std::size_t s = 1; s < threads; ++s) {
                const T* add = shards[s].grad->data;
                for (std::size_t i = 0; i < params::storage_size; ++i) g.data[i] += add[i];
            }
            const double penalty = weight_penalty(p, o.l1, o.l2);
            const double batch_loss = loss_sum / double(batch_count) + penalty;
            if (!std::isfinite(batch_loss) || any_non_finite(g.data, params::storage_size)) {
                if constexpr (Net::has_buffers) p = *last_good;
                result.diverged = true;
                result.message = fit_text("ctnn::fit: the ", std::isfinite(batch_loss) ? "gradient" : "loss",
                                      " became NaN or infinite in epoch ", epoch, ", batch ", b + 1, " of ", batches,
                                      "; stopped with the weights from before that batch");
                display.message(result.message);
                stop = true;
                break;
            }
            add_weight_penalty_gradient(p, o.l1, o.l2, g);
            opt.step(p, g);
            pos.loss_sum += batch_loss * double(batch_count);
            pos.metric_sum += metric_sum;
            pos.samples += batch_count;
            pos.next_batch = b + 1;
            display.batch(b + 1, pos.samples, pos.loss_sum / double(pos.samples),
                          use_metric ? pos.metric_sum / double(pos.samples) : std::numeric_limits<double>::quiet_NaN());
            if (stop_requested() && b + 1 < batches) {
                pos.seconds = now() - epoch_start;
                result.interrupted = true;
                result.message =
                    fit_text("ctnn::fit: interrupted in epoch ", epoch, " after batch ", b + 1, " of ", batches);
                if (checkpointing) {
                    save_checkpoint();
                    result.message += fit_text("; checkpoint saved to ", o.checkpoint.string());
                }
                display.message(result.message);
                stop = true;
                break;
            }
        }
        if (stop) break;

        // End of the epoch: validation, history, early stopping, schedules, callbacks.
        epoch_record rec;
        rec.epoch = epoch;
        rec.train_loss = pos.loss_sum / double(pos.samples);
        if (use_metric) rec.train_metric = pos.metric_sum / double(pos.samples);
        if (validation != nullptr) {
            pool.run(validate_shard);
            const auto [loss_sum, metric_sum] = shard_sums();
            rec.val_loss = loss_sum / double(validation->size());
            if (use_metric) rec.val_metric = metric_sum / double(validation->size());
        }
        if constexpr (has_lr<Optimizer>) rec.lr = double(opt.options.lr);
        rec.seconds = now() - epoch_start;
        result.history.epochs.push_back(rec);
        result.epochs_run = epoch;
        const double monitored = validation != nullptr ? rec.val_loss : rec.train_loss;
        if (pos.early.update(monitored, epoch, o.early_stopping.min_delta) && best) *best = p;

        const auto step_schedule = [&](auto& extra) {
            using E = std::remove_cvref_t<decltype(extra)>;
            if constexpr (epoch_schedule<E>) extra.step();
            if constexpr (plateau_schedule<E>) extra.step(monitored);
            if constexpr (any_schedule<E> && has_lr<Optimizer>) opt.options.lr = extra.lr();
        };
        (step_schedule(extras), ...);
        (void)step_schedule;  // unused when there are no extras
        bool keep_going = true;
        const auto call_callback = [&](auto& extra) {
            using E = std::remove_cvref_t<decltype(extra)>;
            if constexpr (epoch_callback<E>) {
                if constexpr (std::is_void_v<std::invoke_result_t<E&, const epoch_record&>>) {
                    std::invoke(extra, std::as_const(rec));
                } else {
                    if (!static_cast<bool>(std::invoke(extra, std::as_const(rec)))) keep_going = false;
                }
            }
        };
        (call_callback(extras), ...);
        (void)call_callback;
        display.end_epoch(rec);
        // Files for watching a long run; each write is flushed to disk, so short epochs write at most every 2 s.
        if (const double t = now(); t - last_history_write >= 2.0) {
            write_history();
            last_history_write = t;
        }

        pos.next_batch = 0;
        pos.loss_sum = 0;
        pos.metric_sum = 0;
        pos.samples = 0;
        pos.seconds = 0;
        if (pos.early.should_stop(o.early_stopping.patience)) {
            result.stopped_early = true;
            result.message = fit_text("ctnn::fit: early stopping after epoch ", epoch, ": the ",
                                  validation != nullptr ? "validation" : "training",
                                  " loss has not improved by more than ", o.early_stopping.min_delta, " for ",
                                  o.early_stopping.patience, " epochs", best_note());
            stop = true;
        } else if (!keep_going) {
            result.stopped_early = true;
            result.message = fit_text("ctnn::fit: a callback stopped training after epoch ", epoch, best_note());
            stop = true;
        } else if (stop_requested() && epoch < o.epochs) {
            // Stopped at an epoch boundary: the checkpoint resumes at the next epoch.
            result.interrupted = true;
            result.message = fit_text("ctnn::fit: interrupted after epoch ", epoch);
            if (checkpointing) {
                ++pos.epoch;
                save_checkpoint();
                --pos.epoch;
                result.message += fit_text("; checkpoint saved to ", o.checkpoint.string());
            }
            stop = true;
        }
        if (stop) display.message(result.message);
    }

    if (!result.interrupted && !result.diverged) {
        if (keep_best && pos.early.best_epoch() != 0) p = *best;
        if (result.message.empty())
            result.message = fit_text("ctnn::fit: finished ", result.epochs_run, " epochs", best_note());
        // The run is complete: a checkpoint it resumed from would only start it over again.
        if (resumed) {
            std::error_code ec;
            std::filesystem::remove(o.checkpoint, ec);
        }
    }
    result.best_epoch = pos.early.best_epoch();
    clear_stop_request();  // served (or come too late to matter)
    write_history();
    return result;
}

}  // namespace detail::fitting

// Trains p with opt on train for options.epochs epochs; see docs/fit.md. validation: &val or nullptr.
// extras: schedules from ctnn/train/schedules.hpp (stepped once per epoch; reduce_lr_on_plateau gets the monitored
// loss) and callbacks bool(const ctnn::epoch_record&) or void(const ctnn::epoch_record&) (false stops training).
template <class Loss, class Net, class T, class Optimizer, std::size_t In, std::size_t Out, class... Extras>
fit_result fit(parameters<Net, T>& p, Optimizer& opt, const data::dataset<In, Out, T>& train,
               const std::type_identity_t<data::dataset<In, Out, T>>* validation, const fit_options& options,
               Extras&&... extras) {
    // Each check speaks once; the loop is instantiated only when all hold, so a mistake gives one message.
    constexpr bool sizes_ok = In == Net::input_size && Out == Net::output_size;
    static_assert(In == Net::input_size,
                  "ctnn::fit: the dataset's input size (In) differs from the network's input_size");
    static_assert(In != Net::input_size || Out == Net::output_size,
                  "ctnn::fit: the dataset's target size (Out) differs from the network's output_size");
    constexpr bool loss_ok = detail::fitting::loss_for<Loss, T, Out>;
    static_assert(!sizes_ok || loss_ok, "ctnn::fit: Loss must be a loss type such as ctnn::loss::mse or "
                                        "ctnn::loss::cross_entropy (with static value() and gradient())");
    constexpr bool optimizer_ok = detail::fitting::optimizer_for<Optimizer, Net, T>;
    static_assert(!sizes_ok || !loss_ok || optimizer_ok,
                  "ctnn::fit: the optimizer is for a different network or element type; "
                  "use e.g. ctnn::optim::adam<Net, T> for the parameters' Net and T");
    constexpr bool copyable = std::is_trivially_copyable_v<Optimizer>;
    static_assert(!sizes_ok || !loss_ok || !optimizer_ok || copyable,
                  "ctnn::fit: the optimizer must be trivially copyable (checkpoints store it as bytes)");
    namespace fd = detail::fitting;
    constexpr bool extras_ok =
        ((fd::any_schedule<std::remove_cvref_t<Extras>> || fd::epoch_callback<std::remove_cvref_t<Extras>>) && ...);
    static_assert(!sizes_ok || !loss_ok || !optimizer_ok || !copyable || extras_ok,
                  "ctnn::fit: each extra argument must be a schedule from ctnn/train/schedules.hpp or a "
                  "callback bool(const ctnn::epoch_record&)");
    constexpr bool schedules_ok =
        ((!fd::any_schedule<std::remove_cvref_t<Extras>> ||
          std::is_trivially_copyable_v<std::remove_cvref_t<Extras>>) &&
         ...);
    static_assert(!sizes_ok || !loss_ok || !optimizer_ok || !copyable || !extras_ok || schedules_ok,
                  "ctnn::fit: a schedule must be trivially copyable (checkpoints store it as bytes)");
    if constexpr (sizes_ok && loss_ok && optimizer_ok && copyable && extras_ok && schedules_ok) {
        return detail::fitting::fit_impl<Loss>(p, opt, train, validation, options, extras...);
    } else {
        return {};
    }
}

// Mean per-sample loss (PyTorch's 'mean' over the set) and the metric over d, with the inference forward.
template <class Loss, class Net, class T, std::size_t In, std::size_t Out>
[[nodiscard]] evaluation evaluate(const parameters<Net, T>& p, const data::dataset<In, Out, T>& d,
                                  fit_metric metric = fit_metric::none) {
    static_assert(In == Net::input_size && Out == Net::output_size,
                  "ctnn::evaluate: the dataset's sizes differ from the network's input_size / output_size");
    static_assert(detail::fitting::loss_for<Loss, T, Out>,
                  "ctnn::evaluate: Loss must be a loss type such as ctnn::loss::mse");
    evaluation e;
    if (d.empty()) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    double loss_sum = 0, metric_sum = 0;
    detail::fitting::evaluate_range<Loss>(p, d, metric, 0, d.size(), loss_sum, metric_sum);
    e.loss = loss_sum / double(d.size());
    if (metric != fit_metric::none) e.metric = metric_sum / double(d.size());
    return e;
}

// The network's outputs for every input of d, in order.
template <class Net, class T, std::size_t In, std::size_t Out>
[[nodiscard]] std::vector<std::array<T, Out>> predict(const parameters<Net, T>& p, const data::dataset<In, Out, T>& d) {
    static_assert(In == Net::input_size && Out == Net::output_size,
                  "ctnn::predict: the dataset's sizes differ from the network's input_size / output_size");
    std::vector<std::array<T, Out>> out(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) Net::forward(p, d.inputs[i], out[i]);
    return out;
}

}  // namespace ctnn
