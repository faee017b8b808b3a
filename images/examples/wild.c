/*
 * wild.c - example: a callee that writes outside its own pages.
 *
 * kjump_cmdline holds physical addresses in hex (`0x' prefix optional,
 * at most 8 digits, at most WILD_MAX of them), default (empty command
 * line) "0x00100000 0x00200000".  For each address A the image writes the
 * 32-bit value WILD_PATTERN (0x57494c44, "WILD") at A + 0x10, prints
 *     wild: wrote 0x57494c44 at 0x00100010 (page 0x00100000)
 * and, after all writes,
 *     wild: 2 writes, returning 0
 * A bad word (not hex, too long, too many) is reported as
 *     wild: bad address "xyz"
 * and the image returns 1 WITHOUT writing anything.  An address inside the
 * image's own pages is written too, with " (inside the image)" appended.
 */
#include "examples.h"

#define WILD_PATTERN 0x57494c44u   /* "WILD" */
#define WILD_OFFSET  0x10u
#define WILD_MAX     16

KJUMP_CMDLINE_DEFINE;

static const char default_cmdline[] = "0x00100000 0x00200000";

static int parse_hex(const char *w, size_t n, u32 *out)
{
    u32 v = 0;
    size_t i = 0;

    if (n >= 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
        i = 2;
    if (i == n || n - i > 8)
        return -1;
    for (; i < n; i++) {
        char c = w[i];
        u32 d;
        if (c >= '0' && c <= '9')      d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        v = (v << 4) | d;
    }
    *out = v;
    return 0;
}

int kmain(void)
{
    u32 addr[WILD_MAX];
    int n = 0;
    size_t len, pos = 0, wlen;
    const char *w, *cmd = cmdline_or(default_cmdline, &len);

    while ((w = next_word(cmd, &pos, len, &wlen)) != NULL) {
        if (n == WILD_MAX || parse_hex(w, wlen, &addr[n]) != 0) {
            printf("wild: bad address \"%.*s\"\n", (int)wlen, w);
            return 1;
        }
        n++;
    }

    for (int i = 0; i < n; i++) {
        u32 a = addr[i] + WILD_OFFSET;
        int inside = a >= (u32)__image_start && a < (u32)__image_end;
        *(volatile u32 *)a = WILD_PATTERN;
        printf("wild: wrote 0x%08x at 0x%08x (page 0x%08x)%s\n",
               WILD_PATTERN, a, a & ~0xfffu, inside ? " (inside the image)" : "");
    }
    printf("wild: %d write%s, returning 0\n", n, n == 1 ? "" : "s");
    return 0;
}
