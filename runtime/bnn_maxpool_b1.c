/* bnn_maxpool_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"

/*
 * Max-pool of binary activations, NHWC packed, no padding. The max of +/-1
 * values is -1 only when all are -1, so the output bit (1 = -1) is the AND of
 * the window's bits: one AND per packed word and tap.
 *   x   in_h * in_w pixels of (c + 31) / 32 words;  out: out_h * out_w pixels
 */
bnn_status_t bnn_maxpool_b1(const uint32_t *x, int32_t in_w, int32_t c, int32_t out_h, int32_t out_w,
                            int32_t k_h, int32_t k_w, int32_t stride_h, int32_t stride_w, uint32_t *out)
{
    const int32_t words = (c + 31) / 32;
    int32_t py;
    int32_t px;
    int32_t k;
    if (c < 1 || k_h < 1 || k_w < 1) {
        return BNN_ERROR_ARGUMENT;
    }
    for (py = 0; py < out_h; py++) {
        for (px = 0; px < out_w; px++) {
            uint32_t *o = out + (py * out_w + px) * words;
            int32_t ky;
            int32_t kx;
            for (k = 0; k < words; k++) {
                o[k] = 0xFFFFFFFFu;
            }
            for (ky = 0; ky < k_h; ky++) {
                for (kx = 0; kx < k_w; kx++) {
                    const uint32_t *in = x + ((py * stride_h + ky) * in_w + px * stride_w + kx) * words;
                    for (k = 0; k < words; k++) {
                        o[k] &= in[k];
                    }
                }
            }
        }
    }
    return BNN_OK;
}
