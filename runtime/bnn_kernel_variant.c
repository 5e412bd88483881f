/* bnn_kernel_variant.c - bnnc runtime (static C, copied into every generated project after bnnc's banner). */
#include "bnn_kernels.h"

const char *bnn_kernel_variant(void)
{
    return BNN_KERNEL_NAME;
}
