/* bnn_popcount_portable.h - bnnc runtime: popcount of one word, and the byte table; used by every variant but builtin. */
#ifndef BNN_POPCOUNT_PORTABLE_H
#define BNN_POPCOUNT_PORTABLE_H

#include <stdint.h>

/*
 * popcount of one 32-bit word. The portable form is the SWAR reduction (12
 * ALU operations, no table, no libgcc call): __builtin_popcount calls
 * libgcc's __popcountsi2 on cores without a popcount instruction, which costs
 * a call and reloads its masks on every word. A core with Zbb has cpop.
 */
#if defined(__riscv_zbb)
static inline uint32_t bnn_popcount32(uint32_t v)
{
    uint32_t r;
    /* r = popcount(v) */
    __asm__("cpop %0, %1" : "=r"(r) : "r"(v));
    return r;
}
#else
static inline uint32_t bnn_popcount32(uint32_t v)
{
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    v = (v + (v >> 4)) & 0x0F0F0F0Fu;
    return (v * 0x01010101u) >> 24;
}
#endif

/*
 * The popcount of every byte value 0..255, as an initializer list (for the
 * armv6m and mve engines' byte lookups): the count of n's two low bits added
 * to the counts of the bits above, three times over.
 */
#define BNN_POP8_2(n) (n), (n) + 1, (n) + 1, (n) + 2
#define BNN_POP8_4(n) BNN_POP8_2(n), BNN_POP8_2((n) + 1), BNN_POP8_2((n) + 1), BNN_POP8_2((n) + 2)
#define BNN_POP8_6(n) BNN_POP8_4(n), BNN_POP8_4((n) + 1), BNN_POP8_4((n) + 1), BNN_POP8_4((n) + 2)
#define BNN_POP8_TABLE BNN_POP8_6(0), BNN_POP8_6(1), BNN_POP8_6(1), BNN_POP8_6(2)

#endif /* BNN_POPCOUNT_PORTABLE_H */
