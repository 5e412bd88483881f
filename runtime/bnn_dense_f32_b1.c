/* bnn_dense_f32_b1.c - bnnc runtime: float input x binary weights, thresholded on the float32 sum. */
#include "bnn_kernels.h"

/*
 * acc_o = x_0 (+/-) x_1 (+/-) ... in input order from +0.0f, every addition
 * rounded to float32: the weights are +/-1, so there is no multiply and no
 * contraction (FMA) can form; on cores without an FPU the compiler's soft-float
 * addition rounds the same way (IEEE 754, round to nearest even).
 * bit_o = (key(acc_o) < thresh_o) XOR flip_o, where key is the order-preserving
 * unsigned key of the float's bits (positive: sign bit set, negative: all bits
 * inverted), so the comparison needs no FPU; a NaN accumulator is below no
 * threshold. bnnc chooses thresh_o so that this bit equals the model's float32
 * chain (bias, batch-norm, sign) for every float32 accumulator value.
 */
static uint32_t bnn_dense_f32_key(float f, uint32_t *is_nan)
{
    union {
        float f;
        uint32_t u;
    } v;
    v.f = f;
    *is_nan = (v.u & 0x7fffffffu) > 0x7f800000u;
    return (v.u & 0x80000000u) ? ~v.u : (v.u | 0x80000000u);
}

bnn_status_t bnn_dense_f32_b1(const float *x, int32_t n_in, const uint32_t *w, int32_t n_out,
                              const uint32_t *thresh, const uint32_t *flip, uint32_t *out)
{
    const int32_t words = (n_in + 31) >> 5;
    int32_t o;
    int32_t i;
    uint32_t word = 0;
    if (n_in < 1 || n_in > 65535 || n_out < 1 || n_out > 65535) {
        return BNN_ERROR_ARGUMENT;
    }
    for (o = 0; o < n_out; o++) {
        const uint32_t *row = w + o * words;
        float acc = 0.0f;
        uint32_t is_nan;
        uint32_t key;
        uint32_t below;
        for (i = 0; i < n_in; i++) {
            const uint32_t negative = (BNN_LOAD_U32(&row[i >> 5]) >> (i & 31)) & 1u;
            acc = negative ? acc - x[i] : acc + x[i];
        }
        key = bnn_dense_f32_key(acc, &is_nan);
        below = (uint32_t)(!is_nan && key < BNN_LOAD_U32(&thresh[o]));
        word |= (below ^ ((BNN_LOAD_U32(&flip[o >> 5]) >> (o & 31)) & 1u)) << (o & 31);
        if ((o & 31) == 31 || o == n_out - 1) {
            out[o >> 5] = word;
            word = 0;
        }
    }
    return BNN_OK;
}
