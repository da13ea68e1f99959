// The seccomp sandbox of sandbox.hpp, with the Linux kernel's own headers only (no libseccomp).
#include "sandbox.hpp"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

#if defined(__x86_64__) && !defined(__ILP32__)
constexpr unsigned audit_arch = AUDIT_ARCH_X86_64;
constexpr const char* arch_name = "x86-64";
#elif defined(__aarch64__) && !defined(__ILP32__)
constexpr unsigned audit_arch = AUDIT_ARCH_AARCH64;
constexpr const char* arch_name = "AArch64";
#else
constexpr unsigned audit_arch = 0;  // unknown: supported() is false
constexpr const char* arch_name = "unknown";
#endif

// Child exit statuses for failures before the window (a body never returns them: it returns, then exit 0).
constexpr int status_no_seccomp = 121, status_filter_failed = 122;

// The filter: kill the process unless the call comes from this architecture's system call ABI (a 32-bit int 0x80
// call on x86-64 carries AUDIT_ARCH_I386 and other numbers) and is exit_group.
[[noreturn]] void install_filter_and_run(void (*body)(void*), void* arg) noexcept {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    };
    const sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};

    // No core file for the deliberate SIGSYS deaths.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    // Required for an unprivileged process, and harmless for root.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(status_filter_failed);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
        _exit(errno == EINVAL ? status_no_seccomp : status_filter_failed);
    // The window: from here on, any system call but exit_group kills the process.
    body(arg);
    _exit(0);  // glibc's _exit is the exit_group system call
}

}  // namespace

namespace sandbox {

bool supported() noexcept { return audit_arch != 0; }
const char* architecture() noexcept { return arch_name; }

result run(void (*body)(void*), void* arg) noexcept {
    if (!supported()) return {outcome::error, ENOSYS};
    std::fflush(nullptr);  // the child must not flush the parent's buffered output a second time
    const pid_t child = fork();
    if (child < 0) return {outcome::error, errno};
    if (child == 0) install_filter_and_run(body, arg);
    int status = 0;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return {outcome::error, errno};
    if (WIFSIGNALED(status)) return {outcome::killed, WTERMSIG(status)};
    const int code = WEXITSTATUS(status);
    if (code == status_no_seccomp) return {outcome::no_seccomp, 0};
    if (code == status_filter_failed) return {outcome::error, EPERM};
    return {outcome::exited, code};
}

const char* describe(const result& r) noexcept {
    static char text[96];
    switch (r.what) {
    case outcome::exited:
        std::snprintf(text, sizeof text, "exited with status %d", r.status);
        break;
    case outcome::killed:
        std::snprintf(text, sizeof text, "was killed by %s%s", r.status == SIGSYS ? "SIGSYS" : strsignal(r.status),
                      r.status == SIGSYS ? " (a system call)" : "");
        break;
    case outcome::no_seccomp:
        std::snprintf(text, sizeof text, "did not run: the kernel has no seccomp filters");
        break;
    case outcome::error:
        std::snprintf(text, sizeof text, "did not run: %s", std::strerror(r.status));
        break;
    }
    return text;
}

}  // namespace sandbox
