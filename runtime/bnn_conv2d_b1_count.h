/* bnn_conv2d_b1_count.h - bnnc runtime: the row counts of bnn_conv2d_b1.c (constant-shape adder trees, popcount per word). */
#ifndef BNN_CONV2D_B1_COUNT_H
#define BNN_CONV2D_B1_COUNT_H

#include "bnn_kernels.h"
#include "bnn_popcount.h"

/* Fully unroll the next loop over the words of a row (at most 15 at a constant length). */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8 /* GCC 8 added the pragma; avr-gcc 5 warns */
#define BNN_CONV2D_B1_UNROLL _Pragma("GCC unroll 16")
#else
#define BNN_CONV2D_B1_UNROLL
#endif

#if defined(BNN_KERNEL_ZBB) || defined(BNN_KERNEL_BUILTIN) || defined(__riscv_zbb)
/* a popcount instruction (bnn_popcount32 is cpop wherever Zbb is on), or the builtin baseline: one count per word */
#define BNN_CONV2D_B1_CSA 0
#else
#define BNN_CONV2D_B1_CSA 1
#endif

/*
 * Instruction-set help, in the optimised variants only (portable stays plain
 * C): on Arm with the DSP extension (armv7em, mve) LDRD pairs, USAD8 byte
 * sums, masks kept in registers for shifted operands and RBIT; on RV32IMC
 * (rv32, which requires a multiplier) one MUL for a byte sum.
 */
#if (defined(BNN_KERNEL_ARMV7EM) || defined(BNN_KERNEL_MVE)) && defined(__ARM_FEATURE_DSP) && defined(__thumb2__) && defined(__GNUC__)
#define BNN_CONV2D_B1_ARM_DSP 1
#else
#define BNN_CONV2D_B1_ARM_DSP 0
#endif
#if defined(BNN_KERNEL_RV32) && defined(__GNUC__)
#define BNN_CONV2D_B1_RV_MUL 1
#else
#define BNN_CONV2D_B1_RV_MUL 0
#endif

/*
 * The masks of the counts, set up once per group of channels. On Arm two are
 * hidden from GCC's constant propagation so that they stay in registers, where
 * a shifted operand makes (v >> 1) & m one instruction (measured: 8
 * instructions fewer per 9-word row on a Cortex-M4 than with immediates; the
 * third, 0x0F0F0F0F, stays an immediate: one more register spills more).
 */
typedef struct {
    uint32_t m55, m33, m0f, m01;
} bnn_conv2d_b1_masks_t;

static inline bnn_conv2d_b1_masks_t bnn_conv2d_b1_masks(void)
{
    bnn_conv2d_b1_masks_t k = { 0x55555555u, 0x33333333u, 0x0F0F0F0Fu, 0x01010101u };
#if BNN_CONV2D_B1_ARM_DSP
    __asm__("" : "+r"(k.m55), "+r"(k.m33));
#endif
#if BNN_CONV2D_B1_RV_MUL
    /* GCC turns the byte-sum multiply by the constant into 4 shifts and adds; one MUL is cheaper */
    __asm__("" : "+r"(k.m01));
#endif
    return k;
}

#if BNN_CONV2D_B1_CSA
/* 4-bit field counts of v (each <= 4). */
static inline uint32_t bnn_conv2d_b1_nibbles(uint32_t v, const bnn_conv2d_b1_masks_t *k)
{
    v = v - ((v >> 1) & k->m55);
    return (v & k->m33) + ((v >> 2) & k->m33);
}

/* The sum of the four bytes of v, if it is below 256 (else the sum mod 256, but with USAD8). */
static inline uint32_t bnn_conv2d_b1_byte_sum(uint32_t v, const bnn_conv2d_b1_masks_t *k)
{
#if BNN_CONV2D_B1_ARM_DSP
    (void)k;
    return __builtin_arm_usad8(v, 0u); /* one instruction: sum of |byte - 0| */
#else
    return (v * k->m01) >> 24;
#endif
}

/* h:l = l + a + b, bit by bit (a full adder: 5 logic operations). */
#define BNN_CONV2D_B1_FA(h, l, a, b)                 \
    do {                                             \
        const uint32_t fa_u = (l) ^ (a);             \
        (h) = ((l) & (a)) | (fa_u & (b));            \
        (l) = fa_u ^ (b);                            \
    } while (0)

/*
 * Words i and i + 1 of (x ^ w) & m into d0 and d1. With the DSP extension
 * (Cortex-M4/M7/M33/M55) by LDRD, one instruction per two words of each
 * array instead of two LDRs (the same 3 cycles as two pipelined LDRs): GCC
 * splits 64-bit loads into LDRs when registers are short, so the loads are
 * asm, post-incrementing, and the rows are walked through pointers.
 */
#if BNN_CONV2D_B1_ARM_DSP
#define BNN_CONV2D_B1_LDRD 1
/* *a = (*p)[0]; *b = (*p)[1]; *p += 2 */
#define BNN_CONV2D_B1_LD2(p, a, b) \
    __asm__("ldrd %0, %1, [%2], #8" : "=r"(a), "=r"(b), "+r"(p) : "m"(*(const uint32_t(*)[2])(p)))
#define BNN_CONV2D_B1_PAIR(d0, d1, i)                \
    do {                                             \
        uint32_t pair_w0;                            \
        uint32_t pair_w1;                            \
        BNN_CONV2D_B1_LD2(x, d0, d1);                \
        BNN_CONV2D_B1_LD2(w, pair_w0, pair_w1);      \
        (d0) ^= pair_w0;                             \
        (d1) ^= pair_w1;                             \
        if (masked) {                                \
            BNN_CONV2D_B1_LD2(m, pair_w0, pair_w1);  \
            (d0) &= pair_w0;                         \
            (d1) &= pair_w1;                         \
        }                                            \
    } while (0)
#else
#define BNN_CONV2D_B1_LDRD 0
#define BNN_CONV2D_B1_PAIR(d0, d1, i)    \
    do {                                 \
        (d0) = BNN_CONV2D_B1_D(i);       \
        (d1) = BNN_CONV2D_B1_D((i) + 1); \
    } while (0)
#endif

/*
 * popcount((x ^ w) & m) (m only when `masked`) of n words, 1 <= n <= 15; a
 * constant n after inlining unrolls into a fixed adder tree: words of weight
 * 1, 2, 4, 8, column by column (a 9-word row: 5 full adders and 2 half
 * adders, 29 logic operations; 5 words: 12), then one count of all four
 * words: nibble counts
 * ones + 2 twos <= 12 and fours + 2 eights <= 12, bytes, one byte sum.
 */
__attribute__((always_inline)) static inline uint32_t bnn_conv2d_b1_pop_n(const uint32_t *x, const uint32_t *w, const uint32_t *m,
                                                                        const int32_t n, const int masked,
                                                                        const bnn_conv2d_b1_masks_t *c)
{
    uint32_t ones = 0;
    uint32_t twos = 0;
    uint32_t fours = 0;
    uint32_t eights = 0;
    uint32_t low;
    uint32_t high;
    int32_t k;
#if BNN_CONV2D_B1_LDRD /* the pairs walk x, w and m: so do the single words */
#define BNN_CONV2D_B1_D(i) (masked ? (*x++ ^ *w++) & *m++ : *x++ ^ *w++)
#else
#define BNN_CONV2D_B1_D(i) (masked ? (x[i] ^ BNN_LOAD_U32(&w[i])) & m[i] : x[i] ^ BNN_LOAD_U32(&w[i]))
#endif
    uint32_t d[15];
    uint32_t c2[7]; /* carries of weight 2, 4 and 8 */
    uint32_t c4[3];
    int32_t n2 = 0;
    int32_t n4 = 0;
    BNN_CONV2D_B1_UNROLL
    for (k = 0; k + 1 < n; k += 2) {
        BNN_CONV2D_B1_PAIR(d[k], d[k + 1], k);
    }
    if (k < n) {
        d[k] = BNN_CONV2D_B1_D(k);
    }
    /* each column: the first word, then a full adder per two more (a half adder for a last one), carries to the next */
    ones = d[0];
    BNN_CONV2D_B1_UNROLL
    for (k = 1; k + 1 < n; k += 2) {
        BNN_CONV2D_B1_FA(c2[n2], ones, d[k], d[k + 1]);
        n2++;
    }
    if (k < n) {
        c2[n2++] = ones & d[k];
        ones ^= d[k];
    }
    twos = n2 > 0 ? c2[0] : 0u;
    BNN_CONV2D_B1_UNROLL
    for (k = 1; k + 1 < n2; k += 2) {
        BNN_CONV2D_B1_FA(c4[n4], twos, c2[k], c2[k + 1]);
        n4++;
    }
    if (k < n2) {
        c4[n4++] = twos & c2[k];
        twos ^= c2[k];
    }
    fours = n4 > 0 ? c4[0] : 0u;
    if (n4 == 3) { /* 12 to 15 words */
        BNN_CONV2D_B1_FA(eights, fours, c4[1], c4[2]);
    } else if (n4 == 2) {
        eights = fours & c4[1];
        fours ^= c4[1];
    }
#undef BNN_CONV2D_B1_D
    low = bnn_conv2d_b1_nibbles(ones, c) + (bnn_conv2d_b1_nibbles(twos, c) << 1); /* fields <= 12 */
    low = (low & c->m0f) + ((low >> 4) & c->m0f);                                 /* bytes <= 24 */
    if (n < 4) { /* no fours */
        return bnn_conv2d_b1_byte_sum(low, c);
    }
    if (n < 8) { /* no eights: fours counted by bytes (<= 8) */
        high = bnn_conv2d_b1_nibbles(fours, c);
        high = (high + (high >> 4)) & c->m0f;
    } else {
        high = bnn_conv2d_b1_nibbles(fours, c) + (bnn_conv2d_b1_nibbles(eights, c) << 1); /* fields <= 12 */
        high = (high & c->m0f) + ((high >> 4) & c->m0f);                                  /* bytes <= 24 */
    }
#if !BNN_CONV2D_B1_ARM_DSP
    if (n >= 8) { /* the count may reach 256: count the low and high bytes apart (each sum <= 96) */
        return bnn_conv2d_b1_byte_sum(low, c) + (bnn_conv2d_b1_byte_sum(high, c) << 2);
    }
#endif
    return bnn_conv2d_b1_byte_sum(low + (high << 2), c);                        /* bytes <= 120 */
}

/* The same for any n >= 1: blocks of 8 words, then the last n % 8. */
__attribute__((noinline)) static uint32_t bnn_conv2d_b1_pop_any(const uint32_t *x, const uint32_t *w, const uint32_t *m, int32_t n, int masked,
                                      const bnn_conv2d_b1_masks_t *c)
{
    uint32_t pop = 0;
    for (; n >= 8; n -= 8, x += 8, w += 8) {
        if (masked) {
            pop += bnn_conv2d_b1_pop_n(x, w, m, 8, 1, c);
            m += 8;
        } else {
            pop += bnn_conv2d_b1_pop_n(x, w, m, 8, 0, c);
        }
    }
    for (; n > 0; n--) {
        pop += bnn_popcount32(masked ? (*x++ ^ BNN_LOAD_U32(w++)) & *m++ : *x++ ^ BNN_LOAD_U32(w++));
    }
    return pop;
}
#else
/* popcount((x ^ w) & m) (m only when `masked`) of n words, word by word (unrolled for a constant n). */
__attribute__((always_inline)) static inline uint32_t bnn_conv2d_b1_pop_n(const uint32_t *x, const uint32_t *w, const uint32_t *m,
                                                                        const int32_t n, const int masked,
                                                                        const bnn_conv2d_b1_masks_t *c)
{
    uint32_t pop = 0;
    int32_t k;
    (void)c;
    BNN_CONV2D_B1_UNROLL
    for (k = 0; k < n; k++) {
        pop += bnn_popcount32(masked ? (x[k] ^ BNN_LOAD_U32(&w[k])) & m[k] : x[k] ^ BNN_LOAD_U32(&w[k]));
    }
    return pop;
}

__attribute__((noinline)) static uint32_t bnn_conv2d_b1_pop_any(const uint32_t *x, const uint32_t *w, const uint32_t *m, int32_t n, int masked,
                                      const bnn_conv2d_b1_masks_t *c)
{
    return masked ? bnn_conv2d_b1_pop_n(x, w, m, n, 1, c) : bnn_conv2d_b1_pop_n(x, w, m, n, 0, c);
}
#endif

#endif /* BNN_CONV2D_B1_COUNT_H */
