/* bnn_conv2d_b1_rv32.h - bnnc runtime: bnn_conv2d_b1's 9-word channel loop in RV32IMC assembly, included by bnn_conv2d_b1.c for BNN_KERNEL_RV32. */
#ifndef BNN_CONV2D_B1_RV32_H
#define BNN_CONV2D_B1_RV32_H

/*
 * A position without a pool whose rows are 9 words (3x3 taps of 32
 * channels): its 9 patch words stay in registers for all the output
 * channels of the pixel, so a channel costs its 9 weight loads, 9 XOR (with
 * float-zero padding at the border, 9 mask loads and 9 AND more), the adder
 * tree (5 full adders and a half adder, 27 operations: words of weight 1, 2
 * and two of weight 4), the count (4-bit counts, bytes, two multiplies by
 * 0x02020202 that give 2 pop directly: 45), dot = inside - 2 pop, SLT
 * against the threshold, the bit shifted in and the loop (8): 98
 * instructions per channel without a mask, 116 with one. The loop keeps 26
 * values in registers (9 patch words, 7 adder and count temporaries, 4
 * masks of the count, 6 pointers and state): a naked function with fixed
 * registers rather than C (GCC's loop reloads the patch per channel) or an
 * asm statement (26 operands, all free at once), one call per output word
 * (32 channels): 11 saved registers, 9 patch loads, 4 constants (about 50
 * instructions, 1.6 per channel). Measured on the conv3x3 bench (exact
 * QEMU trace): 103.9 instructions per (position, channel) in this function
 * with its calls, 108 with the layer loop and the border gathers (0.375 per
 * MAC); the C channel loop before: 128 (0.443).
 * Cores with Zbb (cpop) keep the generic loop, one cpop per word is cheaper.
 */
#define BNN_C9_IS9(len) || (len) == 9
#if !defined(__riscv_zbb) && (0 BNN_CONV2D_B1_ROWS(BNN_C9_IS9)) /* only if the model has such a layer */
#define BNN_CONV2D_B1_RV9 1

/* Registers: patch words x0..x8 in s0..s8, the loop's state in a*, the masks of the count in t0..t3. */
#define BNN_C9_W "a2"      /* the channel's weight row (channels walked from the last one down) */
#define BNN_C9_M "a1"      /* the mask (0: none) */
#define BNN_C9_Q "a4"      /* the channel's threshold */
#define BNN_C9_Q0 "a3"     /* the first channel's threshold: the loop's end */
#define BNN_C9_IN "a5"     /* inside bits */
#define BNN_C9_BITS "a0"   /* the bits gathered: channel o at bit o (the last channel is shifted in first) */
#define BNN_C9_O "a6"      /* ones; then the low count and 2 pop */
#define BNN_C9_B "a7"      /* the second word of a pair */
#define BNN_C9_T "t4"      /* scratch of an adder or count */
#define BNN_C9_C0 "t5"     /* carries of weight 2 of the pairs; then twos */
#define BNN_C9_C1 "t6"     /*  then the first fours */
#define BNN_C9_C2 "s9"     /*  then the second fours */
#define BNN_C9_C3 "s10"
#define BNN_C9_M55 "t0"
#define BNN_C9_M33 "t1"
#define BNN_C9_M0F "t2"
#define BNN_C9_M02 "t3"    /* 0x02020202: a byte sum times 2 */

#define BNN_C9_OP(op, d, a, b) op " " d ", " a ", " b "\n\t"

/* d <- w[k] ^ x_k, and with a mask & m[k]. */
#define BNN_C9_LOAD(d, k, xk, masked)                                                \
    "lw   " d ", " #k "*4(" BNN_C9_W ")\n\t" BNN_C9_OP("xor", d, d, xk)                \
    ".if " #masked "\n\t"                                                              \
    "lw   " BNN_C9_T ", " #k "*4(" BNN_C9_M ")\n\t" BNN_C9_OP("and", d, d, BNN_C9_T)   \
    ".endif\n\t"

/* (l, a) <- (l ^ a ^ b, majority(l, a, b)) (5). */
#define BNN_C9_FA(l, a, b)                                                           \
    BNN_C9_OP("xor", BNN_C9_T, l, a) BNN_C9_OP("and", a, a, l) BNN_C9_OP("xor", l, BNN_C9_T, b) \
    BNN_C9_OP("and", BNN_C9_T, BNN_C9_T, b) BNN_C9_OP("or", a, a, BNN_C9_T)

/* v <- its 4-bit field counts (7). */
#define BNN_C9_NIBBLES(v)                                                            \
    "srli " BNN_C9_T ", " v ", 1\n\t" BNN_C9_OP("and", BNN_C9_T, BNN_C9_T, BNN_C9_M55) \
    BNN_C9_OP("sub", v, v, BNN_C9_T) "srli " BNN_C9_T ", " v ", 2\n\t"                 \
    BNN_C9_OP("and", BNN_C9_T, BNN_C9_T, BNN_C9_M33) BNN_C9_OP("and", v, v, BNN_C9_M33) \
    BNN_C9_OP("add", v, v, BNN_C9_T)

/* 4-bit fields (<= 15) to bytes (4). */
#define BNN_C9_BYTES(v)                                                              \
    "srli " BNN_C9_T ", " v ", 4\n\t" BNN_C9_OP("and", BNN_C9_T, BNN_C9_T, BNN_C9_M0F)  \
    BNN_C9_OP("and", v, v, BNN_C9_M0F) BNN_C9_OP("add", v, v, BNN_C9_T)

/*
 * One channel (label 1: masked, 2: not), in C:
 *   d[k] = (x[k] ^ w[k]) & m[k];                   (no & m[k] without a mask)
 *   ones = d[0]; fa(ones, d[1], d[2]) -> c0; ... fa(ones, d[7], d[8]) -> c3;
 *   fa(c0, c1, c2) -> twos = c0, fours1 = c1;  fours2 = twos & c3; twos ^= c3;
 *   low = nib(ones) + 2 nib(twos) (4-bit fields <= 12), high = nib(fours1) + nib(fours2) (<= 8), both to bytes;
 *   pop2 = (low * 0x02020202 >> 24) + ((high * 0x02020202 >> 24) << 2);   (2 pop: byte sums <= 96 and 64, times 2 < 256)
 *   bits = (bits << 1) | (inside - pop2 < thresh[o]);
 *   w -= 9; o--; while (o >= 0)
 */
#define BNN_C9_CHANNEL(label, masked)                                                \
    #label ":\n\t"                                                                     \
    BNN_C9_LOAD(BNN_C9_O, 0, "s0", masked)                                             \
    BNN_C9_LOAD(BNN_C9_C0, 1, "s1", masked) BNN_C9_LOAD(BNN_C9_B, 2, "s2", masked)     \
    BNN_C9_FA(BNN_C9_O, BNN_C9_C0, BNN_C9_B)                                           \
    BNN_C9_LOAD(BNN_C9_C1, 3, "s3", masked) BNN_C9_LOAD(BNN_C9_B, 4, "s4", masked)     \
    BNN_C9_FA(BNN_C9_O, BNN_C9_C1, BNN_C9_B)                                           \
    BNN_C9_LOAD(BNN_C9_C2, 5, "s5", masked) BNN_C9_LOAD(BNN_C9_B, 6, "s6", masked)     \
    BNN_C9_FA(BNN_C9_O, BNN_C9_C2, BNN_C9_B)                                           \
    BNN_C9_FA(BNN_C9_C0, BNN_C9_C1, BNN_C9_C2)                                         \
    BNN_C9_LOAD(BNN_C9_C3, 7, "s7", masked) BNN_C9_LOAD(BNN_C9_B, 8, "s8", masked)     \
    BNN_C9_FA(BNN_C9_O, BNN_C9_C3, BNN_C9_B)                                           \
    BNN_C9_OP("and", BNN_C9_C2, BNN_C9_C0, BNN_C9_C3) BNN_C9_OP("xor", BNN_C9_C0, BNN_C9_C0, BNN_C9_C3) \
    BNN_C9_NIBBLES(BNN_C9_O) BNN_C9_NIBBLES(BNN_C9_C0) "slli " BNN_C9_C0 ", " BNN_C9_C0 ", 1\n\t" \
    BNN_C9_OP("add", BNN_C9_O, BNN_C9_O, BNN_C9_C0) BNN_C9_BYTES(BNN_C9_O)             \
    BNN_C9_NIBBLES(BNN_C9_C1) BNN_C9_NIBBLES(BNN_C9_C2)                                \
    BNN_C9_OP("add", BNN_C9_C1, BNN_C9_C1, BNN_C9_C2) BNN_C9_BYTES(BNN_C9_C1)          \
    BNN_C9_OP("mul", BNN_C9_O, BNN_C9_O, BNN_C9_M02) "srli " BNN_C9_O ", " BNN_C9_O ", 24\n\t" \
    BNN_C9_OP("mul", BNN_C9_C1, BNN_C9_C1, BNN_C9_M02) "srli " BNN_C9_C1 ", " BNN_C9_C1 ", 24\n\t" \
    "slli " BNN_C9_C1 ", " BNN_C9_C1 ", 2\n\t" BNN_C9_OP("add", BNN_C9_O, BNN_C9_O, BNN_C9_C1) \
    BNN_C9_OP("sub", BNN_C9_O, BNN_C9_IN, BNN_C9_O)                                    \
    "lw   " BNN_C9_B ", 0(" BNN_C9_Q ")\n\t" BNN_C9_OP("slt", BNN_C9_O, BNN_C9_O, BNN_C9_B) \
    "slli " BNN_C9_BITS ", " BNN_C9_BITS ", 1\n\t" BNN_C9_OP("or", BNN_C9_BITS, BNN_C9_BITS, BNN_C9_O) \
    "addi " BNN_C9_Q ", " BNN_C9_Q ", -4\n\t" "addi " BNN_C9_W ", " BNN_C9_W ", -36\n\t"  \
    "bgeu " BNN_C9_Q ", " BNN_C9_Q0 ", " #label "b\n\t"

#define BNN_C9_SAVE(op)                                                              \
    op " s0, 0(sp)\n\t" op " s1, 4(sp)\n\t" op " s2, 8(sp)\n\t" op " s3, 12(sp)\n\t"  \
    op " s4, 16(sp)\n\t" op " s5, 20(sp)\n\t" op " s6, 24(sp)\n\t" op " s7, 28(sp)\n\t" \
    op " s8, 32(sp)\n\t" op " s9, 36(sp)\n\t" op " s10, 40(sp)\n\t"

/*
 * Bits 0..count-1: channel o's bit (dot < thresh[o], before the flip) of the
 * position whose patch (9 words: 3 runs of 3, `stride` bytes apart) and mask
 * (9 words in a row; NULL: none) are given; w and thresh point at the first
 * channel's row and threshold; 1 <= count <= 32.
 * In C: see BNN_C9_CHANNEL, for o = count - 1 down to 0.
 */
#define BNN_C9_ARG __attribute__((unused)) /* read by the assembly (a0..a5) */
__attribute__((naked, noinline)) static uint32_t bnn_conv2d_b1_rv9(BNN_C9_ARG const uint32_t *patch, BNN_C9_ARG const uint32_t *mask,
                                                                  BNN_C9_ARG const uint32_t *w, BNN_C9_ARG const int32_t *thresh,
                                                                  BNN_C9_ARG int32_t count, BNN_C9_ARG int32_t inside,
                                                                  BNN_C9_ARG int32_t stride)
{
    __asm__(
        "addi sp, sp, -48\n\t"
        BNN_C9_SAVE("sw")
        "lw   s0, 0(a0)\n\t" "lw   s1, 4(a0)\n\t" "lw   s2, 8(a0)\n\t" "add  a0, a0, a6\n\t"
        "lw   s3, 0(a0)\n\t" "lw   s4, 4(a0)\n\t" "lw   s5, 8(a0)\n\t" "add  a0, a0, a6\n\t"
        "lw   s6, 0(a0)\n\t" "lw   s7, 4(a0)\n\t" "lw   s8, 8(a0)\n\t"
        "li   " BNN_C9_M55 ", 0x55555555\n\t" "li   " BNN_C9_M33 ", 0x33333333\n\t"
        "li   " BNN_C9_M0F ", 0x0F0F0F0F\n\t" "li   " BNN_C9_M02 ", 0x02020202\n\t"
        /* the last channel: w += 36 (count - 1), q = thresh + 4 (count - 1) */
        "addi a4, a4, -1\n\t" "slli t4, a4, 2\n\t" "slli t5, a4, 5\n\t" "add  t5, t5, t4\n\t"
        "add  " BNN_C9_W ", a2, t5\n\t" "add  " BNN_C9_Q ", a3, t4\n\t"
        "li   " BNN_C9_BITS ", 0\n\t"
        "beqz " BNN_C9_M ", 2f\n\t"
        BNN_C9_CHANNEL(1, 1)
        "j    3f\n\t"
        BNN_C9_CHANNEL(2, 0)
        "3:\n\t"
        BNN_C9_SAVE("lw")
        "addi sp, sp, 48\n\t"
        "ret\n\t");
}

/* The output words of a position (patch as for bnn_conv2d_b1_rv9), flipped. */
static inline void bnn_conv2d_b1_words9(const uint32_t *patch, int32_t stride, const uint32_t *mask, int32_t inside, const uint32_t *w,
                                 int32_t out_c, const int32_t *thresh, const uint32_t *flip, uint32_t *pixel)
{
    int32_t o;
    for (o = 0; o < out_c; o += 32, w += 32 * 9, thresh += 32) {
        const int32_t count = out_c - o < 32 ? out_c - o : 32;
        *pixel++ = bnn_conv2d_b1_rv9(patch, mask, w, thresh, count, inside, stride) ^ BNN_LOAD_U32(flip++);
    }
}

/* bnn_conv2d_b1_single for 9-word rows (a pool window with one position inside). */
static void bnn_conv2d_b1_single9(const uint32_t *patch, const uint32_t *mask, int32_t inside, const uint32_t *w, int32_t out_c,
                                  const int32_t *thresh, const uint32_t *flip, uint32_t *pixel)
{
    bnn_conv2d_b1_words9(patch, 12, mask, inside, w, out_c, thresh, flip, pixel);
}

/*
 * A whole layer without a pool and with 9-word rows (else returns 0): per
 * output pixel the patch is gathered into scratch (a border position with
 * float-zero padding also its mask), or, inside the input with 3 words per
 * kernel row (3x3 taps of 32 channels), read where it lies, rows in_w pixels
 * apart; then bnn_conv2d_b1_words9. Replaces the pool-window bookkeeping
 * and the copy of bnn_conv2d_b1 (measured on the conv3x3 bench: about 260
 * instructions per pixel -> about 60: 0.396 -> 0.375 per MAC).
 */
__attribute__((noinline)) static int bnn_conv2d_b1_layer9(const uint32_t *x, const uint32_t *w, const bnn_conv2d_params_t *p, const int32_t *thresh,
                                const uint32_t *flip, uint32_t *out, uint32_t *scratch)
{
    const int32_t in_c = p->in_c;
    const int32_t in_words = (in_c + 31) / 32;
    const int32_t out_c = p->out_c;
    const int32_t out_words = (out_c + 31) / 32;
    const int direct = (in_c & 31) == 0 && p->k_w * in_words == 3;
    const int32_t all = p->k_h * p->k_w * in_c;
    int32_t oy;
    int32_t ox;
    if (p->pool_h != 1 || p->pool_w != 1 || p->pool_stride_h != 1 || p->pool_stride_w != 1 || (all + 31) / 32 != 9) {
        return 0;
    }
    for (oy = 0; oy < p->out_h; oy++) {
        const int32_t y0 = oy * p->stride_h - p->pad_top;
        for (ox = 0; ox < p->out_w; ox++, out += out_words) {
            const int32_t x0 = ox * p->stride_w - p->pad_left;
            const int in = y0 >= 0 && x0 >= 0 && y0 + p->k_h <= p->in_h && x0 + p->k_w <= p->in_w;
            if (in && direct) {
                bnn_conv2d_b1_words9(x + (y0 * p->in_w + x0) * in_words, p->in_w * in_words * 4, 0, all, w, out_c, thresh, flip, out);
            } else {
                /* a mask at the border with float-zero padding; else the outside taps as the padding reads them: all count */
                uint32_t *mask = !in && p->padding == BNN_PAD_ZERO ? scratch + 9 : 0;
                const int32_t taps = bnn_conv2d_b1_gather(x, p, y0, x0, scratch, mask);
                bnn_conv2d_b1_words9(scratch, 12, mask, mask != 0 ? taps * in_c : all, w, out_c, thresh, flip, out);
            }
        }
    }
    return 1;
}
#endif

#endif /* BNN_CONV2D_B1_RV32_H */
