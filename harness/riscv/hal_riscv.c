/*
 * hal_riscv.c - bnnc_hal.h for RV32 on QEMU virt: RISC-V semihosting for the
 * console and exit status, minstret for instruction counting.
 *
 * Under -icount shift=N QEMU 7.2 returns minstret = instructions << N, so the
 * targets use shift 0 and the counter is the instruction count itself.
 */
#include "bnnc_hal.h"

#ifndef BNNC_ICOUNT_SHIFT
#define BNNC_ICOUNT_SHIFT 0
#endif

long semihost_call(long op, const void *arg); /* start.S */
void hal_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval);

void hal_puts(const char *s) { semihost_call(0x04 /* SYS_WRITE0 */, s); }

void hal_exit(int code) {
    uint32_t blk[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semihost_call(0x20 /* SYS_EXIT_EXTENDED */, blk);
    for (;;) {
    }
}

void hal_trap(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
    hal_puts("TRAP mcause=");
    hal_put_hex(mcause);
    hal_puts(" mepc=");
    hal_put_hex(mepc);
    hal_puts(" mtval=");
    hal_put_hex(mtval);
    hal_puts("\n");
    hal_exit(98);
}

void hal_cnt_init(void) {
    /* minstret runs from reset; nothing to start */
}

uint32_t hal_cnt_read(void) {
    uint32_t v;
    __asm__ volatile("csrr %0, minstret" : "=r"(v));
    return v;
}

uint32_t hal_cnt_insns(uint32_t t0, uint32_t t1) { return (t1 - t0) >> BNNC_ICOUNT_SHIFT; }
