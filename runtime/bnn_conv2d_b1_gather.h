/* bnn_conv2d_b1_gather.h - bnnc runtime: the patches of bnn_conv2d_b1.c (gathered pixels laid out like a weight row, border masks). */
#ifndef BNN_CONV2D_B1_GATHER_H
#define BNN_CONV2D_B1_GATHER_H

#include "bnn_kernels.h"

/* A patch written bit by bit: the words done, the word being filled and its bit count (< 32). */
typedef struct {
    uint32_t *next;
    uint32_t word;
    int32_t fill;
} bnn_conv2d_b1_bits_t;

/* Appends the low `bits` bits of v (higher bits 0), 1 <= bits <= 32. */
static inline void bnn_conv2d_b1_append(bnn_conv2d_b1_bits_t *b, uint32_t v, int32_t bits)
{
    b->word |= v << b->fill;
    b->fill += bits;
    if (b->fill >= 32) {
        *b->next++ = b->word;
        b->fill -= 32;
        b->word = b->fill > 0 ? v >> (bits - b->fill) : 0u; /* the bits that did not fit */
    }
}

/* Appends the in_c channels of a pixel (tail bits 0), or in_c one bits when pixel is NULL. */
static inline void bnn_conv2d_b1_append_pixel(bnn_conv2d_b1_bits_t *b, const uint32_t *pixel, int32_t in_c)
{
    int32_t left;
    for (left = in_c; left > 0; left -= 32) {
        const int32_t bits = left < 32 ? left : 32;
        bnn_conv2d_b1_append(b, pixel != 0 ? *pixel++ : bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1u, bits);
    }
}

/* Appends in_c zero bits. */
static inline void bnn_conv2d_b1_append_zeros(bnn_conv2d_b1_bits_t *b, int32_t in_c)
{
    int32_t left;
    for (left = in_c; left > 0; left -= 32) {
        bnn_conv2d_b1_append(b, 0u, left < 32 ? left : 32);
    }
}

/* Writes the last, partly filled word. */
static inline void bnn_conv2d_b1_flush(bnn_conv2d_b1_bits_t *b)
{
    if (b->fill > 0) {
        *b->next = b->word;
    }
}

/* Inside the input, with in_c a multiple of 32: the patch is the taps' words, copied. */
static void bnn_conv2d_b1_copy(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0, uint32_t *patch)
{
    const int32_t in_words = p->in_c / 32;
    const int32_t row = p->k_w * in_words;
    int32_t ky;
    int32_t k;
    for (ky = 0; ky < p->k_h; ky++) {
        const uint32_t *from = x + ((y0 + ky) * p->in_w + x0) * in_words;
        for (k = 0; k < row; k++) {
            *patch++ = from[k];
        }
    }
}

/*
 * bnn_conv2d_b1_gather for in_c <= 32 (one word per pixel, taps back to back
 * in the patch): each tap's word shifted into place, the part that does not
 * fit starting the next word, with the state in registers (about 10
 * instructions per tap; appending through bnn_conv2d_b1_bits_t took 60).
 */
static int32_t bnn_conv2d_b1_gather_small(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0,
                                          uint32_t *patch, uint32_t *mask)
{
    const int32_t in_c = p->in_c;
    const uint32_t ones = in_c == 32 ? 0xFFFFFFFFu : (1u << in_c) - 1u;
    const uint32_t pad = p->padding == BNN_PAD_MINUS ? ones : 0u;
    uint32_t word = 0;
    uint32_t mword = 0;
    int32_t fill = 0;
    int32_t inside = 0;
    int32_t ky;
    int32_t kx;
    for (ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = y0 + ky;
        const int row_in = iy >= 0 && iy < p->in_h;
        const uint32_t *row = x + (row_in ? iy : 0) * p->in_w;
        for (kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = x0 + kx;
            const int in = row_in && ix >= 0 && ix < p->in_w;
            const uint32_t v = in ? row[ix] : pad;
            const uint32_t mv = in ? ones : 0u;
            inside += in;
            word |= v << fill;
            mword |= mv << fill;
            fill += in_c;
            if (fill >= 32) {
                fill -= 32;
                *patch++ = word;
                word = fill > 0 ? v >> (in_c - fill) : 0u; /* the bits that did not fit */
                if (mask != 0) {
                    *mask++ = mword;
                    mword = fill > 0 ? mv >> (in_c - fill) : 0u;
                }
            }
        }
    }
    if (fill > 0) {
        *patch = word;
        if (mask != 0) {
            *mask = mword;
        }
    }
    return inside;
}

/*
 * bnn_conv2d_b1_gather_small for a position inside the input: no bounds, no
 * mask (about 7 instructions per tap).
 */
static void bnn_conv2d_b1_gather_inside(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0, uint32_t *patch)
{
    const int32_t in_c = p->in_c;
    const int32_t k_w = p->k_w;
    const int32_t in_w = p->in_w;
    const uint32_t *row = x + y0 * in_w + x0;
    uint32_t word = 0;
    int32_t fill = 0;
    int32_t ky;
    int32_t kx;
    for (ky = p->k_h; ky > 0; ky--, row += in_w) {
        for (kx = 0; kx < k_w; kx++) {
            const uint32_t v = row[kx];
            word |= v << fill;
            fill += in_c;
            if (fill >= 32) {
                fill -= 32;
                *patch++ = word;
                word = fill > 0 ? v >> (in_c - fill) : 0u; /* the bits that did not fit */
            }
        }
    }
    if (fill > 0) {
        *patch = word;
    }
}

/*
 * Gathers the patch of the position whose first tap is input pixel (y0, x0),
 * outside taps as the padding reads them (-1: ones; float zero and +1: zeros),
 * and with a mask (float-zero padding) the mask: ones on the inside taps,
 * zeros on the outside ones. Returns the number of inside taps.
 */
static int32_t bnn_conv2d_b1_gather(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0, uint32_t *patch,
                                    uint32_t *mask)
{
    const int32_t in_words = (p->in_c + 31) / 32;
    bnn_conv2d_b1_bits_t a = { patch, 0u, 0 };
    bnn_conv2d_b1_bits_t m = { mask, 0u, 0 };
    int32_t inside = 0;
    int32_t ky;
    int32_t kx;
    if (p->in_c <= 32) {
        return bnn_conv2d_b1_gather_small(x, p, y0, x0, patch, mask);
    }
    for (ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = y0 + ky;
        for (kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = x0 + kx;
            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                bnn_conv2d_b1_append_pixel(&a, x + (iy * p->in_w + ix) * in_words, p->in_c);
                inside++;
                if (mask != 0) {
                    bnn_conv2d_b1_append_pixel(&m, 0, p->in_c);
                }
            } else {
                if (p->padding == BNN_PAD_MINUS) {
                    bnn_conv2d_b1_append_pixel(&a, 0, p->in_c);
                } else {
                    bnn_conv2d_b1_append_zeros(&a, p->in_c);
                }
                if (mask != 0) {
                    bnn_conv2d_b1_append_zeros(&m, p->in_c);
                }
            }
        }
    }
    bnn_conv2d_b1_flush(&a);
    if (mask != 0) {
        bnn_conv2d_b1_flush(&m);
    }
    return inside;
}

#endif /* BNN_CONV2D_B1_GATHER_H */
