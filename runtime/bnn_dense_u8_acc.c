/* bnn_dense_u8_acc.c - bnnc runtime: uint8_t input x binary weights, the accumulators (see bnn_dense_int.h). */
#include "bnn_dense_int.h"

bnn_status_t bnn_dense_u8_acc(const uint8_t *x, int32_t n_in, const uint32_t *w, int32_t n_out, int32_t *acc, uint32_t *planes)
{
    return bnn_dense_int_acc((const uint8_t *)x, 0, n_in, w, n_out, acc, planes);
}
