/* bnn_conv2d_f32_b1.c - bnnc runtime: first-layer convolution of a float image, thresholded on float32 sums. */
#include "bnn_conv2d_pool.h"

/*
 * x: in_h * in_w pixels of in_c floats, HWC (pixel (iy, ix) channel c at
 * x[(iy * in_w + ix) * in_c + c]). w: out_c rows of (k_h * k_w * in_c + 31) / 32
 * packed words, bit t * in_c + c is tap t's channel c (1 = weight -1), as in
 * bnn_conv2d_int.h. At each position, acc_o = the float32 sum of
 * (w = +1 ? x : -x) over the taps inside the input, in tap order (ky, kx, c),
 * from +0.0f, each addition rounded to float32: the weights are +/-1, so there
 * is no multiply and no contraction (FMA) can form; on cores without an FPU the
 * compiler's soft-float addition rounds the same way (IEEE 754, round to
 * nearest even). Taps outside the input contribute nothing (float-zero padding).
 * The pool (max; any window, stride and pads) and the threshold of
 * bnn_conv2d_pool.h then run on the sum's rank: an int32 in the float order
 * (-0 just below +0), NaN at INT32_MAX, so no float comparison is needed. bnnc
 * chooses thresh_o (a rank) so that bit_o equals the model's float32 chain for
 * every float32 sum.
 * scratch: 2 * out_c words.
 */
static int32_t bnn_conv2d_f32_rank(float f)
{
    union {
        float f;
        uint32_t u;
    } v;
    v.f = f;
    if ((v.u & 0x7fffffffu) > 0x7f800000u) {
        return INT32_MAX; /* NaN: below no threshold */
    }
    return (v.u & 0x80000000u) ? -1 - (int32_t)(v.u & 0x7fffffffu) : (int32_t)v.u;
}

static inline void bnn_conv2d_f32_position(const void *input, const uint32_t *w, const bnn_conv2d_params_t *p,
                                           int32_t y, int32_t xx, void *work, int32_t *acc)
{
    const float *x = (const float *)input;
    const int32_t row_words = (p->k_h * p->k_w * p->in_c + 31) / 32;
    int32_t o;
    (void)work;
    for (o = 0; o < p->out_c; o++) {
        const uint32_t *row = w + o * row_words;
        float sum = 0.0f;
        int32_t i = 0; /* bit of the row: tap (ky, kx)'s channel c is bit (ky * k_w + kx) * in_c + c */
        int32_t iy = y * p->stride_h - p->pad_top;
        int32_t ky;
        for (ky = 0; ky < p->k_h; ky++, iy++) {
            int32_t ix = xx * p->stride_w - p->pad_left;
            int32_t kx;
            for (kx = 0; kx < p->k_w; kx++, ix++, i += p->in_c) {
                int32_t c;
                if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                    continue;
                }
                for (c = 0; c < p->in_c; c++) {
                    const float v = x[(iy * p->in_w + ix) * p->in_c + c];
                    const uint32_t negative = (BNN_LOAD_U32(&row[(i + c) >> 5]) >> ((i + c) & 31)) & 1u;
                    sum = negative ? sum - v : sum + v;
                }
            }
        }
        acc[o] = bnn_conv2d_f32_rank(sum);
    }
}

bnn_status_t bnn_conv2d_f32_b1(const float *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                               const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    if (p->pool_sum) {
        return BNN_ERROR_ARGUMENT; /* float sums are max-pooled only */
    }
    return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, scratch, (int32_t *)scratch, bnn_conv2d_f32_position);
}
