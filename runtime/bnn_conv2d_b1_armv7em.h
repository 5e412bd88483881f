/* bnn_conv2d_b1_armv7em.h - bnnc runtime: the armv7em channel loop of bnn_conv2d_b1's 9-word rows, included by bnn_conv2d_b1.c for BNN_KERNEL_ARMV7EM. */
#ifndef BNN_CONV2D_B1_ARMV7EM_H
#define BNN_CONV2D_B1_ARMV7EM_H

/*
 * Layers without a pool (bnn_conv2d_b1_unpooled; also the lone position of a
 * pool window, bnn_conv2d_b1_single), 9-word rows (a 3x3 kernel on 29 to 32
 * channels): all the channels of an output word in one assembly
 * loop, no C per channel (GCC's loop from bnn_conv2d_b1_pop_n: about 105
 * instructions per channel, 15 of them spills and loop state). Per channel:
 *   d[k] = (x[k] ^ w[k]) (& m[k]), k < 9;
 *   csa(&c2a, &ones, d1, d2), ones = d0 first; csa(&c2b, &ones, d3, d4);
 *   csa(&c2c, &ones, d5, d6); csa(&c4a, &twos, c2b, c2c), twos = c2a first;
 *   csa(&c2d, &ones, d7, d8);
 *   pop = ones + 2 twos + 2 c2d + 4 c4a  (bit counts; no half adder: c2d and c4a are counted, not added)
 *       = sum of bytes(A) + 2 sum of bytes(B), A = pop4(ones) + 2 pop4(twos), B = pop4(c2d) + 2 pop4(c4a)
 *         (nibbles <= 12; bytes(v) = (v & 0x0f0f0f0f) + (v >> 4 & 0x0f0f0f0f), one USAD8 of bytes(A) + 2 bytes(B) <= 72:
 *         against 0x55555555, giving 340 - pop)
 *   bits = (bits >> 1) | (inside - 2 pop < *thresh++) << 31   (QSUB: any int32 threshold; RRXS: the sentinel)
 * where csa(&h, &l, b, c) is the full adder h:l = l + b + c of BNN_M4_CSA.
 * The x patch (and mask) words are reloaded each channel: without a mask
 * from a copy on the stack (sp-relative, so the pointer's register holds
 * 0x0f0f0f0f), with one through pointers restored by the last load's
 * post-index. Registers are fixed, saved and restored by the block itself
 * (as bnn_m4_row: LDM lists ascend, r7 is the frame pointer at -O0).
 * Measured per channel (stm32f4, conv3x3 bench): 78 instructions without a
 * mask (loads 8, XOR 9, adders 25, count 30, threshold and loop 6), 93 with
 * one (loads 12, AND 9, the stacked constants 2); about 20 per call (32
 * channels). conv3x3 0.410 -> 0.314 instructions per MAC with
 * bnn_conv2d_b1_unpooled (the C loop 118 per position and channel, now 90).
 */
#define BNN_CONV2D_B1_SINGLE_ASM(n) ((n) == 9)

/* Nibble counts of v in place: masks 0x55555555 in m55, 0x33333333 in m33, lr scratch. */
#define BNN_CONV2D_B1_M4_POP4(v, m55, m33)          \
    "and  lr, " m55 ", " v ", lsr #1\n\t"          \
    "sub  " v ", " v ", lr\n\t"                    \
    "and  lr, " m33 ", " v ", lsr #2\n\t"          \
    "and  " v ", " v ", " m33 "\n\t"               \
    "add  " v ", " v ", lr\n\t"

/*
 * The count of ones, twos, c2d, c4a (masks in m55, m33, m0f = 0x0f0f0f0f,
 * k = inside - 680), then the threshold: the bit into r3 by RRXS, loop to 1 while
 * the sentinel has not left r3. The four words and lr are clobbered. The
 * byte sum is USAD8 against 0x55555555, not 0: every byte b <= 72 gives
 * |b - 85| = 85 - b, so it is 340 - pop and no register is zeroed.
 */
#define BNN_CONV2D_B1_M4_COUNT(ones, twos, c2d, c4a, m55, m33, k, m0f) \
    BNN_CONV2D_B1_M4_POP4(ones, m55, m33)                                      \
    BNN_CONV2D_B1_M4_POP4(twos, m55, m33)                                      \
    BNN_CONV2D_B1_M4_POP4(c2d, m55, m33)                                       \
    BNN_CONV2D_B1_M4_POP4(c4a, m55, m33)                                       \
    "add  " ones ", " ones ", " twos ", lsl #1\n\t" /* A */                     \
    "add  " c2d ", " c2d ", " c4a ", lsl #1\n\t"    /* B */                     \
    "and  lr, " m0f ", " ones ", lsr #4\n\t"                                   \
    "and  " ones ", " ones ", " m0f "\n\t"                                     \
    "add  " ones ", " ones ", lr\n\t"                                          \
    "and  lr, " m0f ", " c2d ", lsr #4\n\t"                                    \
    "and  " c2d ", " c2d ", " m0f "\n\t"                                       \
    "add  " c2d ", " c2d ", lr\n\t"                                            \
    "add  " ones ", " ones ", " c2d ", lsl #1\n\t" /* bytes(A) + 2 bytes(B) <= 72 */ \
    "usad8 " ones ", " ones ", " m55 "\n\t"      /* s = 340 - pop (each byte below 0x55) */ \
    "ldr  lr, [r2], #4\n\t"                                                    \
    "add  " ones ", " k ", " ones ", lsl #1\n\t" /* dot = inside - 680 + 2 s */ \
    "qsub " ones ", " ones ", lr\n\t"  /* dot - T, saturated: negative when dot < T */ \
    "lsls " ones ", " ones ", #1\n\t"                                          \
    "rrxs r3, r3\n\t"                  /* bits = sign:bits >> 1, carry = the sentinel */ \
    "bcc  1b\n\t"

/*
 * Output bits of the np (1..32) channels after *w and *thresh for a 9-word
 * patch without a mask: channel r at bit 32 - np + r. Advances *w and *thresh.
 */
__attribute__((noinline)) static uint32_t bnn_conv2d_b1_m4_rows9(const uint32_t *patch, const uint32_t **w, const int32_t **thresh,
                                                                int32_t np, int32_t inside)
{
    register const uint32_t *r0 __asm__("r0") = patch;
    register const uint32_t *r1 __asm__("r1") = *w;
    register const int32_t *r2 __asm__("r2") = *thresh;
    register uint32_t r3 __asm__("r3") = 1u << (np - 1); /* sentinel */
    register int32_t r12 __asm__("r12") = inside;
    /* registers: r1 w, r2 thresh, r3 bits, r0 0x0f0f0f0f, r9 0x55555555, r10 0x33333333, r11 inside - 680, the patch on the
       stack (no pointer: one more mask in a register); r4-r8, r12, lr the words */
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r4-r11, lr}\n\t"
        "ldm  r0, {r4-r11, lr}\n\t"
        "push {r4-r11, lr}\n\t"        /* x[k] at [sp, #4 k] */
        "mov  r0, #0x0f0f0f0f\n\t"
        "mov  r9, #0x55555555\n\t"
        "mov  r10, #0x33333333\n\t"
        "subw r11, r12, #680\n"
        "1:\n\t"
        "ldm  sp, {r4, r5, r6}\n\t"
        "ldm  r1!, {r7, r8, r12}\n\t"
        "eor  r4, r4, r7\n\t"
        "eor  r5, r5, r8\n\t"
        "eor  r6, r6, r12\n\t"
        BNN_M4_CSA("r7", "r4", "r5", "r6", "r8")        /* c2a, ones = d0 + d1 + d2 */
        "ldrd r5, r6, [sp, #12]\n\t"
        "ldm  r1!, {r8, r12}\n\t"
        "eor  r5, r5, r8\n\t"
        "eor  r6, r6, r12\n\t"
        BNN_M4_CSA("r8", "r4", "r5", "r6", "r12")       /* c2b */
        "ldrd r5, r6, [sp, #20]\n\t"
        "ldm  r1!, {r12, lr}\n\t"
        "eor  r5, r5, r12\n\t"
        "eor  r6, r6, lr\n\t"
        BNN_M4_CSA("r12", "r4", "r5", "r6", "lr")       /* c2c */
        BNN_M4_CSA("r5", "r7", "r8", "r12", "r6")       /* c4a, twos */
        "ldrd r6, r8, [sp, #28]\n\t"
        "ldm  r1!, {r12, lr}\n\t"
        "eor  r6, r6, r12\n\t"
        "eor  r8, r8, lr\n\t"
        BNN_M4_CSA("r12", "r4", "r6", "r8", "lr")       /* c2d */
        BNN_CONV2D_B1_M4_COUNT("r4", "r7", "r12", "r5", "r9", "r10", "r11", "r0")
        "add  sp, sp, #36\n\t"
        "pop  {r4-r11, lr}\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)
        :
        : "cc", "memory");
    *w = r1;
    *thresh = r2;
    return r3;
}

/*
 * The same with the patch's mask: (x ^ w) & m. Registers: r0 x, r1 w, r2
 * thresh, r3 bits, r12 m; 0x55555555, 0x33333333 and inside - 680 on the
 * stack, reloaded into r6, r8, r10 for the count; r4-r11, lr the words.
 */
__attribute__((noinline)) static uint32_t bnn_conv2d_b1_m4_rows9_masked(const uint32_t *patch, const uint32_t *mask, const uint32_t **w,
                                                                       const int32_t **thresh, int32_t np, int32_t inside)
{
    register const uint32_t *r0 __asm__("r0") = patch;
    register const uint32_t *r1 __asm__("r1") = *w;
    register const int32_t *r2 __asm__("r2") = *thresh;
    register uint32_t r3 __asm__("r3") = 1u << (np - 1); /* sentinel */
    register const uint32_t *r12 __asm__("r12") = mask;
    register int32_t r4 __asm__("r4") = inside;
    __asm__ volatile(
        ".syntax unified\n\t"
        "push {r4-r11, lr}\n\t"
        "subw r6, r4, #680\n\t"
        "mov  r4, #0x55555555\n\t"
        "mov  r5, #0x33333333\n\t"
        "push {r4, r5, r6}\n"           /* [sp] 0x55555555, [sp, #4] 0x33333333, [sp, #8] inside - 680 */
        "1:\n\t"
        "ldm  r0!, {r4, r5, r6}\n\t"
        "ldm  r1!, {r7, r8, r9}\n\t"
        "eor  r4, r4, r7\n\t"
        "eor  r5, r5, r8\n\t"
        "eor  r6, r6, r9\n\t"
        "ldm  r12!, {r7, r8, r9}\n\t"
        "and  r4, r4, r7\n\t"
        "and  r5, r5, r8\n\t"
        "and  r6, r6, r9\n\t"
        BNN_M4_CSA("r7", "r4", "r5", "r6", "r8")        /* c2a, ones = d0 + d1 + d2 */
        "ldm  r0!, {r5, r6, r8}\n\t"
        "ldm  r1!, {r9, r10, r11}\n\t"
        "eor  r5, r5, r9\n\t"
        "eor  r6, r6, r10\n\t"
        "eor  r8, r8, r11\n\t"
        "ldm  r12!, {r9, r10, r11}\n\t"
        "and  r5, r5, r9\n\t"
        "and  r6, r6, r10\n\t"
        "and  r8, r8, r11\n\t"
        BNN_M4_CSA("r9", "r4", "r5", "r6", "r10")       /* c2b; d5 in r8 */
        "ldr  r5, [r0], #4\n\t"
        "ldr  r6, [r1], #4\n\t"
        "eor  r5, r5, r6\n\t"
        "ldr  r6, [r12], #4\n\t"
        "and  r5, r5, r6\n\t"
        BNN_M4_CSA("r6", "r4", "r8", "r5", "r10")       /* c2c */
        BNN_M4_CSA("r5", "r7", "r9", "r6", "r8")        /* c4a, twos */
        "ldrd r6, r8, [r0], #-28\n\t"                   /* words 7 and 8; r0 and r12 back at the patch and mask */
        "ldm  r1!, {r9, r10}\n\t"
        "eor  r6, r6, r9\n\t"
        "eor  r8, r8, r10\n\t"
        "ldrd r9, r10, [r12], #-28\n\t"
        "and  r6, r6, r9\n\t"
        "and  r8, r8, r10\n\t"
        BNN_M4_CSA("r9", "r4", "r6", "r8", "r10")       /* c2d */
        "ldm  sp, {r6, r8, r10}\n\t"    /* 0x55555555, 0x33333333, inside - 680 */
        "mov  r11, #0x0f0f0f0f\n\t"
        BNN_CONV2D_B1_M4_COUNT("r4", "r7", "r9", "r5", "r6", "r8", "r10", "r11")
        "add  sp, sp, #12\n\t"
        "pop  {r4-r11, lr}\n\t"
        : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)
        : "r"(r4)
        : "cc", "memory");
    *w = r1;
    *thresh = r2;
    return r3;
}

/* bnn_conv2d_b1_single for BNN_CONV2D_B1_SINGLE_ASM(n): per output word one call of the loop above. */
static inline void bnn_conv2d_b1_single_asm(const uint32_t *patch, const uint32_t *mask, int32_t inside, const uint32_t *w,
                                            const int masked, int32_t out_c, const int32_t *thresh, const uint32_t *flip,
                                            uint32_t *pixel)
{
    int32_t left;
    for (left = out_c; left > 0; left -= 32) {
        const int32_t np = left < 32 ? left : 32;
        const uint32_t bits = masked ? bnn_conv2d_b1_m4_rows9_masked(patch, mask, &w, &thresh, np, inside)
                                     : bnn_conv2d_b1_m4_rows9(patch, &w, &thresh, np, inside);
        *pixel++ = (bits >> (32 - np)) ^ BNN_LOAD_U32(flip++);
    }
}

#endif /* BNN_CONV2D_B1_ARMV7EM_H */
