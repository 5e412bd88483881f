/* bnn_popcount_armv7em.h - bnnc runtime: the armv7em row engine, included by bnn_popcount.h for BNN_KERNEL_ARMV7EM. */
#ifndef BNN_POPCOUNT_ARMV7EM_H
#define BNN_POPCOUNT_ARMV7EM_H

#include "bnn_popcount_portable.h"

#if !defined(__ARM_FEATURE_DSP) || !defined(__thumb2__)
#error "bnn kernel variant armv7em needs an ARMv7E-M or ARMv8-M Mainline core with the DSP extension (Cortex-M4/M7/M33/M55); regenerate with another --kernel"
#endif

#include <arm_acle.h>

#define BNN_POP_ROWS 1
#define BNN_HAVE_BITS_PASSES 1

/*
 * Two Harley-Seal (carry-save) engines in assembly (the same algorithm in C:
 * GCC spills the loop state and loads word by word, 11.7 per word measured):
 * bnn_m4_row, one row over 8-word blocks (bnn_pop_row: popcount layers,
 * convolution patches, bit-plane first layers, and the thresholded rows the
 * other one does not take); bnn_m4_bits_rows, the bnn_dense_b1 rows of 17 to
 * 51 words, all the rows of an output word in one loop over 16-word blocks.
 * bnn_m4_row's block needs 14 registers (r0 x, r1 w, r2 block count, r3
 * byte-wise counts of the eights words, r4-r6 ones, twos, fours, scratch
 * r7-r12 and lr), so the row saves r4-r12 and lr itself with one PUSH/POP
 * pair and the caller's loop keeps its state in registers. The registers are
 * fixed, not allocated (named) operands: LDM lists must ascend, r7 is the
 * frame pointer at -O0 (GCC refuses it as an operand), and with r4-r12 and
 * lr as clobbers GCC spills the caller's state around every row. Per block:
 * loads (6), XOR (8), 7 adders (35), byte counts of the eights word (10),
 * loop (2) = 61 instructions for 8 words (49 for the first, from zero). A
 * 32-word row: 232 in the blocks, 51 for the final counts, threshold, call
 * (1024 -> 256 bnn_dense_b1 at 8.85 per word, 12.17 cycles per word).
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

/* Rows longer than 248 words, counted in pieces (kept out of line: rare; one inlined row engine). */
__attribute__((noinline, unused)) static uint32_t bnn_m4_long_row(const uint32_t *x, const uint32_t *w, int32_t n_words)
{
    uint32_t pop = 0;
    do {
        const int32_t k = n_words > BNN_M4_MAX_WORDS ? BNN_M4_MAX_WORDS : n_words;
        pop += bnn_m4_row(x, &w, k);
        x += k;
        n_words -= k;
    } while (n_words > 0);
    return pop;
}

__attribute__((always_inline)) static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
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

/*
 * Thresholded passes (BNN_HAVE_BITS_PASSES, bnn_dense_b1): for rows of 17 to
 * 51 words one assembly loop runs all the rows of an output word (up to 32),
 * no call, PUSH/POP or C loop per row. 16-word blocks: 15 adders leave ones,
 * twos, fours, eights and "sixteens" (half the counts of 8-word blocks). With
 * n = 16 a + 4 q + s, a row is s = n % 4 single words (ones, twos from them),
 * q quarters of a first block from ones = twos = fours = eights = 0 (whose
 * first adder per level is a half adder: 2 instructions, not 5; a whole block
 * when n % 16 == 0, then a - 1 blocks), then 1 to 3 full blocks. Where a row
 * enters and where a full block continues (the count or another block) are
 * chosen once per call, reached by jumps to addresses in the stack frame.
 * The first block's sixteens stays raw in S when one full block follows (the
 * count takes pop4 of it), else S sums pop4 of all sixteens but the last:
 *   A = pop4(ones) + 2 pop4(twos), B = pop4(fours) + 2 pop4(eights)   (nibbles <= 12)
 *   C = S + pop4(sixteens)                                            (<= 12: 3 blocks)
 *   pop = bytes(lo(A) + 4 lo(B) + 16 lo(C)) + bytes(hi(A) + 4 hi(B) + 16 hi(C))   (USAD8, USADA8)
 * where pop4 counts the bits of each nibble and lo/hi take the even/odd
 * nibbles of each byte (each byte <= 252). The comparison is QSUB(T, pop) < 0
 * (saturated: any int32 threshold), its sign shifted into the output word by
 * RRXS, whose carry out is a sentinel bit that leaves the word after the
 * pass's last row: the row loop's test. Registers: r0 x, r1 w, r2-r5 ones,
 * twos, fours, eights, r6 S, scratch r7-r12, lr; x, the threshold pointer, the
 * output word and the masks are reloaded by one LDM, saved by one STRD per row.
 * A 32-word row (measured, stm32f4): first block 88 (loads 9, XOR 16,
 * adders 63), full block 105 (loads 14, XOR 16, adders 75) and its jump 1,
 * count 47, threshold and row loop 7 = 248: XOR and adders 5.31 per word
 * (5 two-input operations per full adder), loads 0.72 (LDM lists limited by
 * the free registers), the rest 1.72; each call (32 rows) adds about 70 (C,
 * frame, PUSH/POP). 1024 -> 256: 64,052 instructions (7.82 per word, 8.85
 * with bnn_m4_row), 84,444 cycles (docs/cycles.md; 10.31 per word, 12.17).
 */
#define BNN_M4_POP4(v) /* nibble counts of v in place (masks 0x55555555 in r10, 0x33333333 in r11; lr scratch) */ \
    "and  lr, r10, " v ", lsr #1\n\t"                                               \
    "sub  " v ", " v ", lr\n\t"                                                     \
    "and  lr, r11, " v ", lsr #2\n\t"                                               \
    "and  " v ", " v ", r11\n\t"                                                    \
    "add  " v ", " v ", lr\n\t"

#define BNN_M4_POP4_IMM(d, v, t) /* d = nibble counts of v with immediate masks; v and t clobbered */ \
    "lsr  " t ", " v ", #1\n\t"                                                     \
    "and  " t ", " t ", #0x55555555\n\t"                                            \
    "sub  " v ", " v ", " t "\n\t"                                                  \
    "lsr  " t ", " v ", #2\n\t"                                                     \
    "and  " t ", " t ", #0x33333333\n\t"                                            \
    "and  " v ", " v ", #0x33333333\n\t"                                            \
    "add  " d ", " v ", " t "\n\t"

#define BNN_M4_X2(a, wa, b, wb) /* a ^= wa; b ^= wb */ \
    "eor  " a ", " a ", " wa "\n\t"                                                \
    "eor  " b ", " b ", " wb "\n\t"
#define BNN_M4_ADR_IF(cond, r, label) /* if (cond) r = the address of label */ \
    "it   " cond "\n\t"                                                           \
    "adr" cond ".w " r ", " label "\n\t"

#define BNN_M4_BITS_MAX_WORDS 51
/* Output bits of np rows (1..32) of n_words (17..51 words, not 16): row r at bit 32 - np + r. */
__attribute__((noinline, unused)) static uint32_t bnn_m4_bits_rows(const uint32_t *x, const uint32_t **w, int32_t n_words,
                                                                  const int32_t **thresh, int32_t np)
{
    register uint32_t r0 __asm__("r0") = (uint32_t)x;
    register const uint32_t *r1 __asm__("r1") = *w;
    register const int32_t *r2 __asm__("r2") = *thresh;
    register uint32_t r3 __asm__("r3") = 1u << (np - 1); /* sentinel */
    register const uint32_t *r12 __asm__("r12") = x + n_words;
    /*
     * In C (csa(&h, &l, b, c): the full adder h:l = l + b + c of BNN_M4_CSA):
     *   for (r = 0; r < np; r++) {
     *       ones = twos = fours = eights = 0;
     *       n % 4 single words: ones = d0 (^ d1 ^ d2), twos = majority(d0, d1, d2) (or d0 & d1);
     *       first block: q = n / 4 % 4 quarters of a 16-word block (16 words when n % 16 == 0);
     *       S = sixteens;                                       (raw, or 0 without a first block)
     *       for each further 16-word block b:
     *           d[k] = x[k] ^ w[k]; csa(&twosA, &ones, d0, d1); csa(&twosB, &ones, d2, d3);
     *           csa(&foursA, &twos, twosA, twosB); ... d4..d7 -> foursB; csa(&eightsA, &fours, foursA, foursB);
     *           ... d8..d15 -> eightsB; csa(&sixteens, &eights, eightsA, eightsB);
     *           if (b is not the last) S = (b is the first full block and S raw ? pop4(S) : S) + pop4(sixteens);
     *       pop = bytes and USAD8 of A, B, C as above (C = pop4(S) + pop4(sixteens) when S is raw);
     *       bits = (bits >> 1) | ((uint32_t)(pop > *thresh++) << 31);
     *   }
     */
    __asm__ volatile(
        ".syntax unified\n\t"
        ".p2align 2\n\t"              /* ADR offsets count from the aligned PC: the section must be 4-aligned */
        "push {r3-r11, lr}\n\t"
        "sub  sp, sp, #40\n\t"
        /* frame: [0] x, [4] thresh, [8] bits, [12] 0x55555555, [16] 0x33333333, [20] 0x0f0f0f0f, [24] entry, [28] x end,
           [32] quarter entry after the single words, [36] where a full block continues (40: the count, 31: another block) */
        "mov  r4, #0x55555555\n\t"
        "mov  r5, #0x33333333\n\t"
        "mov  r6, #0x0f0f0f0f\n\t"
        "stm  sp, {r0, r2, r3, r4, r5, r6}\n\t"
        "str  r12, [sp, #28]\n\t"
        "sub  r4, r12, r0\n\t"         /* 4 n */
        "adr.w r5, 40f\n\t"            /* one full block per row when n <= 32 */
        "cmp  r4, #128\n\t"
        BNN_M4_ADR_IF("hi", "r5", "31f")
        "and  r6, r4, #60\n\t"          /* no first block when n % 16 is 1, 2 or 3 */
        "sub  r6, r6, #4\n\t"
        "cmp  r6, #8\n\t"
        "bhi  3f\n\t"
        "adr.w r5, 42f\n\t"
        "cmp  r4, #128\n\t"
        BNN_M4_ADR_IF("hi", "r5", "33f")
        "3:\n\t"
        "add  r5, r5, #1\n\t"
        "str  r5, [sp, #36]\n\t"
        "and  r6, r4, #48\n\t"          /* q = n / 4 % 4 quarters of a first block */
        "adr.w r5, 60f\n\t"
        "cmp  r6, #16\n\t"
        BNN_M4_ADR_IF("eq", "r5", "64f")
        "cmp  r6, #32\n\t"
        BNN_M4_ADR_IF("eq", "r5", "68f")
        "cmp  r6, #48\n\t"
        BNN_M4_ADR_IF("eq", "r5", "72f")
        "add  r5, r5, #1\n\t"
        "str  r5, [sp, #32]\n\t"
        "ands r6, r4, #60\n\t"          /* the row's entry: a whole first block when n % 16 == 0 */
        "adr.w r5, 16f\n\t"
        "beq  1f\n\t"
        "ands r6, r4, #12\n\t"          /* else s = n % 4 single words (54: none) */
        "adr.w r5, 54f\n\t"
        "beq  1f\n\t"
        "adr.w r5, 51f\n\t"
        "cmp  r6, #8\n\t"
        BNN_M4_ADR_IF("eq", "r5", "52f")
        BNN_M4_ADR_IF("hi", "r5", "53f")
        "1:\n\t"
        "add  r5, r5, #1\n\t"           /* Thumb state */
        "str  r5, [sp, #24]\n\t"
        "bx   r5\n"
        /* first block, words 0-3 (n % 16 == 0): ones = twos = 0 */
        "16:\n\t"
        "ldm  r0!, {r2, r3, r4, r5}\n\t"
        "ldm  r1!, {r7, r8, r9, r10}\n\t"
        BNN_M4_X2("r2", "r7", "r3", "r8")
        BNN_M4_X2("r4", "r9", "r5", "r10")
        "and  r7, r2, r3\n\t"           /* twosA */
        "eor  r2, r2, r3\n\t"           /* ones */
        BNN_M4_CSA("r8", "r2", "r4", "r5", "r9")
        "and  r9, r7, r8\n\t"           /* foursA */
        "eor  r3, r7, r8\n"             /* twos */
        /* words 4-7 (entry for q = 3: foursA = 0, ones and twos from the single words); fours = 0 */
        "22:\n\t"
        "ldm  r0!, {r4, r5, r6, r7}\n\t"
        "ldm  r1!, {r8, r10, r11, r12}\n\t"
        BNN_M4_X2("r4", "r8", "r5", "r10")
        BNN_M4_X2("r6", "r11", "r7", "r12")
        BNN_M4_CSA("r8", "r2", "r4", "r5", "r10")
        BNN_M4_CSA("r4", "r2", "r6", "r7", "r5")
        BNN_M4_CSA("r5", "r3", "r8", "r4", "r6")
        "and  r6, r9, r5\n\t"           /* eightsA */
        "eor  r4, r9, r5\n"             /* fours */
        /* words 8-11 (entry for q = 2: fours = eightsA = 0) */
        "23:\n\t"
        "ldm  r0!, {r5, r7, r8, r9}\n\t"
        "ldm  r1!, {r10, r11, r12, lr}\n\t"
        BNN_M4_X2("r5", "r10", "r7", "r11")
        BNN_M4_X2("r8", "r12", "r9", "lr")
        BNN_M4_CSA("r10", "r2", "r5", "r7", "r11")
        BNN_M4_CSA("r5", "r2", "r8", "r9", "r7")
        BNN_M4_CSA("r7", "r3", "r10", "r5", "r8")
        /* words 12-15 (entry for q = 1: also foursC = 0); eights = 0 */
        "24:\n\t"
        "ldm  r0!, {r5, r8, r9, r10}\n\t"
        "ldm  r1!, {r11, r12, lr}\n\t"
        BNN_M4_X2("r5", "r11", "r8", "r12")
        "eor  r9, r9, lr\n\t"
        "ldr  r11, [r1], #4\n\t"
        "eor  r10, r10, r11\n\t"
        BNN_M4_CSA("r11", "r2", "r5", "r8", "r12")
        BNN_M4_CSA("r5", "r2", "r9", "r10", "r8")
        BNN_M4_CSA("r8", "r3", "r11", "r5", "r9")
        BNN_M4_CSA("r9", "r4", "r7", "r8", "r10")
        "eor  r5, r6, r9\n\t"           /* eights */
        "and  r6, r6, r9\n\t"           /* sixteens, counted with the last block's */
        /* a full block with ones, twos, fours, eights in r2-r5 */
        "30:\n\t"
        "ldm  r0!, {r7, r8, r9, r10}\n\t"
        "ldm  r1!, {r11, r12, lr}\n\t"
        BNN_M4_X2("r7", "r11", "r8", "r12")
        "eor  r9, r9, lr\n\t"
        "ldr  r11, [r1], #4\n\t"
        "eor  r10, r10, r11\n\t"
        BNN_M4_CSA("r11", "r2", "r7", "r8", "r12")
        BNN_M4_CSA("r7", "r2", "r9", "r10", "r8")
        BNN_M4_CSA("r8", "r3", "r11", "r7", "r9")    /* foursA */
        "ldm  r0!, {r7, r9, r10, r11}\n\t"
        "ldm  r1!, {r12, lr}\n\t"
        BNN_M4_X2("r7", "r12", "r9", "lr")
        "ldm  r1!, {r12, lr}\n\t"
        BNN_M4_X2("r10", "r12", "r11", "lr")
        BNN_M4_CSA("r12", "r2", "r7", "r9", "lr")
        BNN_M4_CSA("r7", "r2", "r10", "r11", "r9")
        BNN_M4_CSA("r9", "r3", "r12", "r7", "r10")   /* foursB */
        BNN_M4_CSA("r10", "r4", "r8", "r9", "r11")   /* eightsA */
        "ldm  r0!, {r7, r8, r9, r11}\n\t"
        "ldm  r1!, {r12, lr}\n\t"
        BNN_M4_X2("r7", "r12", "r8", "lr")
        "ldm  r1!, {r12, lr}\n\t"
        BNN_M4_X2("r9", "r12", "r11", "lr")
        BNN_M4_CSA("r12", "r2", "r7", "r8", "lr")
        BNN_M4_CSA("r7", "r2", "r9", "r11", "r8")
        BNN_M4_CSA("r8", "r3", "r12", "r7", "r9")    /* foursC */
        "ldm  r0!, {r7, r9, r11}\n\t"
        "ldm  r1!, {r12, lr}\n\t"
        BNN_M4_X2("r7", "r12", "r9", "lr")
        "ldr  r12, [r1], #4\n\t"
        "eor  r11, r11, r12\n\t"
        BNN_M4_CSA("r12", "r2", "r7", "r9", "lr")
        "ldr  r7, [r0], #4\n\t"
        "ldr  r9, [r1], #4\n\t"
        "eor  r7, r7, r9\n\t"
        BNN_M4_CSA("r9", "r2", "r11", "r7", "lr")
        BNN_M4_CSA("r7", "r3", "r12", "r9", "r11")   /* foursD */
        BNN_M4_CSA("r9", "r4", "r8", "r7", "r11")    /* eightsB */
        BNN_M4_CSA("r7", "r5", "r10", "r9", "r11")   /* sixteens */
        "ldr  pc, [sp, #36]\n"          /* 40, 42 (one full block per row), 31 or 33 */
        /* the row's count: x reset, masks in r10-r12 */
        "42:\n\t"                       /* S already in nibble counts */
        "ldm  sp, {r0, r8, r9, r10, r11, r12}\n\t"
        "b    41f\n"
        "40:\n\t"                       /* S is the first block's sixteens (or 0) */
        "ldm  sp, {r0, r8, r9, r10, r11, r12}\n\t"
        BNN_M4_POP4("r6")
        "41:\n\t"
        BNN_M4_POP4("r2")
        BNN_M4_POP4("r3")
        BNN_M4_POP4("r4")
        BNN_M4_POP4("r5")
        BNN_M4_POP4("r7")
        "add  r2, r2, r3, lsl #1\n\t"   /* A */
        "add  r4, r4, r5, lsl #1\n\t"   /* B */
        "add  r6, r6, r7\n\t"           /* C */
        "and  r3, r2, r12\n\t"
        "and  lr, r4, r12\n\t"
        "add  r3, r3, lr, lsl #2\n\t"
        "and  lr, r6, r12\n\t"
        "add  r3, r3, lr, lsl #4\n\t"   /* lo(A) + 4 lo(B) + 16 lo(C) */
        "and  r5, r12, r2, lsr #4\n\t"
        "and  lr, r12, r4, lsr #4\n\t"
        "add  r5, r5, lr, lsl #2\n\t"
        "and  lr, r12, r6, lsr #4\n\t"
        "add  r5, r5, lr, lsl #4\n\t"   /* hi(A) + 4 hi(B) + 16 hi(C) */
        "movs r7, #0\n\t"
        "usad8 r3, r3, r7\n\t"
        "usada8 r3, r5, r7, r3\n\t"     /* pop */
        "ldr  lr, [r8], #4\n\t"
        "qsub lr, lr, r3\n\t"           /* T - pop, saturated: negative when pop > T */
        "lsls lr, lr, #1\n\t"
        "rrxs r9, r9\n\t"               /* bits = sign:bits >> 1, carry = the sentinel */
        "strd r8, r9, [sp, #4]\n\t"
        "bcs  50f\n\t"
        "ldr  pc, [sp, #24]\n"          /* next row */
        "31:\n\t"                       /* two full blocks after a first block: S = pop4(S) + pop4(sixteens) after the first */
        "ldr  r8, [sp, #28]\n\t"
        "cmp  r0, r8\n\t"
        "beq  42b\n\t"
        BNN_M4_POP4_IMM("r6", "r6", "r8")
        "b    32f\n"
        "33:\n\t"                       /* two or three full blocks, no first block (S = 0): S += pop4(sixteens) unless the last */
        "ldr  r8, [sp, #28]\n\t"
        "cmp  r0, r8\n\t"
        "beq  42b\n"
        "32:\n\t"
        BNN_M4_POP4_IMM("r7", "r7", "r8")
        "add  r6, r6, r7\n\t"
        "b    30b\n"
        /* n % 4 single words first: ones (and twos) from them, then the quarter entry at [sp, #32] */
        "54:\n\t"
        "movs r2, #0\n\t"
        "movs r3, #0\n\t"
        "ldr  pc, [sp, #32]\n"
        "51:\n\t"
        "ldr  r2, [r0], #4\n\t"
        "ldr  r7, [r1], #4\n\t"
        "eor  r2, r2, r7\n\t"
        "movs r3, #0\n\t"
        "ldr  pc, [sp, #32]\n"
        "52:\n\t"
        "ldm  r0!, {r7, r8}\n\t"
        "ldm  r1!, {r9, r10}\n\t"
        BNN_M4_X2("r7", "r9", "r8", "r10")
        "eor  r2, r7, r8\n\t"
        "and  r3, r7, r8\n\t"
        "ldr  pc, [sp, #32]\n"
        "53:\n\t"
        "ldm  r0!, {r7, r8, r9}\n\t"
        "ldm  r1!, {r10, r11, r12}\n\t"
        BNN_M4_X2("r7", "r10", "r8", "r11")
        "eor  r9, r9, r12\n\t"
        "eor  r10, r7, r8\n\t"
        "eor  r2, r10, r9\n\t"          /* ones */
        "and  r11, r7, r8\n\t"
        "and  r12, r10, r9\n\t"
        "orr  r3, r11, r12\n\t"         /* twos */
        "ldr  pc, [sp, #32]\n"
        "72:\n\t"                       /* q = 3: words 4-7 of the first block next */
        "mov  r9, #0\n\t"
        "b    22b\n"
        "68:\n\t"
        "movs r4, #0\n\t"
        "movs r6, #0\n\t"
        "b    23b\n"
        "64:\n\t"
        "movs r4, #0\n\t"
        "movs r6, #0\n\t"
        "movs r7, #0\n\t"
        "b    24b\n"
        "60:\n\t"                       /* q = 0: no first block, S = 0 */
        "movs r4, #0\n\t"
        "movs r5, #0\n\t"
        "movs r6, #0\n\t"
        "b    30b\n"
        "50:\n\t"
        "mov  r0, r9\n\t"
        "mov  r2, r8\n\t"
        "add  sp, sp, #40\n\t"
        "pop  {r3-r11, lr}\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)
        :
        : "cc", "memory");
    *w = r1;
    *thresh = r2;
    return r0;
}

/* Other row lengths, one row at a time: a loop per engine, the comparison as the sign of QSUB(T, pop). */
#define BNN_M4_BIT(pop, t) ((uint32_t)__qsub(*(t)++, (int32_t)(pop)) & 0x80000000u)
__attribute__((noinline, unused)) static uint32_t bnn_m4_bits_each(const uint32_t *x, const uint32_t **w, int32_t n_words,
                                                                  const int32_t **thresh, int32_t np)
{
    const int32_t *t = *thresh;
    const int32_t *end = t + np;
    const uint32_t *row = *w;
    uint32_t bits = 0;
    if ((uint32_t)(n_words - 8) <= (uint32_t)(BNN_M4_MAX_WORDS - 8)) {
        do {
            bits = (bits >> 1) | BNN_M4_BIT(bnn_m4_row(x, &row, n_words), t);
        } while (t != end);
    } else if (n_words < 8) {
        do {
            uint32_t pop = 0;
            int32_t i;
            for (i = 0; i < n_words; i++) {
                pop += bnn_popcount32(x[i] ^ row[i]);
            }
            row += n_words;
            bits = (bits >> 1) | BNN_M4_BIT(pop, t);
        } while (t != end);
    } else if (n_words < 8) {
        do {
            uint32_t pop = 0;
            int32_t i;
            for (i = 0; i < n_words; i++) {
                pop += bnn_popcount32(x[i] ^ row[i]);
            }
            row += n_words;
            bits = (bits >> 1) | BNN_M4_BIT(pop, t);
        } while (t != end);
    } else {
        do {
            bits = (bits >> 1) | BNN_M4_BIT(bnn_m4_long_row(x, row, n_words), t);
            row += n_words;
        } while (t != end);
    }
    *w = row;
    *thresh = t;
    return bits;
}

static inline uint32_t bnn_bits_passes(const uint32_t *const xs[2], const uint32_t **w, int32_t n_words,
                                       const int32_t **thresh, int32_t np)
{
    if ((uint32_t)(n_words - 17) <= (uint32_t)(BNN_M4_BITS_MAX_WORDS - 17)) {
        return bnn_m4_bits_rows(xs[0], w, n_words, thresh, np);
    }
    return bnn_m4_bits_each(xs[0], w, n_words, thresh, np);
}

static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    pop[0] = bnn_pop_row(x, w, n_words);
}

#endif /* BNN_POPCOUNT_ARMV7EM_H */
