/* bnn_dense_b1_pop.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"
#define BNN_ROW_ENGINE_HOME 1 /* the row engine's out-of-line functions live here (bnn_popcount.h) */
#include "bnn_popcount.h"

/*
 * Binary dense layer producing popcounts (the last layer, before the scores).
 *   x    packed input, n_words words        n_words in [1, 65535]
 *   w    n_out rows of n_words packed words n_out in [1, 65535]
 *   pop  n_out outputs: popcount(x XOR w_o), in [0, 32 * n_words]
 * The caller turns them into dot products dot = n - 2 * pop.
 * Optimised variants use the row engine of bnn_popcount.h (BNN_POP_ROWS rows
 * per pass, or all whole passes in one call: BNN_HAVE_POP_PASSES); portable and builtin
 * are the plain loop below.
 */
#if defined(BNN_POP_ROWS) /* a row engine (bnn_popcount_<variant>.h) */
bnn_status_t bnn_dense_b1_pop(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out, int32_t *pop)
{
    const uint32_t *row = w;
    int32_t left = n_out;
    if (n_words < 1 || n_out < 1) {
        return BNN_ERROR_ARGUMENT;
    }
#if defined(BNN_HAVE_POP_PASSES)
    /* The engine runs every whole pass in one call. */
    if (left >= BNN_POP_ROWS && n_words >= BNN_MIN_WORDS) {
        const int32_t np = left / BNN_POP_ROWS;
        bnn_pop_passes(x, &row, n_words, pop, np);
        pop += BNN_POP_ROWS * np;
        left -= BNN_POP_ROWS * np;
    }
#elif BNN_POP_ROWS > 1
    for (; left >= BNN_POP_ROWS && n_words >= BNN_MIN_WORDS; left -= BNN_POP_ROWS) {
        bnn_pop_rows(x, &row, n_words, pop);
        pop += BNN_POP_ROWS;
    }
#endif
    for (; left > 0; left--) {
        *pop++ = bnn_pop_row(x, &row, n_words);
    }
    return BNN_OK;
}
#else /* portable (and the builtin benchmark baseline, through bnn_popcount32) */
bnn_status_t bnn_dense_b1_pop(const uint32_t *x, const uint32_t *w, int32_t n_words, int32_t n_out, int32_t *pop)
{
    int32_t o;
    if (n_words < 1 || n_out < 1) {
        return BNN_ERROR_ARGUMENT;
    }
    for (o = 0; o < n_out; o++) {
        const uint32_t *row = w + (uint32_t)o * (uint32_t)n_words;
        int32_t acc = 0;
        int32_t i;
        for (i = 0; i < n_words; i++) {
            acc += (int32_t)bnn_popcount32(x[i] ^ BNN_LOAD_U32(&row[i]));
        }
        pop[o] = acc;
    }
    return BNN_OK;
}
#endif
