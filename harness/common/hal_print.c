/*
 * hal_print.c - number printing on top of hal_puts(), shared by every
 * harness so that all targets format numbers identically.
 */
#include "bnnc_hal.h"

void hal_put_u32(uint32_t v) {
    char buf[11]; /* 4294967295 + NUL */
    char *p = buf + sizeof buf - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    hal_puts(p);
}

void hal_put_i32(int32_t v) {
    if (v < 0) {
        hal_puts("-");
        /* negate in unsigned arithmetic: -INT32_MIN overflows int32_t */
        hal_put_u32(0u - (uint32_t)v);
    } else {
        hal_put_u32((uint32_t)v);
    }
}

void hal_put_hex(uint32_t v) {
    static const char digits[] = "0123456789abcdef";
    char buf[11] = "0x";
    int i;
    for (i = 0; i < 8; i++) buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xFu];
    buf[10] = '\0';
    hal_puts(buf);
}
