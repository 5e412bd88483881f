/*
 * mini.c - the four string.h functions GCC may call on its own.
 *
 * Even with -ffreestanding, GCC turns struct copies and clearing loops into
 * memcpy/memset calls, and the harness links without a libc. This file must
 * be compiled with -fno-tree-loop-distribute-patterns, otherwise GCC turns the
 * loop inside memset back into a call to memset.
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n]; /* copy backwards: the regions overlap with d after s */
    }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}
