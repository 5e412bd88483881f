/* bnn_maxpool_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"

/*
 * Max-pool of binary activations, NHWC packed. The max of +/-1 values is -1
 * only when all are -1, so the output bit (1 = -1) is the AND of the window's
 * bits: one AND per packed word and tap. Windows may overlap (stride < k) and
 * be padded (PyTorch's MaxPool2d(3, stride=2, padding=1)): a padded position
 * is skipped, i.e. acts as -1 (bit 1, the AND's identity), so it never wins,
 * as ONNX's -inf padding. pad_top < k_h and pad_left < k_w, so every window
 * holds one real pixel (else BNN_ERROR_ARGUMENT).
 *   x   in_h * in_w pixels of (c + 31) / 32 words;  out: out_h * out_w pixels
 */
bnn_status_t bnn_maxpool_b1(const uint32_t *x, int32_t in_h, int32_t in_w, int32_t c, int32_t out_h, int32_t out_w,
                            int32_t k_h, int32_t k_w, int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, uint32_t *out)
{
    const int32_t words = (c + 31) / 32;
    int32_t py;
    int32_t px;
    int32_t k;
    if (c < 1 || k_h < 1 || k_w < 1 || pad_top < 0 || pad_top >= k_h || pad_left < 0 || pad_left >= k_w) {
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
                const int32_t iy = py * stride_h - pad_top + ky;
                if (iy < 0 || iy >= in_h) {
                    continue;
                }
                for (kx = 0; kx < k_w; kx++) {
                    const int32_t ix = px * stride_w - pad_left + kx;
                    const uint32_t *in;
                    if (ix < 0 || ix >= in_w) {
                        continue;
                    }
                    in = x + (iy * in_w + ix) * words;
                    for (k = 0; k < words; k++) {
                        o[k] &= in[k];
                    }
                }
            }
        }
    }
    return BNN_OK;
}
