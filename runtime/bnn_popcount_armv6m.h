/* bnn_popcount_armv6m.h - bnnc runtime: the armv6m row engine, included by bnn_popcount.h for BNN_KERNEL_ARMV6M. */
#ifndef BNN_POPCOUNT_ARMV6M_H
#define BNN_POPCOUNT_ARMV6M_H

#include "bnn_popcount_portable.h"

#if !defined(__thumb__) || !defined(__ARM_ARCH_PROFILE) || __ARM_ARCH_PROFILE != 'M'
#error "bnn kernel variant armv6m needs a Cortex-M core (Thumb); regenerate with another --kernel"
#endif

#define BNN_POP_ROWS 1

/* SWAR masks (loaded at 4-byte offsets: Thumb-1 has no 32-bit immediates) and the popcount of every byte value. */
__attribute__((unused)) static const struct {
    uint32_t masks[4];
    uint8_t pop8[256];
} bnn_m0_tables = {
    {0x55555555u, 0x33333333u, 0x0F0F0F0Fu, 0x01010101u},
    {BNN_POP8_TABLE},
};

/*
 * Harley-Seal over blocks of 8 words in Thumb-1 assembly. ARMv6-M has
 * two-operand logic on 8 low registers, so an adder costs 7 instructions
 * (5 operations and 2 copies). r0 x, r1 w, r2 ones, r3-r7 scratch; twos and
 * fours live in r8/r9 and visit a low register for their adders, r10 sums
 * the eights counts, r11 holds the end of x, r12 the byte table. The eights
 * word is counted with 4 byte lookups (LDRB with a register offset): 15
 * instructions, where SWAR needs 17 without shifted operands or 32-bit
 * immediates. Per block: 9 loads, 8 XOR, 7 adders (49), 6 moves, count 15,
 * loop 2 = 89 instructions for 8 words. The registers are fixed: LDM lists
 * must ascend; GCC saves r4-r6 and r8-r12 (clobbers), the assembly only r7,
 * which is the frame pointer at -O0 and cannot be an operand there.
 */
#define BNN_M0_CSA(l, a, b, t) /* t = carry of l + a + b, l = sum; a is clobbered */ \
    "mov  " t ", " l "\n\t"                                                        \
    "ands " t ", " a "\n\t"                                                        \
    "eors " l ", " a "\n\t"                                                        \
    "mov  " a ", " l "\n\t"                                                        \
    "ands " a ", " b "\n\t"                                                        \
    "orrs " t ", " a "\n\t"                                                        \
    "eors " l ", " b "\n\t"

/* two words of x ^ w into low registers a < b (c < d: the two w words; LDM lists ascend) */
#define BNN_M0_XOR2(a, b, c, d)                                                    \
    "ldm  r0!, {" a ", " b "}\n\t"                                                 \
    "ldm  r1!, {" c ", " d "}\n\t"                                                 \
    "eors " a ", " c "\n\t"                                                        \
    "eors " b ", " d "\n\t"

/* popcount of low register v added to r10 (table base in r7) */
#define BNN_M0_COUNT(v)                                                            \
    "uxtb r3, " v "\n\t"                                                           \
    "ldrb r3, [r7, r3]\n\t"                                                        \
    "add  r10, r3\n\t"                                                             \
    "lsrs r3, " v ", #8\n\t"                                                       \
    "uxtb r3, r3\n\t"                                                              \
    "ldrb r3, [r7, r3]\n\t"                                                        \
    "add  r10, r3\n\t"                                                             \
    "lsrs r3, " v ", #16\n\t"                                                      \
    "uxtb r3, r3\n\t"                                                              \
    "ldrb r3, [r7, r3]\n\t"                                                        \
    "add  r10, r3\n\t"                                                             \
    "lsrs r3, " v ", #24\n\t"                                                      \
    "ldrb r3, [r7, r3]\n\t"                                                        \
    "add  r10, r3\n\t"

/* byte-wise popcount of low register v, masks in r4 (0x55..), r5 (0x33..), r6 (0x0F..), scratch r0 */
#define BNN_M0_BYTES(v)                                                            \
    "lsrs r0, " v ", #1\n\t"                                                       \
    "ands r0, r4\n\t"                                                              \
    "subs " v ", " v ", r0\n\t"                                                    \
    "lsrs r0, " v ", #2\n\t"                                                       \
    "ands r0, r5\n\t"                                                              \
    "ands " v ", r5\n\t"                                                           \
    "adds " v ", " v ", r0\n\t"                                                    \
    "lsrs r0, " v ", #4\n\t"                                                       \
    "adds " v ", " v ", r0\n\t"                                                    \
    "ands " v ", r6\n\t"

/*
 * popcount(x ^ w) over the first n_words & ~7 words of a row (n_words >= 8);
 * advances *w past them.
 */
__attribute__((always_inline)) static inline uint32_t bnn_m0_blocks(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    register uint32_t r0 __asm__("r0") = (uint32_t)x;
    register const uint32_t *r1 __asm__("r1") = *w;
    register uint32_t r2 __asm__("r2") = (uint32_t)(n_words & ~7) * 4u;
    register const uint8_t *r3 __asm__("r3") = bnn_m0_tables.pop8;
    /*
     * In C (the same operations, in this order):
     *   uint32_t ones = 0, twos = 0, fours = 0, eights_sum = 0;
     *   for (; x != x + (n_words & ~7); x += 8, w += 8) {
     *       d[k] = x[k] ^ w[k], k < 8;
     *       csa(&twosA, &ones, d[0], d[1]); csa(&twosB, &ones, d[2], d[3]);
     *       csa(&foursA, &twos, twosA, twosB);
     *       csa(&twosA, &ones, d[4], d[5]); csa(&twosB, &ones, d[6], d[7]);
     *       csa(&foursB, &twos, twosA, twosB);
     *       csa(&eights, &fours, foursA, foursB);
     *       eights_sum += pop8[eights & 255] + pop8[(eights >> 8) & 255] + ...;   (4 LDRB)
     *   }
     *   bytes = byte_counts(ones) + 2 * byte_counts(twos) + 4 * byte_counts(fours);
     *   return sum_of_bytes(bytes) + 8 * eights_sum;
     * where csa(&t, &l, a, b) is the full adder t:l = l + a + b of BNN_M0_CSA.
     */
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r7}\n\t"               /* r7 may be the frame pointer: saved here, not clobbered */
        "mov  r12, r3\n\t"
        "adds r2, r0, r2\n\t"
        "mov  r11, r2\n\t"              /* end of x */
        "movs r2, #0\n\t"
        "mov  r8, r2\n\t"
        "mov  r9, r2\n\t"
        "mov  r10, r2\n"
        "1:\n\t"
        BNN_M0_XOR2("r3", "r4", "r5", "r6")
        BNN_M0_CSA("r2", "r3", "r4", "r5")      /* twosA in r5 */
        BNN_M0_XOR2("r3", "r4", "r6", "r7")
        BNN_M0_CSA("r2", "r3", "r4", "r6")      /* twosB in r6 */
        "mov  r7, r8\n\t"
        BNN_M0_CSA("r7", "r5", "r6", "r3")      /* foursA in r3 */
        "mov  r8, r7\n\t"
        BNN_M0_XOR2("r4", "r5", "r6", "r7")
        BNN_M0_CSA("r2", "r4", "r5", "r6")      /* twosA in r6 */
        "ldm  r0!, {r4, r5}\n\t"
        "ldm  r1!, {r7}\n\t"
        "eors r4, r7\n\t"
        "ldm  r1!, {r7}\n\t"
        "eors r5, r7\n\t"
        BNN_M0_CSA("r2", "r4", "r5", "r7")      /* twosB in r7 */
        "mov  r4, r8\n\t"
        BNN_M0_CSA("r4", "r6", "r7", "r5")      /* foursB in r5 */
        "mov  r8, r4\n\t"
        "mov  r4, r9\n\t"
        BNN_M0_CSA("r4", "r3", "r5", "r6")      /* eights in r6 */
        "mov  r9, r4\n\t"
        "mov  r7, r12\n\t"
        BNN_M0_COUNT("r6")
        "cmp  r0, r11\n\t"
        "bne  1b\n\t"
        /* ones + 2 twos + 4 fours as byte counts, their sum, plus 8 eights */
        "mov  r7, r12\n\t"
        "subs r7, #16\n\t"
        "ldr  r4, [r7, #0]\n\t"
        "ldr  r5, [r7, #4]\n\t"
        "ldr  r6, [r7, #8]\n\t"
        "mov  r3, r8\n\t"
        "mov  r7, r9\n\t"
        BNN_M0_BYTES("r2") BNN_M0_BYTES("r3") BNN_M0_BYTES("r7")
        "lsls r3, r3, #1\n\t"
        "adds r2, r2, r3\n\t"
        "lsls r7, r7, #2\n\t"
        "adds r2, r2, r7\n\t"           /* bytes <= 8 + 16 + 32 */
        "lsrs r3, r2, #16\n\t"
        "adds r2, r2, r3\n\t"
        "lsrs r3, r2, #8\n\t"
        "adds r2, r2, r3\n\t"
        "uxtb r2, r2\n\t"               /* <= 4 * 56 */
        "mov  r3, r10\n\t"
        "lsls r3, r3, #3\n\t"
        "adds r2, r2, r3\n\t"
        "pop  {r7}\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
    *w = r1;
    return r2;
}

static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    uint32_t pop = 0;
    int32_t i;
    if (n_words >= 8) {
        pop = bnn_m0_blocks(x, w, n_words);
    }
    for (i = n_words & ~7; i < n_words; i++) {
        pop += bnn_popcount32(x[i] ^ *(*w)++);
    }
    return (int32_t)pop;
}

static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    pop[0] = bnn_pop_row(x, w, n_words);
}

#endif /* BNN_POPCOUNT_ARMV6M_H */
