/* One inference between two marker functions: measure.cmake counts the instructions qemu executes from the first
 * instruction of footprint_marker_begin to the first of footprint_marker_end (the call and its return included). */
#include "footprint.h"
#include "kit.h"

__attribute__((noinline)) void footprint_marker_begin(void) { __asm__ volatile(""); }
__attribute__((noinline)) void footprint_marker_end(void) { __asm__ volatile(""); }

int main(void) {
    float in[64], out[16];
    if (footprint_input_size > 64 || footprint_output_size > 16) return 2;
    for (int i = 0; i < footprint_input_size; ++i) in[i] = 0.25f * (float)(i % 5) - 0.4f;
    footprint_marker_begin();
    footprint_forward(in, out);
    footprint_marker_end();
    kit_puts("output ");
    for (int o = 0; o < footprint_output_size; ++o) {
        kit_put_float(out[o]);
        kit_putc(' ');
    }
    kit_putc('\n');
    return 0;
}
