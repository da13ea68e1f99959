/* Semihosting: the program asks the debugger (here qemu, -semihosting-config enable=on) to do I/O for it by
 * executing BKPT 0xAB with an operation number in r0 and an argument in r1 (Arm's "Semihosting for AArch32 and
 * AArch64", v2.0). Used: SYS_WRITE0 (0x04, write a NUL-terminated string to the debug console) and
 * SYS_EXIT_EXTENDED (0x20, stop with an exit code that qemu returns as its own). */
#include "kit.h"

enum {
    sys_write0 = 0x04,
    sys_exit_extended = 0x20,
    adp_stopped_application_exit = 0x20026,
};

static uint32_t semihost(uint32_t op, const void* arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void* r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static char line[128];
static uint32_t used;

void kit_flush(void) {
    if (used == 0) return;
    line[used] = '\0';
    semihost(sys_write0, line);
    used = 0;
}

void kit_putc(char c) {
    line[used++] = c;
    if (c == '\n' || used == sizeof line - 1) kit_flush();
}

void kit_puts(const char* s) {
    while (*s != '\0') kit_putc(*s++);
}

void kit_exit(int code) {
    kit_flush();
    const uint32_t block[2] = {adp_stopped_application_exit, (uint32_t)code};
    semihost(sys_exit_extended, block);
    for (;;) {  /* not reached under a debugger that implements the call */
    }
}

/* newlib's exit() ends here (e.g. a library calling exit or abort): report it and stop with its code. */
__attribute__((noreturn)) void _exit(int code);
void _exit(int code) {
    kit_puts("_exit called\n");
    kit_exit(code == 0 ? 1 : code);
}
