# shellcheck shell=bash
# Shared by tools/check, tools/demo and tools/install-deps; source it, don't run it.
# Sets CTNN_ROOT (the repository) and defines ctnn_install_deps and ctnn_configure.

CTNN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CTNN_BUILD_ROOT="${CTNN_BUILD_DIR:-$CTNN_ROOT/build}"
[[ "$CTNN_BUILD_ROOT" == /* ]] || CTNN_BUILD_ROOT="$PWD/$CTNN_BUILD_ROOT"  # relative to the caller's directory
CTNN_JOBS="${CTNN_JOBS:-2}"

# Debian 12 packages needed to build and test everything. One per line, so the list is easy to extend.
# Not python3-torch: it is only needed by developers who regenerate test fixtures.
CTNN_PACKAGES=(
    build-essential          # g++ 12
    clang                    # clang++ 14, the second compiler
    cmake
    ninja-build
    libboost-dev             # Boost.Hana
    libxsimd-dev
    nlohmann-json3-dev
    libcli11-dev             # ctnn-gen: command line
    libkainjow-mustache-dev  # ctnn-gen: header templates
    libfmt-dev               # ctnn-gen
    catch2                   # tests
    libbenchmark-dev         # benchmarks
    libeigen3-dev            # benchmarks' reference implementation
    zlib1g-dev               # ctnn::train: gzip'd IDX files
    dataset-fashion-mnist    # the fashion-mnist example and its test
)
# The Cortex-M firmware and its tests (examples/cortex_m): tools/check and tools/install-deps add them; tools/demo
# does not need them (about 400 MB), and the build skips the firmware without them.
CTNN_CORTEX_M_PACKAGES=(
    gcc-arm-none-eabi                 # arm-none-eabi-gcc/g++
    libnewlib-arm-none-eabi           # their C library (newlib, newlib-nano) and libm
    libstdc++-arm-none-eabi-newlib    # the C++ headers (<cmath>) and runtime for arm-none-eabi-g++
    qemu-system-arm                   # runs the firmware on emulated Cortex-M3/M4F/M7 boards (mps2-an385/386/500)
)

ctnn_log() { printf '==> %s\n' "$*" >&2; }

# Prints the packages among "$@" that are not installed, one per line.
ctnn_missing_packages() {
    local pkg
    for pkg in "$@"; do
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Installs whatever of CTNN_PACKAGES is missing; apt-get runs only if something is.
# CTNN_DRY_RUN=1 prints the commands instead of running them.
ctnn_install_deps() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        ctnn_log "not a Debian system: skipping package installation (needs: ${CTNN_PACKAGES[*]})"
        return 0
    fi
    local missing
    mapfile -t missing < <(ctnn_missing_packages "${CTNN_PACKAGES[@]}")
    if ((${#missing[@]} == 0)); then
        ctnn_log "all ${#CTNN_PACKAGES[@]} required packages are installed"
        return 0
    fi
    local -a sudo=()
    if ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            ctnn_log "missing packages: ${missing[*]}; run as root or install sudo"
            return 1
        fi
    fi
    ctnn_log "installing: ${missing[*]}"
    local -a update=("${sudo[@]}" apt-get update)
    local -a install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
                      apt-get install -y --no-install-recommends "${missing[@]}")
    if [[ "${CTNN_DRY_RUN:-0}" == 1 ]]; then
        printf 'would run: %s\n' "${update[*]}" "${install[*]}"
        return 0
    fi
    "${update[@]}"
    "${install[@]}"
}

# ctnn_configure <name> <c++ compiler> [cmake args...]: configures $CTNN_BUILD_ROOT/<name> (Ninja, Release).
ctnn_configure() {
    local name="$1" cxx="$2"
    shift 2
    cmake -S "$CTNN_ROOT" -B "$CTNN_BUILD_ROOT/$name" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_CXX_COMPILER="$cxx" "$@"
}
