/*
 * uart.c - polled 16550 driver on COM1 (0x3F8), 115200 8N1.
 * Bytes are written exactly as given: no "\n" -> "\r\n" translation.
 */
#include "kjump.h"

#define COM1 0x3F8
#define THR  0   /* transmit holding (DLAB=0) */
#define DLL  0   /* divisor latch low (DLAB=1) */
#define IER  1   /* interrupt enable (DLAB=0) */
#define DLM  1   /* divisor latch high (DLAB=1) */
#define FCR  2   /* FIFO control */
#define LCR  3   /* line control */
#define MCR  4   /* modem control */
#define LSR  5   /* line status */

#define LSR_THRE 0x20

void uart_init(void)
{
    outb(COM1 + IER, 0x00);   /* no interrupts */
    outb(COM1 + LCR, 0x80);   /* DLAB=1 */
    outb(COM1 + DLL, 0x01);   /* 115200 / 1 */
    outb(COM1 + DLM, 0x00);
    outb(COM1 + LCR, 0x03);   /* 8 data bits, no parity, 1 stop, DLAB=0 */
    outb(COM1 + FCR, 0x07);   /* enable + clear FIFOs */
    outb(COM1 + MCR, 0x03);   /* DTR, RTS (OUT2 off: no IRQ) */
}

void uart_putc(char c)
{
    /* Bounded wait so a missing UART cannot hang the image. */
    for (u32 i = 0; i < 1000000u; i++)
        if (inb(COM1 + LSR) & LSR_THRE)
            break;
    outb(COM1 + THR, (u8)c);
}

void uart_write(const char *s, size_t n)
{
    while (n--)
        uart_putc(*s++);
}
