/* bnn_conv2d_int.h - bnnc runtime: the accumulators of bnn_conv2d_u8_b1 and bnn_conv2d_s8_b1. */
#ifndef BNN_CONV2D_INT_H
#define BNN_CONV2D_INT_H

#include "bnn_conv2d_pool.h"

/*
 * First layer: 2-D convolution of an 8-bit image (channels-first, as the
 * source model declares its input) with binary weights, an optional max- or
 * sum-pool of the accumulators, then the threshold.
 *   x        p->in_c planes of in_h * in_w values (uint8_t or int8_t)
 *   w        out_c rows of (k_h * k_w * in_c + 31) / 32 packed weight words: bit
 *            t * in_c + c is tap t's channel c (1 = weight -1), tail bits 0
 *   thresh, flip, out: as bnn_conv2d_b1
 *   scratch  16 * ((k_h * k_w * in_c + 3) / 4) + 2 * out_c words (in bnnc's arena)
 * acc = sum over the taps inside the input and the channels of (w = +1 ? x : -x):
 * taps outside contribute 0, which is float-zero padding of the scaled input.
 * acc = total - 2 * (sum of the patch values under -1 weights). The patch's
 * values are taken four at a time, and each group gets a table of its 16
 * subset sums, built once per position; an output channel then adds one table
 * entry per group, indexed by its four weight bits: 1 load and 1 add for 4
 * values instead of 4 masked adds (the subset sums cost 15 adds per group,
 * shared by all output channels).
 * |acc| <= 255 * k_h * k_w * in_c (uint8_t), 128 * k_h * k_w * in_c (int8_t).
 */

/*
 * The subset-sum tables of position (y, xx): value i of the patch (tap-major,
 * then channel; 0 outside the input; bytes read as int8_t when is_signed) is
 * bit i % 4 of the index into table i / 4 (16 words each). Returns the patch's sum.
 */
static inline int32_t bnn_conv2d_int_tables(const uint8_t *x, int is_signed, const bnn_conv2d_params_t *p,
                                            int32_t y, int32_t xx, int32_t *tables)
{
    int32_t total = 0;
    int32_t i = 0; /* index of the value in the patch */
    int32_t iy = y * p->stride_h - p->pad_top; /* the input pixel (iy, ix) under tap (ky, kx) */
    int32_t ky;
    int32_t kx;
    int32_t c;
    int32_t s;
    for (ky = 0; ky < p->k_h; ky++, iy++) {
        int32_t ix = xx * p->stride_w - p->pad_left;
        for (kx = 0; kx < p->k_w; kx++, ix++) {
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            for (c = 0; c < p->in_c; c++, i++) {
                const int32_t at = (c * p->in_h + iy) * p->in_w + ix;
                const int32_t v = !inside ? 0 : is_signed ? (int32_t)(int8_t)x[at] : (int32_t)x[at];
                int32_t *table = tables + 16 * (i >> 2);
                const int32_t half = 1 << (i & 3); /* entries [half, 2 * half) include v */
                if (half == 1) {
                    table[0] = 0;
                }
                for (s = 0; s < half; s++) {
                    table[half + s] = table[s] + v;
                }
                total += v;
            }
        }
    }
    return total;
}

/* acc[o] = total - 2 * (sum of the patch values under the -1 weights of channel o), from the tables. */
static inline void bnn_conv2d_int_accumulators(const int32_t *tables, int32_t total, const uint32_t *w,
                                               const bnn_conv2d_params_t *p, int32_t *acc)
{
    const int32_t values = p->k_h * p->k_w * p->in_c;
    const int32_t groups = (values + 3) / 4;
    const int32_t row_words = (values + 31) / 32;
    int32_t o;
    for (o = 0; o < p->out_c; o++) {
        const uint32_t *row = w + o * row_words;
        const int32_t *table = tables;
        int32_t negative = 0;
        uint32_t bits = 0;
        int32_t g;
        for (g = 0; g < groups; g++, table += 16, bits >>= 4) {
            if ((g & 7) == 0) {
                bits = BNN_LOAD_U32(&row[g >> 3]);
            }
            negative += table[bits & 15u];
        }
        acc[o] = total - 2 * negative;
    }
}

/* The accumulators of one position (work: the tables), for bnn_conv2d_pool_threshold. */
static inline void bnn_conv2d_int_position(const uint8_t *x, int is_signed, const uint32_t *w, const bnn_conv2d_params_t *p,
                                           int32_t y, int32_t xx, int32_t *tables, int32_t *acc)
{
    const int32_t total = bnn_conv2d_int_tables(x, is_signed, p, y, xx, tables);
    bnn_conv2d_int_accumulators(tables, total, w, p, acc);
}

static inline void bnn_conv2d_int_position_u8(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                       int32_t y, int32_t xx, void *work, int32_t *acc)
{
    bnn_conv2d_int_position((const uint8_t *)x, 0, w, p, y, xx, (int32_t *)work, acc);
}

static inline void bnn_conv2d_int_position_s8(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                       int32_t y, int32_t xx, void *work, int32_t *acc)
{
    bnn_conv2d_int_position((const uint8_t *)x, 1, w, p, y, xx, (int32_t *)work, acc);
}

/* bnn_conv2d_{u8,s8}_b1 with their position. scratch: the tables (16 words per 4 patch values), then 2 * out_c accumulators. */
__attribute__((always_inline)) static inline bnn_status_t bnn_conv2d_int_b1(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                                                            const int32_t *thresh, const uint32_t *flip, uint32_t *out,
                                                                            uint32_t *scratch, bnn_conv2d_position_t position)
{
    int32_t *acc = (int32_t *)scratch + 16 * ((p->k_h * p->k_w * p->in_c + 3) / 4);
    return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, scratch, acc, position);
}

#endif /* BNN_CONV2D_INT_H */
