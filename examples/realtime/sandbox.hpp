// The no-system-call sandbox: runs a function in a forked child that first installs a seccomp-BPF filter allowing
// only exit_group, so that any other system call (on the native or any other system call ABI) kills the child
// with SIGSYS. Linux only; the filter checks the architecture, and supported() is false where this file does not
// know the architecture's audit tag.
#ifndef CTNN_EXAMPLES_REALTIME_SANDBOX_HPP
#define CTNN_EXAMPLES_REALTIME_SANDBOX_HPP

namespace sandbox {

// Whether this build knows the architecture (x86-64, AArch64), and its name.
bool supported() noexcept;
const char* architecture() noexcept;

enum class outcome {
    exited,      // the child called _exit: status is its exit status (0 after body returned)
    killed,      // a signal killed the child: status is the signal (SIGSYS: a system call in the window)
    no_seccomp,  // the kernel has no seccomp filters (built without CONFIG_SECCOMP_FILTER)
    error,       // fork or the filter's installation failed: status is the errno
};

struct result {
    outcome what;
    int status;
};

// Forks; the child installs the filter, calls body(arg) and exits with status 0. All the child can hand back is
// through memory shared before the fork (mmap MAP_SHARED): writing anywhere else would be a system call.
result run(void (*body)(void*), void* arg) noexcept;

// "exited with status 0", "was killed by SIGSYS (a system call)", ...: for messages; in static storage.
const char* describe(const result& r) noexcept;

}  // namespace sandbox

#endif
