/* bnn_popcount_armv6m.h - bnnc runtime: the armv6m row engine, included by bnn_popcount.h for BNN_KERNEL_ARMV6M. */
#ifndef BNN_POPCOUNT_ARMV6M_H
#define BNN_POPCOUNT_ARMV6M_H

#include "bnn_popcount_portable.h"

#if !defined(__thumb__) || !defined(__ARM_ARCH_PROFILE) || __ARM_ARCH_PROFILE != 'M'
#error "bnn kernel variant armv6m needs a Cortex-M core (Thumb); regenerate with another --kernel"
#endif

#define BNN_POP_ROWS 1
#define BNN_HAVE_BITS_PASSES 1

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
 * instructions for 8 words (96 cycles: LDM of 2 words is 3).
 *
 * A row of n words: n odd starts ones at x[0] ^ w[0] instead of 0; the
 * (n / 2) % 4 pairs before the first whole block enter the block at that pair
 * (label 31, 32 or 33) with the adder inputs it would have made from the pairs
 * skipped at 0, which changes no sum; then whole blocks. The entry is chosen
 * per call from a table (bnn_m0_entry). At the row's end ones, twos and fours
 * are counted together: SWAR to 4-bit fields, ones + 2 twos (<= 12 per
 * nibble), bytes, + 4 fours (<= 56 per byte), MULS by 0x01010101: 42
 * instructions with the 8 eights counts. The registers are fixed: LDM lists
 * must ascend; GCC saves r4-r6 and r8-r12 (clobbers), the assembly only r7,
 * which is the frame pointer at -O0 and cannot be an operand there. Constants
 * (entries, masks, the byte table) follow the code: Thumb-1 ADR and literal
 * loads reach forward only.
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
 * One row from its entry (r0 x, r1 w; r2 ones, r3, r4 and r8-r10 zero; r11
 * the end of x) to r2 = popcount(x ^ w): the odd-word entries 20-24, the
 * block loop 30-33, the count at 39.
 */
#define BNN_M0_ROW                                                                 \
    "20:\n\t" BNN_M0_ODD "b    31f\n"                                               \
    "21:\n\t" BNN_M0_ODD "b    32f\n"                                               \
    "22:\n\t" BNN_M0_ODD "b    33f\n"                                               \
    "23:\n\t" BNN_M0_ODD "b    39f\n"                                               \
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
    "mov  r3, r10\n\t"                                                             \
    "lsls r3, r3, #3\n\t"                                                          \
    "adds r2, r2, r3\n\t"

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
 * The constants after the code: the entries (by bnn_m0_entry: even n, odd n
 * with pairs, n = 1), the SWAR masks, the byte table in lines of 4 bytes
 * (GCC sizes inline assembly by its lines).
 */
#define BNN_M0_STR(...) #__VA_ARGS__
#define BNN_M0_XSTR(...) BNN_M0_STR(__VA_ARGS__)
#define BNN_M0_T4(n) ".byte " BNN_M0_XSTR(BNN_POP8_2(n)) "\n\t"
#define BNN_M0_T16(n) BNN_M0_T4(n) BNN_M0_T4((n) + 1) BNN_M0_T4((n) + 1) BNN_M0_T4((n) + 2)
#define BNN_M0_T64(n) BNN_M0_T16(n) BNN_M0_T16((n) + 1) BNN_M0_T16((n) + 1) BNN_M0_T16((n) + 2)
#define BNN_M0_DATA                                                                \
    ".p2align 2\n"                                                                 \
    "90:\n\t"                                                                      \
    ".word 30b, 31b, 32b, 33b, 24b, 20b, 21b, 22b, 23b\n"                          \
    "91:\n\t.word 0x55555555\n"                                                    \
    "92:\n\t.word 0x33333333\n"                                                    \
    "93:\n\t.word 0x0F0F0F0F\n"                                                    \
    "94:\n\t.word 0x01010101\n"                                                    \
    "98:\n\t"                                                                      \
    BNN_M0_T64(0) BNN_M0_T64(1) BNN_M0_T64(1) BNN_M0_T64(2)                        \
    "99:\n\t"

/* Index into the entry table of 90f for a row of n_words >= 1 words. */
static inline uint32_t bnn_m0_entry(int32_t n_words)
{
    uint32_t n = (uint32_t)n_words;
    uint32_t skip = (0u - (n >> 1)) & 3u; /* pairs of the first block not run */
    return n == 1u ? 8u : ((n & 1u) << 2) | skip;
}

/* popcount(x ^ w) of one row of n_words >= 1; advances *w past it. */
__attribute__((always_inline)) static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    register uint32_t r0 __asm__("r0") = (uint32_t)x;
    register const uint32_t *r1 __asm__("r1") = *w;
    register uint32_t r2 __asm__("r2") = bnn_m0_entry(n_words);
    register uint32_t r3 __asm__("r3") = (uint32_t)x + (uint32_t)n_words * 4u;
    /*
     * In C (the same operations, in this order):
     *   uint32_t ones = n odd ? x[0] ^ w[0] : 0, twos = 0, fours = 0, eights_sum = 0;
     *   for the (n / 2) % 4 pairs of a first part block, then each block of 8 words:
     *       d[k] = x[k] ^ w[k], k < 8;                          (the first pairs of a part block are 0)
     *       csa(&twosA, &ones, d[0], d[1]); csa(&twosB, &ones, d[2], d[3]);
     *       csa(&foursA, &twos, twosA, twosB);
     *       csa(&twosA, &ones, d[4], d[5]); csa(&twosB, &ones, d[6], d[7]);
     *       csa(&foursB, &twos, twosA, twosB);
     *       csa(&eights, &fours, foursA, foursB);
     *       eights_sum += pop8[eights & 255] + pop8[(eights >> 8) & 255] + ...;   (4 LDRB)
     *   return fields(ones) + 2 * fields(twos) + 4 * fields(fours) summed by MULS, + 8 * eights_sum;
     * where csa(&t, &l, a, b) is the full adder t:l = l + a + b of BNN_M0_CSA.
     */
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r7}\n\t"               /* r7 may be the frame pointer: saved here, not clobbered */
        "mov  r11, r3\n\t"
        "adr  r3, 90f\n\t"
        "lsls r2, r2, #2\n\t"
        "ldr  r5, [r3, r2]\n\t"
        BNN_M0_START("r5")
        BNN_M0_ROW
        "pop  {r7}\n\t"
        "b    99f\n\t"
        BNN_M0_DATA
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "cc", "memory");
    *w = r1;
    return (int32_t)r2;
}

static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    pop[0] = bnn_pop_row(x, w, n_words);
}

/*
 * The output bits of np rows (1..32, BNN_POP_ROWS is 1) of n_words >= 1:
 * row r at bit 32 - np + r, bit = popcount(x ^ w_r) > thresh[r]; advances *w
 * and *thresh by np rows. xs[0] is x (xs[1] is zbb's).
 * One assembly loop over the rows: per row the counts restart and the entry
 * is taken (8 instructions), the row runs, and its bit is shifted in by ADCS
 * (10): carry = (T - pop < 0) from the sign, which LSLS moves into the carry;
 * T - pop overflows only for T < pop - 2^31 (bit 1, set at label 70), so any
 * int32 threshold works. The accumulator starts at 1 << (32 - np): the ADCS
 * that shifts that bit out is the last row's. ADCS leaves row 0 highest, so
 * the word is bit-reversed once per call (REV and 3 SWAR swaps, 19).
 * Not inlined: one copy, called once per output word.
 */
__attribute__((noinline, unused)) static uint32_t bnn_bits_passes(const uint32_t *const xs[2], const uint32_t **w, int32_t n_words,
                                                          const int32_t **thresh, int32_t np)
{
    register uint32_t r0 __asm__("r0") = (uint32_t)xs[0];
    register const uint32_t *r1 __asm__("r1") = *w;
    register uint32_t r2 __asm__("r2") = bnn_m0_entry(n_words);
    register uint32_t r3 __asm__("r3") = (uint32_t)xs[0] + (uint32_t)n_words * 4u;
    register const int32_t *r4 __asm__("r4") = *thresh;
    register uint32_t r5 __asm__("r5") = 1u << (32 - np);
    /*
     * In C:
     *   acc = 1 << (32 - np);
     *   do {
     *       pop = bnn_pop_row(x, w, n_words);     (BNN_M0_ROW)
     *       carry = pop > *thresh++;
     *       last = acc >> 31; acc = (acc << 1) | carry;
     *   } while (!last);
     *   return bit_reverse(acc);
     */
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r0, r5, r7}\n\t"       /* [sp] x, [sp, #4] the bits; r7 may be the frame pointer */
        "mov  r11, r3\n\t"
        "mov  r12, r4\n\t"
        "adr  r3, 90f\n\t"
        "lsls r2, r2, #2\n\t"
        "ldr  r3, [r3, r2]\n\t"
        "mov  lr, r3\n\t"
        "b    10f\n"
        BNN_M0_ROW
        "mov  r0, r12\n\t"
        "ldm  r0!, {r3}\n\t"
        "mov  r12, r0\n\t"
        "subs r3, r3, r2\n\t"           /* T - pop */
        "bvs  70f\n\t"
        "lsls r3, r3, #1\n"             /* carry = T - pop < 0 = pop > T */
        "60:\n\t"
        "ldr  r5, [sp, #4]\n\t"
        "adcs r5, r5\n\t"
        "str  r5, [sp, #4]\n\t"
        "bcs  80f\n"
        "10:\n\t"
        "ldr  r0, [sp]\n\t"
        BNN_M0_START("lr")
        "70:\n\t"
        "cmp  r3, r3\n\t"               /* carry = 1: T < pop - 2^31 */
        "b    60b\n"
        "80:\n\t"
        "mov  r4, r12\n\t"
        "rev  r5, r5\n\t"               /* bit reversal: bytes, nibbles, pairs, bits */
        "ldr  r2, 93f\n\t"
        "lsrs r3, r5, #4\n\t"
        "ands r3, r2\n\t"
        "ands r5, r2\n\t"
        "lsls r5, r5, #4\n\t"
        "orrs r5, r3\n\t"
        "ldr  r2, 92f\n\t"
        "lsrs r3, r5, #2\n\t"
        "ands r3, r2\n\t"
        "ands r5, r2\n\t"
        "lsls r5, r5, #2\n\t"
        "orrs r5, r3\n\t"
        "ldr  r2, 91f\n\t"
        "lsrs r3, r5, #1\n\t"
        "ands r3, r2\n\t"
        "ands r5, r2\n\t"
        "lsls r5, r5, #1\n\t"
        "orrs r5, r3\n\t"
        "add  sp, #8\n\t"
        "pop  {r7}\n\t"
        "b    99f\n\t"
        BNN_M0_DATA
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5)
        :
        : "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
    *w = r1;
    *thresh = r4;
    return r5;
}

#endif /* BNN_POPCOUNT_ARMV6M_H */
