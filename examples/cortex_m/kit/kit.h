/* The bare-metal kit's API for firmware programs (C99 and C++): text output and exit through semihosting.
 * No printf, no heap, no doubles: every function here works in float or integers only, so a program that uses
 * nothing else compiles cleanly with -Wdouble-promotion and links no double arithmetic of its own.
 *   kit_puts("loss "); kit_put_float(0.0123f); kit_putc('\n');   ->  loss 0.0123
 * Output is buffered per line and written with SYS_WRITE0 (one debugger trap per line, not per character). */
#ifndef CTNN_CORTEX_M_KIT_H
#define CTNN_CORTEX_M_KIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void kit_putc(char c);
void kit_puts(const char* s);          /* no newline added */
void kit_put_int(int32_t v);
void kit_put_uint(uint32_t v);
/* ~7 significant digits, %g style: 0.5, -1.234567e-05, 123456.7, nan, inf. Good for reading, not for
 * round-tripping: compare numbers as floats, not as text. */
void kit_put_float(float v);
void kit_flush(void);

/* Flushes the output and ends the program: qemu exits with this code (semihosting SYS_EXIT_EXTENDED). */
__attribute__((noreturn)) void kit_exit(int code);

#ifdef __cplusplus
}
#endif

#endif
