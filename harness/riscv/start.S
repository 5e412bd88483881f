/*
 * start.S - RV32 startup for QEMU's virt machine (-bios none: the reset ROM
 * jumps to 0x80000000 in M-mode, where .text.start is linked first).
 * Copies .data from its load address, clears .bss, runs main and passes its
 * return value to hal_exit. Traps (e.g. an instruction the chip lacks) go to
 * hal_trap, which reports and exits with status 98.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la   gp, __global_pointer$
    .option pop
    la   sp, __stack_top
    la   t0, trap_entry
    csrw mtvec, t0
    la   t0, __data_load
    la   t1, __data_start
    la   t2, __data_end
1:  bgeu t1, t2, 2f
    lw   t3, 0(t0)
    sw   t3, 0(t1)
    addi t0, t0, 4
    addi t1, t1, 4
    j    1b
2:  la   t0, __bss_start
    la   t1, __bss_end
3:  bgeu t0, t1, 4f
    sw   zero, 0(t0)
    addi t0, t0, 4
    j    3b
4:  call main
    call hal_exit
5:  j    5b

    .balign 4
trap_entry:
    csrr a0, mcause
    csrr a1, mepc
    csrr a2, mtval
    call hal_trap
    j    .

/*
 * Semihosting: QEMU recognises exactly this uncompressed three-instruction
 * sequence, which must not straddle a page boundary (hence .balign 16).
 * long semihost_call(long op, const void *arg)
 */
    .section .text.semihost, "ax"
    .balign 16
    .globl semihost_call
semihost_call:
    .option push
    .option norvc
    slli x0, x0, 0x1f
    ebreak
    srai x0, x0, 7
    .option pop
    ret
