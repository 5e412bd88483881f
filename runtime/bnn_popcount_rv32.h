/* bnn_popcount_rv32.h - bnnc runtime: the rv32 row engine, included by bnn_popcount.h for BNN_KERNEL_RV32. */
#ifndef BNN_POPCOUNT_RV32_H
#define BNN_POPCOUNT_RV32_H

#include "bnn_popcount_portable.h"

#if !defined(__riscv) || __riscv_xlen != 32
#error "bnn kernel variant rv32 needs a 32-bit RISC-V core; regenerate with another --kernel"
#endif
#if defined(__riscv_32e) || defined(__riscv_e)
/* Two rows' Harley-Seal adders stay in registers; RV32E has 15 usable ones. */
#error "bnn kernel variant rv32 needs the 32 registers of RV32I; this is an RV32E core (e.g. CH32V003): regenerate with --kernel portable"
#endif
#if !defined(__riscv_mul) && !defined(__riscv_zmmul)
/* The eights word is counted by SWAR with a multiply. */
#error "bnn kernel variant rv32 needs the multiply instruction (M or Zmmul extension, e.g. -march=rv32imc); regenerate with --kernel portable"
#endif

#define BNN_POP_ROWS 2
#define BNN_MIN_WORDS 8 /* below one block the plain count per word is cheaper */

/*
 * Harley-Seal over blocks of 8 words for two rows at once, so each input
 * word is loaded once for two weight words; in assembly because GCC spills
 * the two rows' adder state (18.5 instructions per word from the same C).
 * Adders in place: (l, b) <- (l ^ b ^ c, carry) with one scratch register.
 * RV32 has no shifted operands: the eights word is counted by SWAR with the
 * masks in registers and a multiply (13 instructions per block and row).
 * Per block of 8 words and 2 rows: 24 loads, 16 xor, 14 adders (70),
 * 2 counts (26), 3 pointer moves and a branch = 140 for 16 weight words.
 */
#define BNN_RV_CSA(l, b, c) /* (l, b) <- (l ^ b ^ c, maj(l, b, c)); c is left alone */ \
    "xor  %[t], %[" l "], %[" b "]\n\t"                                             \
    "and  %[" b "], %[" l "], %[" b "]\n\t"                                         \
    "xor  %[" l "], %[t], %[" c "]\n\t"                                             \
    "and  %[t], %[t], %[" c "]\n\t"                                                 \
    "or   %[" b "], %[" b "], %[t]\n\t"

/* Words k, k+1 of row p into registers d0, d1 (x words in x0, x1). */
#define BNN_RV_PAIR(k, p, d0, d1)                                                   \
    "lw   %[" d0 "], " #k "*4(%[" p "])\n\t"                                        \
    "lw   %[" d1 "], " #k "*4+4(%[" p "])\n\t"                                      \
    "xor  %[" d0 "], %[" d0 "], %[x0]\n\t"                                          \
    "xor  %[" d1 "], %[" d1 "], %[x1]\n\t"

#define BNN_RV_X(k)                                                                 \
    "lw   %[x0], " #k "*4(%[px])\n\t"                                               \
    "lw   %[x1], " #k "*4+4(%[px])\n\t"

/* Byte counts of v in place (10 instructions). */
#define BNN_RV_BYTES(v)                                                             \
    "srli %[t], %[" v "], 1\n\t"                                                    \
    "and  %[t], %[t], %[m55]\n\t"                                                   \
    "sub  %[" v "], %[" v "], %[t]\n\t"                                             \
    "srli %[t], %[" v "], 2\n\t"                                                    \
    "and  %[t], %[t], %[m33]\n\t"                                                   \
    "and  %[" v "], %[" v "], %[m33]\n\t"                                           \
    "add  %[" v "], %[" v "], %[t]\n\t"                                             \
    "srli %[t], %[" v "], 4\n\t"                                                    \
    "add  %[" v "], %[" v "], %[t]\n\t"                                             \
    "and  %[" v "], %[" v "], %[m0f]\n\t"

/* Byte counts of register v, then their sum added to acc (13 instructions). */
#define BNN_RV_COUNT(v, acc)                                                        \
    BNN_RV_BYTES(v)                                                                 \
    "mul  %[" v "], %[" v "], %[m01]\n\t"                                           \
    "srli %[" v "], %[" v "], 24\n\t"                                               \
    "add  %[" acc "], %[" acc "], %[" v "]\n\t"

/* pop = 8 * eights + ones + 2 twos + 4 fours, left in e. */
#define BNN_RV_FINISH(o, t2, f, e)                                                  \
    BNN_RV_BYTES(o) BNN_RV_BYTES(t2) BNN_RV_BYTES(f)                                \
    "slli %[" t2 "], %[" t2 "], 1\n\t"                                              \
    "add  %[" o "], %[" o "], %[" t2 "]\n\t"                                        \
    "slli %[" f "], %[" f "], 2\n\t"                                                \
    "add  %[" o "], %[" o "], %[" f "]\n\t"                                         \
    "mul  %[" o "], %[" o "], %[m01]\n\t"                                           \
    "srli %[" o "], %[" o "], 24\n\t"                                               \
    "slli %[" e "], %[" e "], 3\n\t"                                                \
    "add  %[" e "], %[" e "], %[" o "]\n\t"

#define BNN_RV_MASKS                                                                \
    "li   %[m55], 0x55555555\n\t"                                                   \
    "li   %[m33], 0x33333333\n\t"                                                   \
    "li   %[m0f], 0x0F0F0F0F\n\t"                                                   \
    "srli %[m01], %[m0f], 3\n\t"                                                    \
    "and  %[m01], %[m01], %[m0f]\n\t"

/* Two rows, n_words >= 8: popcount(x ^ w) over the n_words & ~7 words of each. */
static inline void bnn_rv_pair(const uint32_t *x, const uint32_t *pa, const uint32_t *pb, int32_t n_words,
                               uint32_t *pop_a, uint32_t *pop_b)
{
    const uint32_t *end = x + (n_words & ~7);
    uint32_t oa, ta, fa, ea, ob, tb, fb, eb, m55, m33, m0f, m01, x0, x1, u, v, t, k1, k2, k3, k4;
    /*
     * In C, for each row r of the two (a: pa, b: pb), every x word loaded once for both:
     *   ones = twos = fours = eights_sum = 0;
     *   for (; x != end; x += 8, r += 8) {
     *       d[k] = x[k] ^ r[k], k < 8;
     *       twosA = d[0]; csa(&ones, &twosA, d[1]);
     *       twosB = d[2]; csa(&ones, &twosB, d[3]); foursA = twosA; csa(&twos, &foursA, twosB);
     *       twosA = d[4]; csa(&ones, &twosA, d[5]);
     *       twosB = d[6]; csa(&ones, &twosB, d[7]); foursB = twosA; csa(&twos, &foursB, twosB);
     *       eights = foursA; csa(&fours, &eights, foursB);
     *       eights_sum += popcount(eights);                       (SWAR and a multiply)
     *   }
     *   pop = 8 * eights_sum + popcount(ones) + 2 * popcount(twos) + 4 * popcount(fours);
     * where csa(&l, &b, c) is (l, b) <- (l ^ b ^ c, majority(l, b, c)), BNN_RV_CSA.
     */
    __asm__ volatile(
        BNN_RV_MASKS
        "li   %[oa], 0\n\t" "li   %[ta], 0\n\t" "li   %[fa], 0\n\t" "li   %[ea], 0\n\t"
        "li   %[ob], 0\n\t" "li   %[tb], 0\n\t" "li   %[fb], 0\n\t" "li   %[eb], 0\n"
        "1:\n\t"
        BNN_RV_X(0)
        BNN_RV_PAIR(0, "pa", "k1", "v") BNN_RV_CSA("oa", "k1", "v")     /* twosA of a in k1 */
        BNN_RV_PAIR(0, "pb", "k2", "v") BNN_RV_CSA("ob", "k2", "v")     /* twosA of b in k2 */
        BNN_RV_X(2)
        BNN_RV_PAIR(2, "pa", "u", "v") BNN_RV_CSA("oa", "u", "v") BNN_RV_CSA("ta", "k1", "u")  /* foursA of a in k1 */
        BNN_RV_PAIR(2, "pb", "u", "v") BNN_RV_CSA("ob", "u", "v") BNN_RV_CSA("tb", "k2", "u")  /* foursA of b in k2 */
        BNN_RV_X(4)
        BNN_RV_PAIR(4, "pa", "k3", "v") BNN_RV_CSA("oa", "k3", "v")
        BNN_RV_PAIR(4, "pb", "k4", "v") BNN_RV_CSA("ob", "k4", "v")
        BNN_RV_X(6)
        BNN_RV_PAIR(6, "pa", "u", "v") BNN_RV_CSA("oa", "u", "v") BNN_RV_CSA("ta", "k3", "u")  /* foursB of a in k3 */
        BNN_RV_CSA("fa", "k1", "k3")                                                          /* eights of a in k1 */
        BNN_RV_PAIR(6, "pb", "u", "v") BNN_RV_CSA("ob", "u", "v") BNN_RV_CSA("tb", "k4", "u")
        BNN_RV_CSA("fb", "k2", "k4")
        BNN_RV_COUNT("k1", "ea")
        BNN_RV_COUNT("k2", "eb")
        "addi %[px], %[px], 32\n\t"
        "addi %[pa], %[pa], 32\n\t"
        "addi %[pb], %[pb], 32\n\t"
        "bne  %[px], %[end], 1b\n\t"
        BNN_RV_FINISH("oa", "ta", "fa", "ea")
        BNN_RV_FINISH("ob", "tb", "fb", "eb")
        : [px] "+r"(x), [pa] "+r"(pa), [pb] "+r"(pb),
          [oa] "=&r"(oa), [ta] "=&r"(ta), [fa] "=&r"(fa), [ea] "=&r"(ea),
          [ob] "=&r"(ob), [tb] "=&r"(tb), [fb] "=&r"(fb), [eb] "=&r"(eb),
          [m55] "=&r"(m55), [m33] "=&r"(m33), [m0f] "=&r"(m0f), [m01] "=&r"(m01),
          [x0] "=&r"(x0), [x1] "=&r"(x1), [u] "=&r"(u), [v] "=&r"(v), [t] "=&r"(t),
          [k1] "=&r"(k1), [k2] "=&r"(k2), [k3] "=&r"(k3), [k4] "=&r"(k4)
        : [end] "r"(end)
        : "memory");
    *pop_a = ea;
    *pop_b = eb;
}

static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    const uint32_t *pa = *w, *pb = pa + n_words;
    uint32_t sa, sb;
    int32_t i;
    bnn_rv_pair(x, pa, pb, n_words, &sa, &sb);
    for (i = n_words & ~7; i < n_words; i++) {
        sa += bnn_popcount32(x[i] ^ pa[i]);
        sb += bnn_popcount32(x[i] ^ pb[i]);
    }
    *w = pb + n_words;
    pop[0] = (int32_t)sa;
    pop[1] = (int32_t)sb;
}

/* The row left over when n_out is odd, and rows shorter than a block. */
static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    const uint32_t *p = *w;
    uint32_t s = 0;
    int32_t i;
    for (i = 0; i < n_words; i++) {
        s += bnn_popcount32(x[i] ^ p[i]);
    }
    *w = p + n_words;
    return (int32_t)s;
}

#endif /* BNN_POPCOUNT_RV32_H */
