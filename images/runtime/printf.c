/*
 * printf.c - small printf for the freestanding runtime.
 * Conversions: d i u x X o c s p %   Flags: - 0 + space   Width: n or *
 * Precision: .n or .* (strings: max chars; integers: min digits)
 * Length: hh h l ll z
 */
#include "kjump.h"

struct sink {
    char *buf;      /* NULL: write to the UART */
    size_t size;
    size_t len;     /* characters produced so far */
};

static void emit(struct sink *k, char c)
{
    if (k->buf) {
        if (k->len + 1 < k->size)
            k->buf[k->len] = c;
    } else {
        uart_putc(c);
    }
    k->len++;
}

static void emit_n(struct sink *k, char c, int n)
{
    while (n-- > 0)
        emit(k, c);
}

/* Convert v to digits (reversed) in tmp; returns digit count. */
static int utoa_rev(char *tmp, u64 v, unsigned base, int upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    if ((v >> 32) == 0) {
        u32 w = (u32)v;
        do {
            tmp[n++] = dig[w % base];
            w /= base;
        } while (w);
    } else {
        do {
            tmp[n++] = dig[v % base];
            v /= base;
        } while (v);
    }
    return n;
}

static int format(struct sink *k, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(k, *fmt);
            continue;
        }
        fmt++;
        int left = 0, zero = 0, plus = 0, space = 0;
        for (;; fmt++) {
            if (*fmt == '-') left = 1;
            else if (*fmt == '0') zero = 1;
            else if (*fmt == '+') plus = 1;
            else if (*fmt == ' ') space = 1;
            else break;
        }
        int width = 0;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        int prec = -1;
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        int lng = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
        for (;; fmt++) {
            if (*fmt == 'l') lng++;
            else if (*fmt == 'h') lng--;
            else if (*fmt == 'z') lng = 1;
            else break;
        }

        char c = *fmt;
        if (c == 0)
            break;
        if (c == '%') {
            emit(k, '%');
            continue;
        }
        if (c == 'c') {
            char ch = (char)va_arg(ap, int);
            if (!left) emit_n(k, ' ', width - 1);
            emit(k, ch);
            if (left) emit_n(k, ' ', width - 1);
            continue;
        }
        if (c == 's') {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n] && (prec < 0 || n < prec))
                n++;
            if (!left) emit_n(k, ' ', width - n);
            for (int i = 0; i < n; i++)
                emit(k, s[i]);
            if (left) emit_n(k, ' ', width - n);
            continue;
        }

        u64 v;
        int neg = 0;
        unsigned base = 10;
        int upper = 0;
        const char *prefix = "";
        if (c == 'd' || c == 'i') {
            s64 sv;
            if (lng >= 2) sv = va_arg(ap, s64);
            else sv = va_arg(ap, s32);
            if (lng == -1) sv = (s16)sv;
            if (lng <= -2) sv = (s8)sv;
            if (sv < 0) {
                neg = 1;
                v = 0 - (u64)sv;
            } else {
                v = (u64)sv;
            }
            prefix = neg ? "-" : plus ? "+" : space ? " " : "";
        } else if (c == 'u' || c == 'x' || c == 'X' || c == 'o' || c == 'p') {
            if (c == 'p') {
                v = (u32)va_arg(ap, void *);
                prec = 8;
                prefix = "0x";
            } else if (lng >= 2) {
                v = va_arg(ap, u64);
            } else {
                v = va_arg(ap, u32);
            }
            if (lng == -1) v = (u16)v;
            if (lng <= -2) v = (u8)v;
            if (c == 'x' || c == 'p') base = 16;
            if (c == 'X') { base = 16; upper = 1; }
            if (c == 'o') base = 8;
        } else {
            /* unknown conversion: print it verbatim */
            emit(k, '%');
            emit(k, c);
            continue;
        }

        char tmp[24];
        int nd = (prec == 0 && v == 0) ? 0 : utoa_rev(tmp, v, base, upper);
        int zeros = prec > nd ? prec - nd : 0;
        int plen = 0;
        while (prefix[plen])
            plen++;
        int total = plen + zeros + nd;
        if (zero && !left && prec < 0 && width > total) {
            zeros += width - total;
            total = width;
        }
        if (!left) emit_n(k, ' ', width - total);
        for (int i = 0; i < plen; i++)
            emit(k, prefix[i]);
        emit_n(k, '0', zeros);
        while (nd > 0)
            emit(k, tmp[--nd]);
        if (left) emit_n(k, ' ', width - total);
    }
    return (int)k->len;
}

int vprintf(const char *fmt, va_list ap)
{
    struct sink k = { NULL, 0, 0 };
    return format(&k, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vprintf(fmt, ap);
    va_end(ap);
    return r;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct sink k = { buf, n, 0 };
    int r = format(&k, fmt, ap);
    if (n)
        buf[k.len < n ? k.len : n - 1] = 0;
    return r;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

int putchar(int c)
{
    uart_putc((char)c);
    return (u8)c;
}

int puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
    uart_putc('\n');
    return 0;
}

void hexdump(const void *p, size_t n)
{
    const u8 *b = p;
    for (size_t i = 0; i < n; i += 16) {
        printf("%04x:", (u32)i);
        for (size_t j = i; j < i + 16 && j < n; j++)
            printf(" %02x", b[j]);
        putchar('\n');
    }
}
