/* bnn_kernels.h - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#ifndef BNN_KERNELS_H
#define BNN_KERNELS_H

#include <stdint.h>
#include "bnn_kernel_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Constant data (weights, thresholds, flips, test vectors) lives in flash on
 * every core. On AVR that takes PROGMEM and explicit reads (pgm_read_*); on
 * the others `const` data is in flash already and a read is a plain load. The
 * kernels read every constant through these macros; activations and inputs
 * are plain RAM reads.
 */
#if defined(__AVR__)
#include <avr/pgmspace.h>
#define BNN_CONST_ATTR PROGMEM
#define BNN_LOAD_U32(p) ((uint32_t)pgm_read_dword(p))
#define BNN_LOAD_I32(p) ((int32_t)pgm_read_dword(p))
#define BNN_LOAD_I16(p) ((int16_t)pgm_read_word(p))
#else
#define BNN_CONST_ATTR
#define BNN_LOAD_U32(p) (*(p))
#define BNN_LOAD_I32(p) (*(p))
#define BNN_LOAD_I16(p) (*(p))
#endif

/** Status of every bnn_* kernel. */
typedef enum {
    BNN_OK = 0,
    BNN_ERROR_ARGUMENT = 1 /**< a size was out of its documented range */
} bnn_status_t;

/** Padding of a convolution: float zero (border taps contribute 0), +1 or -1. */
typedef enum {
    BNN_PAD_ZERO = 0,
    BNN_PAD_PLUS = 1,
    BNN_PAD_MINUS = 2
} bnn_padding_t;

/**
 * Geometry of a 2-D convolution (NHWC) followed by an optional max- or average-pool of its accumulators
 * (any window and stride; a max-pool may be padded: padded positions never win).
 * Sizes in [1, 32767], kernel, stride and pool in [1, 127], padding in [0, 127] (bnnc refuses layers outside them);
 * every accumulator and pooled sum must fit int32 (bnnc checks the reachable range); thresh: any int32.
 */
typedef struct {
    int16_t in_h, in_w, in_c;       /**< input size; channels packed in (in_c + 31) / 32 words per pixel */
    int16_t out_h, out_w, out_c;    /**< output size after the pool */
    int8_t k_h, k_w;                /**< kernel size */
    int8_t stride_h, stride_w;      /**< convolution strides */
    int8_t pad_top, pad_left;       /**< leading padding; trailing padding follows from the sizes */
    int8_t pool_h, pool_w;          /**< pool window; 1 x 1 = none */
    int8_t padding;                 /**< bnn_padding_t */
    int8_t pool_sum;                /**< 0: max-pool the accumulators; 1: sum them (average pool, the division is in the threshold) */
    int8_t pool_stride_h, pool_stride_w;  /**< pool strides (= pool_h, pool_w for the usual non-overlapping pool) */
    int8_t pool_pad_top, pool_pad_left;   /**< pool positions before the first convolution row/column; < pool_h, pool_w */
    int16_t conv_h, conv_w;         /**< convolution output size before the pool: window positions outside it are skipped */
} bnn_conv2d_params_t;

/** 1 if the fields every convolution kernel relies on are in range (else the kernel returns BNN_ERROR_ARGUMENT). */
static inline int bnn_conv2d_params_ok(const bnn_conv2d_params_t *p)
{
    return p->in_c >= 1 && p->out_c >= 1 && p->pool_h >= 1 && p->pool_w >= 1 && p->pool_stride_h >= 1 && p->pool_stride_w >= 1
        && p->pool_pad_top >= 0 && p->pool_pad_top < p->pool_h && p->pool_pad_left >= 0 && p->pool_pad_left < p->pool_w;
}

/** Name of the kernel variant compiled in (see bnn_kernel_variant.c). */
const char *bnn_kernel_variant(void);

/* Binarized model input: bit_i = (x_i < thresh_i) XOR flip_i, packed `group` channels per pixel (bnn_binarize_*.c). */
bnn_status_t bnn_binarize_f32(const float *x, int32_t pixels, int32_t group, const uint32_t *thresh_key, const uint32_t *flip, uint32_t *out);
bnn_status_t bnn_binarize_u8(const uint8_t *x, int32_t pixels, int32_t group, const int16_t *thresh, const uint32_t *flip, uint32_t *out);
bnn_status_t bnn_binarize_s8(const int8_t *x, int32_t pixels, int32_t group, const int16_t *thresh, const uint32_t *flip, uint32_t *out);

/* 2-D convolutions, thresholded (bnn_conv2d_*.c), and binary max-pool (bnn_maxpool_b1.c). */
bnn_status_t bnn_conv2d_b1(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                           const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch);
bnn_status_t bnn_conv2d_u8_b1(const uint8_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                              const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch);
bnn_status_t bnn_conv2d_s8_b1(const int8_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                              const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch);
/* float image (HWC) x binary weights: float32 sums over the valid taps, max-pooled and thresholded on their int32
 * ranks (bnn_conv2d_f32_b1.c); p->pool_sum must be 0 (else BNN_ERROR_ARGUMENT); scratch: 2 * out_c words. */
bnn_status_t bnn_conv2d_f32_b1(const float *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                               const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch);
/* Grouped (depthwise too) or dilated binary convolution, float-zero padding (bnn_conv2d_grouped_b1.c): groups divides
 * in_c and out_c, dil_h and dil_w in [1, 127]; scratch k_h * k_w * ((in_c / groups + 31) / 32) + 2 * out_c words. */
bnn_status_t bnn_conv2d_grouped_b1(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p, int32_t groups,
                                   int32_t dil_h, int32_t dil_w, const int32_t *thresh, const uint32_t *flip, uint32_t *out,
                                   uint32_t *scratch);
bnn_status_t bnn_maxpool_b1(const uint32_t *x, int32_t in_h, int32_t in_w, int32_t c, int32_t out_h, int32_t out_w,
                            int32_t k_h, int32_t k_w, int32_t stride_h, int32_t stride_w, int32_t pad_top, int32_t pad_left, uint32_t *out);

/* Integer input x binary weights: bit_o = (acc_o < thresh_o) XOR flip_o, or the accumulators (bnn_dense_{u8,s8}_{b1,acc}.c, one function per file).
 * n_in in [1, 65535] (else BNN_ERROR_ARGUMENT), n_out in [1, 65535]; thresh: any int32.
 * planes: scratch of 9 * ((n_in + 31) / 32) words for the input's bit planes. */
bnn_status_t bnn_dense_u8_b1(const uint8_t *x, int32_t n_in, const uint32_t *w, int32_t n_out,
                             const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *planes);
bnn_status_t bnn_dense_u8_acc(const uint8_t *x, int32_t n_in, const uint32_t *w, int32_t n_out, int32_t *acc, uint32_t *planes);
bnn_status_t bnn_dense_s8_b1(const int8_t *x, int32_t n_in, const uint32_t *w, int32_t n_out,
                             const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *planes);
bnn_status_t bnn_dense_s8_acc(const int8_t *x, int32_t n_in, const uint32_t *w, int32_t n_out, int32_t *acc, uint32_t *planes);

/* Float input x binary weights (first layer, --input-type float32): acc_o = float32 sum of +/-x_i in input order,
 * bit_o = (key(acc_o) < thresh_o) XOR flip_o with key the order-preserving uint32 key of a float (bnn_dense_f32_b1.c).
 * n_in and n_out in [1, 65535] (else BNN_ERROR_ARGUMENT); thresh: any uint32 key. */
bnn_status_t bnn_dense_f32_b1(const float *x, int32_t n_in, const uint32_t *w, int32_t n_out,
                              const uint32_t *thresh, const uint32_t *flip, uint32_t *out);

/* Binary x binary: bit_o = (popcount(x ^ w_o) > thresh_o) XOR flip_o (bnn_dense_b1.c), or the popcounts (bnn_dense_b1_pop.c).
 * n_words and n_out in [1, 65535]; thresh: any int32, in every kernel variant (zbb clamps it to
 * [-1, 32 * n_words] first, which gives the same bits). */
bnn_status_t bnn_dense_b1(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out,
                          const int32_t *thresh, const uint32_t *flip, uint32_t *out);
bnn_status_t bnn_dense_b1_pop(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out, int32_t *pop);

#ifdef __cplusplus
}
#endif

#endif /* BNN_KERNELS_H */
