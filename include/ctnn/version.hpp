#pragma once

#define CTNN_VERSION_MAJOR 0
#define CTNN_VERSION_MINOR 1
#define CTNN_VERSION_PATCH 0

namespace ctnn {
inline constexpr const char* version = "0.1.0";
}
