/* bnn_popcount_armv6m.h - bnnc runtime: the armv6m row engine, included by bnn_popcount.h for BNN_KERNEL_ARMV6M. */
#ifndef BNN_POPCOUNT_ARMV6M_H
#define BNN_POPCOUNT_ARMV6M_H

#include "bnn_popcount_portable.h"

#if !defined(__thumb__) || !defined(__ARM_ARCH_PROFILE) || __ARM_ARCH_PROFILE != 'M'
#error "bnn kernel variant armv6m needs a Cortex-M core (Thumb); regenerate with another --kernel"
#endif

#define BNN_POP_ROWS 1
#define BNN_HAVE_BITS_PASSES 1
#define BNN_HAVE_POP_PASSES 1

/*
 * Harley-Seal over blocks of 8 words in Thumb-1 assembly. ARMv6-M has
 * two-operand logic on 8 low registers; the full adder needs no copy in the
 * form (carry into a, sum into l, b clobbered)
 *   b ^= a; a ^= l; a &= ~b; a ^= l; l ^= b
 * i.e. carry = l ^ ((l ^ a) & ~(a ^ b)): where a = b the carry is a, else l.
 * 5 instructions, where the textbook (a & b) | (l & (a ^ b)) takes 7 with its
 * two MOVs. r0 x, r1 w, r2 ones, r3-r7 scratch; twos, fours and the eights
 * counts live in r8, r9, r10 and visit a low register for their adders, r11
 * holds the end of x. The eights word is counted with 4 byte lookups (LDRB
 * with a register offset, the table addressed by ADR): 15 instructions and 19
 * cycles, where SWAR with MULS takes 17 (its masks need literal loads).
 * Per block: 9 loads, 8 XOR, 7 adders (35), 6 moves, count 15, loop 2 = 75
 * instructions for 8 words, 96 cycles (LDM of 2 words is 3; 4-word LDMs would
 * need 8 free registers). A 16-word block (15 adders, one count per 16 words)
 * needs the eights in a high register, a stash and a fourth count word at the
 * row's end: about the same at 32-word rows, worse below.
 *
 * A row of n >= 8 words: n odd starts ones at x[0] ^ w[0] instead of 0; the
 * (n / 2) % 4 pairs before the first whole block enter the block at that pair
 * (label 31, 32 or 33) with the adder inputs it would have made from the
 * pairs skipped at 0, which changes no sum; then whole blocks. At the row's
 * end ones, twos and fours are counted together: SWAR to 4-bit fields, ones
 * + 2 twos (<= 12 per nibble), bytes, + 4 fours (<= 56 per byte), MULS by
 * 0x01010101, + 8 eights: 43 instructions. Rows under 8 words take their own
 * path (BNN_M0_SHORT): no eights, nothing to count per block.
 * The registers are fixed: LDM lists must ascend; GCC saves r4-r6 and r8-r12
 * (clobbers), the assembly only r7, which is the frame pointer at -O0 and
 * cannot be an operand there. Constants (entries, masks, the byte table)
 * follow the code: Thumb-1 ADR and literal loads reach forward only.
 *
 * Measured (1024 x 256 bnn_dense_b1, cortex-m0plus, GCC 12 -O2, QEMU): 11.44
 * instructions and 14.43 cycles per weight word (13.89 and 17.27 with the
 * 7-instruction adder, a C loop per row and the threshold in C). Per row of
 * 32 words: 4 blocks (300), the count (43), the row start (9) and the
 * threshold (11); per call of 32 rows about 70 (C, the bit reversal).
 */
#define BNN_M0_CSA(l, a, b) /* a = carry of l + a + b, l = their sum; b is clobbered */ \
    "eors " b ", " a "\n\t"                                                        \
    "eors " a ", " l "\n\t"                                                        \
    "bics " a ", " b "\n\t"                                                        \
    "eors " a ", " l "\n\t"                                                        \
    "eors " l ", " b "\n\t"

/* two words of x ^ w into a < b (c < d: the w words; LDM lists ascend), added to ones: a = their carry */
#define BNN_M0_PAIR(a, b, c, d)                                                    \
    "ldm  r0!, {" a ", " b "}\n\t"                                                 \
    "ldm  r1!, {" c ", " d "}\n\t"                                                 \
    "eors " a ", " c "\n\t"                                                        \
    "eors " b ", " d "\n\t"                                                        \
    BNN_M0_CSA("r2", a, b)

/* ones = x[0] ^ w[0], the odd word of a row */
#define BNN_M0_ODD                                                                 \
    "ldm  r0!, {r2}\n\t"                                                           \
    "ldm  r1!, {r5}\n\t"                                                           \
    "eors r2, r5\n\t"

/* popcount of r3 added to r10 (byte table at 98f) */
#define BNN_M0_COUNT                                                               \
    "adr  r7, 98f\n\t"                                                             \
    "uxtb r4, r3\n\t"                                                              \
    "ldrb r4, [r7, r4]\n\t"                                                        \
    "add  r10, r4\n\t"                                                             \
    "lsrs r4, r3, #8\n\t"                                                          \
    "uxtb r4, r4\n\t"                                                              \
    "ldrb r4, [r7, r4]\n\t"                                                        \
    "add  r10, r4\n\t"                                                             \
    "lsrs r4, r3, #16\n\t"                                                         \
    "uxtb r4, r4\n\t"                                                              \
    "ldrb r4, [r7, r4]\n\t"                                                        \
    "add  r10, r4\n\t"                                                             \
    "lsrs r4, r3, #24\n\t"                                                         \
    "ldrb r4, [r7, r4]\n\t"                                                        \
    "add  r10, r4\n\t"

/*
 * Rows of n < 8 words (entries 50-52 and 23 odd, 53-55 even): at most 3
 * pairs, run as the last 1, 2 or 3 of pairs A, B, C, whose carries (r3, r4,
 * r5; a pair not run leaves its 0) one full adder sums into twos (r3) and
 * fours (r4): 3 pairs 33 instructions, 2 pairs 24, 1 pair 15, then the count
 * at 49 with no eights (a half adder per pair took 14 a pair).
 */
#define BNN_M0_SHORT                                                               \
    "50:\n\t" BNN_M0_ODD "b    53f\n"                                               \
    "51:\n\t" BNN_M0_ODD "b    54f\n"                                               \
    "52:\n\t" BNN_M0_ODD "b    55f\n"                                               \
    "23:\n\t" BNN_M0_ODD "b    56f\n"                                               \
    "53:\n\t"                                                                      \
    BNN_M0_PAIR("r3", "r4", "r5", "r6")   /* carry A in r3 */                      \
    "54:\n\t"                                                                      \
    BNN_M0_PAIR("r4", "r5", "r6", "r7")   /* carry B in r4 */                      \
    "55:\n\t"                                                                      \
    "ldm  r0!, {r5, r6}\n\t"                                                       \
    "ldm  r1!, {r7}\n\t"                                                           \
    "eors r5, r7\n\t"                                                              \
    "ldm  r1!, {r7}\n\t"                                                           \
    "eors r6, r7\n\t"                                                              \
    BNN_M0_CSA("r2", "r5", "r6")          /* carry C in r5 */                      \
    BNN_M0_CSA("r3", "r4", "r5")          /* twos r3, fours r4 */                  \
    "56:\n\t"                                                                      \
    "movs r7, #0\n\t"                   /* no eights */                            \
    "b    49f\n"

/*
 * A row of n >= 8 words from its entry (r0 x, r1 w; r2 ones, r3, r4 and
 * r8-r10 zero; r11 the end of x) to r2 = popcount(x ^ w): the odd-word
 * entries 20-22 and 24, the block loop 30-33, the count at 39 (49 with
 * ones, twos, fours in r2-r4 and 8 * the eights counts in r7).
 */
#define BNN_M0_ROW                                                                 \
    "20:\n\t" BNN_M0_ODD "b    31f\n"                                               \
    "21:\n\t" BNN_M0_ODD "b    32f\n"                                               \
    "22:\n\t" BNN_M0_ODD "b    33f\n"                                               \
    "24:\n\t" BNN_M0_ODD                                                           \
    "30:\n\t"                                                                      \
    BNN_M0_PAIR("r3", "r4", "r5", "r6")   /* twosA in r3 */                        \
    "31:\n\t"                                                                      \
    BNN_M0_PAIR("r4", "r5", "r6", "r7")   /* twosB in r4 */                        \
    "mov  r5, r8\n\t"                                                              \
    BNN_M0_CSA("r5", "r3", "r4")          /* foursA in r3 */                       \
    "mov  r8, r5\n"                                                                \
    "32:\n\t"                                                                      \
    BNN_M0_PAIR("r4", "r5", "r6", "r7")   /* twosA in r4 */                        \
    "33:\n\t"                                                                      \
    "ldm  r0!, {r5, r6}\n\t"                                                       \
    "ldm  r1!, {r7}\n\t"                                                           \
    "eors r5, r7\n\t"                                                              \
    "ldm  r1!, {r7}\n\t"                                                           \
    "eors r6, r7\n\t"                                                              \
    BNN_M0_CSA("r2", "r5", "r6")          /* twosB in r5 */                        \
    "mov  r6, r8\n\t"                                                              \
    BNN_M0_CSA("r6", "r4", "r5")          /* foursB in r4 */                       \
    "mov  r8, r6\n\t"                                                              \
    "mov  r5, r9\n\t"                                                              \
    BNN_M0_CSA("r5", "r3", "r4")          /* eights in r3 */                       \
    "mov  r9, r5\n\t"                                                              \
    BNN_M0_COUNT                                                                   \
    "cmp  r0, r11\n\t"                                                             \
    "bne  30b\n"                                                                   \
    "39:\n\t"                                                                      \
    "mov  r3, r8\n\t"                                                              \
    "mov  r4, r9\n\t"                                                              \
    "mov  r7, r10\n\t"                                                             \
    "lsls r7, r7, #3\n"                                                             \
    "49:\n\t"                                                                      \
    "ldr  r5, 91f\n\t"                                                             \
    BNN_M0_FIELDS2("r2") BNN_M0_FIELDS2("r3") BNN_M0_FIELDS2("r4")                 \
    "ldr  r5, 92f\n\t"                                                             \
    BNN_M0_FIELDS4("r2") BNN_M0_FIELDS4("r3") BNN_M0_FIELDS4("r4")                 \
    "lsls r3, r3, #1\n\t"                                                          \
    "adds r2, r2, r3\n\t"                 /* ones + 2 twos, <= 12 per nibble */    \
    "ldr  r5, 93f\n\t"                                                             \
    BNN_M0_BYTES("r2") BNN_M0_FIELDS8("r4")                                        \
    "lsls r4, r4, #2\n\t"                                                          \
    "adds r2, r2, r4\n\t"                 /* + 4 fours, <= 56 per byte */          \
    "ldr  r5, 94f\n\t"                                                             \
    "muls r2, r5, r2\n\t"                                                          \
    "lsrs r2, r2, #24\n\t"                                                         \
    "adds r2, r2, r7\n\t"

/* SWAR steps on v (mask in r5, scratch r6): 2-bit, 4-bit and 8-bit field counts */
#define BNN_M0_FIELDS2(v)                                                          \
    "lsrs r6, " v ", #1\n\t"                                                       \
    "ands r6, r5\n\t"                                                              \
    "subs " v ", " v ", r6\n\t"
#define BNN_M0_FIELDS4(v)                                                          \
    "lsrs r6, " v ", #2\n\t"                                                       \
    "ands r6, r5\n\t"                                                              \
    "ands " v ", r5\n\t"                                                           \
    "adds " v ", " v ", r6\n\t"
#define BNN_M0_BYTES(v) /* nibbles <= 12: both masked before the add */     \
    "lsrs r6, " v ", #4\n\t"                                                       \
    "ands r6, r5\n\t"                                                              \
    "ands " v ", r5\n\t"                                                           \
    "adds " v ", " v ", r6\n\t"
#define BNN_M0_FIELDS8(v)                                                          \
    "lsrs r6, " v ", #4\n\t"                                                       \
    "adds " v ", " v ", r6\n\t"                                                    \
    "ands " v ", r5\n\t"

/* Row start: r3, r4 (the skipped pairs' adder inputs) and the counts zero, then the entry in reg. */
#define BNN_M0_START(reg)                                                          \
    "movs r2, #0\n\t"                                                              \
    "movs r3, #0\n\t"                                                              \
    "movs r4, #0\n\t"                                                              \
    "mov  r8, r3\n\t"                                                              \
    "mov  r9, r3\n\t"                                                              \
    "mov  r10, r3\n\t"                                                             \
    "mov  pc, " reg "\n"

/*
 * The constants after the code: the row entries (n = 1..7, then n >= 8 by
 * n odd and the pairs of the first block not run), the two tails, the SWAR
 * masks, the byte table in lines of 4 bytes (GCC sizes inline assembly by its
 * lines, and places its own literal pools by that size).
 */
#define BNN_M0_STR(...) #__VA_ARGS__
#define BNN_M0_XSTR(...) BNN_M0_STR(__VA_ARGS__)
#define BNN_M0_T4(n) ".byte " BNN_M0_XSTR(BNN_POP8_2(n)) "\n\t"
#define BNN_M0_T16(n) BNN_M0_T4(n) BNN_M0_T4((n) + 1) BNN_M0_T4((n) + 1) BNN_M0_T4((n) + 2)
#define BNN_M0_T64(n) BNN_M0_T16(n) BNN_M0_T16((n) + 1) BNN_M0_T16((n) + 1) BNN_M0_T16((n) + 2)
#define BNN_M0_DATA                                                                \
    ".p2align 2\n"                                                                 \
    "90:\n\t"                                                                      \
    ".word 23b, 55b, 52b, 54b, 51b, 53b, 50b\n\t"                                    \
    ".word 30b, 31b, 32b, 33b, 24b, 20b, 21b, 22b\n\t"                               \
    ".word 71b, 72b\n"                                                              \
    "91:\n\t.word 0x55555555\n"                                                    \
    "92:\n\t.word 0x33333333\n"                                                    \
    "93:\n\t.word 0x0F0F0F0F\n"                                                    \
    "94:\n\t.word 0x01010101\n"                                                    \
    "98:\n\t"                                                                      \
    BNN_M0_T64(0) BNN_M0_T64(1) BNN_M0_T64(1) BNN_M0_T64(2)                        \
    "99:\n\t"

/*
 * The engine: `rows` consecutive rows of n_words >= 1 against x. mode
 * BNN_M0_BITS: q holds the thresholds, returns the bits (row r at bit
 * 32 - rows + r, bit = popcount(x ^ w_r) > q[r], rows <= 32); BNN_M0_POPS:
 * q[r] = popcount(x ^ w_r). Not inlined, and defined once, in
 * bnn_dense_b1_pop.c (BNN_ROW_ENGINE_HOME), which bnnc ships with every
 * kernel using the engine: one copy in a firmware. A call costs about 50
 * instructions, so bnn_dense_b1 takes an output word's 32 rows a call (BNN_HAVE_BITS_PASSES) and bnn_dense_b1_pop all its rows
 * (BNN_HAVE_POP_PASSES: a conv position's 32 channels, the 9 bit planes of an
 * integer dense output); with passes of 8 rows mnist-cnn took 2.5 % more.
 *
 * The row's entry (the short path by n, else by n odd and the pairs of the
 * first block not run) and the tail of the mode come from the table at 90
 * once per call. Per row the counts restart and the entry is taken (9 instructions),
 * the row runs, and its tail (by MOV pc, lr) stores the count (6) or shifts
 * its bit in by ADCS (10): carry = (T - pop < 0) from the sign, which LSLS
 * moves into the carry; T - pop overflows only for T < pop - 2^31 (bit 1,
 * set at label 70), so any int32 threshold works. The bit accumulator starts
 * at 1 << (32 - rows): the ADCS that shifts that bit out is the last row's.
 * ADCS leaves row 0 highest: the word is bit-reversed once per call.
 * r12 is q, lr the tail; stack slots: [sp] x, [sp, #4] the row entry,
 * [sp, #8] the bits (or the end of q).
 */
#define BNN_M0_BITS 0u
#define BNN_M0_POPS 1u

uint32_t bnn_m0_rows(const uint32_t *x, const uint32_t *w, int32_t n_words, void *q, int32_t rows, uint32_t mode);
#if defined(BNN_ROW_ENGINE_HOME)
__attribute__((noinline, noclone)) uint32_t bnn_m0_rows(const uint32_t *x, const uint32_t *w, int32_t n_words,
                                                        void *q, int32_t rows, uint32_t mode)
{
    const uint32_t n = (uint32_t)n_words;
    /* entries: n = 1..7, then n >= 8 by (n odd, pairs of the first block not run) */
    const uint32_t entry = n < 8u ? n - 1u : 7u + (((n & 1u) << 2) | ((0u - (n >> 1)) & 3u));
    const uint32_t slot = mode == BNN_M0_POPS ? (uint32_t)((int32_t *)q + rows) : 1u << (32 - rows);
    register uint32_t r0 __asm__("r0") = (uint32_t)x;
    register const uint32_t *r1 __asm__("r1") = w;
    register uint32_t r2 __asm__("r2") = entry;
    register uint32_t r3 __asm__("r3") = (uint32_t)x + n * 4u;
    register void *r4 __asm__("r4") = q;
    register uint32_t r5 __asm__("r5") = slot;
    register uint32_t r6 __asm__("r6") = mode;
    uint32_t v;
    /*
     * In C:
     *   acc = 1 << (32 - rows);
     *   for (r = 0; r < rows; r++) {
     *       pop = BNN_M0_SHORT or BNN_M0_ROW (n_words < 8 or not) on row r;
     *       if (mode == BNN_M0_POPS) q[r] = pop;
     *       else acc = (acc << 1) | (pop > q[r]);
     *   }
     *   return acc;                   (bit-reversed below)
     */
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r7}\n\t"               /* r7 may be the frame pointer: saved here, not clobbered */
        "adr  r7, 90f\n\t"
        "lsls r2, r2, #2\n\t"
        "ldr  r2, [r7, r2]\n\t"         /* the row entry */
        "lsls r6, r6, #2\n\t"
        "adds r7, r7, r6\n\t"
        "ldr  r7, [r7, #60]\n\t"        /* the tail: 71 (bits) or 72 (pops) */
        "mov  lr, r7\n\t"
        "mov  r11, r3\n\t"
        "mov  r12, r4\n\t"
        "push {r0, r2, r5}\n\t"
        "b    10f\n"
        BNN_M0_SHORT
        BNN_M0_ROW
        "mov  pc, lr\n"
        "72:\n\t"                      /* pops: q[r] = pop */
        "mov  r0, r12\n\t"
        "stm  r0!, {r2}\n\t"
        "mov  r12, r0\n\t"
        "ldr  r5, [sp, #8]\n\t"
        "cmp  r0, r5\n\t"
        "bne  10f\n\t"
        "b    80f\n"
        "71:\n\t"                      /* bits: shift in pop > q[r] */
        "mov  r0, r12\n\t"
        "ldm  r0!, {r3}\n\t"
        "mov  r12, r0\n\t"
        "subs r3, r3, r2\n\t"           /* T - pop */
        "bvs  70f\n\t"
        "lsls r3, r3, #1\n"             /* carry = T - pop < 0 = pop > T */
        "60:\n\t"
        "ldr  r5, [sp, #8]\n\t"
        "adcs r5, r5\n\t"
        "str  r5, [sp, #8]\n\t"
        "bcs  80f\n"
        "10:\n\t"                      /* next row */
        "ldr  r0, [sp]\n\t"
        "ldr  r5, [sp, #4]\n\t"
        BNN_M0_START("r5")
        "70:\n\t"
        "cmp  r3, r3\n\t"               /* carry = 1: T < pop - 2^31 */
        "b    60b\n"
        "80:\n\t"
        "ldr  r5, [sp, #8]\n\t"
        "add  sp, #12\n\t"
        "pop  {r7}\n\t"
        "b    99f\n\t"
        BNN_M0_DATA
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
        :
        : "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
    v = r5;
    if (mode == BNN_M0_BITS) { /* bit reversal: bytes, nibbles, pairs, bits */
        v = __builtin_bswap32(v);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    }
    return v;
}
#endif

/* popcount(x ^ w) of one row; advances *w past it (the dense kernels use bnn_pop_passes and bnn_bits_passes). */
static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    int32_t pop;
    (void)bnn_m0_rows(x, *w, n_words, &pop, 1, BNN_M0_POPS);
    *w += n_words;
    return pop;
}

static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    pop[0] = bnn_pop_row(x, w, n_words);
}

/* pop[r] = popcount(x ^ w_r) for the np rows at *w (BNN_POP_ROWS is 1: a pass is a row); advances *w past them. */
static inline void bnn_pop_passes(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop, int32_t np)
{
    (void)bnn_m0_rows(x, *w, n_words, pop, np, BNN_M0_POPS);
    *w += np * n_words;
}

/*
 * The output bits of np rows (1..32; BNN_POP_ROWS is 1): row r at bit
 * 32 - np + r, bit = popcount(x ^ w_r) > thresh[r]; advances *w and *thresh
 * by np rows. xs[0] is x (xs[1] is zbb's).
 */
static inline uint32_t bnn_bits_passes(const uint32_t *const xs[2], const uint32_t **w, int32_t n_words,
                                       const int32_t **thresh, int32_t np)
{
    const uint32_t bits = bnn_m0_rows(xs[0], *w, n_words, (void *)(uintptr_t)*thresh, np, BNN_M0_BITS);
    *w += np * n_words;
    *thresh += np;
    return bits;
}

#endif /* BNN_POPCOUNT_ARMV6M_H */
