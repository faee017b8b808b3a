/*
 * args.c - example: print the command line the caller put in kjump_cmdline.
 *
 * Transcript (kjump run --append 'a  bc'):
 *     args: cmdline="a  bc"
 *     args: argc=2
 *     args: argv[0]="a"
 *     args: argv[1]="bc"
 * Words are separated by runs of space/tab/CR/LF/VT/FF.  Returns 0.
 */
#include "examples.h"

KJUMP_CMDLINE_DEFINE;

int kmain(void)
{
    size_t len = cmdline_len(), pos = 0, wlen;
    const char *w;
    int argc = 0;

    printf("args: cmdline=\"%.*s\"\n", (int)len, kjump_cmdline);
    while (next_word(kjump_cmdline, &pos, len, &wlen))
        argc++;
    printf("args: argc=%d\n", argc);
    pos = 0;
    for (int i = 0; (w = next_word(kjump_cmdline, &pos, len, &wlen)) != NULL; i++)
        printf("args: argv[%d]=\"%.*s\"\n", i, (int)wlen, w);
    return 0;
}
