/*
 * strings.c - mem and str functions, overlapping memmove, fixed-size
 * __builtin_memcpy / struct copies, and explicit string instructions
 * (rep movs/stos, repne scas, repe cmps, lods) forwards and backwards.
 */
#include "kjump.h"

static u8 buf[512];
static u8 buf2[512];
static u32 sum;

static u32 fnv(const void *p, size_t n)
{
    const u8 *b = p;
    u32 h = 0x811c9dc5u;
    while (n--)
        h = (h ^ *b++) * 0x01000193u;
    return h;
}

static void fill(u8 *p, size_t n, u8 seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (u8)(seed + i * 7);
}

struct big { u32 a[37]; u16 b; u8 c[5]; };
static volatile int one = 1;

static struct big make_big(u32 seed)
{
    struct big r;
    for (int i = 0; i < 37; i++)
        r.a[i] = seed * (u32)(i + 1);
    r.b = (u16)seed;
    for (int i = 0; i < 5; i++)
        r.c[i] = (u8)(seed >> i);
    return r;
}

int kmain(void)
{
    printf("strings: start\n");

    static const char *words[] = { "", "a", "abc", "abd", "ab", "hello, world", "hello", "zzz", "Zzz" };
    for (unsigned i = 0; i < 9; i++) {
        printf("strlen(\"%s\")=%u", words[i], strlen(words[i]));
        for (unsigned j = 0; j < 9; j += 2) {
            int c = strcmp(words[i], words[j]);
            int n3 = strncmp(words[i], words[j], 3);
            printf(" %c%c", c < 0 ? '<' : c > 0 ? '>' : '=', n3 < 0 ? '<' : n3 > 0 ? '>' : '=');
        }
        printf("\n");
    }
    char *p = strchr("hello, world", 'w');
    const char *hs = "hello";
    printf("strchr w -> \"%s\", strchr q -> %s, strchr nul -> offset %d\n", p,
           strchr(hs, 'q') ? "found" : "null", (int)(strchr(hs, 0) - hs));

    char cbuf[64];
    strcpy(cbuf, "copy me");
    printf("strcpy: %s len %u\n", cbuf, strlen(cbuf));

    /* memset / memcmp */
    memset(buf, 0xa5, sizeof buf);
    memset(buf + 3, 0, 10);
    printf("memset: %02x %02x %02x %02x fnv=%08x\n", buf[2], buf[3], buf[12], buf[13], fnv(buf, sizeof buf));
    fill(buf, 64, 1);
    fill(buf2, 64, 1);
    printf("memcmp eq=%d", memcmp(buf, buf2, 64));
    buf2[40]++;
    printf(" lt=%d", memcmp(buf, buf2, 64));
    buf2[40] -= 2;
    printf(" gt=%d n0=%d\n", memcmp(buf, buf2, 64), memcmp(buf, buf2, 0));

    /* overlapping memmove, both directions, many sizes/offsets */
    for (int off = -9; off <= 9; off += 3) {
        for (u32 n = 0; n < 80; n += 13) {
            fill(buf, 256, (u8)(n + off));
            memmove(buf + 100 + off, buf + 100, n);
            sum ^= fnv(buf, 256);
        }
        printf("memmove off %d: fnv %08x\n", off, fnv(buf, 256));
    }

    /* memcpy of various lengths and alignments */
    for (u32 a = 0; a < 4; a++) {
        for (u32 n = 0; n < 70; n += 23) {
            fill(buf2, 128, (u8)a);
            memset(buf, 0, 128);
            memcpy(buf + a, buf2 + (3 - a), n);
            sum = sum * 31 + fnv(buf, 128);
        }
        printf("memcpy align %u: sum %08x\n", a, sum);
    }

    /* fixed-size builtin copies and struct copies (gcc inlines as movs / rep movs) */
    fill(buf2, 256, 9);
    __builtin_memcpy(buf, buf2, 4);
    __builtin_memcpy(buf + 16, buf2 + 1, 15);
    __builtin_memcpy(buf + 64, buf2, 160);
    __builtin_memset(buf + 32, 0x3c, 24);
    printf("builtin copies fnv %08x\n", fnv(buf, 256));
    struct big b1 = make_big(0x1234567), b2;
    b2 = b1;
    b2.a[one] ^= 0xffff;
    struct big b3 = make_big(b2.a[1]);
    printf("struct copy fnv %08x %08x %08x\n", fnv(&b1, sizeof b1), fnv(&b2, sizeof b2), fnv(&b3, sizeof b3));

    /* explicit string instructions */
    {
        u32 dst[16], src[16];
        for (int i = 0; i < 16; i++)
            src[i] = 0x01010101u * (u32)i;
        void *d = dst, *s = src;
        u32 c = 16;
        __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
        printf("rep movsl: %08x %08x edi+%u esi+%u ecx=%u\n", dst[1], dst[15],
               (u32)((u8 *)d - (u8 *)dst), (u32)((u8 *)s - (u8 *)src), c);

        u8 bb[40];
        d = bb;
        c = 40;
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(0x5a) : "memory");
        u16 *wd = (u16 *)bb + 3;
        c = 5;
        __asm__ volatile("rep stosw" : "+D"(wd), "+c"(c) : "a"(0x1234) : "memory");
        printf("rep stos: fnv %08x\n", fnv(bb, 40));

        /* backwards copy with DF=1, overlapping */
        for (int i = 0; i < 40; i++)
            bb[i] = (u8)i;
        d = bb + 39;
        s = bb + 35;
        c = 30;
        __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
        printf("std rep movsb: %u %u %u %u edi=-%u\n", bb[5], bb[9], bb[10], bb[39], (u32)(bb + 39 - (u8 *)d));

        /* repne scasb: strlen */
        const char *str = "the quick brown fox";
        const char *di = str;
        c = 0xffffffff;
        __asm__ volatile("repne scasb" : "+D"(di), "+c"(c) : "a"(0) : "memory", "cc");
        printf("repne scasb strlen=%u\n", ~c - 1);
        di = str;
        c = 100;
        __asm__ volatile("repne scasb" : "+D"(di), "+c"(c) : "a"('b') : "memory", "cc");
        printf("repne scasb 'b' at %u ecx=%u\n", (u32)(di - str - 1), c);

        /* repe cmpsb */
        const char *x = "abcdefgh", *y = "abcdEfgh";
        const char *xs = x, *ys = y;
        u32 fl;
        c = 8;
        __asm__ volatile("repe cmpsb\n\tpushfl\n\tpopl %3" : "+S"(xs), "+D"(ys), "+c"(c), "=r"(fl) : : "memory", "cc");
        printf("repe cmpsb: stop %u ecx=%u ZF=%u CF=%u\n", (u32)(xs - x - 1), c, (fl >> 6) & 1, fl & 1);

        /* lodsb / stosb loop: uppercase */
        char out[32];
        const char *si = "Mixed Case 123";
        char *o = out;
        for (;;) {
            u8 ch;
            __asm__ volatile("lodsb" : "=a"(ch), "+S"(si) : : "memory");
            if (ch >= 'a' && ch <= 'z')
                ch -= 32;
            __asm__ volatile("stosb" : "+D"(o) : "a"(ch) : "memory");
            if (!ch)
                break;
        }
        printf("lods/stos: %s\n", out);

        /* movsw/movsl with count 0 must do nothing */
        d = dst;
        s = src;
        c = 0;
        __asm__ volatile("rep movsw" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
        printf("rep count 0: moved %u\n", (u32)((u8 *)d - (u8 *)dst));
    }

    /* a small text buffer manipulated with snprintf */
    char line[48];
    int n = snprintf(line, sizeof line, "[%5d|%-5d|%05d|%x|%s]", 42, -42, -42, 0xbeefu, "str");
    printf("snprintf %d: %s\n", n, line);
    n = snprintf(line, 10, "%s", "truncated output here");
    printf("snprintf trunc %d: %s\n", n, line);
    printf("fmt: [%8s] [%-8s] [%.3s] [%c] [%%] [%+d] [% d] [%.5u] [%-6x] [%06X] [%p]\n", "r", "l", "abcdef", 'Z', 7, 7, 42u, 0xabu, 0xabu, (void *)0x1234);
    printf("sum %08x\n", sum);
    printf("strings: done\n");
    return 0;
}
