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
 *   w        out_c rows of k_h * k_w taps of (in_c + 31) / 32 packed weight words
 *   thresh, flip, out: as bnn_conv2d_b1
 *   scratch  k_h * k_w * in_c + 2 * out_c words (in bnnc's arena)
 * acc = sum over the taps inside the input and the channels of (w = +1 ? x : -x):
 * taps outside contribute 0, which is float-zero padding of the scaled input.
 * Each position's patch is gathered once (0 outside the input); then for every
 * output channel acc = total - 2 * (sum of the patch values under -1 weights),
 * with the selection done by a mask, not a branch or a multiply.
 * |acc| <= 255 * k_h * k_w * in_c (uint8_t), 128 * k_h * k_w * in_c (int8_t).
 */

/* The patch of position (y, xx) as int32 values (bytes read as int8_t when is_signed); returns their sum. */
static inline int32_t bnn_conv2d_int_patch(const uint8_t *x, int is_signed, const bnn_conv2d_params_t *p,
                                           int32_t y, int32_t xx, int32_t *patch)
{
    int32_t total = 0;
    int32_t iy = y * p->stride_h - p->pad_top; /* the input pixel (iy, ix) under tap (ky, kx) */
    int32_t ky;
    int32_t kx;
    int32_t c;
    for (ky = 0; ky < p->k_h; ky++, iy++) {
        int32_t ix = xx * p->stride_w - p->pad_left;
        for (kx = 0; kx < p->k_w; kx++, ix++) {
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            for (c = 0; c < p->in_c; c++) {
                const int32_t i = (iy * p->in_w + ix) * p->in_c + c;
                const int32_t v = !inside ? 0 : is_signed ? (int32_t)(int8_t)x[i] : (int32_t)x[i];
                *patch++ = v;
                total += v;
            }
        }
    }
    return total;
}

/* acc[o] = total - 2 * (sum of the patch values under the -1 weights of channel o). */
static inline void bnn_conv2d_int_accumulators(const int32_t *patch, int32_t total, const uint32_t *w,
                                               const bnn_conv2d_params_t *p, int32_t *acc)
{
    const int32_t in_words = (p->in_c + 31) / 32;
    const int32_t taps = p->k_h * p->k_w;
    int32_t o;
    for (o = 0; o < p->out_c; o++) {
        const uint32_t *wt = w + o * taps * in_words;
        int32_t negative = 0;
        int32_t t;
        int32_t c;
        const int32_t *v = patch;
        for (t = 0; t < taps; t++, wt += in_words) {
            for (c = 0; c < p->in_c; c++) {
                const uint32_t bit = (BNN_LOAD_U32(&wt[c >> 5]) >> (c & 31)) & 1u;
                negative += *v++ & -(int32_t)bit;
            }
        }
        acc[o] = total - 2 * negative;
    }
}

/* The accumulators of one position (work: the patch), for bnn_conv2d_pool_threshold. */
static inline void bnn_conv2d_int_position(const uint8_t *x, int is_signed, const uint32_t *w, const bnn_conv2d_params_t *p,
                                           int32_t y, int32_t xx, int32_t *patch, int32_t *acc)
{
    const int32_t total = bnn_conv2d_int_patch(x, is_signed, p, y, xx, patch);
    bnn_conv2d_int_accumulators(patch, total, w, p, acc);
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

/* bnn_conv2d_{u8,s8}_b1 with their position. scratch: the patch (k_h * k_w * in_c words), then 2 * out_c accumulators. */
__attribute__((always_inline)) static inline bnn_status_t bnn_conv2d_int_b1(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                                                            const int32_t *thresh, const uint32_t *flip, uint32_t *out,
                                                                            uint32_t *scratch, bnn_conv2d_position_t position)
{
    int32_t *acc = (int32_t *)scratch + p->k_h * p->k_w * p->in_c;
    return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, scratch, acc, position);
}

#endif /* BNN_CONV2D_INT_H */
