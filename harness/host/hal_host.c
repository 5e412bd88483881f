/*
 * hal_host.c - bnnc_hal.h on the build machine, so the very program that runs
 * under QEMU also runs natively (L2). There is no exact instruction counter
 * on the host: hal_cnt_* count nothing and report 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include "bnnc_hal.h"

void hal_puts(const char *s) { fputs(s, stdout); }

void hal_exit(int code) {
    fflush(stdout);
    exit(code);
}

void hal_cnt_init(void) {}

uint32_t hal_cnt_read(void) { return 0; }

uint32_t hal_cnt_insns(uint32_t t0, uint32_t t1) {
    (void)t0;
    (void)t1;
    return 0;
}
