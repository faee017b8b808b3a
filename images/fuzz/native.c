/*
 * native.c - developer tool: runs tests/cpufuzz.c (and its generated
 * blocks) as a static i386 Linux program on the host CPU, so the QEMU
 * transcript can also be compared with real hardware (see native.sh).
 * Replaces the runtime's UART with write(2) through int $0x80.
 */
#include "kjump.h"

static char out[1 << 16];
static u32 nout;

static void sys_write(const char *p, u32 n)
{
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(1), "c"(p), "d"(n) : "memory");
}

void uart_init(void) {}

void uart_putc(char c)
{
    out[nout++] = c;
    if (nout == sizeof(out)) {
        sys_write(out, nout);
        nout = 0;
    }
}

void uart_write(const char *s, size_t n)
{
    while (n--)
        uart_putc(*s++);
}

void native_main(void);
void native_main(void)
{
    int rc = kmain();
    sys_write(out, nout);
    __asm__ volatile("int $0x80" : : "a"(1), "b"(rc));
}

__asm__(".globl _start\n_start:\n\tandl $-16, %esp\n\tcall native_main\n\thlt\n");
