/* bnn_dense_s8_b1.c - bnnc runtime: int8_t input x binary weights, thresholded (see bnn_dense_int.h). */
#include "bnn_dense_int.h"

bnn_status_t bnn_dense_s8_b1(const int8_t *x, int32_t n_in, const uint32_t *w, int32_t n_out,
                             const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *planes)
{
    return bnn_dense_int_b1((const uint8_t *)x, 1, n_in, w, n_out, thresh, flip, out, planes);
}
