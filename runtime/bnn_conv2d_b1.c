/* bnn_conv2d_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"
#include "bnn_conv2d_pool.h"
#include "bnn_popcount.h"

/*
 * Binary 2-D convolution, NHWC, direct (no im2col buffer), with an optional
 * max- or sum-pool of the accumulators before the threshold.
 *   x      input: in_h * in_w pixels of in_words = (in_c + 31) / 32 packed words
 *   w      out_c rows of row_words = (k_h * k_w * in_c + 31) / 32 words: bit t * in_c + c
 *          of a row is tap t's channel c (bit 1 = weight -1), so taps of fewer
 *          than 32 channels share words; tail bits 0
 *   p      geometry (see bnn_conv2d_params_t in bnn_kernels.h)
 *   thresh per-channel threshold on the dot product
 *   flip   packed per-channel flip bits
 *   out    out_h * out_w pixels of (out_c + 31) / 32 words, tail bits 0
 *   scratch row_words + 2 * out_c words, and with float-zero padding
 *          k_h * k_w * ((out_c + 1) / 2) more (in bnnc's arena)
 * dot = sum over taps of (in_c - 2 * popcount(x_tap XOR w_tap)). A tap outside the
 * input contributes 0 with float-zero padding (PyTorch), or reads an all-0 (+1
 * padding) or all-1 (-1 padding) pixel. bit = (max over the pool window of dot
 * < thresh) XOR flip. |dot| <= k_h * k_w * in_c.
 *
 * Every position, border ones included, runs on the selected variant's row
 * engine (bnn_dense_b1_pop) over one gathered patch laid out like a weight
 * row. With float-zero padding the taps outside the input are gathered as
 * 0 bits, where popcount(0 XOR w) counts the weight's own bits: the kernel
 * counts, once per call, the bits of each (tap, output channel) of the
 * weights, and a border position subtracts those of its outside taps, so
 * dot = inside taps * in_c - 2 * (popcount - outside weight bits).
 */

/* A patch written bit by bit: the words done, the word being filled and its bit count (< 32). */
typedef struct {
    uint32_t *next;
    uint32_t word;
    int32_t fill;
} bnn_conv2d_b1_bits_t;

/* Appends the low `bits` bits of v (higher bits 0), 1 <= bits <= 32. */
static inline void bnn_conv2d_b1_append(bnn_conv2d_b1_bits_t *b, uint32_t v, int32_t bits)
{
    b->word |= v << b->fill;
    b->fill += bits;
    if (b->fill >= 32) {
        *b->next++ = b->word;
        b->fill -= 32;
        b->word = b->fill > 0 ? v >> (bits - b->fill) : 0u; /* the bits that did not fit */
    }
}

/* Appends the in_c channels of a pixel (tail bits 0), or in_c one bits when pixel is NULL. */
static inline void bnn_conv2d_b1_append_pixel(bnn_conv2d_b1_bits_t *b, const uint32_t *pixel, int32_t in_c)
{
    int32_t left;
    for (left = in_c; left > 0; left -= 32) {
        const int32_t bits = left < 32 ? left : 32;
        bnn_conv2d_b1_append(b, pixel != 0 ? *pixel++ : bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1u, bits);
    }
}

/* Appends in_c zero bits. */
static inline void bnn_conv2d_b1_append_zeros(bnn_conv2d_b1_bits_t *b, int32_t in_c)
{
    int32_t left;
    for (left = in_c; left > 0; left -= 32) {
        bnn_conv2d_b1_append(b, 0u, left < 32 ? left : 32);
    }
}

/* Writes the last, partly filled word. */
static inline void bnn_conv2d_b1_flush(bnn_conv2d_b1_bits_t *b)
{
    if (b->fill > 0) {
        *b->next = b->word;
    }
}

/* Inside the input, with in_c a multiple of 32: the patch is the taps' words, copied. */
static inline void bnn_conv2d_b1_copy(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0, uint32_t *patch)
{
    const int32_t in_words = p->in_c / 32;
    const int32_t row = p->k_w * in_words;
    int32_t ky;
    int32_t k;
    for (ky = 0; ky < p->k_h; ky++) {
        const uint32_t *from = x + ((y0 + ky) * p->in_w + x0) * in_words;
        for (k = 0; k < row; k++) {
            *patch++ = from[k];
        }
    }
}

/*
 * Gathers the patch of the position whose first tap is input pixel (y0, x0),
 * outside taps as the padding reads them (-1: ones; float zero and +1: zeros).
 */
static inline void bnn_conv2d_b1_gather(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0, uint32_t *patch)
{
    const int32_t in_words = (p->in_c + 31) / 32;
    bnn_conv2d_b1_bits_t a = { patch, 0u, 0 };
    int32_t ky;
    int32_t kx;
    for (ky = 0; ky < p->k_h; ky++) {
        const int32_t iy = y0 + ky;
        for (kx = 0; kx < p->k_w; kx++) {
            const int32_t ix = x0 + kx;
            if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                bnn_conv2d_b1_append_pixel(&a, x + (iy * p->in_w + ix) * in_words, p->in_c);
            } else if (p->padding == BNN_PAD_MINUS) {
                bnn_conv2d_b1_append_pixel(&a, 0, p->in_c);
            } else {
                bnn_conv2d_b1_append_zeros(&a, p->in_c);
            }
        }
    }
    bnn_conv2d_b1_flush(&a);
}

/*
 * The number of 1 bits (weights -1) of tap t in the row of output channel o,
 * bits [t * in_c, (t + 1) * in_c) of the row, at the 16-bit half o % 2 of
 * tap_bits[t * ((out_c + 1) / 2) + o / 2] (in_c <= 32767).
 */
static void bnn_conv2d_b1_tap_bits(const uint32_t *w, const bnn_conv2d_params_t *p, uint32_t *tap_bits)
{
    const int32_t pairs = (p->out_c + 1) / 2;
    const int32_t taps = p->k_h * p->k_w;
    const int32_t row_words = (taps * p->in_c + 31) / 32;
    int32_t o;
    int32_t t;
    for (o = 0; o < p->out_c; o++, w += row_words) {
        for (t = 0; t < taps; t++) {
            int32_t at = t * p->in_c;
            int32_t left = p->in_c;
            uint32_t count = 0;
            while (left > 0) {
                const int32_t shift = at & 31;
                const int32_t bits = left < 32 - shift ? left : 32 - shift;
                const uint32_t mask = bits == 32 ? 0xFFFFFFFFu : ((1u << bits) - 1u) << shift;
                count += bnn_popcount32(BNN_LOAD_U32(&w[at >> 5]) & mask);
                at += bits;
                left -= bits;
            }
            if ((o & 1) == 0) {
                tap_bits[t * pairs + o / 2] = count;
            } else {
                tap_bits[t * pairs + o / 2] |= count << 16;
            }
        }
    }
}

/*
 * Rows shorter than the row engine's 8-word block (a 3x3 tap of 16 channels:
 * 144 bits, 5 words) on the cores without a popcount instruction, whose
 * engines count such rows word by word with the full SWAR reduction (17
 * instructions per word on a Cortex-M4). Here the row length is a constant
 * (one specialisation per length, 1 to 7), so the patch stays in registers
 * for all output channels, and each channel's words go through a carry-save
 * adder tree (as the engines' blocks do) into words of weight 1, 2 and 4,
 * counted once: popcount = pop(ones) + 2 pop(twos) + 4 pop(fours).
 */
#if defined(BNN_KERNEL_ARMV7EM) || defined(BNN_KERNEL_RV32)
#define BNN_CONV2D_B1_SHORT_ROWS 8

/* 4-bit field counts of v (each <= 4). */
static inline uint32_t bnn_conv2d_b1_nibbles(uint32_t v)
{
    v = v - ((v >> 1) & 0x55555555u);
    return (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
}

/* Adds the word d of weight 2 into twos, the carry into fours (a row of < 8 words never carries further). */
#define BNN_CONV2D_B1_ADD_TWO(twos, fours, d) \
    do {                                      \
        (fours) |= (twos) & (d);              \
        (twos) ^= (d);                        \
    } while (0)

/* pop[o] = popcount(x ^ w_o) for the n_out rows of n_words words, n_words a constant in [1, 7] after inlining. */
__attribute__((always_inline)) static inline void bnn_conv2d_b1_pop_n(const uint32_t *x, const uint32_t *w, const int32_t n_words,
                                                                      int32_t n_out, int32_t *pop)
{
    uint32_t xs[7];
    int32_t o;
    int32_t k;
    for (k = 0; k < n_words; k++) {
        xs[k] = x[k];
    }
    for (o = 0; o < n_out; o++, w += n_words) {
        uint32_t ones = xs[0] ^ BNN_LOAD_U32(&w[0]);
        uint32_t twos = 0;
        uint32_t fours = 0;
        uint32_t low;
        uint32_t bytes;
        for (k = 1; k + 1 < n_words; k += 2) {
            /* full adder: ones + d0 + d1 = 2 * carry + ones */
            const uint32_t d0 = xs[k] ^ BNN_LOAD_U32(&w[k]);
            const uint32_t d1 = xs[k + 1] ^ BNN_LOAD_U32(&w[k + 1]);
            const uint32_t half = ones ^ d0;
            const uint32_t carry = (ones & d0) | (half & d1);
            ones = half ^ d1;
            BNN_CONV2D_B1_ADD_TWO(twos, fours, carry);
        }
        if (k < n_words) {
            const uint32_t d = xs[k] ^ BNN_LOAD_U32(&w[k]);
            const uint32_t carry = ones & d;
            ones ^= d;
            BNN_CONV2D_B1_ADD_TWO(twos, fours, carry);
        }
        low = bnn_conv2d_b1_nibbles(ones) + (bnn_conv2d_b1_nibbles(twos) << 1); /* fields <= 12 */
        fours = bnn_conv2d_b1_nibbles(fours);
        bytes = (low & 0x0F0F0F0Fu) + ((low >> 4) & 0x0F0F0F0Fu)                 /* <= 24 */
              + (((fours & 0x0F0F0F0Fu) + ((fours >> 4) & 0x0F0F0F0Fu)) << 2);  /* <= 24 + 32 */
        pop[o] = (int32_t)((bytes * 0x01010101u) >> 24);
    }
}

/* pop[o] = popcount(x ^ w_o) for the n_out rows of n_words < 8 words. */
static void bnn_conv2d_b1_pop_short(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out, int32_t *pop)
{
    switch (n_words) {
    case 1: bnn_conv2d_b1_pop_n(x, w, 1, n_out, pop); break;
    case 2: bnn_conv2d_b1_pop_n(x, w, 2, n_out, pop); break;
    case 3: bnn_conv2d_b1_pop_n(x, w, 3, n_out, pop); break;
    case 4: bnn_conv2d_b1_pop_n(x, w, 4, n_out, pop); break;
    case 5: bnn_conv2d_b1_pop_n(x, w, 5, n_out, pop); break;
    case 6: bnn_conv2d_b1_pop_n(x, w, 6, n_out, pop); break;
    default: bnn_conv2d_b1_pop_n(x, w, 7, n_out, pop); break;
    }
}
#else
#define BNN_CONV2D_B1_SHORT_ROWS 0
#define bnn_conv2d_b1_pop_short bnn_dense_b1_pop
#endif

/* popcount(x ^ w_o) of every output channel o. */
static inline void bnn_conv2d_b1_pops(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out, int32_t *pop)
{
    if (n_words < BNN_CONV2D_B1_SHORT_ROWS) {
        (void)bnn_conv2d_b1_pop_short(x, w, n_words, n_out, pop);
    } else {
        (void)bnn_dense_b1_pop(x, w, n_words, n_out, pop);
    }
}

/*
 * Dots of every output channel at conv position (y, x) (a
 * bnn_conv2d_position_t: work is the patch, then with float-zero padding the
 * weight bits per tap of bnn_conv2d_b1_tap_bits).
 */
static inline void bnn_conv2d_b1_dots(const void *input, const uint32_t *w, const bnn_conv2d_params_t *p,
                               int32_t y, int32_t xx, void *work, int32_t *dot)
{
    const uint32_t *x = (const uint32_t *)input;
    const int32_t taps = p->k_h * p->k_w;
    const int32_t row_words = (taps * p->in_c + 31) / 32;
    uint32_t *patch = (uint32_t *)work;
    const int32_t y0 = y * p->stride_h - p->pad_top;
    const int32_t x0 = xx * p->stride_w - p->pad_left;
    const int inside = y0 >= 0 && x0 >= 0 && y0 + p->k_h <= p->in_h && x0 + p->k_w <= p->in_w;
    int32_t inside_bits = taps * p->in_c;
    int32_t o;
    if (inside && (p->in_c & 31) == 0) {
        bnn_conv2d_b1_copy(x, p, y0, x0, patch);
    } else {
        bnn_conv2d_b1_gather(x, p, y0, x0, patch);
    }
    bnn_conv2d_b1_pops(patch, w, row_words, p->out_c, dot);
    if (!inside && p->padding == BNN_PAD_ZERO) {
        const int32_t pairs = (p->out_c + 1) / 2;
        const uint32_t *tap_bits = patch + row_words;
        int32_t ky;
        int32_t kx;
        for (ky = 0; ky < p->k_h; ky++) {
            for (kx = 0; kx < p->k_w; kx++, tap_bits += pairs) {
                const int32_t iy = y0 + ky;
                const int32_t ix = x0 + kx;
                if (iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w) {
                    continue;
                }
                inside_bits -= p->in_c;
                for (o = 0; o + 1 < p->out_c; o += 2) {
                    dot[o] -= (int32_t)(tap_bits[o >> 1] & 0xFFFFu);
                    dot[o + 1] -= (int32_t)(tap_bits[o >> 1] >> 16);
                }
                if (o < p->out_c) {
                    dot[o] -= (int32_t)tap_bits[o >> 1]; /* the last, odd channel: high half 0 */
                }
            }
        }
    }
    for (o = 0; o < p->out_c; o++) {
        dot[o] = inside_bits - 2 * dot[o];
    }
}

/* Words of scratch before the dots: the patch, and with float-zero padding the weight bits per tap. */
static inline int32_t bnn_conv2d_b1_work_words(const bnn_conv2d_params_t *p)
{
    const int32_t taps = p->k_h * p->k_w;
    return (taps * p->in_c + 31) / 32 + (p->padding == BNN_PAD_ZERO ? taps * ((p->out_c + 1) / 2) : 0);
}

bnn_status_t bnn_conv2d_b1(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                           const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    /* scratch: the patch, [the weight bits per tap], the dots of one position, the pooled accumulators */
    int32_t *dot = (int32_t *)(scratch + bnn_conv2d_b1_work_words(p));
    if (p->padding == BNN_PAD_ZERO) {
        bnn_conv2d_b1_tap_bits(w, p, scratch + (p->k_h * p->k_w * p->in_c + 31) / 32);
    }
    return bnn_conv2d_pool_threshold(x, w, p, thresh, flip, out, scratch, dot, bnn_conv2d_b1_dots);
}
