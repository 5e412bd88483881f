/* bnn_conv2d_pool.h - bnnc runtime: the pool -> threshold -> pack loop of the 2-D convolutions. */
#ifndef BNN_CONV2D_POOL_H
#define BNN_CONV2D_POOL_H

#include "bnn_kernels.h"

/* Writes the accumulators of every output channel at conv position (y, xx) to acc; work is its scratch. */
typedef void (*bnn_conv2d_position_t)(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                      int32_t y, int32_t xx, void *work, int32_t *acc);

/*
 * Every output pixel of a convolution: the accumulators of each position of
 * its pool window (pool_h x pool_w moved by the pool strides; 1 x 1 = no
 * pool), their max or their sum (p->pool_sum), then
 * bit_o = (pooled_o < thresh[o]) XOR flip_o, packed (out_c + 31) / 32 words
 * per pixel, tail bits 0. Window positions outside the convolution output
 * (the pool's padding, PyTorch's MaxPool2d(padding=...)) are skipped, so they
 * never win; every window holds at least one position inside (pad < window).
 *   acc    2 * out_c words: one position's accumulators, then the pooled ones
 * Always inlined with a constant `position`, so the compiler inlines that too:
 * each kernel compiles to one function, as if written out, and keeps in its
 * own file only what differs, the accumulators.
 */
__attribute__((always_inline)) static inline bnn_status_t bnn_conv2d_pool_threshold(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                                     const int32_t *thresh, const uint32_t *flip, uint32_t *out,
                                                     void *work, int32_t *acc, bnn_conv2d_position_t position)
{
    const int32_t out_words = (p->out_c + 31) / 32;
    int32_t *best = acc + p->out_c;
    int32_t py;
    int32_t px;
    int32_t o;
    if (!bnn_conv2d_params_ok(p)) {
        return BNN_ERROR_ARGUMENT;
    }
    for (py = 0; py < p->out_h; py++) {
        for (px = 0; px < p->out_w; px++) {
            uint32_t *pixel = out + (py * p->out_w + px) * out_words;
            uint32_t word = 0;
            int32_t qy;
            int32_t qx;
            int first = 1;
            for (qy = 0; qy < p->pool_h; qy++) {
                const int32_t cy = py * p->pool_stride_h - p->pool_pad_top + qy;
                if (cy < 0 || cy >= p->conv_h) {
                    continue;
                }
                for (qx = 0; qx < p->pool_w; qx++) {
                    const int32_t cx = px * p->pool_stride_w - p->pool_pad_left + qx;
                    if (cx < 0 || cx >= p->conv_w) {
                        continue;
                    }
                    position(x, w, p, cy, cx, work, acc);
                    for (o = 0; o < p->out_c; o++) {
                        best[o] = first ? acc[o] : p->pool_sum ? best[o] + acc[o] : (acc[o] > best[o] ? acc[o] : best[o]);
                    }
                    first = 0;
                }
            }
            for (o = 0; o < p->out_c; o++) {
                word |= (uint32_t)(best[o] < BNN_LOAD_I32(&thresh[o])) << (o & 31);
                if ((o & 31) == 31 || o == p->out_c - 1) {
                    pixel[o >> 5] = word ^ BNN_LOAD_U32(&flip[o >> 5]);
                    word = 0;
                }
            }
        }
    }
    return BNN_OK;
}

#endif /* BNN_CONV2D_POOL_H */
