/* bnn_conv2d_int.h - bnnc runtime: the accumulators of bnn_conv2d_u8_b1 and bnn_conv2d_s8_b1. */
#ifndef BNN_CONV2D_INT_H
#define BNN_CONV2D_INT_H

#include "bnn_conv2d_pool.h"

/*
 * First layer: 2-D convolution of an 8-bit image (channels-last: a camera
 * frame's interleaved pixels, e.g. RGB RGB ...) with binary weights, an
 * optional max- or sum-pool of the accumulators, then the threshold.
 *   x        in_h * in_w pixels of in_c values (uint8_t or int8_t), HWC:
 *            pixel (iy, ix) channel c at x[(iy * in_w + ix) * in_c + c]; one channel is a row-major image
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
 * bit i % 4 of the index into table i / 4 (16 words each). Each value is
 * first stored at its single-bit entry (1, 2, 4 or 8), the missing values of
 * the last group as 0; then each table is completed with 11 adds. Returns
 * the patch's sum.
 */
static inline int32_t bnn_conv2d_int_tables(const uint8_t *x, int is_signed, const bnn_conv2d_params_t *p,
                                            int32_t y, int32_t xx, int32_t *tables)
{
    const int32_t values = p->k_h * p->k_w * p->in_c;
    const int32_t groups = (values + 3) / 4;
    int32_t total = 0;
    int32_t i = 0; /* index of the value in the patch */
    int32_t iy = y * p->stride_h - p->pad_top; /* the input pixel (iy, ix) under tap (ky, kx) */
    int32_t ky;
    int32_t kx;
    int32_t c;
    int32_t g;
    for (ky = 0; ky < p->k_h; ky++, iy++) {
        int32_t ix = xx * p->stride_w - p->pad_left;
        for (kx = 0; kx < p->k_w; kx++, ix++) {
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            for (c = 0; c < p->in_c; c++, i++) {
                const int32_t at = (iy * p->in_w + ix) * p->in_c + c;
                const int32_t v = !inside ? 0 : is_signed ? (int32_t)(int8_t)x[at] : (int32_t)x[at];
                tables[16 * (i >> 2) + (1 << (i & 3))] = v;
                total += v;
            }
        }
    }
    for (; i < 4 * groups; i++) {
        tables[16 * (i >> 2) + (1 << (i & 3))] = 0;
    }
    for (g = 0; g < groups; g++, tables += 16) {
        int32_t s;
        tables[0] = 0;
        tables[3] = tables[1] + tables[2];
        for (s = 1; s < 4; s++) {
            tables[4 + s] = tables[4] + tables[s];
        }
        for (s = 1; s < 8; s++) {
            tables[8 + s] = tables[8] + tables[s];
        }
    }
    return total;
}

/*
 * acc[o] = total - 2 * (sum of the patch values under the -1 weights of channel o), from the
 * tables; `groups` is a constant after inlining when the row is one word (up to 32 values).
 */
__attribute__((always_inline)) static inline void bnn_conv2d_int_sums(const int32_t *tables, int32_t total, const uint32_t *w,
                                                                      int32_t out_c, int32_t groups, int32_t row_words, int32_t *acc)
{
    int32_t o;
    for (o = 0; o < out_c; o++, w += row_words) {
        const int32_t *table = tables;
        int32_t negative = 0;
        uint32_t bits = 0;
        int32_t g;
        for (g = 0; g < groups; g++, table += 16, bits >>= 4) {
            if ((g & 7) == 0) {
                bits = BNN_LOAD_U32(&w[g >> 3]);
            }
            negative += table[bits & 15u];
        }
        acc[o] = total - 2 * negative;
    }
}

static inline void bnn_conv2d_int_accumulators(const int32_t *tables, int32_t total, const uint32_t *w,
                                               const bnn_conv2d_params_t *p, int32_t *acc)
{
    const int32_t values = p->k_h * p->k_w * p->in_c;
    const int32_t groups = (values + 3) / 4;
    switch (groups) {
    case 1: bnn_conv2d_int_sums(tables, total, w, p->out_c, 1, 1, acc); break;
    case 2: bnn_conv2d_int_sums(tables, total, w, p->out_c, 2, 1, acc); break;
    case 3: bnn_conv2d_int_sums(tables, total, w, p->out_c, 3, 1, acc); break;
    case 7: bnn_conv2d_int_sums(tables, total, w, p->out_c, 7, 1, acc); break;
    default: bnn_conv2d_int_sums(tables, total, w, p->out_c, groups, (values + 31) / 32, acc); break;
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
