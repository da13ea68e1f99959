/* Checks generated headers on the device: for each model and fixed input, the output of the generated code
 * against the ctnn library's Net::forward on the host (cortex_m_expected.h, written by host/expected.cpp).
 * Prints every output next to its expected value and exits with the number of mismatches (0: all agree).
 *
 * Tolerance: |got - want| <= 1e-5 * max(1, |want|). The generated code and the library compute the same
 * formulas in float, but not bit for bit: the header sums in another order (partial sums), the compiler may
 * contract multiply-adds into FMAs (Cortex-M4F/M7) or not (M3's soft-float library), and newlib's tanhf/expf
 * differ from glibc's in the last bits. Such differences stay within a few ulps, far below 1e-5. */
#include <stddef.h>

/* inference_mcu (headers generated with --math fast) widens it: tanh_fast is within 3.2e-6 of tanh, and the
 * regression network's output moves by up to 1e-5 (tests/gen_fast). */
#ifndef INFERENCE_TOLERANCE
#define INFERENCE_TOLERANCE 1e-5f
#endif

#include "cortex_m_expected.h"
#include "kit.h"
#include "nets.h"

typedef void (*net_function)(const float* in, float* out);

static unsigned checked, failed;

static float magnitude(float v) { return v < 0.0f ? -v : v; }

/* Runs f on each case and compares its outputs with want. */
static void check(const char* label, net_function f, const float* inputs, size_t in_size, const float* want,
                  size_t out_size) {
    for (size_t k = 0; k < EXPECTED_CASES; ++k) {
        float got[8];
        f(inputs + k * in_size, got);
        for (size_t o = 0; o < out_size; ++o) {
            const float w = want[k * out_size + o];
            const float diff = magnitude(got[o] - w);
            const float bound = INFERENCE_TOLERANCE * (magnitude(w) > 1.0f ? magnitude(w) : 1.0f);
            const int ok = diff <= bound; /* false for NaN too */
            ++checked;
            failed += ok ? 0u : 1u;
            kit_puts(label);
            kit_putc('[');
            kit_put_uint((uint32_t)k);
            kit_puts("][");
            kit_put_uint((uint32_t)o);
            kit_puts("] = ");
            kit_put_float(got[o]);
            kit_puts("  want ");
            kit_put_float(w);
            kit_puts("  diff ");
            kit_put_float(diff);
            kit_puts(ok ? "\n" : "  MISMATCH\n");
        }
    }
}

int main(void) {
    kit_puts("ctnn generated headers (");
    kit_puts(nets_language());
    kit_puts(") against the library, tolerance ");
    kit_put_float(INFERENCE_TOLERANCE);
    kit_puts(" * max(1, |want|)\n");
    check("iris predict", nets_iris_predict, &iris_inputs[0][0], 4, &iris_expected[0][0], 3);
    check("iris normalize_input+forward", nets_iris_normalize_forward, &iris_inputs[0][0], 4, &iris_expected[0][0], 3);
    check("regression forward", nets_regression_forward, &regression_inputs[0][0], 8, &regression_expected[0][0], 1);
    kit_puts(failed == 0 ? "PASS: " : "FAIL: ");
    kit_put_uint(checked - failed);
    kit_puts(" of ");
    kit_put_uint(checked);
    kit_puts(" outputs match\n");
    return failed == 0 ? 0 : 1;
}
