/*
 * bnnc_uart.h - a polled UART for self-test firmware on a bare-metal board
 * (no interrupts, no DMA). Implemented for the STM32F405 in uart_stm32f4.c.
 */
#ifndef BNNC_UART_H
#define BNNC_UART_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Clocks, pins and baud rate (BNNC_UART_BAUD, default 115200); transmit and receive enabled. */
void bnnc_uart_init(void);
/* Blocking writes: each character waits for an empty transmit register. */
void bnnc_uart_putc(char c);
void bnnc_uart_puts(const char *s);
/* 8 lower-case hex digits, no prefix. */
void bnnc_uart_put_hex8(uint32_t v);
/* Decimal. */
void bnnc_uart_put_u32(uint32_t v);
/* Busy wait on SysTick (CPU clock BNNC_CPU_HZ). */
void bnnc_delay_ms(uint32_t ms);

#ifdef __cplusplus
}
#endif

#endif /* BNNC_UART_H */
