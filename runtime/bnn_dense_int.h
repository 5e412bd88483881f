/* bnn_dense_int.h - bnnc runtime: the bit-plane accumulators of bnn_dense_{u8,s8}_{b1,acc}. */
#ifndef BNN_DENSE_INT_H
#define BNN_DENSE_INT_H

#include "bnn_kernels.h"

/*
 * First layer: 8-bit input times binary weights, by bit planes.
 *   x       n_in inputs (uint8_t or int8_t)                    n_in in [1, 65535]
 *   w       n_out rows of n_words = (n_in + 31) / 32 packed weights (bit 1 = weight -1)
 *   thresh  per-channel accumulator threshold (_b1 only)
 *   flip    packed per-channel flip bits (_b1 only)
 *   out     packed output, (n_out + 31) / 32 words, tail bits 0 (_b1); or n_out accumulators (_acc)
 *   planes  scratch of 8 (_b1) or 9 (_acc) * n_words words (in bnnc's arena)
 * The input is split once into 8 bit planes p_b (plane b holds bit b of every
 * x_i, packed like an activation). With c_b = 2^b (int8_t: c_7 = -128, two's
 * complement) and X_b = popcount(w_o XOR p_b):
 *   acc_o = sum_i (w_oi = +1 ? x_i : -x_i) = sum_b c_b X_b - S popcount(w_o)
 * where S = sum_b c_b is 255 (uint8_t) or -1 (int8_t)
 * (popcount(p AND w) = (popcount p + popcount w - popcount(p XOR w)) / 2, and
 * sum_b c_b popcount p_b = sum_i x_i). So each output is 8 XOR-popcount rows,
 * computed by the same row engine as the binary layers (bnn_dense_b1_pop with
 * the weight row as the input and the planes as the rows): no multiply, and the
 * per-ISA popcount of the selected kernel variant.
 *   _b1:  bit_o = (sum_b c_b X_b < thresh[o]) XOR flip_o, where bnnc has
 *         already added S popcount(w_o), a constant of the weights, to the
 *         threshold (src/ops/dense_int_b1: planeThresholds), clamped to int32
 *         (|sum_b c_b X_b| <= 255 * 32 * n_words, so the clamp never changes a bit).
 *   _acc: the accumulators themselves; popcount(w_o) is counted against a
 *         ninth, all-zero plane.
 * |acc| <= 255 * n_in (uint8_t), 128 * n_in (int8_t) fits int32.
 * The bytes of x are read as uint8_t (the planes of an int8_t are those of its two's complement byte).
 */
/* The 8 bit planes of x, and with zero_plane a ninth plane of zeros. */
static inline void bnn_dense_int_planes(const uint8_t *x, int32_t n_in, int32_t n_words, int zero_plane, uint32_t *planes)
{
    int32_t word;
    for (word = 0; word < n_words; word++) {
        uint32_t p[8] = {0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u};
        const int32_t first = word * 32;
        const int32_t count = (n_in - first) < 32 ? (n_in - first) : 32;
        int32_t k;
        int b;
        for (k = 0; k < count; k++) {
            const uint32_t v = (uint32_t)x[first + k];
            for (b = 0; b < 8; b++) {
                p[b] |= ((v >> b) & 1u) << k;
            }
        }
        for (b = 0; b < 8; b++) {
            planes[b * n_words + word] = p[b];
        }
        if (zero_plane) {
            planes[8 * n_words + word] = 0u;
        }
    }
}

/*
 * sum_b c_b X_b of one output from its weight row, minus S popcount(w_o) when
 * n_planes is 9 (the accumulator); is_signed and n_planes are constants in each caller.
 */
static inline int32_t bnn_dense_int_row(const uint32_t *planes, int32_t n_words, const uint32_t *row, int is_signed, int32_t n_planes)
{
    int32_t pop[9];
    int32_t sum;
#if defined(__AVR__)
    /* The weight row is in flash (PROGMEM) and the planes in RAM: count plane by plane. */
    int32_t b;
    for (b = 0; b < n_planes; b++) {
        (void)bnn_dense_b1_pop(planes + b * n_words, row, n_words, 1, &pop[b]);
    }
#else
    (void)bnn_dense_b1_pop(row, planes, n_words, n_planes, pop);
#endif
    sum = pop[0] + 2 * pop[1] + 4 * pop[2] + 8 * pop[3] + 16 * pop[4] + 32 * pop[5] + 64 * pop[6]
        + (is_signed ? -128 : 128) * pop[7];
    if (n_planes == 9) {
        sum += is_signed ? pop[8] : -255 * pop[8];
    }
    return sum;
}

/* bnn_dense_{u8,s8}_b1: the accumulators thresholded and packed (thresholds shifted by S popcount(w_o), see above). */
static inline bnn_status_t bnn_dense_int_b1(const uint8_t *x, int is_signed, int32_t n_in, const uint32_t *w, int32_t n_out,
                                            const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *planes)
{
    const int32_t n_words = (n_in + 31) / 32;
    int32_t o;
    uint32_t word = 0;
    if (n_in < 1 || n_in > 65535 || n_out < 1) {
        return BNN_ERROR_ARGUMENT;
    }
    bnn_dense_int_planes(x, n_in, n_words, 0, planes);
    for (o = 0; o < n_out; o++) {
        const int32_t sum = bnn_dense_int_row(planes, n_words, w + (uint32_t)o * (uint32_t)n_words, is_signed, 8);
        word |= (uint32_t)(sum < BNN_LOAD_I32(&thresh[o])) << (o & 31);
        if ((o & 31) == 31 || o == n_out - 1) {
            out[o >> 5] = word ^ BNN_LOAD_U32(&flip[o >> 5]);
            word = 0;
        }
    }
    return BNN_OK;
}

/* bnn_dense_{u8,s8}_acc: the same accumulators, written out (a single-layer model's scores). */
static inline bnn_status_t bnn_dense_int_acc(const uint8_t *x, int is_signed, int32_t n_in, const uint32_t *w, int32_t n_out,
                                             int32_t *acc, uint32_t *planes)
{
    const int32_t n_words = (n_in + 31) / 32;
    int32_t o;
    if (n_in < 1 || n_in > 65535 || n_out < 1) {
        return BNN_ERROR_ARGUMENT;
    }
    bnn_dense_int_planes(x, n_in, n_words, 1, planes);
    for (o = 0; o < n_out; o++) {
        acc[o] = bnn_dense_int_row(planes, n_words, w + (uint32_t)o * (uint32_t)n_words, is_signed, 9);
    }
    return BNN_OK;
}

#endif /* BNN_DENSE_INT_H */
