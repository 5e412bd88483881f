/*
 * startup_cm.c - Cortex-M vector table and reset handler (M0/M0+/M4/M7/M33/M55).
 *
 * The core loads the initial MSP from word 0 and the reset PC from word 1 of
 * the vector table. 16 system vectors are enough because no IRQ is enabled.
 * Faults print a message and exit with status 99, so a crash ends QEMU
 * instead of hanging it. Compile with -fno-tree-loop-distribute-patterns: the
 * copy loops below must not become memcpy/memset calls before .data exists.
 */
#include <stdint.h>
#include "bnnc_hal.h"

extern uint32_t __stack_top[], __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
int main(void);

__attribute__((noreturn)) void Reset_Handler(void);
void NMI_Handler(void);
void HardFault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void); /* hal_arm.c: extends the instruction counter */

__attribute__((noreturn)) void Reset_Handler(void) {
    uint32_t *s = __data_load, *d = __data_start;
    while (d < __data_end) *d++ = *s++;
    for (d = __bss_start; d < __bss_end;) *d++ = 0;
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR: CP10/CP11 full access, needed before any FPU or Helium instruction */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    hal_exit(main());
}

static void fault(const char *what) {
    hal_puts(what);
    hal_exit(99);
}

void NMI_Handler(void) { fault("NMI\n"); }
void HardFault_Handler(void) { fault("HardFault\n"); }
void Default_Handler(void) { fault("unexpected exception\n"); }

typedef void (*vec_t)(void);
__attribute__((section(".vectors"), used)) const vec_t vector_table[16] = {
    (vec_t)__stack_top, Reset_Handler, NMI_Handler, HardFault_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, /* MemManage BusFault UsageFault SecureFault */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, /* reserved x3, SVCall */
    Default_Handler, Default_Handler, Default_Handler, SysTick_Handler, /* DebugMon, reserved, PendSV, SysTick */
};
