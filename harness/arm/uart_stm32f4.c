/*
 * uart_stm32f4.c - bnnc_uart.h on USART1 of an STM32F405/F407 (TX PA9, RX PA10, AF7).
 *
 * QEMU's netduinoplus2 machine connects USART1 (0x40011000) to its first
 * serial backend (-serial pty|stdio|...): hw/arm/stm32f405_soc.c maps usart[i]
 * at usart_addr[i] with chardev serial_hd(i), usart_addr[0] = 0x40011000.
 * Its USART model (hw/char/stm32f2xx_usart.c) writes a DR store straight to
 * the backend and keeps TXE set; it models neither RCC nor GPIO, so the clock
 * and pin set-up below only matter on a real chip, where it is what the
 * reference manual (RM0090) asks for after reset: HSI 16 MHz, APB2 = 16 MHz.
 */
#include "bnnc_uart.h"

#ifndef BNNC_UART_BAUD
#define BNNC_UART_BAUD 115200u
#endif
#ifndef BNNC_UART_PCLK_HZ
#define BNNC_UART_PCLK_HZ 16000000u /* APB2 after reset (HSI) */
#endif
#ifndef BNNC_CPU_HZ
#define BNNC_CPU_HZ 16000000u
#endif

#define REG(addr) (*(volatile uint32_t *)(addr))

#define RCC_AHB1ENR REG(0x40023830u)
#define RCC_APB2ENR REG(0x40023844u)
#define GPIOA_MODER REG(0x40020000u)
#define GPIOA_AFRH REG(0x40020024u)

#define USART1_SR REG(0x40011000u)
#define USART1_DR REG(0x40011004u)
#define USART1_BRR REG(0x40011008u)
#define USART1_CR1 REG(0x4001100Cu)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_UE (1u << 13)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RE (1u << 2)

#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SYST_CSR_COUNTFLAG (1u << 16)

void bnnc_uart_init(void)
{
    RCC_AHB1ENR |= 1u << 0; /* GPIOAEN */
    RCC_APB2ENR |= 1u << 4; /* USART1EN */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18); /* PA9, PA10: alternate function */
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (0x77u << 4);    /* AF7 = USART1 */
    USART1_BRR = (BNNC_UART_PCLK_HZ + BNNC_UART_BAUD / 2u) / BNNC_UART_BAUD; /* oversampling by 16 */
    USART1_CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
}

void bnnc_uart_putc(char c)
{
    while ((USART1_SR & USART_SR_TXE) == 0u) {
    }
    USART1_DR = (uint32_t)(unsigned char)c;
}

void bnnc_uart_puts(const char *s)
{
    while (*s != '\0') {
        bnnc_uart_putc(*s++);
    }
}

void bnnc_uart_put_hex8(uint32_t v)
{
    int shift;
    for (shift = 28; shift >= 0; shift -= 4) {
        bnnc_uart_putc("0123456789abcdef"[(v >> shift) & 0xFu]);
    }
}

void bnnc_uart_put_u32(uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    while (n > 0) {
        bnnc_uart_putc(digits[--n]);
    }
}

void bnnc_delay_ms(uint32_t ms)
{
    SYST_RVR = BNNC_CPU_HZ / 1000u - 1u; /* one wrap per millisecond */
    SYST_CVR = 0u;
    SYST_CSR = 5u; /* ENABLE | CLKSOURCE = CPU clock, no interrupt */
    while (ms > 0u) {
        if ((SYST_CSR & SYST_CSR_COUNTFLAG) != 0u) { /* reading clears COUNTFLAG */
            ms--;
        }
    }
}
