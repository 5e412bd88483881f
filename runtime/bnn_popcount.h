/* bnn_popcount.h - bnnc runtime: the popcount engine of the kernel variant in bnn_kernel_config.h. */
#ifndef BNN_POPCOUNT_H
#define BNN_POPCOUNT_H

#include <stdint.h>
#include "bnn_kernel_config.h"

/*
 * Row engines of the optimised variants, shared by bnn_dense_b1.c and
 * bnn_dense_b1_pop.c (the portable and builtin variants use bnn_popcount32
 * only). Each variant defines
 *   BNN_POP_ROWS                       rows per pass (divides 32)
 *   bnn_pop_rows(x, &w, n_words, pop)  pop[r] = popcount(x ^ w_r), r < BNN_POP_ROWS,
 *                                      for the consecutive rows w_r = w + r * n_words;
 *                                      advances w past them
 *   bnn_pop_row(x, &w, n_words)        popcount(x ^ w) of one row; advances w past it
 * for any n_words >= 1, and may define
 *   BNN_MIN_WORDS                      passes only for rows of at least this many words
 *                                      (shorter rows go one by one through bnn_pop_row)
 *   BNN_HAVE_BITS_PASSES               bnn_bits_passes(xs, &w, n_words, &thresh, np): the output
 *                                      bits of a pass (bit r = row r), thresholds fused in
 *   BNN_HAVE_POP_PASSES                bnn_pop_passes(x, &w, n_words, pop, np): the popcounts
 *                                      of np whole passes in one call (bnn_dense_b1_pop)
 * An engine with out-of-line code defines it where BNN_ROW_ENGINE_HOME is
 * defined (bnn_dense_b1_pop.c, which bnnc ships with every kernel using the
 * engine) and only declares it elsewhere, so a firmware holds one copy.
 *
 * Carry-save (Harley-Seal) accumulation, used where there is no popcount
 * instruction: a full adder over three words adds their bits position by
 * position into a sum word (weight 1) and a carry word (weight 2) with 5
 * logic operations. Chained over a block of 8 words it leaves one word of
 * weight 8 to count ("eights") and running words of weight 1, 2 and 4 (ones,
 * twos, fours) that are counted once per row: 7 adders and one popcount per
 * 8 words instead of 8 popcounts. The inner loops are inline assembly where
 * GCC spills or re-addresses (each section says what it measured); the
 * instruction counts quoted are per 32-bit weight word, GCC 12 -O2, exact
 * under QEMU -icount (src/bench/dense.ts).
 */

/* Fully unroll the next loop (over the BNN_POP_ROWS results of a pass) so they stay in registers. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8 /* GCC 8 added the pragma; avr-gcc 5 warns */
#define BNN_UNROLL _Pragma("GCC unroll 8")
#else
#define BNN_UNROLL
#endif

/*
 * One header per instruction set. The variants are the keys of KERNEL_VARIANTS
 * in bnnc's src/codegen/kernels.ts, which ships bnn_popcount_portable.h and the
 * selected variant's header (test/kernels/variants.test.ts checks this list).
 */
#if defined(BNN_KERNEL_BUILTIN)
#include "bnn_popcount_builtin.h"
#elif defined(BNN_KERNEL_ARMV7EM)
#include "bnn_popcount_armv7em.h"
#elif defined(BNN_KERNEL_ARMV6M)
#include "bnn_popcount_armv6m.h"
#elif defined(BNN_KERNEL_MVE)
#include "bnn_popcount_mve.h"
#elif defined(BNN_KERNEL_ZBB)
#include "bnn_popcount_zbb.h"
#elif defined(BNN_KERNEL_RV32)
#include "bnn_popcount_rv32.h"
#else
#include "bnn_popcount_portable.h"
#endif

#if !defined(BNN_MIN_WORDS)
#define BNN_MIN_WORDS 1
#endif

#endif /* BNN_POPCOUNT_H */
