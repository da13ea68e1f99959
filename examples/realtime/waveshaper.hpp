// The audio callback of the real-time example: a "neural waveshaper" that runs every sample of a block through
// the network ctnn-gen generated (waveshaper_model.hpp, built from the model realtime_train saved).
// The callback touches only its arguments, its own settings and the header's constant weights: no allocation, no
// lock, no system call, no exception (no_syscalls.cpp proves it), and the same instructions for every block.
#ifndef CTNN_EXAMPLES_REALTIME_WAVESHAPER_HPP
#define CTNN_EXAMPLES_REALTIME_WAVESHAPER_HPP

#include "waveshaper_model.hpp"  // generated at build time; found through the header target's include path

#include <array>
#include <cstddef>

#include "curve.hpp"

namespace realtime {

static_assert(waveshaper_model::input_size == 1 && waveshaper_model::output_size == 1,
              "the waveshaper maps one sample to one sample");

constexpr std::size_t block_size = 64;  // samples per callback
constexpr long sample_rate = 48000;     // Hz: one block every 1333 us
using block = std::array<float, block_size>;

// Settings are plain members, written before the audio thread starts (a real plug-in would read them from
// std::atomic<float> members, once per block, so that a user interface can change them without a lock).
struct waveshaper {
    float drive = 1.0f;  // input gain in front of the curve
    float level = 1.0f;  // output gain

    // One block in, one block out; in and out may be the same array.
    void process(const block& in, block& out) const noexcept {
        constexpr float limit = waveshaper_curve::limit;
        for (std::size_t n = 0; n < block_size; ++n) {
            const float v = drive * in[n];
            // Clamp to the range the network was trained on; a NaN from upstream becomes -limit instead of
            // poisoning the output.
            const float x[1] = {v >= -limit ? (v <= limit ? v : limit) : -limit};
            float y[1];
            waveshaper_model::forward(x, y);
            out[n] = level * y[0];
        }
    }
};

}  // namespace realtime

#endif
