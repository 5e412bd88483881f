/* bnn_conv2d_int.h - bnnc runtime: the fused loop of bnn_conv2d_u8_b1 and bnn_conv2d_s8_b1. */
#ifndef BNN_CONV2D_INT_H
#define BNN_CONV2D_INT_H

#include "bnn_kernels.h"
#include "bnn_conv2d_pool.h"

/*
 * First layer: 2-D convolution of an 8-bit image (channels-last: a camera
 * frame's interleaved pixels, e.g. RGB RGB ...) with binary weights, an
 * optional max- or sum-pool of the accumulators, then the threshold.
 *   x        in_h * in_w pixels of in_c values (uint8_t or int8_t), HWC:
 *            pixel (iy, ix) channel c at x[(iy * in_w + ix) * in_c + c]; one channel is a row-major image
 *   w        out_c rows of (k_h * k_w * in_c + 31) / 32 packed weight words: bit
 *            t * in_c + c is tap t's channel c (1 = weight -1), tail bits 0
 *   thresh, flip, out: as bnn_conv2d_b1
 *   scratch  bnn_conv2d_int_scratch_words(p) words (in bnnc's arena; src/ops/conv2d_int_b1 computes the same)
 * acc = sum over the taps inside the input and the channels of (w = +1 ? x : -x):
 * taps outside contribute 0, which is float-zero padding of the scaled input.
 *
 * The patch's values are taken G at a time, and each group gets a table of
 * its 2^G signed sums, t[b] = sum_i (bit i of b ? -v_i : v_i), built once per
 * position and shared by every output channel: acc is one table entry per
 * group, indexed by the channel's G weight bits (1 load and 1 add for G
 * values).
 * - 3x3 kernel on one channel (or 3x1 on RGB: kernel rows of 3 values) moved
 *   by 1 row, no pool: G = 3, a group is a kernel row, whose table depends on
 *   the input row only, so the layer runs column by column, two output rows at
 *   a time, and keeps the tables of the rows still under the kernel (1 new
 *   table per position instead of 3); each channel's table offsets and clamped
 *   threshold are computed once per call (its record) and serve both rows, and
 *   the threshold is applied in registers.
 * - Otherwise G = 4 over the flattened patch (tap-major, then channel), copied
 *   first (zeros outside) so the tables read it without bounds checks; without
 *   a pool the threshold is applied in registers, with one the pooled
 *   accumulators go through scratch.
 * The bits of 32 channels are shifted into one word, highest channel first.
 * Measured (instructions per inference, QEMU):
 *   mnist-cnn conv1 (28x28, 3x3, 1 -> 16, pad 1): stm32f4 1,279,810 -> 217,392 (about 11 per channel and
 *   position in the channel loop), esp32c3 1,242,523 -> 250,524, cortex-m0plus 1,748,131 -> 329,442;
 *   wearable-motion conv1 (int8 6x100, 6x5, 1 -> 32, G = 4, 8 groups): stm32f4 601,853 -> 261,830,
 *   esp32c3 631,073 -> 302,468, cortex-m0plus 752,695 -> 395,113.
 * |acc| <= 255 * k_h * k_w * in_c (uint8_t), 128 * k_h * k_w * in_c (int8_t).
 */

/* Signed sums of 3 values: t[7 - b] = -t[b], 10 adds for the 8 entries. */
static inline void bnn_conv2d_int_table3(int32_t *t, int32_t a, int32_t b, int32_t c)
{
    const int32_t s = b + c;
    const int32_t d = b - c;
    t[0] = a + s;
    t[1] = s - a;
    t[2] = a - d;
    t[3] = -a - d;
    t[4] = a + d;
    t[5] = d - a;
    t[6] = a - s;
    t[7] = -a - s;
}

/* Signed sums of 4 values: the sums u of (a, b, c) plus or minus d; t[15 - b] = -t[b]. */
static inline void bnn_conv2d_int_table4(int32_t *t, int32_t a, int32_t b, int32_t c, int32_t d)
{
    const int32_t s = b + c;
    const int32_t e = b - c;
    const int32_t u0 = a + s;
    const int32_t u1 = s - a;
    const int32_t u2 = a - e;
    const int32_t u3 = -a - e;
    t[0] = u0 + d;
    t[1] = u1 + d;
    t[2] = u2 + d;
    t[3] = u3 + d;
    t[4] = d - u3;
    t[5] = d - u2;
    t[6] = d - u1;
    t[7] = d - u0;
    t[8] = u0 - d;
    t[9] = u1 - d;
    t[10] = u2 - d;
    t[11] = u3 - d;
    t[12] = -d - u3;
    t[13] = -d - u2;
    t[14] = -d - u1;
    t[15] = -d - u0;
}

static inline int32_t bnn_conv2d_int_value(const uint8_t *x, int is_signed, int32_t at)
{
    return is_signed ? (int32_t)(int8_t)x[at] : (int32_t)x[at];
}

/*
 * G = 3: the table of input row iy, pixels ix0 .. ix0 + k_w - 1 (k_w * in_c = 3 values: 3 pixels of 1 channel or 1 of
 * 3; 0 outside: (uint32_t)i < n is 0 <= i < n), stored at t and at mirror.
 */
static inline void bnn_conv2d_int_row3(const uint8_t *x, int is_signed, const bnn_conv2d_params_t *p, int32_t iy, int32_t ix0,
                                       int32_t *t, int32_t *mirror)
{
    int32_t a = 0;
    int32_t b = 0;
    int32_t c = 0;
    if ((uint32_t)iy < (uint32_t)p->in_h) {
        const int32_t step = p->in_c == 1; /* pixel of value i: ix0 + i * step */
        const uint32_t in_w = (uint32_t)p->in_w;
        const int32_t at = (iy * p->in_w + ix0) * p->in_c;
        if ((uint32_t)ix0 < in_w) {
            a = bnn_conv2d_int_value(x, is_signed, at);
        }
        if ((uint32_t)(ix0 + step) < in_w) {
            b = bnn_conv2d_int_value(x, is_signed, at + 1);
        }
        if ((uint32_t)(ix0 + 2 * step) < in_w) {
            c = bnn_conv2d_int_value(x, is_signed, at + 2);
        }
    }
    bnn_conv2d_int_table3(t, a, b, c);
    bnn_conv2d_int_table3(mirror, a, b, c);
}

/*
 * G = 3: the record of each output channel, once per call: the byte offset from the tables of its entry in the table
 * of each of the 3 kernel rows (8 * ky + its 3 weight bits of row ky, times 4), then its threshold clamped to
 * [-255 * 9 - 1, 255 * 9 + 1] (|acc| <= 255 * 9: the same bits, and acc - thresh cannot overflow).
 */
static inline void bnn_conv2d_int_records3(const uint32_t *w, int32_t out_c, const int32_t *thresh, int32_t *records)
{
    const int32_t bound = 255 * 9 + 1;
    int32_t o;
    int32_t ky;
    for (o = 0; o < out_c; o++) {
        const uint32_t bits = BNN_LOAD_U32(&w[o]);
        const int32_t t = BNN_LOAD_I32(&thresh[o]);
        for (ky = 0; ky < 3; ky++) {
            *records++ = (int32_t)(4 * (8 * (uint32_t)ky + ((bits >> (3 * ky)) & 7u)));
        }
        *records++ = t > bound ? bound : t < -bound ? -bound : t;
    }
}

/* The table entry at byte offset `offset` from `tables`. */
#define BNN_CONV2D_INT_AT(tables, offset) (*(const int32_t *)((const uint8_t *)(tables) + (offset)))

/* G = 3: acc of one channel from its record and the tables of the 3 kernel rows. */
#define BNN_CONV2D_INT_ACC3(tables, record) \
    (BNN_CONV2D_INT_AT(tables, (record)[0]) + BNN_CONV2D_INT_AT(tables, (record)[1]) + BNN_CONV2D_INT_AT(tables, (record)[2]))

/*
 * Entry of group g (a constant) of the 8 groups in weight word `bits`: on RISC-V, without a scaled index, as a byte
 * offset taken directly by the mask (shift, AND, add, load); on Arm the scaled register index is free.
 */
#if defined(__riscv)
#define BNN_CONV2D_INT_GROUP(tables, bits, g) \
    BNN_CONV2D_INT_AT((tables) + 16 * (g), ((g) == 0 ? (bits) << 2 : (bits) >> (4 * (g) - 2)) & 60u)
#else
#define BNN_CONV2D_INT_GROUP(tables, bits, g) ((tables)[16 * (g) + (((bits) >> (4 * (g))) & 15u)])
#endif

/*
 * G = 4: acc of one channel (its weight row at w) from `groups` tables of 16 words: the 8 groups of each full weight
 * word unrolled (wearable-motion's 6x5 kernel, 8 groups: 424 k -> 262 k instructions on the M4 against a loop over
 * the groups), then the rest one by one.
 */
__attribute__((always_inline)) static inline int32_t bnn_conv2d_int_acc4(const int32_t *tables, int32_t groups, const uint32_t *w)
{
    int32_t acc = 0;
    uint32_t bits;
    for (; groups >= 8; groups -= 8, tables += 128) {
        bits = BNN_LOAD_U32(w++);
        acc += BNN_CONV2D_INT_GROUP(tables, bits, 0) + BNN_CONV2D_INT_GROUP(tables, bits, 1)
               + BNN_CONV2D_INT_GROUP(tables, bits, 2) + BNN_CONV2D_INT_GROUP(tables, bits, 3)
               + BNN_CONV2D_INT_GROUP(tables, bits, 4) + BNN_CONV2D_INT_GROUP(tables, bits, 5)
               + BNN_CONV2D_INT_GROUP(tables, bits, 6) + BNN_CONV2D_INT_GROUP(tables, bits, 7);
    }
    if (groups > 0) {
        bits = BNN_LOAD_U32(w);
        for (; groups > 0; groups--, tables += 16, bits >>= 4) {
            acc += tables[bits & 15u];
        }
    }
    return acc;
}

/*
 * G = 4: copies the patch of position (y, xx) to `patch` (values, 0 outside the input, then zeros up to a multiple
 * of 4) and builds its tables (16 words per 4 values).
 */
static inline void bnn_conv2d_int_tables4(const uint8_t *x, int is_signed, const bnn_conv2d_params_t *p, int32_t y, int32_t xx,
                                          uint8_t *patch, int32_t *tables)
{
    const int32_t row_values = p->k_w * p->in_c;
    const int32_t groups = (p->k_h * row_values + 3) / 4;
    const int32_t ix0 = xx * p->stride_w - p->pad_left;
    /* the kernel columns inside the input: kx0 .. kx1 - 1 */
    const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
    const int32_t kx1 = ix0 + p->k_w > p->in_w ? p->in_w - ix0 : p->k_w;
    uint8_t *dst = patch;
    int32_t iy = y * p->stride_h - p->pad_top;
    int32_t ky;
    int32_t i;
    for (ky = 0; ky < p->k_h; ky++, iy++, dst += row_values) {
        if (iy < 0 || iy >= p->in_h || kx0 >= kx1) {
            for (i = 0; i < row_values; i++) {
                dst[i] = 0;
            }
        } else {
            const uint8_t *src = x + (iy * p->in_w + ix0) * p->in_c;
            for (i = 0; i < kx0 * p->in_c; i++) {
                dst[i] = 0;
            }
            for (; i < kx1 * p->in_c; i++) {
                dst[i] = src[i];
            }
            for (; i < row_values; i++) {
                dst[i] = 0;
            }
        }
    }
    for (i = p->k_h * row_values; i < 4 * groups; i++) {
        patch[i] = 0;
    }
    for (i = 0; i < groups; i++, patch += 4, tables += 16) {
        if (is_signed) {
            bnn_conv2d_int_table4(tables, (int8_t)patch[0], (int8_t)patch[1], (int8_t)patch[2], (int8_t)patch[3]);
        } else {
            bnn_conv2d_int_table4(tables, patch[0], patch[1], patch[2], patch[3]);
        }
    }
}

/*
 * The threshold of out_c accumulators computed by acc_of(o), packed: bit o % 32 of word o / 32 = (acc < thresh[o]) XOR
 * flip; the channels of a word run from the highest down, each shifted in at bit 0.
 */
#define BNN_CONV2D_INT_PACK(p, thresh, flip, pixel, acc_of)                                         \
    do {                                                                                            \
        int32_t o0_;                                                                                \
        for (o0_ = 0; o0_ < (p)->out_c; o0_ += 32) {                                                \
            int32_t o = o0_ + 32 < (p)->out_c ? o0_ + 32 : (p)->out_c;                              \
            uint32_t word_ = 0;                                                                     \
            while (o > o0_) {                                                                       \
                int32_t acc_;                                                                       \
                o--;                                                                                \
                acc_ = acc_of;                                                                      \
                word_ = (word_ << 1) | (uint32_t)(acc_ < BNN_LOAD_I32(&(thresh)[o]));               \
            }                                                                                       \
            (pixel)[o0_ >> 5] = word_ ^ BNN_LOAD_U32(&(flip)[o0_ >> 5]);                            \
        }                                                                                           \
    } while (0)

/* 1 unless the pool is 1 x 1 moved by 1 (pool_pad < pool: no padding), i.e. no pool. */
static inline int bnn_conv2d_int_pooled(const bnn_conv2d_params_t *p)
{
    return p->pool_h != 1 || p->pool_w != 1 || p->pool_stride_h != 1 || p->pool_stride_w != 1;
}

/* 1 if the layer runs bnn_conv2d_int_columns3 (G = 3): 3 kernel rows of 3 values moved by 1 row, no pool. */
static inline int bnn_conv2d_int_rows3(const bnn_conv2d_params_t *p)
{
    return p->k_h == 3 && p->k_w * p->in_c == 3 && p->stride_h == 1 && !bnn_conv2d_int_pooled(p);
}

/*
 * acc < thresh as 0 or 1, for a clamped thresh (acc - thresh does not overflow): the sign bit of the difference on Arm
 * (SUB, LSR: GCC makes a compare and two conditional moves of acc < thresh), SLT on RISC-V.
 */
#if defined(__riscv)
#define BNN_CONV2D_INT_BELOW(acc, thresh) ((uint32_t)((acc) < (thresh)))
#else
#define BNN_CONV2D_INT_BELOW(acc, thresh) ((uint32_t)((acc) - (thresh)) >> 31)
#endif

/*
 * G = 3, column by column, two output rows at a time: the tables of the 4 input rows under the two positions sit in
 * a ring of 4 slots stored twice (slot j + 4 mirrors slot j), so they are always contiguous from the first one's slot
 * `s`: the upper position's tables start there, the lower one's 8 words further, and the records' offsets apply to
 * both, read once for the two. Moving down by two keeps 2 tables and builds 2. A last odd row computes a position
 * below the output (its rows outside the input are zeros) and does not store it. Then the channels from the highest
 * down: acc - thresh from the record, its sign bit shifted into the word at bit 0.
 */
static inline void bnn_conv2d_int_columns3(const uint8_t *x, int is_signed, const bnn_conv2d_params_t *p, const uint32_t *flip,
                                           uint32_t *out, int32_t *ring, const int32_t *records)
{
    const int32_t out_words = (p->out_c + 31) / 32;
    const int32_t row_step = p->out_w * out_words;
    int32_t px;
    for (px = 0; px < p->out_w; px++) {
        const int32_t ix0 = px * p->stride_w - p->pad_left;
        uint32_t *pixel = out + px * out_words;
        int32_t iy0 = -p->pad_top;
        int32_t s = 0;
        int32_t k = 0;
        int32_t py;
        for (py = 0; py < p->out_h; py += 2, pixel += 2 * row_step, iy0 += 2, k = 2) {
            const int32_t *upper;
            const int32_t *lower;
            int32_t o0;
            if (py > 0) {
                s = (s + 2) & 3;
            }
            for (; k < 4; k++) {
                const int32_t slot = (s + k) & 3;
                bnn_conv2d_int_row3(x, is_signed, p, iy0 + k, ix0, ring + 8 * slot, ring + 8 * (slot + 4));
            }
            upper = ring + 8 * s;
            lower = upper + 8;
            for (o0 = 0; o0 < p->out_c; o0 += 32) {
                const int32_t end = o0 + 32 < p->out_c ? o0 + 32 : p->out_c;
                const int32_t *record = records + 4 * end;
                const int32_t *first = records + 4 * o0;
                uint32_t word_upper = 0;
                uint32_t word_lower = 0;
                do {
                    record -= 4;
                    word_upper = (word_upper << 1) | BNN_CONV2D_INT_BELOW(BNN_CONV2D_INT_ACC3(upper, record), record[3]);
                    word_lower = (word_lower << 1) | BNN_CONV2D_INT_BELOW(BNN_CONV2D_INT_ACC3(lower, record), record[3]);
                } while (record != first);
                pixel[o0 >> 5] = word_upper ^ BNN_LOAD_U32(&flip[o0 >> 5]);
                if (py + 1 < p->out_h) {
                    pixel[row_step + (o0 >> 5)] = word_lower ^ BNN_LOAD_U32(&flip[o0 >> 5]);
                }
            }
        }
    }
}

/*
 * G = 4 with a pool: the accumulators of every output channel at conv position (y, xx), a bnn_conv2d_position_t for
 * the pool -> threshold loop of bnn_conv2d_pool.h (work: the tables, then the patch).
 */
static inline void bnn_conv2d_int_position4(const uint8_t *x, int is_signed, const uint32_t *w, const bnn_conv2d_params_t *p,
                                            int32_t y, int32_t xx, int32_t *tables, int32_t *acc)
{
    const int32_t values = p->k_h * p->k_w * p->in_c;
    const int32_t groups = (values + 3) / 4;
    const int32_t row_words = (values + 31) / 32;
    int32_t o;
    bnn_conv2d_int_tables4(x, is_signed, p, y, xx, (uint8_t *)(tables + 16 * groups), tables);
    for (o = 0; o < p->out_c; o++) {
        acc[o] = bnn_conv2d_int_acc4(tables, groups, w + o * row_words);
    }
}

static inline void bnn_conv2d_int_position_u8(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p, int32_t y, int32_t xx,
                                              void *work, int32_t *acc)
{
    bnn_conv2d_int_position4((const uint8_t *)x, 0, w, p, y, xx, (int32_t *)work, acc);
}

static inline void bnn_conv2d_int_position_s8(const void *x, const uint32_t *w, const bnn_conv2d_params_t *p, int32_t y, int32_t xx,
                                              void *work, int32_t *acc)
{
    bnn_conv2d_int_position4((const uint8_t *)x, 1, w, p, y, xx, (int32_t *)work, acc);
}

/* G = 4 without a pool: the tables of each position, then the threshold in registers; `groups` constant after inlining. */
__attribute__((always_inline)) static inline void bnn_conv2d_int_pixels4(const uint8_t *x, int is_signed, const uint32_t *w,
                                                                        const bnn_conv2d_params_t *p, int32_t groups,
                                                                        int32_t row_words, const int32_t *thresh,
                                                                        const uint32_t *flip, uint32_t *out, int32_t *tables,
                                                                        uint8_t *patch)
{
    const int32_t out_words = (p->out_c + 31) / 32;
    int32_t py;
    int32_t px;
    for (py = 0; py < p->out_h; py++) {
        for (px = 0; px < p->out_w; px++) {
            uint32_t *pixel = out + (py * p->out_w + px) * out_words;
            bnn_conv2d_int_tables4(x, is_signed, p, py, px, patch, tables);
            BNN_CONV2D_INT_PACK(p, thresh, flip, pixel, bnn_conv2d_int_acc4(tables, groups, w + o * row_words));
        }
    }
}

/* Scratch words of bnn_conv2d_int_b1 (src/ops/conv2d_int_b1 computes the same). */
static inline int32_t bnn_conv2d_int_scratch_words(const bnn_conv2d_params_t *p)
{
    const int32_t values = p->k_h * p->k_w * p->in_c;
    return bnn_conv2d_int_rows3(p) ? 64 + 4 * p->out_c : 17 * ((values + 3) / 4) + (bnn_conv2d_int_pooled(p) ? 2 * p->out_c : 0);
}

/*
 * bnn_conv2d_{u8,s8}_b1. scratch: G = 3: the ring of tables (64 words), then the records (4 words per output
 * channel); G = 4: the tables (16 words per 4 patch values), then the patch (1 word per 4 values), then, with a pool,
 * 2 * out_c words for one position's accumulators and the pooled ones (bnn_conv2d_pool.h).
 */
__attribute__((always_inline)) static inline bnn_status_t bnn_conv2d_int_b1(const uint8_t *x, int is_signed, const uint32_t *w,
                                                                           const bnn_conv2d_params_t *p, const int32_t *thresh,
                                                                           const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    const int32_t values = p->k_h * p->k_w * p->in_c;
    const int32_t groups = (values + 3) / 4;
    int32_t *tables = (int32_t *)scratch;
    uint8_t *patch = (uint8_t *)(tables + 16 * groups);
    if (!bnn_conv2d_params_ok(p)) {
        return BNN_ERROR_ARGUMENT;
    }
    if (bnn_conv2d_int_rows3(p)) {
        bnn_conv2d_int_records3(w, p->out_c, thresh, tables + 64);
        bnn_conv2d_int_columns3(x, is_signed, p, flip, out, tables, tables + 64);
    } else if (bnn_conv2d_int_pooled(p)) {
        int32_t *acc = (int32_t *)(patch + 4 * groups);
        return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, tables, acc,
                                         is_signed ? bnn_conv2d_int_position_s8 : bnn_conv2d_int_position_u8);
    } else {
        bnn_conv2d_int_pixels4(x, is_signed, w, p, groups, (values + 31) / 32, thresh, flip, out, tables, patch);
    }
    return BNN_OK;
}

#endif /* BNN_CONV2D_INT_H */
