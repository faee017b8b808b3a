/*
 * examples.h - shared bits of the example jump-back images.
 *
 * The kjump_cmdline contract: an image that takes arguments defines
 *
 *     KJUMP_CMDLINE_DEFINE;
 *
 * i.e. a global, initialised (all zero) `char kjump_cmdline[256]' placed
 * in .data, so it is part of the file image (PT_LOAD filesz) and is an
 * STT_OBJECT symbol of size 256.  The caller (kjump run --append TEXT)
 * writes TEXT, NUL-terminated, into the segment at that symbol before
 * loading.  .data survives re-entry (only .bss is cleared by crt0.S), so
 * the command line is the same on every entry.  The image never trusts
 * the terminating NUL: it reads at most KJUMP_CMDLINE_SIZE bytes.
 */
#ifndef EXAMPLES_H
#define EXAMPLES_H

#include "kjump.h"

#define KJUMP_CMDLINE_SIZE 256

#define KJUMP_CMDLINE_DEFINE \
    __attribute__((section(".data"), aligned(4), used)) \
    char kjump_cmdline[KJUMP_CMDLINE_SIZE] = { 0 }

extern char kjump_cmdline[KJUMP_CMDLINE_SIZE];

static inline int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of the command line (stops at NUL or at the end of the array). */
static inline size_t cmdline_len(void)
{
    size_t n = 0;
    while (n < KJUMP_CMDLINE_SIZE && kjump_cmdline[n] != '\0')
        n++;
    return n;
}

/* The command line or, if it has no word, dflt; its length in *len. */
static inline const char *cmdline_or(const char *dflt, size_t *len)
{
    *len = cmdline_len();
    for (size_t i = 0; i < *len; i++)
        if (!is_space(kjump_cmdline[i]))
            return kjump_cmdline;
    *len = strlen(dflt);
    return dflt;
}

/*
 * Word iterator over s[0..len): finds the next whitespace-separated word
 * at or after *pos, returns its start and stores its length in *wlen,
 * advancing *pos past it.  Returns NULL when no word is left.
 */
static inline const char *next_word(const char *s, size_t *pos, size_t len, size_t *wlen)
{
    size_t i = *pos, st;
    while (i < len && is_space(s[i]))
        i++;
    if (i >= len) {
        *pos = i;
        return NULL;
    }
    st = i;
    while (i < len && !is_space(s[i]))
        i++;
    *pos = i;
    *wlen = i - st;
    return &s[st];
}

#endif
