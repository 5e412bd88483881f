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

void hal_cnt_init(void) {
    SYST_RVR = 0xFFFFFFu; /* full 24-bit range */
    SYST_CVR = 0;
    SYST_CSR = 5u; /* ENABLE | CLKSOURCE = CPU clock, no interrupt */
}

uint32_t hal_cnt_read(void) { return SYST_CVR; }

/*
 * SysTick counts down at cpuHz; under -icount each instruction is 2^shift ns,
 * i.e. r = 2^shift * cpuHz / 1e9 ticks. Rounding ticks / r gives the exact
 * count when r > 2 (see docs: the tick difference is within +-1 of insns * r).
 */
uint32_t hal_cnt_insns(uint32_t t0, uint32_t t1) {
    const uint64_t per_insn_1e9 = (uint64_t)BNNC_CPU_HZ << BNNC_ICOUNT_SHIFT; /* r * 1e9 */
    uint64_t ticks = (t0 - t1) & 0xFFFFFFu; /* down-counter, wraps at 24 bits */
    return (uint32_t)((ticks * 1000000000u + per_insn_1e9 / 2u) / per_insn_1e9);
}
