/* bnn_conv2d_b1.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"
#include "bnn_popcount.h"
#include "bnn_conv2d_b1_rows.h"
#include "bnn_conv2d_b1_gather.h" /* patches and border masks */
#include "bnn_conv2d_b1_count.h"  /* row counts */
#if defined(BNN_KERNEL_ARMV7EM) && defined(__GNUC__)
#include "bnn_conv2d_b1_armv7em.h" /* BNN_CONV2D_B1_SINGLE_ASM: the 9-word channel loop in assembly */
#endif

/*
 * Binary 2-D convolution, NHWC, direct (no im2col buffer), with an optional
 * max- or sum-pool of the dots before the threshold.
 *   x      input: in_h * in_w pixels of in_words = (in_c + 31) / 32 packed words
 *   w      out_c rows of row_words = (k_h * k_w * in_c + 31) / 32 words: bit t * in_c + c
 *          of a row is tap t's channel c (bit 1 = weight -1), so taps of fewer
 *          than 32 channels share words; tail bits 0
 *   p      geometry (see bnn_conv2d_params_t in bnn_kernels.h)
 *   thresh per-channel threshold on the dot product
 *   flip   packed per-channel flip bits
 *   out    out_h * out_w pixels of (out_c + 31) / 32 words, tail bits 0
 *   scratch g * row_words words (g = min(4, pool_h * pool_w) patches), as many
 *          again with float-zero padding (their masks), and 2 * out_c more
 *          (the pooled dots when the pool window holds more than 4 positions;
 *          on Helium the dots and the row engine's popcounts) (in bnnc's
 *          arena; src/ops/conv2d_b1/index.ts computes the same size)
 * dot = sum over taps of (in_c - 2 * popcount(x_tap XOR w_tap)). A tap outside the
 * input contributes 0 with float-zero padding (PyTorch), or reads an all-0 (+1
 * padding) or all-1 (-1 padding) pixel. bit = (max, or sum, over the pool window
 * of dot < thresh) XOR flip. |dot| <= k_h * k_w * in_c.
 *
 * Loop order: per output pixel, the patches of (up to 4 of) its pool window's
 * positions are gathered once, laid out like a weight row; then per output
 * channel the popcount of each patch against the weight row, the pool and the
 * threshold stay in registers, and the bit goes straight into the output word
 * (no per-position arrays, no second pass). With float-zero padding a border
 * position gathers its outside taps as 0 bits and a mask that is 0 on them:
 * pop = popcount((x ^ w) & mask) counts the inside taps only, so
 * dot = inside bits - 2 * pop on the same fast path as inside positions.
 *
 * Row counting: rows of a length listed in bnn_conv2d_b1_rows.h (bnnc writes
 * the lengths the model's layers use, with and without a pool, so only those
 * are compiled) are unrolled at a constant length: the words go through a
 * carry-save adder tree of fixed shape into words of weight 1, 2, 4 and 8,
 * counted once per row (the cores without a popcount instruction), or through
 * the popcount instruction word by word (zbb, builtin). Other lengths run a
 * loop over blocks of 8 words of the same adders. Helium runs positions
 * without a mask on its vector row engine (bnn_conv2d_b1_engine); armv7em
 * runs the 9-word rows of layers without a pool in assembly
 * (bnn_conv2d_b1_armv7em.h, BNN_CONV2D_B1_SINGLE_ASM).
 * Measured on the conv3x3 bench (16x16x32 -> 32, 3x3, float-zero padding 1,
 * 9-word rows; QEMU instructions per binary MAC, before -> after this
 * design): armv7em (Cortex-M4) 0.553 -> 0.41, rv32 (ESP32-C3) 0.702 -> 0.443,
 * armv6m 0.899 -> 0.66, zbb 0.328 -> 0.229, mve 0.261 -> 0.256. Then the
 * 9-word rows of layers without a pool (3x3 taps of 32 channels) got
 * assembly channel loops: armv7em 0.314 (bnn_conv2d_b1_armv7em.h: 78
 * instructions per unmasked channel, GCC's loop was about 105: 10 LDRD/LDR,
 * 9 XOR, 29 adder operations, 27 for the count, the rest threshold, loop and
 * spills), rv32 0.375 (bnn_conv2d_b1_rv32.h: the patch in registers, 98 per
 * channel). A 5-word position of a 2x2 pool costs about 62 on the M4.
 */

/*
 * Makes GCC forget where p points, so that it reloads the patch words in each
 * channel's iteration instead of hoisting them out of the loop and spilling
 * them to the stack (reloading costs no more and frees registers).
 */
#if defined(__GNUC__)
#define BNN_CONV2D_B1_RELOAD(p) __asm__("" : "+r"(p))
#else
#define BNN_CONV2D_B1_RELOAD(p) (void)(p)
#endif

/* Positions of a pool window gathered and counted together (a 2x2 pool: all four). */
#define BNN_CONV2D_B1_GROUP 4

#if defined(BNN_KERNEL_RV32) && defined(__GNUC__)
#include "bnn_conv2d_b1_rv32.h" /* 9-word rows without a pool: the patch in registers, assembly */
#endif

/* ---------------------------------------------------------------- channels */

/* What a group of window positions does with its pooled dots (see bnn_conv2d_b1_group). */
#define BNN_CONV2D_B1_MERGE 1 /* pool with best[o], the earlier groups of the window */
#define BNN_CONV2D_B1_FINAL 2 /* threshold into the output pixel (else store best[o]) */

/* One group of a pool window: what the output channels need. */
typedef struct {
    const uint32_t *patch; /* n_pos patches of row_words words */
    const uint32_t *mask;  /* their masks, or NULL */
    int32_t inside[BNN_CONV2D_B1_GROUP]; /* inside bits of each position */
    int32_t n_pos;
} bnn_conv2d_b1_group_t;

/*
 * Every output channel o over the group's positions: dot = inside - 2 * pop,
 * pooled (max, or sum with p->pool_sum) in a register, then merged with
 * best[o] and/or thresholded into `pixel` as `how` says. Inlined with
 * constant n (row words; 0 = any, from p) and `masked`.
 */
__attribute__((always_inline)) static inline void bnn_conv2d_b1_group(const bnn_conv2d_b1_group_t *g, const uint32_t *w, const int32_t n,
                                                                    const int masked, const bnn_conv2d_params_t *p,
                                                                    const int32_t *thresh, const uint32_t *flip, int32_t *best,
                                                                    int how, uint32_t *pixel)
{
    /* p's fields in locals: p->pool_sum is a char, which every store may alias, so GCC would reload it */
    const int32_t row_words = n > 0 ? n : (p->k_h * p->k_w * p->in_c + 31) / 32;
    const int32_t out_c = p->out_c;
    const int sum = p->pool_sum;
    const int32_t n_pos = g->n_pos;
    const bnn_conv2d_b1_masks_t c = bnn_conv2d_b1_masks();
    int32_t o = 0;
    while (o < out_c) {
        const int32_t end = out_c - o < 32 ? out_c : o + 32;
        uint32_t word = 0;
        uint32_t bit = 1;
        for (; o < end; o++, w += row_words, bit <<= 1) {
            int32_t v = sum ? 0 : INT32_MIN; /* every window holds a position: v is one of their dots */
            int32_t j;
            if (masked) {
                for (j = 0; j < n_pos; j++) {
                    const uint32_t *patch = g->patch + j * row_words;
                    const uint32_t *mask = g->mask + j * row_words;
                    const uint32_t pop = n > 0 ? bnn_conv2d_b1_pop_n(patch, w, mask, n, 1, &c)
                                               : bnn_conv2d_b1_pop_any(patch, w, mask, row_words, 1, &c);
                    const int32_t d = g->inside[j] - 2 * (int32_t)pop;
                    v = sum ? v + d : d > v ? d : v;
                }
            } else {
                /* no masks: every position counts all taps, so the max dot is the min popcount's (sum: the sum's) */
                const uint32_t *patch = g->patch;
                uint32_t agg = sum ? 0u : 0xFFFFFFFFu;
                for (j = 0; j < n_pos; j++, patch += row_words) {
                    const uint32_t pop = n > 0 ? bnn_conv2d_b1_pop_n(patch, w, 0, n, 0, &c)
                                               : bnn_conv2d_b1_pop_any(patch, w, 0, row_words, 0, &c);
                    agg = sum ? agg + pop : pop < agg ? pop : agg;
                }
                v = (sum ? n_pos : 1) * g->inside[0] - 2 * (int32_t)agg;
            }
            if (how & BNN_CONV2D_B1_MERGE) {
                v = sum ? v + best[o] : best[o] > v ? best[o] : v;
            }
            if (how & BNN_CONV2D_B1_FINAL) {
                if (v < BNN_LOAD_I32(&thresh[o])) {
                    word |= bit;
                }
            } else {
                best[o] = v;
            }
        }
        if (how & BNN_CONV2D_B1_FINAL) {
            pixel[(o - 1) >> 5] = word ^ BNN_LOAD_U32(&flip[(o - 1) >> 5]);
        }
    }
}

/*
 * The common case of bnn_conv2d_b1_group: one position (no pool), thresholded
 * directly; inlined with constant n and `masked`.
 */
__attribute__((always_inline)) static inline void bnn_conv2d_b1_single(const uint32_t *patch, const uint32_t *mask, int32_t inside,
                                                                     const uint32_t *w, const int32_t n, const int masked,
                                                                     int32_t out_c, const int32_t *thresh, const uint32_t *flip,
                                                                     uint32_t *pixel)
{
    const bnn_conv2d_b1_masks_t c = bnn_conv2d_b1_masks();
    int32_t o = 0;
#if defined(BNN_CONV2D_B1_RV9)
    if (n == 9) {
        bnn_conv2d_b1_single9(patch, masked ? mask : 0, inside, w, out_c, thresh, flip, pixel);
        return;
    }
#endif
#if defined(BNN_CONV2D_B1_SINGLE_ASM)
    if (BNN_CONV2D_B1_SINGLE_ASM(n)) { /* the variant's assembly loop (no C copy of this length: flash) */
        bnn_conv2d_b1_single_asm(patch, mask, inside, w, masked, out_c, thresh, flip, pixel);
        return;
    }
#endif
    while (o < out_c) {
        const int32_t end = out_c - o < 32 ? out_c : o + 32;
        uint32_t word = 0;
#if BNN_CONV2D_B1_LDRD
        /* channel o shifted in from the bottom (one register less than a moving bit), RBIT at the end */
        const int32_t bits = end - o;
        for (; o < end; o++, w += n) {
            int32_t v;
            BNN_CONV2D_B1_RELOAD(patch);
            BNN_CONV2D_B1_RELOAD(mask);
            v = inside - 2 * (int32_t)bnn_conv2d_b1_pop_n(patch, w, mask, n, masked, &c);
            word = (word << 1) | (uint32_t)(v < BNN_LOAD_I32(&thresh[o]));
        }
        /* word = bit-reverse(word) */
        __asm__("rbit %0, %1" : "=r"(word) : "r"(word));
        word >>= 32 - bits;
#else
        uint32_t bit = 1;
        for (; o < end; o++, w += n, bit <<= 1) {
            int32_t v;
            BNN_CONV2D_B1_RELOAD(patch);
            BNN_CONV2D_B1_RELOAD(mask);
            v = inside - 2 * (int32_t)bnn_conv2d_b1_pop_n(patch, w, mask, n, masked, &c);
            if (v < BNN_LOAD_I32(&thresh[o])) {
                word |= bit;
            }
        }
#endif
        *pixel++ = word ^ BNN_LOAD_U32(flip++);
    }
}

/*
 * The group's channels: unrolled for a row length listed in
 * bnn_conv2d_b1_rows.h (BNN_CONV2D_B1_ROWS: layers without a pool, one
 * position per output pixel; BNN_CONV2D_B1_POOLED_ROWS: with a pool), else
 * the loop for any length.
 */
#if defined(BNN_KERNEL_MVE)
/*
 * Helium: a group without masks runs the vector row engine over all
 * channels (bnn_dense_b1_pop, 1.65 instructions per word) per position into
 * pops[], pooled into best[] as dots, then thresholded: 0.25 instructions
 * per MAC on the conv3x3 bench against 0.41 with the scalar adder tree, and
 * mnist-cnn's pooled conv2 keeps its former speed. Border positions (masks)
 * keep the adder tree.
 */
#define BNN_CONV2D_B1_ENGINE 1
#define BNN_CONV2D_B1_UNMASKED(call) (void)0 /* groups without masks never reach the adder tree: no code for them */
static void bnn_conv2d_b1_engine(const bnn_conv2d_b1_group_t *g, const uint32_t *w, int32_t row_words, const bnn_conv2d_params_t *p,
                                 const int32_t *thresh, const uint32_t *flip, int32_t *best, int how, uint32_t *pixel)
{
    const int32_t out_c = p->out_c;
    const int sum = p->pool_sum;
    int32_t *pops = best + out_c;
    uint32_t word = 0;
    int32_t j;
    int32_t o;
    if (g->n_pos == 1 && how == BNN_CONV2D_B1_FINAL) { /* no pool: the dots straight to the threshold */
        (void)bnn_dense_b1_pop(g->patch, w, row_words, out_c, pops);
        for (o = 0; o < out_c; o++) {
            word |= (uint32_t)(g->inside[0] - 2 * pops[o] < BNN_LOAD_I32(&thresh[o])) << (o & 31);
            if ((o & 31) == 31 || o == out_c - 1) {
                pixel[o >> 5] = word ^ BNN_LOAD_U32(&flip[o >> 5]);
                word = 0;
            }
        }
        return;
    }
    for (j = 0; j < g->n_pos; j++) {
        const int first = j == 0 && (how & BNN_CONV2D_B1_MERGE) == 0;
        (void)bnn_dense_b1_pop(g->patch + j * row_words, w, row_words, out_c, pops);
        for (o = 0; o < out_c; o++) {
            const int32_t d = g->inside[j] - 2 * pops[o];
            best[o] = first ? d : sum ? best[o] + d : d > best[o] ? d : best[o];
        }
    }
    if ((how & BNN_CONV2D_B1_FINAL) == 0) {
        return;
    }
    for (o = 0; o < out_c; o++) {
        word |= (uint32_t)(best[o] < BNN_LOAD_I32(&thresh[o])) << (o & 31);
        if ((o & 31) == 31 || o == out_c - 1) {
            pixel[o >> 5] = word ^ BNN_LOAD_U32(&flip[o >> 5]);
            word = 0;
        }
    }
}
#else
#define BNN_CONV2D_B1_ENGINE 0
#define BNN_CONV2D_B1_UNMASKED(call) call
#endif

#if defined(BNN_CONV2D_B1_RV9)
/* not inlined into bnn_conv2d_b1's loop (as without the 9-word hook): mnist-cnn's pooled conv2 on esp32c3 2,063,406 -> 2,050,480 */
__attribute__((noinline))
#endif
static void bnn_conv2d_b1_channels(const bnn_conv2d_b1_group_t *g, const uint32_t *w, const bnn_conv2d_params_t *p,
                                   const int32_t *thresh, const uint32_t *flip, int32_t *best, int how, uint32_t *pixel)
{
    const int32_t row_words = (p->k_h * p->k_w * p->in_c + 31) / 32;
    const int single = g->n_pos == 1 && how == BNN_CONV2D_B1_FINAL;
    (void)single; /* unused when the model lists no length */
#if BNN_CONV2D_B1_ENGINE
    if (g->mask == 0) {
        bnn_conv2d_b1_engine(g, w, row_words, p, thresh, flip, best, how, pixel);
        return;
    }
#endif
    if (single) {
        switch (row_words) {
#define BNN_CONV2D_B1_CASE(len)                                                                                 \
        case len:                                                                                               \
            if (g->mask != 0) {                                                                                 \
                bnn_conv2d_b1_single(g->patch, g->mask, g->inside[0], w, len, 1, p->out_c, thresh, flip, pixel); \
            } else {                                                                                            \
                BNN_CONV2D_B1_UNMASKED(                                                                         \
                    bnn_conv2d_b1_single(g->patch, g->mask, g->inside[0], w, len, 0, p->out_c, thresh, flip, pixel)); \
            }                                                                                                   \
            return;
            BNN_CONV2D_B1_ROWS(BNN_CONV2D_B1_CASE)
#undef BNN_CONV2D_B1_CASE
        default:
            break;
        }
    } else {
        switch (row_words) {
#define BNN_CONV2D_B1_CASE(len)                                                            \
        case len:                                                                          \
            if (g->mask != 0) {                                                            \
                bnn_conv2d_b1_group(g, w, len, 1, p, thresh, flip, best, how, pixel);      \
            } else {                                                                       \
                BNN_CONV2D_B1_UNMASKED(bnn_conv2d_b1_group(g, w, len, 0, p, thresh, flip, best, how, pixel)); \
            }                                                                              \
            return;
            BNN_CONV2D_B1_POOLED_ROWS(BNN_CONV2D_B1_CASE)
#undef BNN_CONV2D_B1_CASE
        default:
            break;
        }
    }
    bnn_conv2d_b1_group(g, w, 0, g->mask != 0, p, thresh, flip, best, how, pixel); /* any length */
}

/* ---------------------------------------------------------------- layer */

/* How many of start, start + 1, ..., start + size - 1 lie in [0, limit) (a pool window's rows or columns). */
static inline int32_t bnn_conv2d_b1_span(int32_t start, int32_t size, int32_t limit)
{
    const int32_t lo = start > 0 ? start : 0;
    const int32_t hi = start + size < limit ? start + size : limit;
    return hi > lo ? hi - lo : 0;
}

/*
 * Gathers position j of a group (first tap at input pixel (y0, x0)) into
 * patches + j * row_words; returns its inside bits. With float-zero padding a
 * border position also writes its mask (masks + j * row_words), and the first
 * one of a group sets *mask and fills the masks of the group's earlier
 * positions with ones (after it, inside positions write all-ones masks).
 */
static int32_t bnn_conv2d_b1_position(const uint32_t *x, const bnn_conv2d_params_t *p, int32_t y0, int32_t x0, int32_t row_words,
                                      int32_t j, uint32_t *patches, uint32_t *masks, const uint32_t **mask)
{
    uint32_t *patch = patches + j * row_words;
    int32_t k;
    if (y0 >= 0 && x0 >= 0 && y0 + p->k_h <= p->in_h && x0 + p->k_w <= p->in_w) {
        if ((p->in_c & 31) == 0) {
            bnn_conv2d_b1_copy(x, p, y0, x0, patch);
        } else if (p->in_c < 32) {
            bnn_conv2d_b1_gather_inside(x, p, y0, x0, patch);
        } else {
            (void)bnn_conv2d_b1_gather(x, p, y0, x0, patch, 0);
        }
        if (*mask != 0) {
            for (k = 0; k < row_words; k++) {
                masks[j * row_words + k] = 0xFFFFFFFFu;
            }
        }
        return p->k_h * p->k_w * p->in_c;
    }
    if (p->padding != BNN_PAD_ZERO) {
        (void)bnn_conv2d_b1_gather(x, p, y0, x0, patch, 0);
        return p->k_h * p->k_w * p->in_c;
    }
    if (*mask == 0) {
        for (k = 0; k < j * row_words; k++) { /* ones: x ^ w is 0 in the rows' tail bits anyway */
            masks[k] = 0xFFFFFFFFu;
        }
        *mask = masks;
    }
    return bnn_conv2d_b1_gather(x, p, y0, x0, patch, masks + j * row_words) * p->in_c;
}

#if defined(BNN_CONV2D_B1_SINGLE_ASM)
/*
 * A layer without a pool (1x1 window) whose rows the variant counts in
 * assembly: one position per output pixel, straight to the assembly loop (the
 * window bookkeeping and bnn_conv2d_b1_channels' frame cost about 130
 * instructions per output pixel on a Cortex-M4: 0.014 per MAC on the conv3x3
 * bench). Positions past the convolution output (pool padding at the end) are
 * skipped, as in the loop of bnn_conv2d_b1.
 */
static void bnn_conv2d_b1_unpooled(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p, const int32_t *thresh,
                                   const uint32_t *flip, uint32_t *out, uint32_t *scratch, uint32_t *masks, int32_t row_words)
{
    const int32_t out_words = (p->out_c + 31) / 32;
    int32_t py;
    int32_t px;
    for (py = 0; py < p->out_h; py++) {
        const int32_t cy = py * p->pool_stride_h;
        if (cy >= p->conv_h) {
            continue;
        }
        for (px = 0; px < p->out_w; px++) {
            const int32_t cx = px * p->pool_stride_w;
            const uint32_t *mask = 0;
            int32_t inside;
            if (cx >= p->conv_w) {
                continue;
            }
            inside = bnn_conv2d_b1_position(x, p, cy * p->stride_h - p->pad_top, cx * p->stride_w - p->pad_left, row_words, 0, scratch,
                                            masks, &mask);
            bnn_conv2d_b1_single_asm(scratch, mask, inside, w, mask != 0, p->out_c, thresh, flip, out + (py * p->out_w + px) * out_words);
        }
    }
}
#endif

bnn_status_t bnn_conv2d_b1(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p,
                           const int32_t *thresh, const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    const int32_t out_words = (p->out_c + 31) / 32;
    const int32_t row_words = (p->k_h * p->k_w * p->in_c + 31) / 32;
    const int32_t window = p->pool_h * p->pool_w;
    const int32_t group = window < BNN_CONV2D_B1_GROUP ? window : BNN_CONV2D_B1_GROUP;
    uint32_t *masks = scratch + group * row_words;
    int32_t *best = (int32_t *)(masks + (p->padding == BNN_PAD_ZERO ? group * row_words : 0));
    int32_t py;
    int32_t px;
    if (!bnn_conv2d_params_ok(p)) {
        return BNN_ERROR_ARGUMENT;
    }
#if defined(BNN_CONV2D_B1_RV9)
    if (bnn_conv2d_b1_layer9(x, w, p, thresh, flip, out, scratch)) {
        return BNN_OK;
    }
#endif
#if defined(BNN_CONV2D_B1_SINGLE_ASM)
    /* (constant false, and no code for it, unless the model lists a length the assembly takes) */
#define BNN_CONV2D_B1_ASM_LISTED(len) || BNN_CONV2D_B1_SINGLE_ASM(len)
    if ((0 BNN_CONV2D_B1_ROWS(BNN_CONV2D_B1_ASM_LISTED)) && window == 1 && BNN_CONV2D_B1_SINGLE_ASM(row_words)) {
        bnn_conv2d_b1_unpooled(x, w, p, thresh, flip, out, scratch, masks, row_words);
        return BNN_OK;
    }
#undef BNN_CONV2D_B1_ASM_LISTED
#endif
    for (py = 0; py < p->out_h; py++) {
        for (px = 0; px < p->out_w; px++) {
            uint32_t *pixel = out + (py * p->out_w + px) * out_words;
            bnn_conv2d_b1_group_t g;
            int how = 0;
            const int32_t cy0 = py * p->pool_stride_h - p->pool_pad_top;
            const int32_t cx0 = px * p->pool_stride_w - p->pool_pad_left;
            /* no division: cores without a divide instruction would call libgcc (absent on some targets) */
            const int32_t valid = bnn_conv2d_b1_span(cy0, p->pool_h, p->conv_h) * bnn_conv2d_b1_span(cx0, p->pool_w, p->conv_w);
            int32_t seen = 0;
            int32_t cy;
            int32_t cx;
            g.patch = scratch;
            g.mask = 0;
            g.n_pos = 0;
            /* the window's positions inside the convolution output (pool padding never wins), in groups */
            for (cy = cy0; cy < cy0 + p->pool_h; cy++) {
                for (cx = cx0; cx < cx0 + p->pool_w; cx++) {
                    if (cy < 0 || cy >= p->conv_h || cx < 0 || cx >= p->conv_w) {
                        continue;
                    }
                    g.inside[g.n_pos] = bnn_conv2d_b1_position(x, p, cy * p->stride_h - p->pad_top, cx * p->stride_w - p->pad_left,
                                                               row_words, g.n_pos, scratch, masks, &g.mask);
                    g.n_pos++;
                    seen++;
                    if (g.n_pos == group || seen == valid) {
                        how |= seen == valid ? BNN_CONV2D_B1_FINAL : 0;
                        bnn_conv2d_b1_channels(&g, w, p, thresh, flip, best, how, pixel);
                        how = BNN_CONV2D_B1_MERGE;
                        g.mask = 0;
                        g.n_pos = 0;
                    }
                }
            }
        }
    }
    return BNN_OK;
}
