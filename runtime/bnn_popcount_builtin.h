/* bnn_popcount_builtin.h - bnnc runtime: __builtin_popcount, the benchmark baseline (BNN_KERNEL_BUILTIN, in no target list). */
#ifndef BNN_POPCOUNT_BUILTIN_H
#define BNN_POPCOUNT_BUILTIN_H

#include <stdint.h>

/* What CBin-NN does: the compiler's popcount (a libgcc call on most cores). long: int is 16 bits on AVR. */
static inline uint32_t bnn_popcount32(uint32_t v)
{
    return (uint32_t)__builtin_popcountl(v);
}

#endif /* BNN_POPCOUNT_BUILTIN_H */
