// On-device learning: the network of net.cpp (2 -> 8 tanh -> 1, generated training code) learns
// f(x0, x1) = sin(2 x0) / 2 + x1^2 / 2 online, from a stream of samples drawn on the device: one SGD step per
// sample, the rate decaying per window. Prints the mean squared error (each measured before its step) over every
// window of samples, and exits non-zero unless the loss fell: the last window below a tenth of the first, and the
// mean over each quarter of the run below the previous quarter's (single windows are noisy under online SGD;
// the trend must be down). With this seed the last window is about 1/60 of the first, on 8 other seeds 1/50-1/65.
#include <math.h>
#include <stdint.h>

#include "kit.h"
#include "net.h"

namespace {

constexpr unsigned windows = 16;
constexpr unsigned window_size = 1000;
// SGD's noise keeps the loss from falling below a floor that scales with the rate: decay it per window.
float learning_rate(unsigned window) { return 0.1f / (1.0f + 0.25f * static_cast<float>(window)); }

// xorshift32 (Marsaglia): a fixed-seed integer generator, the same stream on every run and core.
uint32_t state = 2463534242u;
uint32_t next_random() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}
// Uniform in [-1, 1): the top 24 bits, exact in float.
float uniform() { return static_cast<float>(next_random() >> 8) * (2.0f / 16777216.0f) - 1.0f; }

float target(const float (&x)[2]) { return 0.5f * sinf(2.0f * x[0]) + 0.5f * x[1] * x[1]; }

}  // namespace

int main() {
    kit_puts("learning f(x0, x1) = sin(2 x0) / 2 + x1^2 / 2 online: 2 -> 8 tanh -> 1, SGD, lr 0.1 / (1 + window / 4)\n");
    float loss[windows];
    for (unsigned w = 0; w < windows; ++w) {
        float sum = 0.0f;
        for (unsigned s = 0; s < window_size; ++s) {
            const float x[2] = {uniform(), uniform()};
            sum += learn_train_step(x, target(x), learning_rate(w));
        }
        loss[w] = sum / static_cast<float>(window_size);
        kit_puts("samples ");
        kit_put_uint((w + 1) * window_size);
        kit_puts(": mean loss ");
        kit_put_float(loss[w]);
        kit_putc('\n');
    }
    // The trend, robust to the windows' noise: each quarter of the run has a lower mean loss than the one before.
    float quarter[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (unsigned w = 0; w < windows; ++w) quarter[w / (windows / 4)] += loss[w] / static_cast<float>(windows / 4);
    const bool mostly_down = quarter[1] < quarter[0] && quarter[2] < quarter[1] && quarter[3] < quarter[2];
    const bool fell = loss[windows - 1] < loss[0] / 10.0f;
    kit_puts("mean loss per quarter of the run:");
    for (float q : quarter) {
        kit_putc(' ');
        kit_put_float(q);
    }
    kit_puts(mostly_down ? " (falling)\n" : " (NOT falling)\n");
    kit_puts(fell && mostly_down ? "PASS" : "FAIL");
    kit_puts(": last window / first = ");
    kit_put_float(loss[windows - 1] / loss[0]);
    kit_puts(" (must be < 0.1)\n");
    return fell && mostly_down ? 0 : 1;
}
