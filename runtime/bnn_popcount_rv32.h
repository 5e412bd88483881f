/* bnn_popcount_rv32.h - bnnc runtime: the rv32 row engine, included by bnn_popcount.h for BNN_KERNEL_RV32. */
#ifndef BNN_POPCOUNT_RV32_H
#define BNN_POPCOUNT_RV32_H

#include "bnn_popcount_portable.h"

#if !defined(__riscv) || __riscv_xlen != 32
#error "bnn kernel variant rv32 needs a 32-bit RISC-V core; regenerate with another --kernel"
#endif
#if defined(__riscv_32e) || defined(__riscv_e)
/* Two rows' Harley-Seal adders stay in registers (28 of them); RV32E has 15 usable ones. */
#error "bnn kernel variant rv32 needs the 32 registers of RV32I; this is an RV32E core (e.g. CH32V003): regenerate with --kernel portable"
#endif
#if !defined(__riscv_mul) && !defined(__riscv_zmmul)
/* The byte counts are summed with a multiply. */
#error "bnn kernel variant rv32 needs the multiply instruction (M or Zmmul extension, e.g. -march=rv32imc); regenerate with --kernel portable"
#endif

#define BNN_POP_ROWS 2
#define BNN_MIN_WORDS BNN_RV_MIN_WORDS
#define BNN_HAVE_BITS_PASSES 1
#define BNN_HAVE_POP_PASSES 1

/*
 * Harley-Seal over blocks of 16 words for two rows at once (each input word
 * is loaded once for two weight words), as one assembly function
 * (bnn_rv_passes: thresholds and bits for bnn_dense_b1, popcounts for
 * bnn_dense_b1_pop) that runs every pass of a call. It keeps 28 values in
 * registers, more than an asm statement may name (30 operands, and GCC must
 * find them all free), so it is a naked function whose register names are
 * the macros below, with the call's state (x, ends, thresholds, the bits
 * gathered) in its own stack frame.
 *
 * Per row, ones, twos, fours and eights words (weights 1, 2, 4, 8) take the
 * words through carry-save adders (5 instructions each: RV32 has no
 * three-input logic and no shifted operands), and the sixteens word each
 * block leaves is counted (SWAR byte counts and a multiply, 13). A row's
 * adders start at zero, so its first block (rows of 16 words and more) is a
 * copy of the block whose four first adders are half adders (2 instructions)
 * and which needs no zeroing: 36 instructions fewer per pass (26 in the
 * block, 10 zeroings: 0.56 per word at 32 words per row) for 740 bytes. An
 * odd word initialises ones; of rows >= 16 words, the n & 14 words left
 * after the first block enter the general block part way (Duff), the words
 * in flight it reads zeroed; rows < 16 words enter the first block part way
 * and finish after it (no sixteens). Per row at the end:
 *   pop = 16 sixteens + pop(ones) + 2 pop(twos) + 4 pop(fours) + 8 pop(eights),
 * ones + 2 twos and fours + 2 eights added as 4-bit counts (<= 12), then
 * bytes (<= 24) summed by two multiplies (48 instructions).
 * Measured per pass (2 rows of 32 words, exact QEMU trace): 6 to start, 235
 * for the first block (48 loads, 32 xor, 22 adders and 8 half adders, two
 * counts, pointer moves), 2 to test for more, 261 for the second block (48
 * loads, 32 xor, 30 adders, 2 counts, pointer moves, the end test), 96 to
 * finish both rows, 2 to tell the two uses apart, 2 for rows under 16 words,
 * 16 to threshold and gather the 2 bits (7 to store the popcounts): 620 for
 * 64 weight words. Per call about 70 (saved registers, state) and 23 in C:
 * 1024 x 256 = 9.77 per word (the previous engine, 8-word blocks with a C
 * loop per pass: 10.73), 9.56 for bnn_dense_b1_pop (10.54); x 64 rows of 8
 * words 16.83 (16.86), 9 words 15.40 (18.86), 25 words 10.85 (12.39), 49
 * words (x 128) 9.21 (10.59). 2.4 KB of code (first block 0.74 KB,
 * general block 0.84 KB, finishes 0.37 KB), once per firmware: one function
 * for both uses costs the 2 instructions per pass, two would cost 2.4 KB.
 */
/* Rows below it go one by one through bnn_pop_row (measured: cheaper for 1..4 words, dearer from 5). */
#if !defined(BNN_RV_MIN_WORDS)
#define BNN_RV_MIN_WORDS 5 /* the tests also build with 1, reaching every path */
#endif

/* Register names (RVC-compressible x8..x15 for the pointers and temporaries). */
#define BNN_RV_PX "s0"  /* input words */
#define BNN_RV_PA "s1"  /* row a */
#define BNN_RV_PB "a0"  /* row b = row a + n words */
#define BNN_RV_T "a1"   /* scratch of an adder or count */
#define BNN_RV_D1 "a2"  /* the second word of a pair, x ^ w */
#define BNN_RV_X0 "a3"  /* the pair's input words */
#define BNN_RV_X1 "a4"
#define BNN_RV_D0 "a5"  /* the first word of an odd pair (carry out: twos) */
#define BNN_RV_M55 "t0" /* 0x55555555 */
#define BNN_RV_M33 "t1" /* 0x33333333 */
#define BNN_RV_M0F "t2" /* 0x0F0F0F0F */
#define BNN_RV_M01 "t3" /* 0x01010101 */
#define BNN_RV_OA "t4"  /* row a: ones, twos, fours, eights, sum of sixteens counts */
#define BNN_RV_TA "t5"
#define BNN_RV_FA "t6"
#define BNN_RV_EA "a6"
#define BNN_RV_SA "a7"
#define BNN_RV_UA "s7"  /* row a's words in flight: twos (u, v), fours (v, y), eights (y) */
#define BNN_RV_VA "s8"
#define BNN_RV_YA "s9"
#define BNN_RV_OB "s2"  /* row b: the same */
#define BNN_RV_TB "s3"
#define BNN_RV_FB "s4"
#define BNN_RV_EB "s5"
#define BNN_RV_SB "s6"
#define BNN_RV_UB "s10"
#define BNN_RV_VB "s11"
#define BNN_RV_YB "ra"

/* Stack frame: ra, s0..s11 saved at 0..48, then the call's state. */
#define BNN_RV_FRAME "96"
#define BNN_RV_X "52(sp)"      /* x */
#define BNN_RV_END "56(sp)"    /* x + n */
#define BNN_RV_STRIDE "60(sp)" /* 4 n */
#define BNN_RV_Q "64(sp)"      /* thresholds (or popcounts) of the pass */
#define BNN_RV_QE "68(sp)"     /* ... after the last pass */
#define BNN_RV_BITS "72(sp)"   /* the output bits gathered */
#define BNN_RV_HEAD "76(sp)"   /* where a pass starts (label 4, 6 or 7) */
#define BNN_RV_ENT "80(sp)"    /* where the n % 16 even words enter the block (21..27), or 0 */
#define BNN_RV_ADJ "84(sp)"    /* 4 (16 - that many): the pointers' move back before it */
#define BNN_RV_SHORT "88(sp)"  /* n < 16: the words all go through the first block, entered part way */
#define BNN_RV_MODE "92(sp)"   /* 1: thresholds and bits (bnn_dense_b1), 0: popcounts */

#define BNN_RV_OP(op, d, a, b) op " " d ", " a ", " b "\n\t"

/* (l, b) <- (l ^ b ^ c, majority(l, b, c)); c is left alone (5). */
#define BNN_RV_CSA(l, b, c)                                                         \
    BNN_RV_OP("xor", BNN_RV_T, l, b) BNN_RV_OP("and", b, b, l) BNN_RV_OP("xor", l, BNN_RV_T, c) \
    BNN_RV_OP("and", BNN_RV_T, BNN_RV_T, c) BNN_RV_OP("or", b, b, BNN_RV_T)

/* The same with l = 0: (l, b) <- (b ^ c, b & c) (2). */
#define BNN_RV_HA(l, b, c) BNN_RV_OP("xor", l, b, c) BNN_RV_OP("and", b, b, c)

/* Input words 2k, 2k + 1 of the block. */
#define BNN_RV_LOADX(k)                                                             \
    "lw   " BNN_RV_X0 ", " #k "*8(" BNN_RV_PX ")\n\t"                                \
    "lw   " BNN_RV_X1 ", " #k "*8+4(" BNN_RV_PX ")\n\t"

/* d0 <- x[2k] ^ p[2k], D1 <- x[2k+1] ^ p[2k+1]. */
#define BNN_RV_LOADD(k, p, d0)                                                      \
    "lw   " d0 ", " #k "*8(" p ")\n\t"                                               \
    "lw   " BNN_RV_D1 ", " #k "*8+4(" p ")\n\t"                                      \
    BNN_RV_OP("xor", d0, d0, BNN_RV_X0) BNN_RV_OP("xor", BNN_RV_D1, BNN_RV_D1, BNN_RV_X1)

/*
 * Pair k (words 2k, 2k+1) of a row's block in the general form (G) and in the
 * first block of a row (Z, adders zero before: half adders where one is first
 * written). Row registers: o, t, f, e adders, u, v, y words in flight.
 */
#define BNN_RV_G0(p, o, t, f, e, u, v, y) BNN_RV_LOADD(0, p, y) BNN_RV_CSA(o, y, BNN_RV_D1)
#define BNN_RV_G1(p, o, t, f, e, u, v, y) BNN_RV_LOADD(1, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_CSA(t, y, BNN_RV_D0)
#define BNN_RV_G2(p, o, t, f, e, u, v, y) BNN_RV_LOADD(2, p, u) BNN_RV_CSA(o, u, BNN_RV_D1)
#define BNN_RV_G3(p, o, t, f, e, u, v, y) BNN_RV_LOADD(3, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_CSA(t, u, BNN_RV_D0) BNN_RV_CSA(f, y, u)
#define BNN_RV_G4(p, o, t, f, e, u, v, y) BNN_RV_LOADD(4, p, v) BNN_RV_CSA(o, v, BNN_RV_D1)
#define BNN_RV_G5(p, o, t, f, e, u, v, y) BNN_RV_LOADD(5, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_CSA(t, v, BNN_RV_D0)
#define BNN_RV_G6(p, o, t, f, e, u, v, y) BNN_RV_LOADD(6, p, u) BNN_RV_CSA(o, u, BNN_RV_D1)
#define BNN_RV_G7(p, o, t, f, e, u, v, y) BNN_RV_LOADD(7, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_CSA(t, u, BNN_RV_D0) BNN_RV_CSA(f, v, u) BNN_RV_CSA(e, y, v) /* y: sixteens */
#define BNN_RV_Z0(p, o, t, f, e, u, v, y) BNN_RV_LOADD(0, p, y) BNN_RV_HA(o, y, BNN_RV_D1)
#define BNN_RV_Z1(p, o, t, f, e, u, v, y) BNN_RV_LOADD(1, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_HA(t, y, BNN_RV_D0)
#define BNN_RV_Z3(p, o, t, f, e, u, v, y) BNN_RV_LOADD(3, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_CSA(t, u, BNN_RV_D0) BNN_RV_HA(f, y, u)
#define BNN_RV_Z7(p, o, t, f, e, u, v, y) BNN_RV_LOADD(7, p, BNN_RV_D0) BNN_RV_CSA(o, BNN_RV_D0, BNN_RV_D1) \
    BNN_RV_CSA(t, u, BNN_RV_D0) BNN_RV_CSA(f, v, u) BNN_RV_HA(e, y, v)

/* Pair k of both rows (k's x words loaded once). */
#define BNN_RV_ROW_A BNN_RV_PA, BNN_RV_OA, BNN_RV_TA, BNN_RV_FA, BNN_RV_EA, BNN_RV_UA, BNN_RV_VA, BNN_RV_YA
#define BNN_RV_ROW_B BNN_RV_PB, BNN_RV_OB, BNN_RV_TB, BNN_RV_FB, BNN_RV_EB, BNN_RV_UB, BNN_RV_VB, BNN_RV_YB
#define BNN_RV_APPLY(m, args) m args
#define BNN_RV_PAIR(k, form) BNN_RV_LOADX(k) BNN_RV_APPLY(form, (BNN_RV_ROW_A)) BNN_RV_APPLY(form, (BNN_RV_ROW_B))

/* Byte counts of v in place (10). */
#define BNN_RV_NIBBLES(v) /* 4-bit counts, <= 4 (7) */                               \
    "srli " BNN_RV_T ", " v ", 1\n\t" BNN_RV_OP("and", BNN_RV_T, BNN_RV_T, BNN_RV_M55) \
    BNN_RV_OP("sub", v, v, BNN_RV_T) "srli " BNN_RV_T ", " v ", 2\n\t"                 \
    BNN_RV_OP("and", BNN_RV_T, BNN_RV_T, BNN_RV_M33) BNN_RV_OP("and", v, v, BNN_RV_M33) \
    BNN_RV_OP("add", v, v, BNN_RV_T)
#define BNN_RV_NIB2BYTES(v) /* 4-bit fields to bytes (4) */                           \
    "srli " BNN_RV_T ", " v ", 4\n\t" BNN_RV_OP("and", BNN_RV_T, BNN_RV_T, BNN_RV_M0F)  \
    BNN_RV_OP("and", v, v, BNN_RV_M0F) BNN_RV_OP("add", v, v, BNN_RV_T)
#define BNN_RV_BYTES(v)                                                              \
    BNN_RV_NIBBLES(v) "srli " BNN_RV_T ", " v ", 4\n\t" BNN_RV_OP("add", v, v, BNN_RV_T) \
    BNN_RV_OP("and", v, v, BNN_RV_M0F)
/* s <- popcount(v) (12); s += popcount(v) (13). v is clobbered. */
#define BNN_RV_COUNT_SET(v, s) BNN_RV_BYTES(v) BNN_RV_OP("mul", v, v, BNN_RV_M01) "srli " s ", " v ", 24\n\t"
#define BNN_RV_COUNT_ADD(v, s) BNN_RV_BYTES(v) BNN_RV_OP("mul", v, v, BNN_RV_M01) "srli " v ", " v ", 24\n\t" \
    BNN_RV_OP("add", s, s, v)

/* o <- 16 s + pop(o) + 2 pop(t) + 4 pop(f) + 8 pop(e) (48); t, f, e, s clobbered. */
#define BNN_RV_FINISH(o, t, f, e, s)                                                 \
    BNN_RV_NIBBLES(o) BNN_RV_NIBBLES(t) "slli " t ", " t ", 1\n\t" BNN_RV_OP("add", o, o, t) \
    BNN_RV_NIBBLES(f) BNN_RV_NIBBLES(e) "slli " e ", " e ", 1\n\t" BNN_RV_OP("add", f, f, e) \
    BNN_RV_NIB2BYTES(o) BNN_RV_NIB2BYTES(f) /* bytes <= 24: their sums fit a byte */          \
    BNN_RV_OP("mul", o, o, BNN_RV_M01) "srli " o ", " o ", 24\n\t"                           \
    BNN_RV_OP("mul", f, f, BNN_RV_M01) "srli " f ", " f ", 24\n\t"                           \
    "slli " f ", " f ", 2\n\t" BNN_RV_OP("add", o, o, f)                                     \
    "slli " s ", " s ", 4\n\t" BNN_RV_OP("add", o, o, s)

#define BNN_RV_MOVE(bytes)                                                           \
    "addi " BNN_RV_PX ", " BNN_RV_PX ", " bytes "\n\t"                                 \
    "addi " BNN_RV_PA ", " BNN_RV_PA ", " bytes "\n\t"                                 \
    "addi " BNN_RV_PB ", " BNN_RV_PB ", " bytes "\n\t"

/* ones <- the pass's first word (rows of odd length); the pointers move past it. */
#define BNN_RV_ODD_WORD                                                              \
    "lw   " BNN_RV_X0 ", 0(" BNN_RV_PX ")\n\t"                                          \
    "lw   " BNN_RV_OA ", 0(" BNN_RV_PA ")\n\t"                                          \
    "lw   " BNN_RV_OB ", 0(" BNN_RV_PB ")\n\t"                                          \
    BNN_RV_OP("xor", BNN_RV_OA, BNN_RV_OA, BNN_RV_X0) BNN_RV_OP("xor", BNN_RV_OB, BNN_RV_OB, BNN_RV_X0) \
    BNN_RV_MOVE("4")

#define BNN_RV_SAVE(op)                                                              \
    op " ra, 0(sp)\n\t" op " s0, 4(sp)\n\t" op " s1, 8(sp)\n\t" op " s2, 12(sp)\n\t"  \
    op " s3, 16(sp)\n\t" op " s4, 20(sp)\n\t" op " s5, 24(sp)\n\t" op " s6, 28(sp)\n\t" \
    op " s7, 32(sp)\n\t" op " s8, 36(sp)\n\t" op " s9, 40(sp)\n\t" op " s10, 44(sp)\n\t" \
    op " s11, 48(sp)\n\t"

/* The words in flight zeroed: the block entered part way reads them first. */
#define BNN_RV_ZERO_IN_FLIGHT                                                        \
    "li   " BNN_RV_UA ", 0\n\t" "li   " BNN_RV_VA ", 0\n\t" "li   " BNN_RV_YA ", 0\n\t" \
    "li   " BNN_RV_UB ", 0\n\t" "li   " BNN_RV_VB ", 0\n\t" "li   " BNN_RV_YB ", 0\n\t"

/* The pointers back by ADJ, and a jump to ENT (in BNN_RV_T), where the block's pair reads them. */
#define BNN_RV_BACK_AND_ENTER                                                        \
    "lw   " BNN_RV_D0 ", " BNN_RV_ADJ "\n\t"                                         \
    BNN_RV_OP("sub", BNN_RV_PX, BNN_RV_PX, BNN_RV_D0)                                \
    BNN_RV_OP("sub", BNN_RV_PA, BNN_RV_PA, BNN_RV_D0)                                \
    BNN_RV_OP("sub", BNN_RV_PB, BNN_RV_PB, BNN_RV_D0)                                \
    "jr   " BNN_RV_T "\n\t"

/* ENT for r = n & 14 (a4 = 4 r): the label of pair 8 - r / 2 (p7 .. p2, then p1 for r = 14). */
#define BNN_RV_ENTRY_CASE(bytes, label) \
    "li   a3, " #bytes "\n\t" "lla  a5, " #label "f\n\t" "beq  a4, a3, 3f\n\t"
#define BNN_RV_ENTRIES(p7, p6, p5, p4, p3, p2, p1)                                   \
    BNN_RV_ENTRY_CASE(8, p7) BNN_RV_ENTRY_CASE(16, p6) BNN_RV_ENTRY_CASE(24, p5)     \
    BNN_RV_ENTRY_CASE(32, p4) BNN_RV_ENTRY_CASE(40, p3) BNN_RV_ENTRY_CASE(48, p2)    \
    "lla  a5, " #p1 "f\n"

/*
 * The engine (bnn_rv_passes). Arguments: a0 x, a1 w, a2 n (>= 1), a3 q,
 * a4 np (>= 1), a5 bits (the pass's end: thresholds and bits, or popcounts
 * stored; then back to label 10 for the next pass).
 * In C, per pass (rows a = w, b = w + n; w += 2 n after it):
 *   ones = twos = fours = eights = sixteens_sum = 0;
 *   i = 0;
 *   if (n & 1) { ones = x[0] ^ a[0]; i = 1; }
 *   for (blocks of 16 words: the first 16 (n >= 16), the n & 14 others, then the rest) {
 *       d[k] = x[i + k] ^ a[i + k];          (each x word loaded once for both rows)
 *       twosA = d[0]; csa(&ones, &twosA, d[1]);  twosB = d[2]; csa(&ones, &twosB, d[3]);
 *       foursA = twosA; csa(&twos, &foursA, twosB);
 *       ... (the same for words 4..7: foursB) eightsA = foursA; csa(&fours, &eightsA, foursB);
 *       ... (the same for words 8..15: eightsB) s = eightsA; csa(&eights, &s, eightsB);
 *       sixteens_sum += popcount(s);
 *   }
 *   pop = 16 * sixteens_sum + popcount(ones) + 2 popcount(twos) + 4 popcount(fours) + 8 popcount(eights);
 * where csa(&l, &b, c) is (l, b) <- (l ^ b ^ c, majority(l, b, c)) (BNN_RV_CSA);
 * the n & 14 words enter the block at pair 8 - (n & 14) / 2 with its words in flight zeroed.
 */
#define BNN_RV_ENGINE                                                                 \
    "addi sp, sp, -" BNN_RV_FRAME "\n\t"                                             \
    BNN_RV_SAVE("sw")                                                                \
    "sw   a0, " BNN_RV_X "\n\t"                                                      \
    "slli a2, a2, 2\n\t"                                                             \
    "sw   a2, " BNN_RV_STRIDE "\n\t"                                                 \
    "add  a0, a0, a2\n\t"                                                            \
    "sw   a0, " BNN_RV_END "\n\t"                                                    \
    "sw   a3, " BNN_RV_Q "\n\t"                                                      \
    "slli a4, a4, 3\n\t"                                                             \
    "add  a4, a4, a3\n\t"                                                            \
    "sw   a4, " BNN_RV_QE "\n\t"                                                     \
    "sw   zero, " BNN_RV_BITS "\n\t"                                                 \
    "sw   a5, " BNN_RV_MODE "\n\t"                                                   \
    "mv   " BNN_RV_PB ", a1\n\t"                                                     \
    "andi a4, a2, 56\n\t"                                                            \
    "li   a3, 64\n\t"                                                                \
    "sub  a5, a3, a4\n\t"                                                            \
    "sw   a5, " BNN_RV_ADJ "\n\t"                                                    \
    "sw   zero, " BNN_RV_SHORT "\n\t"                                                \
    "bltu a2, a3, 2f\n\t" /* n < 16 */                                               \
    "andi a3, a2, 4\n\t"                                                             \
    "lla  a5, 6f\n\t"                                                                \
    "beqz a3, 1f\n\t"                                                                \
    "lla  a5, 7f\n"                                                                   \
    "1:\n\t"                                                                         \
    "sw   a5, " BNN_RV_HEAD "\n\t"                                                   \
    "li   a5, 0\n\t" /* no n & 14 words: no entry part way */                       \
    "beqz a4, 3f\n\t"                                                                \
    BNN_RV_ENTRIES(27, 26, 25, 24, 23, 22, 21)                                       \
    "j    3f\n"                                                                       \
    "2:\n\t" /* n < 16: the first block, entered part way (n = 1: at its end, 14) */  \
    "li   a5, 1\n\t"                                                                 \
    "sw   a5, " BNN_RV_SHORT "\n\t"                                                  \
    "lla  a5, 4f\n\t"                                                                \
    "sw   a5, " BNN_RV_HEAD "\n\t"                                                   \
    "lla  a5, 14f\n\t"                                                               \
    "beqz a4, 3f\n\t"                                                                \
    BNN_RV_ENTRIES(37, 36, 35, 34, 33, 32, 31)                                       \
    "3:\n\t"                                                                         \
    "sw   a5, " BNN_RV_ENT "\n\t"                                                    \
    "li   " BNN_RV_M55 ", 0x55555555\n\t"                                            \
    "li   " BNN_RV_M33 ", 0x33333333\n\t"                                            \
    "li   " BNN_RV_M0F ", 0x0F0F0F0F\n\t"                                            \
    "li   " BNN_RV_M01 ", 0x01010101\n"                                              \
    "10:\n\t" /* a pass */                                                           \
    "mv   " BNN_RV_PA ", " BNN_RV_PB "\n\t"                                          \
    "lw   " BNN_RV_T ", " BNN_RV_STRIDE "\n\t"                                       \
    BNN_RV_OP("add", BNN_RV_PB, BNN_RV_PA, BNN_RV_T)                                 \
    "lw   " BNN_RV_PX ", " BNN_RV_X "\n\t"                                           \
    "lw   " BNN_RV_T ", " BNN_RV_HEAD "\n\t"                                         \
    "jr   " BNN_RV_T "\n"                                                            \
    "4:\n\t" /* n < 16: ones from the odd word or 0; what the block reads first 0 */  \
    "li   " BNN_RV_OA ", 0\n\t"                                                      \
    "li   " BNN_RV_OB ", 0\n\t"                                                      \
    "lw   " BNN_RV_T ", " BNN_RV_STRIDE "\n\t"                                       \
    "andi " BNN_RV_T ", " BNN_RV_T ", 4\n\t"                                         \
    "beqz " BNN_RV_T ", 1f\n\t"                                                      \
    BNN_RV_ODD_WORD                                                                  \
    "1:\n\t"                                                                         \
    "li   " BNN_RV_TA ", 0\n\t" "li   " BNN_RV_FA ", 0\n\t"                          \
    "li   " BNN_RV_TB ", 0\n\t" "li   " BNN_RV_FB ", 0\n\t"                          \
    BNN_RV_ZERO_IN_FLIGHT                                                            \
    "lw   " BNN_RV_T ", " BNN_RV_ENT "\n\t"                                          \
    BNN_RV_BACK_AND_ENTER                                                            \
    "7:\n\t" /* the first block of a row of odd length: ones from the odd word */   \
    BNN_RV_ODD_WORD                                                                  \
    BNN_RV_PAIR(0, BNN_RV_G0)                                                        \
    "j    8f\n"                                                                      \
    "6:\n\t" /* the first block of a row of even length */                          \
    BNN_RV_PAIR(0, BNN_RV_Z0)                                                        \
    "8:\n31:\n\t" BNN_RV_PAIR(1, BNN_RV_Z1)                                         \
    "32:\n\t" BNN_RV_PAIR(2, BNN_RV_G2)                                              \
    "33:\n\t" BNN_RV_PAIR(3, BNN_RV_Z3)                                              \
    "34:\n\t" BNN_RV_PAIR(4, BNN_RV_G4)                                              \
    "35:\n\t" BNN_RV_PAIR(5, BNN_RV_G5)                                              \
    "36:\n\t" BNN_RV_PAIR(6, BNN_RV_G6)                                              \
    "37:\n\t" BNN_RV_PAIR(7, BNN_RV_Z7)                                              \
    "lw   " BNN_RV_T ", " BNN_RV_SHORT "\n\t"                                        \
    "bnez " BNN_RV_T ", 13f\n\t" /* n < 16: no sixteens, finish */                  \
    BNN_RV_COUNT_SET(BNN_RV_YA, BNN_RV_SA)                                           \
    BNN_RV_COUNT_SET(BNN_RV_YB, BNN_RV_SB)                                           \
    BNN_RV_MOVE("64")                                                                \
    /* the n & 14 words: into the general block part way (if any) */                \
    "lw   " BNN_RV_T ", " BNN_RV_ENT "\n\t"                                          \
    "beqz " BNN_RV_T ", 11f\n\t"                                                     \
    BNN_RV_ZERO_IN_FLIGHT                                                            \
    BNN_RV_BACK_AND_ENTER                                                            \
    "14:\n\t" /* n = 1: no eights either */                                          \
    "li   " BNN_RV_EA ", 0\n\t" "li   " BNN_RV_EB ", 0\n"                           \
    "13:\n\t" /* n < 16 */                                                          \
    "li   " BNN_RV_SA ", 0\n\t" "li   " BNN_RV_SB ", 0\n\t"                          \
    "addi " BNN_RV_PB ", " BNN_RV_PB ", 64\n\t" /* the next row */                  \
    "j    12f\n"                                                                      \
    "11:\n\t"                                                                        \
    "lw   " BNN_RV_T ", " BNN_RV_END "\n\t"                                          \
    "beq  " BNN_RV_PX ", " BNN_RV_T ", 12f\n"                                        \
    "20:\n\t" BNN_RV_PAIR(0, BNN_RV_G0)                                              \
    "21:\n\t" BNN_RV_PAIR(1, BNN_RV_G1)                                              \
    "22:\n\t" BNN_RV_PAIR(2, BNN_RV_G2)                                              \
    "23:\n\t" BNN_RV_PAIR(3, BNN_RV_G3)                                              \
    "24:\n\t" BNN_RV_PAIR(4, BNN_RV_G4)                                              \
    "25:\n\t" BNN_RV_PAIR(5, BNN_RV_G5)                                              \
    "26:\n\t" BNN_RV_PAIR(6, BNN_RV_G6)                                              \
    "27:\n\t" BNN_RV_PAIR(7, BNN_RV_G7)                                              \
    BNN_RV_COUNT_ADD(BNN_RV_YA, BNN_RV_SA)                                           \
    BNN_RV_COUNT_ADD(BNN_RV_YB, BNN_RV_SB)                                           \
    BNN_RV_MOVE("64")                                                                \
    "lw   " BNN_RV_T ", " BNN_RV_END "\n\t"                                          \
    "bne  " BNN_RV_PX ", " BNN_RV_T ", 20b\n"                                        \
    "12:\n\t"                                                                        \
    BNN_RV_FINISH(BNN_RV_OA, BNN_RV_TA, BNN_RV_FA, BNN_RV_EA, BNN_RV_SA)             \
    BNN_RV_FINISH(BNN_RV_OB, BNN_RV_TB, BNN_RV_FB, BNN_RV_EB, BNN_RV_SB)             \
    "lw   " BNN_RV_T ", " BNN_RV_MODE "\n\t"                                         \
    "bnez " BNN_RV_T ", 15f\n\t"                                                     \
    BNN_RV_OUT_POPS                                                                  \
    "j    16f\n"                                                                      \
    "15:\n\t"                                                                        \
    BNN_RV_OUT_BITS                                                                  \
    "16:\n\t"                                                                        \
    "lw   a0, " BNN_RV_BITS "\n\t"                                                   \
    BNN_RV_SAVE("lw")                                                                \
    "addi sp, sp, " BNN_RV_FRAME "\n\t"                                              \
    "ret\n\t"

/* End of a pass, thresholds: bits = bits >> 2 | (pop_b > T_b) << 31 | (pop_a > T_a) << 30. */
#define BNN_RV_OUT_BITS                                                              \
    "lw   " BNN_RV_T ", " BNN_RV_Q "\n\t"                                            \
    "lw   " BNN_RV_D0 ", 0(" BNN_RV_T ")\n\t"                                        \
    "lw   " BNN_RV_D1 ", 4(" BNN_RV_T ")\n\t"                                        \
    BNN_RV_OP("slt", BNN_RV_D0, BNN_RV_D0, BNN_RV_OA)                                \
    BNN_RV_OP("slt", BNN_RV_D1, BNN_RV_D1, BNN_RV_OB)                                \
    "slli " BNN_RV_D1 ", " BNN_RV_D1 ", 31\n\t"                                      \
    "slli " BNN_RV_D0 ", " BNN_RV_D0 ", 30\n\t"                                      \
    BNN_RV_OP("or", BNN_RV_D0, BNN_RV_D0, BNN_RV_D1)                                 \
    "lw   " BNN_RV_X0 ", " BNN_RV_BITS "\n\t"                                        \
    "srli " BNN_RV_X0 ", " BNN_RV_X0 ", 2\n\t"                                       \
    BNN_RV_OP("or", BNN_RV_X0, BNN_RV_X0, BNN_RV_D0)                                 \
    "sw   " BNN_RV_X0 ", " BNN_RV_BITS "\n\t"                                        \
    "addi " BNN_RV_T ", " BNN_RV_T ", 8\n\t"                                         \
    "sw   " BNN_RV_T ", " BNN_RV_Q "\n\t"                                            \
    "lw   " BNN_RV_D0 ", " BNN_RV_QE "\n\t"                                          \
    "bne  " BNN_RV_T ", " BNN_RV_D0 ", 10b\n\t"

/* End of a pass, popcounts: q[0] = pop_a, q[1] = pop_b. */
#define BNN_RV_OUT_POPS                                                              \
    "lw   " BNN_RV_T ", " BNN_RV_Q "\n\t"                                            \
    "sw   " BNN_RV_OA ", 0(" BNN_RV_T ")\n\t"                                        \
    "sw   " BNN_RV_OB ", 4(" BNN_RV_T ")\n\t"                                        \
    "addi " BNN_RV_T ", " BNN_RV_T ", 8\n\t"                                         \
    "sw   " BNN_RV_T ", " BNN_RV_Q "\n\t"                                            \
    "lw   " BNN_RV_D0 ", " BNN_RV_QE "\n\t"                                          \
    "bne  " BNN_RV_T ", " BNN_RV_D0 ", 10b\n\t"

/*
 * np passes over the 2 np rows from w (n_words each). bits != 0: q holds the
 * thresholds and the result has row 2p + r at bit 32 - 2 np + 2p + r (any
 * int32 threshold: slt); bits == 0: pop[r] = popcount(x ^ w_r) into q.
 * Defined once, in bnn_dense_b1_pop.c (BNN_ROW_ENGINE_HOME), which bnnc ships
 * with bnn_dense_b1.c: one copy of its 2.4 KB in a firmware.
 */
uint32_t bnn_rv_passes(const uint32_t *x, const uint32_t *w, int32_t n_words, void *q, int32_t np, int32_t bits);
#if defined(BNN_ROW_ENGINE_HOME)
#define BNN_RV_ARG __attribute__((unused)) /* read by the assembly (a0..a5) */
__attribute__((naked, noinline)) uint32_t bnn_rv_passes(BNN_RV_ARG const uint32_t *x, BNN_RV_ARG const uint32_t *w,
                                                       BNN_RV_ARG int32_t n_words, BNN_RV_ARG void *q,
                                                       BNN_RV_ARG int32_t np, BNN_RV_ARG int32_t bits)
{
    __asm__(BNN_RV_ENGINE);
}
#endif

/* bnn_dense_b1's hook (bnn_popcount.h): np passes, the bits of the call's rows. */
static inline uint32_t bnn_bits_passes(const uint32_t *const xs[2], const uint32_t **w, int32_t n_words,
                                       const int32_t **thresh, int32_t np)
{
    const uint32_t bits = bnn_rv_passes(xs[0], *w, n_words, (void *)(uintptr_t)*thresh, np, 1);
    *w += (uint32_t)(2 * np) * (uint32_t)n_words;
    *thresh += 2 * np;
    return bits;
}

/* bnn_dense_b1_pop's hook: the popcounts of np passes into pop[0 .. 2 np - 1]. */
static inline void bnn_pop_passes(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop, int32_t np)
{
    (void)bnn_rv_passes(x, *w, n_words, pop, np, 0);
    *w += (uint32_t)(2 * np) * (uint32_t)n_words;
}

/* Two rows (any n_words >= 1). */
static inline void bnn_pop_rows(const uint32_t *x, const uint32_t **w, int32_t n_words, int32_t *pop)
{
    bnn_pop_passes(x, w, n_words, pop, 1);
}

/* (l, b) <- (l ^ b ^ c, majority(l, b, c)), in C for bnn_pop_row. */
#define BNN_RV_CSA_C(l, b, c)            \
    do {                                 \
        const uint32_t u_ = (l) ^ (b);   \
        (b) = ((l) & (b)) | (u_ & (c));  \
        (l) = u_ ^ (c);                  \
    } while (0)

/*
 * One row of at least 8 words (the row left over when n_out is odd, as
 * bnn_dense_int's ninth plane in every call): Harley-Seal over blocks of 8
 * words in C (one row needs few registers), the other words one by one.
 * 13.3 instructions per word at 32 words, against 17 for the word-by-word
 * count (mnist-mlp's first layer on esp32c3: 1.64 M instructions per
 * inference with the previous engine, 1.41 M).
 */
static inline uint32_t bnn_rv_pop_row_blocks(const uint32_t *x, const uint32_t *p, int32_t n_words)
{
    uint32_t ones = 0, twos = 0, fours = 0, eights = 0, bytes, s;
    int32_t i;
    for (i = 0; i + 8 <= n_words; i += 8) {
        uint32_t a = x[i] ^ p[i], b = x[i + 2] ^ p[i + 2], c = x[i + 4] ^ p[i + 4], d = x[i + 6] ^ p[i + 6];
        BNN_RV_CSA_C(ones, a, x[i + 1] ^ p[i + 1]);
        BNN_RV_CSA_C(ones, b, x[i + 3] ^ p[i + 3]);
        BNN_RV_CSA_C(twos, a, b); /* a: fours */
        BNN_RV_CSA_C(ones, c, x[i + 5] ^ p[i + 5]);
        BNN_RV_CSA_C(ones, d, x[i + 7] ^ p[i + 7]);
        BNN_RV_CSA_C(twos, c, d); /* c: fours */
        BNN_RV_CSA_C(fours, a, c); /* a: eights */
        eights += bnn_popcount32(a);
    }
    /* bytes of ones + 2 twos + 4 fours <= 56: their sum fits a byte */
    ones -= (ones >> 1) & 0x55555555u;
    twos -= (twos >> 1) & 0x55555555u;
    fours -= (fours >> 1) & 0x55555555u;
    ones = (ones & 0x33333333u) + ((ones >> 2) & 0x33333333u) + 2u * ((twos & 0x33333333u) + ((twos >> 2) & 0x33333333u));
    fours = (fours & 0x33333333u) + ((fours >> 2) & 0x33333333u);
    bytes = (ones & 0x0F0F0F0Fu) + ((ones >> 4) & 0x0F0F0F0Fu) + 4u * ((fours + (fours >> 4)) & 0x0F0F0F0Fu);
    s = 8u * eights + ((bytes * 0x01010101u) >> 24);
    for (; i < n_words; i++) {
        s += bnn_popcount32(x[i] ^ p[i]);
    }
    return s;
}

/* One row: the odd one of a call, or rows below BNN_MIN_WORDS. */
static inline int32_t bnn_pop_row(const uint32_t *x, const uint32_t **w, int32_t n_words)
{
    const uint32_t *p = *w;
    uint32_t s = 0;
    int32_t i;
    *w = p + n_words;
    if (n_words >= 8) {
        return (int32_t)bnn_rv_pop_row_blocks(x, p, n_words);
    }
    for (i = 0; i < n_words; i++) {
        s += bnn_popcount32(x[i] ^ p[i]);
    }
    return (int32_t)s;
}

#endif /* BNN_POPCOUNT_RV32_H */
