/* bnn_popcount_mve.h - bnnc runtime: the mve row engine, included by bnn_popcount.h for BNN_KERNEL_MVE. */
#ifndef BNN_POPCOUNT_MVE_H
#define BNN_POPCOUNT_MVE_H

#include "bnn_popcount_portable.h"

#if !defined(__ARM_FEATURE_MVE) || !(__ARM_FEATURE_MVE & 1)
#error "bnn kernel variant mve needs a Helium (MVE) core compiled with MVE enabled (e.g. -mcpu=cortex-m55 -mfloat-abi=hard); regenerate with another --kernel"
#endif
#include <arm_mve.h>

#define BNN_POP_ROWS 4

/*
 * Helium has no vector popcount (VCNT is NEON only; MVE has VCLZ/VCLS), so
 * byte counts come from a gather: VLDRB.U8 with the 16 bytes of x ^ w as
 * offsets into a 256-byte table, then VADDVA.U8 adds the 16 counts to a
 * scalar. Four rows per pass share each vector of x: per 4 words and 4 rows,
 * 5 loads, 4 VEOR, 4 gathers, 4 VADDVA and LE = 18 instructions for 16
 * weight words. On silicon a gather makes one memory access per byte, so it
 * costs more cycles than its instruction count suggests; the SWAR reduction
 * of a vector would be about 10 ALU instructions instead of 2.
 */

/* popcount of every byte value, for the byte gather */
__attribute__((unused)) static const uint8_t bnn_pop8[256] = {BNN_POP8_TABLE};

/* x ^ w over 4 words, its 16 byte counts (table gather) summed into acc */
#define BNN_MVE_STEP(acc, xv, wv)                                                                 \
    (acc) = vaddvaq_u8((acc), vldrbq_gather_offset_u8(bnn_pop8, vreinterpretq_u8_u32(veorq_u32((xv), (wv)))))

static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    const uint32_t *p = *w;
    uint32_t acc = 0;
    int32_t i;
    for (i = 0; i + 4 <= n_words; i += 4) {
        BNN_MVE_STEP(acc, vldrwq_u32(x + i), vldrwq_u32(p + i));
    }
    if (i < n_words) { /* 1-3 words left: predicated loads read 0 in the inactive lanes */
        const mve_pred16_t pr = vctp32q((uint32_t)(n_words - i));
        BNN_MVE_STEP(acc, vldrwq_z_u32(x + i, pr), vldrwq_z_u32(p + i, pr));
    }
    *w = p + n_words;
    return (int32_t)acc;
}

/* Four rows per pass share each vector of x. */
static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    const uint32_t *pa = *w, *pb = pa + n_words, *pc = pb + n_words, *pd = pc + n_words;
    uint32_t a = 0, b = 0, c = 0, d = 0;
    int32_t i;
    for (i = n_words >> 2; i > 0; i--) {
        const uint32x4_t xv = vldrwq_u32(x);
        BNN_MVE_STEP(a, xv, vldrwq_u32(pa));
        BNN_MVE_STEP(b, xv, vldrwq_u32(pb));
        BNN_MVE_STEP(c, xv, vldrwq_u32(pc));
        BNN_MVE_STEP(d, xv, vldrwq_u32(pd));
        x += 4;
        pa += 4;
        pb += 4;
        pc += 4;
        pd += 4;
    }
    if (n_words & 3) {
        const mve_pred16_t pr = vctp32q((uint32_t)(n_words & 3));
        const uint32x4_t xv = vldrwq_z_u32(x, pr);
        BNN_MVE_STEP(a, xv, vldrwq_z_u32(pa, pr));
        BNN_MVE_STEP(b, xv, vldrwq_z_u32(pb, pr));
        BNN_MVE_STEP(c, xv, vldrwq_z_u32(pc, pr));
        BNN_MVE_STEP(d, xv, vldrwq_z_u32(pd, pr));
    }
    *w = pd + (n_words & 3);
    pop[0] = (int32_t)a;
    pop[1] = (int32_t)b;
    pop[2] = (int32_t)c;
    pop[3] = (int32_t)d;
}

#endif /* BNN_POPCOUNT_MVE_H */
