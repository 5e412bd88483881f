/*
 * hal_xtensa.c - bnnc_hal.h for lx106 on QEMU's sim machine: SIMCALL for the
 * console and exit status (needs QEMU semihosting), CCOUNT for counting.
 *
 * Needs -DBNNC_CPU_HZ (CCOUNT rate: 40 MHz for QEMU's lx106) and
 * -DBNNC_ICOUNT_SHIFT, both from the target JSON.
 */
#include "bnnc_hal.h"

#if !defined(BNNC_CPU_HZ) || !defined(BNNC_ICOUNT_SHIFT)
#error "hal_xtensa.c needs -DBNNC_CPU_HZ and -DBNNC_ICOUNT_SHIFT (bnnc passes them from the target's qemu block)"
#endif

#define SIMCALL_EXIT 1
#define SIMCALL_WRITE 4

static inline int simcall(int nr, int a, int b, int c) {
    register int a2 __asm__("a2") = nr;
    register int a3 __asm__("a3") = a;
    register int a4 __asm__("a4") = b;
    register int a5 __asm__("a5") = c;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    return a2;
}

void hal_puts(const char *s) {
    int n = 0;
    while (s[n]) n++;
    simcall(SIMCALL_WRITE, 1 /* stdout */, (int)(uintptr_t)s, n);
}

void hal_exit(int code) {
    simcall(SIMCALL_EXIT, code, 0, 0);
    for (;;) {
    }
}

void hal_cnt_init(void) {
    /* CCOUNT runs from reset */
}

uint32_t hal_cnt_read(void) {
    uint32_t v;
    __asm__ volatile("rsr.ccount %0" : "=a"(v));
    return v;
}

/* Same rounding as on Cortex-M (r = 2^shift * cpuHz / 1e9 > 2), with an up-counter. */
uint32_t hal_cnt_insns(uint32_t t0, uint32_t t1) {
    const uint64_t per_insn_1e9 = (uint64_t)BNNC_CPU_HZ << BNNC_ICOUNT_SHIFT;
    uint64_t ticks = (uint32_t)(t1 - t0);
    return (uint32_t)((ticks * 1000000000u + per_insn_1e9 / 2u) / per_insn_1e9);
}
