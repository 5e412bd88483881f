/* bnn_dense_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"
#include "bnn_popcount.h"

/*
 * Binary dense layer with thresholded binary output.
 *   x      packed input, n_words words (tail bits 0)           n_words in [1, 65535]
 *   w      n_out rows of n_words packed weights (bit 1 = -1)   n_out in [1, 65535]
 *   thresh per-channel popcount threshold                      any int32
 *   flip   packed per-channel flip bits
 *   out    packed output, (n_out + 31) / 32 words; tail bits written as 0
 * Channel o: pop = popcount(x XOR w_o) = (n - dot) / 2, and
 *   bit_o = (pop > thresh[o]) XOR flip_o      (bit 1 = -1)
 * The threshold already holds the batch-norm/sign decision, computed by bnnc
 * for every reachable popcount, so no arithmetic beyond the comparison is needed.
 *
 * Variants (bnn_kernel_config.h): the optimised ones take BNN_POP_ROWS rows
 * per pass from the row engine in bnn_popcount.h, then threshold and pack
 * the bits exactly as the portable loop does (zbb and rv32 compare inside the
 * engine, BNN_HAVE_BITS_PASSES: zbb on thresholds clamped to [-1, 32 * n_words],
 * which gives the same bits, rv32 with a signed compare);
 * portable and builtin are the plain loop below.
 */
#if defined(BNN_POP_ROWS) /* a row engine (bnn_popcount_<variant>.h) */
bnn_status_t bnn_dense_b1(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out,
                          const int32_t *thresh, const uint32_t *flip, uint32_t *out)
{
    const uint32_t *row = w;
    int32_t left = n_out;
    uint32_t word = 0;
    uint32_t bit = 1; /* 1u << (o & 31) for the current output o */
    if (n_words < 1 || n_out < 1) {
        return BNN_ERROR_ARGUMENT;
    }
#if defined(BNN_HAVE_BITS_PASSES)
    /* The engine thresholds whole passes itself: a whole output word per call, then the rest. */
    if (n_words >= BNN_MIN_WORDS) {
        /* x, and where the last 32-word block of a row starts in x (the engine keeps them in memory) */
        const uint32_t *const xs[2] = { x, (const uint32_t *)((uintptr_t)x + (uint32_t)n_words * 4u - 128u) };
        for (; left >= 32; left -= 32) {
            *out++ = bnn_bits_passes(xs, &row, n_words, &thresh, 32 / BNN_POP_ROWS) ^ *flip++;
        }
        if (left >= BNN_POP_ROWS) {
            int32_t np = left / BNN_POP_ROWS;
            word = bnn_bits_passes(xs, &row, n_words, &thresh, np) >> (32 - BNN_POP_ROWS * np);
            bit = 1u << (BNN_POP_ROWS * np);
            left -= BNN_POP_ROWS * np;
        }
    }
#elif BNN_POP_ROWS > 1
    /* Whole passes; BNN_POP_ROWS divides 32, so a pass never straddles an output word. */
    for (; left >= BNN_POP_ROWS && n_words >= BNN_MIN_WORDS; left -= BNN_POP_ROWS) {
        int32_t pop[BNN_POP_ROWS];
        int32_t r;
        bnn_pop_rows(x, &row, n_words, pop);
        BNN_UNROLL
        for (r = 0; r < BNN_POP_ROWS; r++) {
            if (pop[r] > *thresh++) {
                word |= bit;
            }
            bit <<= 1;
        }
        if (bit == 0) {
            *out++ = word ^ *flip++;
            word = 0;
            bit = 1;
        }
    }
#endif
    /* One row at a time (all rows when BNN_POP_ROWS is 1). */
    for (; left > 0; left--) {
        if (bnn_pop_row(x, &row, n_words) > *thresh++) {
            word |= bit;
        }
        bit <<= 1;
        if (bit == 0) {
            *out++ = word ^ *flip++;
            word = 0;
            bit = 1;
        }
    }
    if (bit != 1) {
        *out = word ^ *flip;
    }
    return BNN_OK;
}
#else /* portable (and the builtin benchmark baseline, through bnn_popcount32) */
bnn_status_t bnn_dense_b1(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out,
                          const int32_t *thresh, const uint32_t *flip, uint32_t *out)
{
    int32_t o;
    uint32_t word = 0;
    if (n_words < 1 || n_out < 1) {
        return BNN_ERROR_ARGUMENT;
    }
    for (o = 0; o < n_out; o++) {
        const uint32_t *row = w + (uint32_t)o * (uint32_t)n_words;
        int32_t pop = 0;
        int32_t i;
        for (i = 0; i < n_words; i++) {
            pop += (int32_t)bnn_popcount32(x[i] ^ BNN_LOAD_U32(&row[i]));
        }
        word |= (uint32_t)(pop > BNN_LOAD_I32(&thresh[o])) << (o & 31);
        if ((o & 31) == 31 || o == n_out - 1) {
            out[o >> 5] = word ^ BNN_LOAD_U32(&flip[o >> 5]);
            word = 0;
        }
    }
    return BNN_OK;
}
#endif
