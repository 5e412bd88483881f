/*
 * start.S - Xtensa lx106 (call0 ABI) startup for QEMU's "sim" machine.
 *
 * QEMU's lx106 resets to 0x50000000 (sysrom0) and ignores the ELF entry
 * point, so .reset (linked there) jumps to _start. l32r only reaches literals
 * at lower addresses, hence the jump over the literal word.
 * .data and .rodata are linked straight into DRAM (QEMU loads them there), so
 * only .bss needs clearing.
 */
    .section .reset, "ax"
    .global _reset
_reset:
    j     1f
    .align 4
2:  .word _start
1:  l32r  a0, 2b
    jx    a0

    .section .text.start, "ax"
    .global _start
    .align 4
_start:
    movi  a1, __stack_top
    movi  a2, __bss_start
    movi  a3, __bss_end
    movi  a4, 0
3:  bgeu  a2, a3, 4f
    s32i  a4, a2, 0
    addi  a2, a2, 4
    j     3b
4:  call0 main
    call0 hal_exit          /* a2 = main's return value */
5:  j     5b
