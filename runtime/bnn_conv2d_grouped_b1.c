/* bnn_conv2d_grouped_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"
#include "bnn_conv2d_pool.h"
#include "bnn_popcount.h"

/*
 * Grouped (depthwise too) or dilated binary 2-D convolution, NHWC, direct,
 * float-zero padding, with an optional max- or sum-pool of the accumulators
 * before the threshold (the loop of bnn_conv2d_pool.h).
 *   x       input: in_h * in_w pixels of (in_c + 31) / 32 packed words
 *   w       out_c rows of k_h * k_w taps of g_words = (in_c / groups + 31) / 32 words:
 *           each tap holds its group's channels from bit 0 (bit 1 = weight -1)
 *   p       geometry (bnn_conv2d_params_t in bnn_kernels.h)
 *   groups  in [1, in_c], dividing in_c and out_c; dil_h, dil_w in [1, 127]
 *   scratch k_h * k_w * g_words + 2 * out_c words (in bnnc's arena)
 * Output channel o belongs to group g = o / (out_c / groups) and reads input
 * channels g * cg .. g * cg + cg - 1 (cg = in_c / groups), which start at any
 * bit of the pixel's words: each tap's group channels are shifted down to bit 0.
 * dot = sum over the taps inside the input of (cg - 2 * popcount(x_tap,g XOR w_tap));
 * a tap at (y * stride - pad + k * dil) outside the input contributes 0.
 * bit = (max or sum over the pool window of dot < thresh) XOR flip.
 */
typedef struct {
    bnn_conv2d_params_t base;   /* first member: a pointer to it is a pointer to the whole */
    int32_t groups;
    int32_t dil_h;
    int32_t dil_w;
} bnn_conv2d_grouped_t;

/* The cg channels of the group starting at channel `first` of one pixel, shifted to bit 0, tail bits 0. */
static void bnn_conv2d_grouped_gather(const uint32_t *pixel, int32_t in_words, int32_t first, int32_t cg, uint32_t *to)
{
    const int32_t g_words = (cg + 31) / 32;
    const uint32_t tail = (cg % 32) == 0 ? 0xFFFFFFFFu : ((1u << (cg % 32)) - 1u);
    const int32_t shift = first % 32;
    int32_t k;
    for (k = 0; k < g_words; k++) {
        const int32_t word = first / 32 + k;
        uint32_t v = pixel[word] >> shift;
        if (shift != 0 && word + 1 < in_words) {
            v |= pixel[word + 1] << (32 - shift);
        }
        to[k] = k == g_words - 1 ? v & tail : v;
    }
}

/*
 * Dots of every output channel at conv position (y, x) (a bnn_conv2d_position_t;
 * work is the patch). For each group, its channels of every tap are gathered
 * into the patch; where every tap lies inside the input, bnn_dense_b1_pop counts
 * the group's output channels against it with the kernel variant's row engine
 * (dot = taps * cg - 2 * popcount); at the border each output sums its valid taps.
 */
static inline void bnn_conv2d_grouped_dots(const void *input, const uint32_t *w, const bnn_conv2d_params_t *params,
                                           int32_t y, int32_t xx, void *work, int32_t *dot)
{
    const bnn_conv2d_grouped_t *p = (const bnn_conv2d_grouped_t *)params;
    const uint32_t *x = (const uint32_t *)input;
    uint32_t *patch = (uint32_t *)work;
    const int32_t in_c = p->base.in_c;
    const int32_t in_words = (in_c + 31) / 32;
    const int32_t cg = in_c / p->groups;
    const int32_t og = p->base.out_c / p->groups;
    const int32_t g_words = (cg + 31) / 32;
    const int32_t taps = p->base.k_h * p->base.k_w;
    const int32_t y0 = y * p->base.stride_h - p->base.pad_top;
    const int32_t x0 = xx * p->base.stride_w - p->base.pad_left;
    const int inside = y0 >= 0 && x0 >= 0 && y0 + (p->base.k_h - 1) * p->dil_h < p->base.in_h
        && x0 + (p->base.k_w - 1) * p->dil_w < p->base.in_w;
    int32_t g;
    for (g = 0; g < p->groups; g++) {
        const uint32_t *wg = w + g * og * taps * g_words;
        int32_t ky;
        int32_t kx;
        int32_t o;
        for (ky = 0; ky < p->base.k_h; ky++) {
            const int32_t iy = y0 + ky * p->dil_h;
            for (kx = 0; kx < p->base.k_w; kx++) {
                const int32_t ix = x0 + kx * p->dil_w;
                if (iy >= 0 && iy < p->base.in_h && ix >= 0 && ix < p->base.in_w) {
                    bnn_conv2d_grouped_gather(x + (iy * p->base.in_w + ix) * in_words, in_words, g * cg, cg, patch + (ky * p->base.k_w + kx) * g_words);
                }
            }
        }
        if (inside) {
            (void)bnn_dense_b1_pop(patch, wg, taps * g_words, og, dot + g * og);
            for (o = 0; o < og; o++) {
                dot[g * og + o] = taps * cg - 2 * dot[g * og + o];
            }
            continue;
        }
        for (o = 0; o < og; o++) {
            const uint32_t *wo = wg + o * taps * g_words;
            int32_t sum = 0;
            for (ky = 0; ky < p->base.k_h; ky++) {
                const int32_t iy = y0 + ky * p->dil_h;
                for (kx = 0; kx < p->base.k_w; kx++) {
                    const int32_t ix = x0 + kx * p->dil_w;
                    const int32_t tap = ky * p->base.k_w + kx;
                    int32_t pop = 0;
                    int32_t k;
                    if (iy < 0 || iy >= p->base.in_h || ix < 0 || ix >= p->base.in_w) {
                        continue;
                    }
                    for (k = 0; k < g_words; k++) {
                        pop += (int32_t)bnn_popcount32(patch[tap * g_words + k] ^ BNN_LOAD_U32(&wo[tap * g_words + k]));
                    }
                    sum += cg - 2 * pop;
                }
            }
            dot[g * og + o] = sum;
        }
    }
}

bnn_status_t bnn_conv2d_grouped_b1(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p, int32_t groups,
                                   int32_t dil_h, int32_t dil_w, const int32_t *thresh, const uint32_t *flip, uint32_t *out,
                                   uint32_t *scratch)
{
    bnn_conv2d_grouped_t grouped;
    int32_t *dot;
    if (groups < 1 || p->in_c % groups != 0 || p->out_c % groups != 0 || dil_h < 1 || dil_w < 1 || p->padding != BNN_PAD_ZERO) {
        return BNN_ERROR_ARGUMENT;
    }
    grouped.base = *p;
    grouped.groups = groups;
    grouped.dil_h = dil_h;
    grouped.dil_w = dil_w;
    /* scratch: the patch of one group, then the dots of one position, then the pooled accumulators */
    dot = (int32_t *)(scratch + p->k_h * p->k_w * ((p->in_c / groups + 31) / 32));
    return bnn_conv2d_pool_threshold(x, w, &grouped.base, thresh, flip, out, scratch, dot, bnn_conv2d_grouped_dots);
}
