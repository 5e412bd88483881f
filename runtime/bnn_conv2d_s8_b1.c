/* bnn_conv2d_s8_b1.c - bnnc runtime: first-layer convolution of an int8_t image (see bnn_conv2d_int.h). */
#include "bnn_conv2d_int.h"

bnn_status_t bnn_conv2d_s8_b1(const int8_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                              const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    return bnn_conv2d_int_b1((const uint8_t *)x, 1, w, p, thresh, flip, out, scratch);
}
