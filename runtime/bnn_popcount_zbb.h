/* bnn_popcount_zbb.h - bnnc runtime: the zbb row engine, included by bnn_popcount.h for BNN_KERNEL_ZBB. */
#ifndef BNN_POPCOUNT_ZBB_H
#define BNN_POPCOUNT_ZBB_H

#include "bnn_popcount_portable.h"

#if !defined(__riscv) || !defined(__riscv_zbb)
#error "bnn kernel variant zbb needs a RISC-V core with Zbb, compiled with it (e.g. -march=rv32imc_zbb); regenerate with another --kernel"
#endif
#if defined(__riscv_32e) || defined(__riscv_e)
/* The 8-row engine keeps 22 values in registers; RV32E has 15 usable ones. */
#error "bnn kernel variant zbb needs the 32 registers of RV32I; this is an RV32E core (e.g. CH32V003): regenerate with --kernel portable"
#endif

#define BNN_POP_ROWS 8
#define BNN_HAVE_BITS_PASSES 1

/*
 * 8 rows per pass: each input word is loaded once for 8 weight words, and a
 * weight word costs lw, xor, cpop and an add (or sub). In assembly because
 * GCC addresses the 8 rows from one index register, paying an add per load
 * (RV32 has no register+register addressing). Each row has its own pointer;
 * loads use immediate offsets inside blocks of 32, 16, 4 and 1 words, so the
 * 9 pointers move once per block (and not after a row's last block).
 *
 * bnn_bits_passes starts each accumulator at the row's threshold and
 * subtracts the popcounts: acc = T - pop < 0 exactly when pop > T, so the
 * output bits are the sign bits, gathered without a comparison per row. With
 * T clamped to [-1, 32 * n_words] (BNN_ZBB_THRESHOLDS), |acc| < 2^24, so bits
 * 31..24 of an accumulator all equal its sign: acc_r >> (31 - r) is r + 1
 * copies of sign_r, and XOR-ing them gives bit j = XOR of sign_r for r >= j
 * (16 instructions for 8 rows). That is linear, so the passes of a word are
 * XOR-ed into one register (rotated 8 bits per pass) and y ^ (y >> 1), within
 * each byte, is applied once per output word.
 * Per 32-word block of 8 rows: 32 x loads and 256 x (lw, xor, cpop, sub)
 * = 1056 instructions for 256 weight words (4.125 per word); blocks other than
 * a pass's last add 9 pointer moves and a jump. Each pass adds 56 (7 row
 * pointers, p0, 8 thresholds loaded and clamped (26), x pointer, block-loop
 * exit, 16 gathering, the rotation, pass loop 3), each call (4 passes) about
 * 16 in C (flip, store, the per-word fix-up): 0.24 per word at 32 words per
 * row (4.368 measured for 1024 x 256 under QEMU).
 */
#define BNN_ZBB_ROW(op, k, p, a, t)               \
    "lw   " t ", " #k "*4(%[" p "])\n\t"          \
    "xor  " t ", " t ", %[v]\n\t"                 \
    "cpop " t ", " t "\n\t"                       \
    op "  %[" a "], %[" a "], " t "\n\t"

#define BNN_ZBB_WORD_T(op, k, tb) /* tb: the odd rows' temporary */ \
    "lw   %[v], " #k "*4(%[px])\n\t"              \
    BNN_ZBB_ROW(op, k, "p0", "a0", "%[t0]")       \
    BNN_ZBB_ROW(op, k, "p1", "a1", tb)            \
    BNN_ZBB_ROW(op, k, "p2", "a2", "%[t0]")       \
    BNN_ZBB_ROW(op, k, "p3", "a3", tb)            \
    BNN_ZBB_ROW(op, k, "p4", "a4", "%[t0]")       \
    BNN_ZBB_ROW(op, k, "p5", "a5", tb)            \
    BNN_ZBB_ROW(op, k, "p6", "a6", "%[t0]")       \
    BNN_ZBB_ROW(op, k, "p7", "a7", tb)
#define BNN_ZBB_WORD(op, k) BNN_ZBB_WORD_T(op, k, "%[t1]")
#define BNN_ZBB_WORD1(op, k) BNN_ZBB_WORD_T(op, k, "%[t0]") /* one temporary */

#define BNN_ZBB_BUMP(bytes)                       \
    "addi %[px], %[px], " #bytes "\n\t"           \
    "addi %[p0], %[p0], " #bytes "\n\t"           \
    "addi %[p1], %[p1], " #bytes "\n\t"           \
    "addi %[p2], %[p2], " #bytes "\n\t"           \
    "addi %[p3], %[p3], " #bytes "\n\t"           \
    "addi %[p4], %[p4], " #bytes "\n\t"           \
    "addi %[p5], %[p5], " #bytes "\n\t"           \
    "addi %[p6], %[p6], " #bytes "\n\t"           \
    "addi %[p7], %[p7], " #bytes "\n\t"

/* Row pointers p1..p7 from p0 and the row stride in bytes (operand `stride`). */
#define BNN_ZBB_POINTERS(stride)                  \
    "add  %[p1], %[p0], %[" stride "]\n\t"        \
    "add  %[p2], %[p1], %[" stride "]\n\t"        \
    "add  %[p3], %[p2], %[" stride "]\n\t"        \
    "add  %[p4], %[p3], %[" stride "]\n\t"        \
    "add  %[p5], %[p4], %[" stride "]\n\t"        \
    "add  %[p6], %[p5], %[" stride "]\n\t"        \
    "add  %[p7], %[p6], %[" stride "]\n\t"

/* bnn_pop_rows: the stride is %[e], reused as the block end. */
#define BNN_ZBB_SETUP BNN_ZBB_POINTERS("e")

/*
 * All n words, ending with the pointers at the start of the row's last 32
 * words: the n % 32 odd words first (loops of 1 and 4, a 16-word half block
 * through the second half of the block), then 32-word blocks whose last one
 * does not move the 9 pointers (the 16-word loops above cost 20 per pass).
 */
#define BNN_ZBB_LOOPS32(op)                                                     \
    "andi %[e], %[n], 3\n\t"                                                    \
    "beqz %[e], 2f\n\t"                                                         \
    "slli %[e], %[e], 2\n\t"                                                    \
    "add  %[e], %[e], %[px]\n"                                                   \
    "1:\n\t"                                                                    \
    BNN_ZBB_WORD(op, 0)                                                         \
    BNN_ZBB_BUMP(4)                                                             \
    "bne  %[px], %[e], 1b\n"                                                     \
    "2:\n\t"                                                                    \
    "andi %[e], %[n], 12\n\t"                                                   \
    "beqz %[e], 3f\n\t"                                                         \
    "slli %[e], %[e], 2\n\t"                                                    \
    "add  %[e], %[e], %[px]\n"                                                   \
    "1:\n\t"                                                                    \
    BNN_ZBB_WORD(op, 0) BNN_ZBB_WORD(op, 1) BNN_ZBB_WORD(op, 2) BNN_ZBB_WORD(op, 3) \
    BNN_ZBB_BUMP(16)                                                            \
    "bne  %[px], %[e], 1b\n"                                                     \
    "3:\n\t"                                                                    \
    "andi %[e], %[n], -32\n\t"                                                  \
    "slli %[e], %[e], 2\n\t"                                                    \
    "add  %[e], %[e], %[px]\n\t" /* past the blocks */                          \
    "andi %[t0], %[n], 16\n\t"                                                  \
    "beqz %[t0], 4f\n\t"                                                        \
    BNN_ZBB_BUMP(-64)                                                           \
    "addi %[e], %[e], -64\n\t"                                                  \
    "j    15f\n"                                                                 \
    "4:\n\t"                                                                    \
    "beq  %[e], %[px], 7f\n\t" /* no block (n < 16) */                          \
    "addi %[e], %[e], -128\n"                                                    \
    "5:\n\t"                                                                    \
    BNN_ZBB_W16LO(op)                                                           \
    "15:\n\t"                                                                   \
    BNN_ZBB_W16HI(op)                                                           \
    "beq  %[px], %[e], 6f\n\t"                                                  \
    BNN_ZBB_BUMP(128)                                                           \
    "j    5b\n"                                                                  \
    "7:\n\t"                                                                    \
    "addi %[p7], %[p7], -128\n"                                                  \
    "6:\n\t"

#define BNN_ZBB_OPERANDS                                                          \
    : [px] "+r"(px), [p0] "+r"(p0), [e] "+r"(e), [q] "+r"(q),                     \
      [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3),             \
      [a4] "=&r"(a4), [a5] "=&r"(a5), [a6] "=&r"(a6), [a7] "=&r"(a7),             \
      [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3), [p4] "=&r"(p4),             \
      [p5] "=&r"(p5), [p6] "=&r"(p6), [p7] "=&r"(p7),                             \
      [v] "=&r"(v), [t0] "=&r"(t0), [t1] "=&r"(t1)                                \
    : [n] "r"(n_words)                                                            \
    : "memory"

#define BNN_ZBB_LOCALS                                                            \
    const uint32_t *px = x, *p0 = *w;                                             \
    const uint32_t *p1, *p2, *p3, *p4, *p5, *p6, *p7;                             \
    uint32_t e = (uint32_t)n_words * 4u;                                          \
    uint32_t a0, a1, a2, a3, a4, a5, a6, a7, v, t0, t1

#define BNN_ZBB_W16LO(op) /* words 0 .. 15 */ \
    BNN_ZBB_WORD1(op, 0) BNN_ZBB_WORD1(op, 1) BNN_ZBB_WORD1(op, 2) BNN_ZBB_WORD1(op, 3) \
    BNN_ZBB_WORD1(op, 4) BNN_ZBB_WORD1(op, 5) BNN_ZBB_WORD1(op, 6) BNN_ZBB_WORD1(op, 7) \
    BNN_ZBB_WORD1(op, 8) BNN_ZBB_WORD1(op, 9) BNN_ZBB_WORD1(op, 10) BNN_ZBB_WORD1(op, 11) \
    BNN_ZBB_WORD1(op, 12) BNN_ZBB_WORD1(op, 13) BNN_ZBB_WORD1(op, 14) BNN_ZBB_WORD1(op, 15)

#define BNN_ZBB_W16HI(op) /* words 16 .. 31 */ \
    BNN_ZBB_WORD1(op, 16) BNN_ZBB_WORD1(op, 17) BNN_ZBB_WORD1(op, 18) BNN_ZBB_WORD1(op, 19) \
    BNN_ZBB_WORD1(op, 20) BNN_ZBB_WORD1(op, 21) BNN_ZBB_WORD1(op, 22) BNN_ZBB_WORD1(op, 23) \
    BNN_ZBB_WORD1(op, 24) BNN_ZBB_WORD1(op, 25) BNN_ZBB_WORD1(op, 26) BNN_ZBB_WORD1(op, 27) \
    BNN_ZBB_WORD1(op, 28) BNN_ZBB_WORD1(op, 29) BNN_ZBB_WORD1(op, 30) BNN_ZBB_WORD1(op, 31)

/*
 * The 8 thresholds of a pass, clamped to [-1, 32 * n_words] (%[s] = 4 * n_words):
 * pop > T has the same result for every pop in [0, 32 * n_words], and the
 * accumulators T - pop then stay within +-2^24, as the sign gathering needs.
 * So the kernel is correct for any int32 threshold (2 instructions per row).
 */
#define BNN_ZBB_THRESHOLDS                        \
    "li   %[t0], -1\n\t"                           \
    "slli %[v], %[s], 3\n\t"                       \
    BNN_ZBB_CLAMP(0) BNN_ZBB_CLAMP(1) BNN_ZBB_CLAMP(2) BNN_ZBB_CLAMP(3) \
    BNN_ZBB_CLAMP(4) BNN_ZBB_CLAMP(5) BNN_ZBB_CLAMP(6) BNN_ZBB_CLAMP(7)
#define BNN_ZBB_CLAMP(r)                          \
    "lw   %[a" #r "], " #r "*4(%[q])\n\t"          \
    "max  %[a" #r "], %[a" #r "], %[t0]\n\t"        \
    "min  %[a" #r "], %[a" #r "], %[v]\n\t"

/* Start of a pass of bnn_bits_passes: row pointers (stride %[s]), thresholds, x. */
#define BNN_ZBB_PASS_START                        \
    BNN_ZBB_POINTERS("s")                         \
    BNN_ZBB_THRESHOLDS                            \
    "lw   %[px], %[x]\n\t"

/*
 * Output bits of np passes of 8 rows (np in 1..4): row 8p + r of the call
 * lands at bit 32 - 8 np + 8p + r, so 4 passes give a whole output word.
 * Thresholds *thresh; advances *w and *thresh by 8 np rows.
 * xs[0] = x and xs[1] = x + n_words - 32 (where the last 32-word block of a
 * row starts, also when the odd words come first), kept in memory: the
 * assembly needs every register but these two are read once per pass/call.
 *
 * The pass loop is inside the assembly (no per-pass C, nothing spilled).
 * Words of a row: first the n % 32 odd ones (loops of 1 and 4 words, and a
 * 16-word half block entered through the second half of the 32-word block
 * with the pointers moved back 16 words), then 32-word blocks in a loop that
 * does not move the 9 pointers after its last block: for n % 32 == 0 the loop
 * costs one branch per pass. A pass ends at p7 + 128 (the next pass's row 0).
 * Which setup a pass starts with (label 0: blocks only; label 10: odd words
 * first) is chosen once per call: jal to the next instruction leaves its
 * address in %[ent], and the pass loop returns through jr %[ent] (the loop
 * spans more than a branch can reach, so it needs a jump anyway).
 */
__attribute__((always_inline)) static inline uint32_t bnn_bits_passes(const uint32_t *const xs[2], const uint32_t **w,
                                                                      int32_t n_words, const int32_t **thresh, int32_t np)
{
    const uint32_t *px, *p0 = *w;
    const uint32_t *p1, *p2, *p3, *p4, *p5, *p6, *p7;
    const int32_t *q = *thresh;
    const int32_t *qe = q + 8 * np;
    uint32_t s = (uint32_t)n_words * 4u;
    uint32_t ent; /* where a pass starts: 0 (n % 32 == 0) or 10 (odd words first) */
    const uint32_t *xe;
    uint32_t bits = 0;
    uint32_t a0, a1, a2, a3, a4, a5, a6, a7, v, t0;
    /*
     * In C (pass loop and word order as described above):
     *   for (pass = 0; pass < np; pass++, rows += 8, thresh += 8) {
     *       for (r = 0; r < 8; r++) acc[r] = clamp(thresh[r], -1, 32 * n_words);
     *       for (i = 0; i < n_words; i++) {
     *           v = x[i];
     *           for (r = 0; r < 8; r++) acc[r] -= cpop(v ^ row_r[i]);
     *       }
     *       for (r = 0; r < 8; r++) bits ^= (uint32_t)acc[r] >> (31 - r);   (sign gathering)
     *       bits = rotate_right(bits, 8);
     *   }
     *   return bits ^ ((bits >> 1) & 0x7f7f7f7f);
     */
    __asm__ volatile(
        "lw   %[xe], %[x1]\n\t"
        "andi %[t0], %[s], 124\n\t"
        "beqz %[t0], 18f\n\t"
        "jal  %[ent], 10f\n" /* %[ent] = 10 */
        "10:\n\t"
        BNN_ZBB_PASS_START
        /* n % 4 single words (%[xe] is the loop end here, then reloaded) */
        "andi %[xe], %[s], 12\n\t"
        "beqz %[xe], 2f\n\t"
        "add  %[xe], %[xe], %[px]\n"
        "1:\n\t"
        BNN_ZBB_WORD1("sub ", 0)
        BNN_ZBB_BUMP(4)
        "bne  %[px], %[xe], 1b\n"
        "2:\n\t"
        /* (n % 16) / 4 blocks of 4 */
        "andi %[xe], %[s], 48\n\t"
        "beqz %[xe], 3f\n\t"
        "add  %[xe], %[xe], %[px]\n"
        "1:\n\t"
        BNN_ZBB_WORD1("sub ", 0) BNN_ZBB_WORD1("sub ", 1) BNN_ZBB_WORD1("sub ", 2) BNN_ZBB_WORD1("sub ", 3)
        BNN_ZBB_BUMP(16)
        "bne  %[px], %[xe], 1b\n"
        "3:\n\t"
        /* a half block of 16: the second half of the block loop, pointers 16 words back */
        "lw   %[xe], %[x1]\n\t"
        "andi %[t0], %[s], 64\n\t"
        "beqz %[t0], 4f\n\t"
        BNN_ZBB_BUMP(-64)
        "j    15f\n"
        "4:\n\t"
        "andi %[t0], %[s], -128\n\t"
        "bnez %[t0], 5f\n\t"
        "addi %[p7], %[p7], -128\n\t" /* no whole block (n < 16) */
        "j    6f\n"
        "18:\n\t"
        "jal  %[ent], 0f\n" /* %[ent] = 0 */
        "0:\n\t"
        BNN_ZBB_PASS_START
        "5:\n\t"
        BNN_ZBB_W16LO("sub ")
        "15:\n\t"
        BNN_ZBB_W16HI("sub ")
        "beq  %[px], %[xe], 6f\n\t"
        BNN_ZBB_BUMP(128)
        "j    5b\n"
        "6:\n\t"
        "addi %[p0], %[p7], 128\n\t"
        "srli %[a0], %[a0], 31\n\t"
        "xor  %[bits], %[bits], %[a0]\n\t"
        "srli %[a1], %[a1], 30\n\t"
        "xor  %[bits], %[bits], %[a1]\n\t"
        "srli %[a2], %[a2], 29\n\t"
        "xor  %[bits], %[bits], %[a2]\n\t"
        "srli %[a3], %[a3], 28\n\t"
        "xor  %[bits], %[bits], %[a3]\n\t"
        "srli %[a4], %[a4], 27\n\t"
        "xor  %[bits], %[bits], %[a4]\n\t"
        "srli %[a5], %[a5], 26\n\t"
        "xor  %[bits], %[bits], %[a5]\n\t"
        "srli %[a6], %[a6], 25\n\t"
        "xor  %[bits], %[bits], %[a6]\n\t"
        "srli %[a7], %[a7], 24\n\t"
        "xor  %[bits], %[bits], %[a7]\n\t"
        "rori %[bits], %[bits], 8\n\t"
        "addi %[q], %[q], 32\n\t"
        "beq  %[q], %[qe], 9f\n\t"
        "jr   %[ent]\n"
        "9:\n\t"
        : [p0] "+r"(p0), [q] "+r"(q), [bits] "+r"(bits), [px] "=&r"(px), [xe] "=&r"(xe), [ent] "=&r"(ent),
          [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3),
          [a4] "=&r"(a4), [a5] "=&r"(a5), [a6] "=&r"(a6), [a7] "=&r"(a7),
          [p1] "=&r"(p1), [p2] "=&r"(p2), [p3] "=&r"(p3), [p4] "=&r"(p4),
          [p5] "=&r"(p5), [p6] "=&r"(p6), [p7] "=&r"(p7),
          [v] "=&r"(v), [t0] "=&r"(t0)
        : [x] "m"(xs[0]), [x1] "m"(xs[1]), [s] "r"(s), [qe] "r"(qe)
        : "memory");
    *w = p0;
    *thresh = q;
    return bits ^ ((bits >> 1) & 0x7f7f7f7fu);
}

/* popcounts of 8 rows into pop[0..7]; advances *w by 8 rows. */
static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    BNN_ZBB_LOCALS;
    int32_t *q = pop;
    /*
     * In C:
     *   for (r = 0; r < 8; r++) acc[r] = 0;
     *   for (i = 0; i < n_words; i++) {        (odd words first, then 32-word blocks)
     *       v = x[i];
     *       for (r = 0; r < 8; r++) acc[r] += cpop(v ^ row_r[i]);
     *   }
     *   pop[r] = acc[r], r < 8;
     */
    __asm__ volatile(
        BNN_ZBB_SETUP
        "li   %[a0], 0\n\t"
        "li   %[a1], 0\n\t"
        "li   %[a2], 0\n\t"
        "li   %[a3], 0\n\t"
        "li   %[a4], 0\n\t"
        "li   %[a5], 0\n\t"
        "li   %[a6], 0\n\t"
        "li   %[a7], 0\n\t"
        BNN_ZBB_LOOPS32("add ")
        "sw   %[a0], 0(%[q])\n\t"
        "sw   %[a1], 4(%[q])\n\t"
        "sw   %[a2], 8(%[q])\n\t"
        "sw   %[a3], 12(%[q])\n\t"
        "sw   %[a4], 16(%[q])\n\t"
        "sw   %[a5], 20(%[q])\n\t"
        "sw   %[a6], 24(%[q])\n\t"
        "sw   %[a7], 28(%[q])\n\t"
        BNN_ZBB_OPERANDS);
    *w = p7 + 32; /* the last block leaves the pointers at its start */
}

/* The rows left over (n_out % 8), one at a time. */
static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    const uint32_t *p = *w;
    uint32_t acc = 0;
    int32_t i;
    for (i = 0; i < n_words; i++) {
        acc += (uint32_t)__builtin_popcount(x[i] ^ p[i]);
    }
    *w = p + n_words;
    return (int32_t)acc;
}

#endif /* BNN_POPCOUNT_ZBB_H */
