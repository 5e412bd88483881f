/* bnn_conv2d_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"
#include "bnn_conv2d_pool.h"
#include "bnn_popcount.h"

/*
 * Binary 2-D convolution, NHWC, direct (no im2col buffer), with an optional
 * max- or sum-pool of the accumulators before the threshold.
 *   x      input: in_h * in_w pixels of in_words = (in_c + 31) / 32 packed words
 *   w      out_c rows of k_h * k_w taps of in_words words (bit 1 = weight -1)
 *   p      geometry (see bnn_conv2d_params_t in bnn_kernels.h)
 *   thresh per-channel threshold on the dot product
 *   flip   packed per-channel flip bits
 *   out    out_h * out_w pixels of (out_c + 31) / 32 words, tail bits 0
 *   scratch k_h * k_w * in_words + 2 * out_c words (in bnnc's arena)
 * dot = sum over taps of (in_c - 2 * popcount(x_tap XOR w_tap)). A tap outside the
 * input contributes 0 with float-zero padding (PyTorch), or reads an all-0 (+1
 * padding) or all-1 (-1 padding) pixel. bit = (max over the pool window of dot
 * < thresh) XOR flip. |dot| <= k_h * k_w * in_c.
 */
static int32_t bnn_conv2d_b1_dot(const uint32_t *x, const uint32_t *wo, const bnn_conv2d_params_t *p, int32_t y, int32_t xx)
{
    const int32_t in_words = (p->in_c + 31) / 32;
    const uint32_t tail = (p->in_c % 32) == 0 ? 0xFFFFFFFFu : ((1u << (p->in_c % 32)) - 1u);
    int32_t dot = 0;
    int32_t ky;
    int32_t kx;
    int32_t k;
    for (ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = y * p->stride_h - p->pad_top + ky;
        for (kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = xx * p->stride_w - p->pad_left + kx;
            const uint32_t *wt = wo + (ky * p->k_w + kx) * in_words;
            int32_t pop = 0;
            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                const uint32_t *xt = x + (iy * p->in_w + ix) * in_words;
                for (k = 0; k < in_words; k++) {
                    pop += (int32_t)bnn_popcount32(xt[k] ^ BNN_LOAD_U32(&wt[k]));
                }
            } else if (p->padding == BNN_PAD_ZERO) {
                continue;
            } else {
                for (k = 0; k < in_words; k++) {
                    const uint32_t pad = p->padding == BNN_PAD_MINUS ? (k == in_words - 1 ? tail : 0xFFFFFFFFu) : 0u;
                    pop += (int32_t)bnn_popcount32(pad ^ BNN_LOAD_U32(&wt[k]));
                }
            }
            dot += p->in_c - 2 * pop;
        }
    }
    return dot;
}

/*
 * Dots of every output channel at conv position (y, x). Where every tap lies
 * inside the input, the taps' words are gathered into one contiguous patch
 * (the weights of an output channel are laid out the same way: kh x kw x
 * in_words), and bnn_dense_b1_pop counts all channels against it with the
 * selected kernel variant's row engine: dot = taps x in_c - 2 x popcount.
 * Positions that touch the padding keep the tap-by-tap loop. (A
 * bnn_conv2d_position_t: work is the patch.)
 */
static inline void bnn_conv2d_b1_dots(const void *input, const uint32_t *w, const bnn_conv2d_params_t *p,
                               int32_t y, int32_t xx, void *work, int32_t *dot)
{
    const uint32_t *x = (const uint32_t *)input;
    uint32_t *patch = (uint32_t *)work;
    const int32_t in_words = (p->in_c + 31) / 32;
    const int32_t taps = p->k_h * p->k_w;
    const int32_t y0 = y * p->stride_h - p->pad_top;
    const int32_t x0 = xx * p->stride_w - p->pad_left;
    int32_t o;
    if (y0 >= 0 && x0 >= 0 && y0 + p->k_h <= p->in_h && x0 + p->k_w <= p->in_w) {
        int32_t ky;
        int32_t kx;
        int32_t k;
        uint32_t *to = patch;
        for (ky = 0; ky < p->k_h; ky++) {
            const uint32_t *from = x + ((y0 + ky) * p->in_w + x0) * in_words;
            for (kx = 0; kx < p->k_w * in_words; kx++) {
                *to++ = from[kx];
            }
        }
        (void)bnn_dense_b1_pop(patch, w, taps * in_words, p->out_c, dot);
        for (k = 0; k < p->out_c; k++) {
            dot[k] = taps * p->in_c - 2 * dot[k];
        }
        return;
    }
    for (o = 0; o < p->out_c; o++) {
        dot[o] = bnn_conv2d_b1_dot(x, w + o * taps * in_words, p, y, xx);
    }
}

bnn_status_t bnn_conv2d_b1(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                           const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    /* scratch: the patch, then the dots of one position, then the pooled accumulators */
    int32_t *dot = (int32_t *)(scratch + p->k_h * p->k_w * ((p->in_c + 31) / 32));
    return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, scratch, dot, bnn_conv2d_b1_dots);
}
