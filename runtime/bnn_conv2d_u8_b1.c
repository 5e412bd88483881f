/* bnn_conv2d_u8_b1.c - bnnc runtime: first-layer convolution of a uint8_t image (see bnn_conv2d_int.h). */
#include "bnn_conv2d_int.h"

static void bnn_conv2d_u8_position(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                                   int32_t y, int32_t xx, void *work, int32_t *acc)
{
    bnn_conv2d_int_position((const uint8_t *)x, 0, w, p, y, xx, (int32_t *)work, acc);
}

bnn_status_t bnn_conv2d_u8_b1(const uint8_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                              const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, scratch, bnn_conv2d_int_acc(scratch, p), bnn_conv2d_u8_position);
}
