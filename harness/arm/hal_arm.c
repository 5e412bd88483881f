/*
 * hal_arm.c - bnnc_hal.h for Cortex-M under QEMU: ARM semihosting for the
 * console and exit status, SysTick for instruction counting.
 *
 * Needs -DBNNC_CPU_HZ (SysTick's CPU clock in the QEMU machine) and
 * -DBNNC_ICOUNT_SHIFT (QEMU's -icount shift), both from the target JSON.
 */
#include "bnnc_hal.h"

#if !defined(BNNC_CPU_HZ) || !defined(BNNC_ICOUNT_SHIFT)
#error "hal_arm.c needs -DBNNC_CPU_HZ and -DBNNC_ICOUNT_SHIFT (bnnc passes them from the target's qemu block)"
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

/* M-profile semihosting: BKPT 0xAB with the operation in r0 and the argument in r1. */
static inline int semi(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void hal_puts(const char *s) { semi(0x04 /* SYS_WRITE0 */, s); }

void hal_exit(int code) {
    /* SYS_EXIT_EXTENDED carries the full status; 32-bit SYS_EXIT only says success or failure. */
    uint32_t blk[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semi(0x20 /* SYS_EXIT_EXTENDED */, blk);
    semi(0x18 /* SYS_EXIT */, (const void *)0x20026u);
    for (;;) {
    }
}

/*
 * SysTick is a 24-bit down-counter: alone it measures at most 2^24 / r
 * instructions (5.2 M on mps2-an386). Its interrupt extends it: the handler
 * counts wraps, and it is fixed assembly of WRAP_HANDLER_INSNS instructions,
 * which hal_cnt_insns subtracts per wrap, so a region of any length (below
 * 2^32 ticks) is still counted exactly. Exception entry and return retire no
 * instructions of their own under QEMU's -icount.
 */
volatile uint32_t hal_systick_wraps;
#define WRAP_HANDLER_INSNS 5u

__attribute__((naked)) void SysTick_Handler(void) {
    __asm__ volatile(".syntax unified\n\t"
                     "ldr r0, =hal_systick_wraps\n\t"
                     "ldr r1, [r0]\n\t"
                     "adds r1, r1, #1\n\t"
                     "str r1, [r0]\n\t"
                     "bx lr\n\t"
                     ".ltorg\n");
}

void hal_cnt_init(void) {
    SYST_RVR = 0xFFFFFFu; /* full 24-bit range */
    SYST_CVR = 0;
    hal_systick_wraps = 0;
    SYST_CSR = 7u; /* ENABLE | TICKINT | CLKSOURCE = CPU clock */
}

/* Up-counting ticks: wraps in the top 8 bits, the elapsed part of the 24-bit period below. */
uint32_t hal_cnt_read(void) {
    uint32_t wraps;
    uint32_t value;
    do {
        wraps = hal_systick_wraps;
        value = SYST_CVR;
    } while (wraps != hal_systick_wraps);
    return (wraps << 24) | (0xFFFFFFu - value);
}

/*
 * SysTick counts at cpuHz; under -icount each instruction is 2^shift ns,
 * i.e. r = 2^shift * cpuHz / 1e9 ticks. Rounding ticks / r gives the exact
 * count when r > 2 (see docs: the tick difference is within +-1 of insns * r);
 * then the wrap handlers' own instructions are taken out.
 */
uint32_t hal_cnt_insns(uint32_t t0, uint32_t t1) {
    const uint64_t per_insn_1e9 = (uint64_t)BNNC_CPU_HZ << BNNC_ICOUNT_SHIFT; /* r * 1e9 */
    const uint64_t ticks = (uint32_t)(t1 - t0);
    const uint32_t wraps = ((t1 >> 24) - (t0 >> 24)) & 0xFFu;
    return (uint32_t)((ticks * 1000000000u + per_insn_1e9 / 2u) / per_insn_1e9) - wraps * WRAP_HANDLER_INSNS;
}
