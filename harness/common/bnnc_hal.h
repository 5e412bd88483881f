/*
 * bnnc_hal.h - the whole interface between a bnnc test program and the
 * machine it runs on (QEMU under semihosting, or the host).
 *
 * The harness provides startup code, these functions and a linker script;
 * the program provides int main(void). main's return value (0..255) becomes
 * the exit status of QEMU (or of the host process).
 *
 * Instruction counting: hal_cnt_read() reads a free-running guest counter,
 * hal_cnt_insns() converts the difference of two reads into retired
 * instructions. Exact only under QEMU's -icount (runQemu mode 'icount'); in
 * any other run the figures follow host time and mean nothing. On Cortex-M the
 * counter is the 24-bit SysTick extended by its wrap interrupt (hal_arm.c), so
 * a region may span up to 2^32 ticks (about 1.3 G instructions on mps2-an386).
 */
#ifndef BNNC_HAL_H
#define BNNC_HAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Console output (semihosting SYS_WRITE0 on QEMU, stdout on the host). */
void hal_puts(const char *s);
/* Decimal, signed decimal, and "0x" + 8 lower-case hex digits. */
void hal_put_u32(uint32_t v);
void hal_put_i32(int32_t v);
void hal_put_hex(uint32_t v);

/* Ends the program with status code (0..255). */
__attribute__((noreturn)) void hal_exit(int code);

/* Start the instruction counter; call once before hal_cnt_read(). */
void hal_cnt_init(void);
/* Raw counter value (meaning depends on the target). */
uint32_t hal_cnt_read(void);
/* Instructions retired between two reads t0 (earlier) and t1 (later). */
uint32_t hal_cnt_insns(uint32_t t0, uint32_t t1);

#ifdef __cplusplus
}
#endif

#endif /* BNNC_HAL_H */
