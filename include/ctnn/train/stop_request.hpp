// Stopping a running ctnn::fit cleanly: Ctrl-C (SIGINT) while fit runs, or ctnn::request_stop() from code.
// Either one sets a flag that fit reads after each mini-batch; it then saves a checkpoint and returns.
// fit installs the SIGINT handler only while it runs and puts the previous one back afterwards. A second
// Ctrl-C while the flag is still set restores the previous handler and re-raises: the usual hard stop.
#pragma once

#include <atomic>
#include <csignal>

namespace ctnn {

namespace detail {

// A lock-free atomic: safe to set from a signal handler.
inline std::atomic<bool>& stop_flag() noexcept {
    static std::atomic<bool> flag{false};
    static_assert(std::atomic<bool>::is_always_lock_free, "ctnn: the stop flag must be lock-free for signal handlers");
    return flag;
}

using signal_handler = void (*)(int);

inline std::atomic<signal_handler>& previous_sigint_handler() noexcept {
    static std::atomic<signal_handler> handler{SIG_DFL};
    return handler;
}

extern "C" inline void ctnn_sigint_handler(int sig) {
    if (stop_flag().exchange(true)) {
        // The second Ctrl-C: let the previous handler (by default: terminate) have it.
        std::signal(sig, previous_sigint_handler().load());
        std::raise(sig);
    }
}

// Installs the handler for its lifetime (restoring the previous one after); does nothing when `enable` is false.
class scoped_sigint_handler {
  public:
    explicit scoped_sigint_handler(bool enable = true) noexcept {
        if (!enable) return;
        signal_handler previous = std::signal(SIGINT, &ctnn_sigint_handler);
        if (previous == SIG_ERR) return;
        if (previous == &ctnn_sigint_handler) return;  // a fit inside a fit: the outer one restores
        previous_sigint_handler().store(previous);
        installed_ = true;
    }
    ~scoped_sigint_handler() {
        if (installed_) std::signal(SIGINT, previous_sigint_handler().load());
    }
    scoped_sigint_handler(const scoped_sigint_handler&) = delete;
    scoped_sigint_handler& operator=(const scoped_sigint_handler&) = delete;

  private:
    bool installed_ = false;
};

}  // namespace detail

// Asks the running ctnn::fit to stop after its current mini-batch, as Ctrl-C does (fit clears the flag when it
// starts, so a request made outside a fit is dropped).
inline void request_stop() noexcept { detail::stop_flag().store(true); }

// Whether a stop has been requested and not yet handled by fit (fit clears it when it stops for it).
[[nodiscard]] inline bool stop_requested() noexcept { return detail::stop_flag().load(); }

// Withdraws a pending request.
inline void clear_stop_request() noexcept { detail::stop_flag().store(false); }

}  // namespace ctnn
