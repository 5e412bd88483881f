/* bnn_popcount_armv7em.h - bnnc runtime: the armv7em row engine, included by bnn_popcount.h for BNN_KERNEL_ARMV7EM. */
#ifndef BNN_POPCOUNT_ARMV7EM_H
#define BNN_POPCOUNT_ARMV7EM_H

#include "bnn_popcount_portable.h"

#if !defined(__ARM_FEATURE_DSP) || !defined(__thumb2__)
#error "bnn kernel variant armv7em needs an ARMv7E-M or ARMv8-M Mainline core with the DSP extension (Cortex-M4/M7/M33/M55); regenerate with another --kernel"
#endif

#include <arm_acle.h>

#define BNN_POP_ROWS 1

/*
 * Harley-Seal over blocks of 8 words, in assembly: from the same algorithm
 * in C, GCC spills the loop state and loads word by word (11.7 instructions
 * per word measured). The block needs 14 registers (r0 x, r1 w, r2 block
 * count, r3 byte-wise counts of the eights words, r4 ones, r5 twos, r6 fours,
 * scratch r7-r12 and lr), so the row saves r4-r12 and lr itself with one
 * PUSH/POP pair and the caller's loop keeps its state in registers. The
 * registers are fixed, not allocated (named) operands: LDM lists must
 * ascend, r7 is the frame pointer at -O0 (GCC refuses it as an operand), and
 * with r4-r12 and lr as clobbers GCC spills the caller's loop state around
 * every row: 9.09 instructions per word instead of 8.85 (measured, stm32f4).
 * Per block: LDM/LDR loads (6), XOR (8), 7 adders (35), byte counts of the
 * eights word (10), loop (2) = 61 instructions for 8 words; the first block
 * of a row starts from ones = twos = fours = 0 and needs 49.
 * Cycles (Cortex-M4 TRM timings over the executed instructions,
 * docs/cycles.md), 1024 -> 256 layer: 99,710 for 72,522 instructions (CPI
 * 1.37); LDM is 23.6 % of them (data loads 20.5 %, the row's POP 3 %), the
 * row's PUSH 3 %. A 32-word row costs 283 instructions: 232 in the blocks,
 * 51 for the final counts, the threshold and the call. 8.0 per word (256)
 * would leave 24 for those, below what counting ones, twos and fours alone
 * takes (23), so the adder tree itself would have to shrink.
 */
#define BNN_M4_CSA(h, l, b, c, t) /* h:l = l + b + c, bit by bit; b is clobbered */ \
    "and  " h ", " l ", " b "\n\t"                                                  \
    "eor  " b ", " l ", " b "\n\t"                                                  \
    "and  " t ", " b ", " c "\n\t"                                                  \
    "orr  " h ", " h ", " t "\n\t"                                                  \
    "eor  " l ", " b ", " c "\n\t"

/* words 0-3 of a block: x XOR w into r7-r10 */
#define BNN_M4_LOAD_LOW                                                             \
    "ldm  r0!, {r7, r8, r9, r10}\n\t"                                               \
    "ldm  r1!, {r11, r12, lr}\n\t"                                                  \
    "eor  r7, r7, r11\n\t"                                                          \
    "eor  r8, r8, r12\n\t"                                                          \
    "eor  r9, r9, lr\n\t"                                                           \
    "ldr  r11, [r1], #4\n\t"                                                        \
    "eor  r10, r10, r11\n\t"

/* words 4-7 with foursA live in r7: ones and twos updated, foursB in r8 */
#define BNN_M4_HIGH                                                                 \
    "ldm  r0!, {r8, r9, r10, r11}\n\t"                                              \
    "ldm  r1!, {r12, lr}\n\t"                                                       \
    "eor  r8, r8, r12\n\t"                                                          \
    "eor  r9, r9, lr\n\t"                                                           \
    "ldm  r1!, {r12, lr}\n\t"                                                       \
    "eor  r10, r10, r12\n\t"                                                        \
    "eor  r11, r11, lr\n\t"                                                         \
    BNN_M4_CSA("r12", "r4", "r8", "r9", "lr")                                       \
    BNN_M4_CSA("lr", "r4", "r10", "r11", "r8")                                      \
    BNN_M4_CSA("r8", "r5", "r12", "lr", "r9")

/* byte-wise popcount of r9, the last step writing `dst` */
#define BNN_M4_BYTES_R9(dst)                                                        \
    "lsr  r10, r9, #1\n\t"                                                          \
    "and  r10, r10, #0x55555555\n\t"                                                \
    "sub  r9, r9, r10\n\t"                                                          \
    "lsr  r10, r9, #2\n\t"                                                          \
    "and  r10, r10, #0x33333333\n\t"                                                \
    "and  r9, r9, #0x33333333\n\t"                                                  \
    "add  r9, r9, r10\n\t"                                                          \
    "add  r9, r9, r9, lsr #4\n\t"                                                   \
    "and  " dst ", r9, #0x0F0F0F0F\n\t"

/* byte-wise popcount of v in place, masks 0x55555555 in r7 and 0x33333333 in r8 (7 instructions) */
#define BNN_M4_FINAL_BYTES(v)                                                       \
    "and  r9, r7, " v ", lsr #1\n\t"                                               \
    "sub  " v ", " v ", r9\n\t"                                                     \
    "and  r9, r8, " v ", lsr #2\n\t"                                               \
    "and  " v ", " v ", r8\n\t"                                                     \
    "add  " v ", " v ", r9\n\t"                                                     \
    "add  " v ", " v ", " v ", lsr #4\n\t"                                           \
    "and  " v ", " v ", #0x0F0F0F0F\n\t"

/*
 * popcount(x ^ w) over n_words words, 1 <= n_words <= 248 (31 blocks: the
 * byte-wise eights counts stay below 256). Advances *w past the row.
 */
#define BNN_M4_MAX_WORDS 248
__attribute__((always_inline)) static inline uint32_t bnn_m4_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    register uint32_t r0 __asm__("r0") = (uint32_t)x;
    register const uint32_t *r1 __asm__("r1") = *w;
    register int32_t r2 __asm__("r2") = n_words;
    /*
     * In C (the same operations, in this order):
     *   uint32_t ones = 0, twos = 0, fours = 0, eights_bytes = 0, bytes;
     *   for (b = 0; b < n_words / 8; b++, x += 8, w += 8) {
     *       d[k] = x[k] ^ w[k], k < 8;
     *       csa(&twosA, &ones, d[0], d[1]); csa(&twosB, &ones, d[2], d[3]);
     *       csa(&foursA, &twos, twosA, twosB);
     *       csa(&twosA, &ones, d[4], d[5]); csa(&twosB, &ones, d[6], d[7]);
     *       csa(&foursB, &twos, twosA, twosB);
     *       csa(&eights, &fours, foursA, foursB);
     *       eights_bytes += byte_counts(eights);      (SWAR, each byte <= 8)
     *   }
     *   bytes = byte_counts(ones) + 2 * byte_counts(twos) + 4 * byte_counts(fours);
     *   for (k = 0; k < n_words % 8; k++) bytes += byte_counts(x[k] ^ w[k]);
     *   return 8 * sum_of_bytes(eights_bytes) + sum_of_bytes(bytes);   (USAD8, USADA8)
     * where csa(&h, &l, b, c) is the full adder h:l = l + b + c of BNN_M4_CSA.
     */
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r2, r4-r12, lr}\n\t"     /* n_words stays at [sp] */
        "lsrs r2, r2, #3\n\t"
        "bne  3f\n\t"
        "movs r3, #0\n\t"               /* no whole block */
        "movs r4, #0\n\t"
        "movs r5, #0\n\t"
        "movs r6, #0\n\t"
        "b    2f\n"
        "3:\n\t"
        "subs r2, r2, #1\n\t"
        /* first block: ones = twos = fours = 0, so three adders are half adders */
        BNN_M4_LOAD_LOW
        "and  r11, r7, r8\n\t"          /* twosA */
        "eor  r4, r7, r8\n\t"           /* ones */
        BNN_M4_CSA("r12", "r4", "r9", "r10", "lr")
        "and  r7, r11, r12\n\t"         /* foursA */
        "eor  r5, r11, r12\n\t"         /* twos */
        BNN_M4_HIGH
        "and  r9, r7, r8\n\t"           /* eights */
        "eor  r6, r7, r8\n\t"           /* fours */
        BNN_M4_BYTES_R9("r3")
        "cbnz r2, 1f\n\t"
        "b    2f\n"
        "1:\n\t"
        BNN_M4_LOAD_LOW
        BNN_M4_CSA("r11", "r4", "r7", "r8", "r12")
        BNN_M4_CSA("r12", "r4", "r9", "r10", "lr")
        BNN_M4_CSA("r7", "r5", "r11", "r12", "lr")
        BNN_M4_HIGH
        BNN_M4_CSA("r9", "r6", "r7", "r8", "r10")
        BNN_M4_BYTES_R9("r9")
        "add  r3, r3, r9\n\t"
        "subs r2, r2, #1\n\t"
        "bne  1b\n"
        "2:\n\t"
        /* ones + 2 twos + 4 fours (+ up to 7 more words) in bytes, masks in r7 and r8 */
        "mov  r7, #0x55555555\n\t"
        "mov  r8, #0x33333333\n\t"
        BNN_M4_FINAL_BYTES("r4")
        BNN_M4_FINAL_BYTES("r5")
        BNN_M4_FINAL_BYTES("r6")
        "add  r4, r4, r5, lsl #1\n\t"
        "add  r4, r4, r6, lsl #2\n\t"   /* bytes <= 8 + 16 + 32 */
        "ldr  r2, [sp]\n\t"
        "ands r2, r2, #7\n\t"
        "beq  5f\n"
        "4:\n\t"                        /* the words after the last block: bytes += 8 * 7 at most */
        "ldr  r5, [r0], #4\n\t"
        "ldr  r6, [r1], #4\n\t"
        "eor  r5, r5, r6\n\t"
        BNN_M4_FINAL_BYTES("r5")
        "add  r4, r4, r5\n\t"
        "subs r2, r2, #1\n\t"
        "bne  4b\n"
        "5:\n\t"
        "mov  r7, #0\n\t"
        "usad8 r3, r3, r7\n\t"
        "lsl  r3, r3, #3\n\t"
        "usada8 r0, r4, r7, r3\n\t"
        "pop  {r2, r4-r12, lr}\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2)
        :
        : "r3", "cc", "memory");
    *w = r1;
    return r0;
}

/* Rows longer than 248 words, counted in pieces (kept out of line: rare). */
__attribute__((noinline, unused)) static uint32_t bnn_m4_long_row(const uint32_t *x, const uint32_t *w, int32_t n_words)
{
    uint32_t pop = 0;
    while (n_words > BNN_M4_MAX_WORDS) {
        pop += bnn_m4_row(x, &w, BNN_M4_MAX_WORDS);
        x += BNN_M4_MAX_WORDS;
        n_words -= BNN_M4_MAX_WORDS;
    }
    return pop + bnn_m4_row(x, &w, n_words);
}

static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    const uint32_t *p = *w;
    uint32_t pop = 0;
    int32_t i;
    if ((uint32_t)(n_words - 8) <= (uint32_t)(BNN_M4_MAX_WORDS - 8)) {
        return (int32_t)bnn_m4_row(x, w, n_words);
    }
    *w = p + n_words;
    if (n_words > BNN_M4_MAX_WORDS) {
        return (int32_t)bnn_m4_long_row(x, p, n_words);
    }
    /* below 8 words the plain SWAR count beats the fixed cost of the adder tree */
    for (i = 0; i < n_words; i++) {
        pop += bnn_popcount32(x[i] ^ p[i]);
    }
    return (int32_t)pop;
}

static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    pop[0] = bnn_pop_row(x, w, n_words);
}

#endif /* BNN_POPCOUNT_ARMV7EM_H */
