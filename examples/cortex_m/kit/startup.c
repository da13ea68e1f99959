/* Start-up code for Cortex-M (ARMv7-M), in C: the vector table, the reset handler and the fault handlers.
 * After reset the core loads SP from vector 0 and jumps to vector 1 (Reset_Handler), which
 *   1. enables the FPU (only when built for one), before any floating-point instruction can run;
 *   2. copies .data from flash to RAM and zeroes .bss (symbols from link.ld);
 *   3. runs the C++ static constructors (.preinit_array, .init_array);
 *   4. calls main and exits with its return value through semihosting (kit_exit).
 * Faults print their name and the faulting PC over semihosting and exit with code 128 + exception number, so a
 * crashed firmware fails its test instead of hanging. */
#include <stdint.h>

#include "kit.h"

int main(void);

/* From link.ld. */
extern uint32_t __stack_top;
extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end;
typedef void (*init_function)(void);
extern init_function __preinit_array_start[], __preinit_array_end[];
extern init_function __init_array_start[], __init_array_end[];

/* The entry point (vector 1 and ENTRY in link.ld); it never returns (it ends in kit_exit). */
__attribute__((noreturn)) void Reset_Handler(void);
void Fault_Handler(void);

/* The FPU is off after reset: the first floating-point instruction would raise a UsageFault (NOCP). */
static inline void enable_fpu(void) {
#if defined(__ARM_FP)
    volatile uint32_t* const cpacr = (volatile uint32_t*)0xE000ED88u;  /* SCB->CPACR */
    *cpacr |= 0xFu << 20;                                              /* CP10 and CP11: full access */
    __asm__ volatile("dsb\n\tisb" ::: "memory");                       /* take effect before the next instruction */
#endif
}

void Reset_Handler(void) {
    enable_fpu();
    /* Through volatile pointers, so the compiler neither turns the loops into memcpy/memset calls nor reorders
     * them around the FPU enable. */
    volatile uint32_t* dst = &__data_start;
    const volatile uint32_t* src = &__data_load;
    while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    for (init_function* f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
    for (init_function* f = __init_array_start; f < __init_array_end; ++f) (*f)();
    kit_exit(main());
}

/* Reports the active exception (IPSR) and the PC it interrupted (word 6 of the exception frame), then exits. */
__attribute__((noreturn, used)) static void report_fault(const uint32_t* frame) {
    static const char* const names[7] = {"", "", "NMI", "HardFault", "MemManage fault", "BusFault", "UsageFault"};
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    const uint32_t number = ipsr & 0x1FFu;
    kit_puts("\n*** ");
    kit_puts(number < 7 && number >= 2 ? names[number] : "unexpected exception");
    kit_puts(" (exception ");
    kit_put_uint(number);
    kit_puts(") at pc 0x");
    for (int shift = 28; shift >= 0; shift -= 4) kit_putc("0123456789abcdef"[(frame[6] >> shift) & 0xFu]);
    kit_putc('\n');
    kit_exit(128 + (int)number);
}

/* Every exception but reset: bit 2 of EXC_RETURN (in LR) says which stack holds the exception frame. */
__attribute__((naked)) void Fault_Handler(void) {
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "b report_fault");
}

/* Vector 0 is the initial stack pointer (a data address), the rest are handlers: a struct keeps the two kinds
 * apart without casting between object and function pointers. 16 system exceptions; no device interrupts are
 * enabled, so their vectors are left out. */
struct vector_table {
    uint32_t* initial_sp;
    void (*handlers[15])(void);
};

__attribute__((section(".vectors"), used)) const struct vector_table vectors = {
    &__stack_top,
    {
        Reset_Handler,     /* 1 */
        Fault_Handler,     /* 2 NMI */
        Fault_Handler,     /* 3 */
        Fault_Handler,     /* 4 MemManage */
        Fault_Handler,     /* 5 BusFault */
        Fault_Handler,     /* 6 UsageFault */
        0, 0, 0, 0,        /* 7-10 reserved */
        Fault_Handler,     /* 11 SVCall */
        Fault_Handler,     /* 12 DebugMonitor */
        0,                 /* 13 reserved */
        Fault_Handler,     /* 14 PendSV */
        Fault_Handler,     /* 15 SysTick */
    },
};
