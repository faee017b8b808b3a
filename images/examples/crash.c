/*
 * crash.c - example: a callee that never comes back.
 *
 * The first word of kjump_cmdline picks how (default "ud"):
 *   ud    executes ud2                        -> #UD
 *   gp    loads selector 0xfff8 into %ds       -> #GP (GDT index 8191, past any real GDT)
 *   pf    CR3 = a zeroed page directory (.bss), CR4.PAE off, CR0.PG on
 *                                             -> #PF on the next instruction fetch
 *   de    divl by zero                        -> #DE
 *   loop  for (;;) with interrupts off        -> runs until the caller's timeout
 *   hlt   cli; hlt (repeated)                 -> halts for good
 * The image installs no IDT, so with the protocol's (absent/invalid) IDT
 * every exception escalates to a triple fault (shutdown).
 *
 * Transcript: `crash: about to <kind>'.  Should the CPU somehow survive,
 * it prints `crash: still alive after <kind>' and returns 1; an unknown
 * kind prints `crash: unknown kind "<word>" (ud gp pf de loop hlt)' and
 * returns 1.
 */
#include "examples.h"

KJUMP_CMDLINE_DEFINE;

static u32 zero_pgdir[1024] __attribute__((aligned(4096)));   /* .bss: zero */

static void crash_ud(void) { __asm__ volatile("ud2" ::: "memory"); }

static void crash_gp(void)
{
    __asm__ volatile("movw $0xfff8, %%ax\n\tmovw %%ax, %%ds" ::: "eax", "memory");
}

static void crash_pf(void)
{
    write_cr4(read_cr4() & ~0x20u);             /* 32-bit (non-PAE) paging */
    write_cr3((u32)zero_pgdir);
    __asm__ volatile("movl %%cr0, %%eax\n\t"
                     "orl $0x80000000, %%eax\n\t"
                     "movl %%eax, %%cr0\n\t"    /* next fetch: no PDE -> #PF */
                     "nop" ::: "eax", "memory");
}

static void crash_de(void)
{
    __asm__ volatile("xorl %%edx, %%edx\n\t"
                     "movl $1, %%eax\n\t"
                     "xorl %%ecx, %%ecx\n\t"
                     "divl %%ecx" ::: "eax", "ecx", "edx", "memory");
}

static void crash_loop(void)
{
    for (;;)
        __asm__ volatile("" ::: "memory");
}

static void crash_hlt(void)
{
    for (;;)
        __asm__ volatile("cli\n\thlt" ::: "memory");
}

static const struct {
    const char *name;
    void (*fn)(void);
} kinds[] = {
    { "ud", crash_ud }, { "gp", crash_gp }, { "pf", crash_pf },
    { "de", crash_de }, { "loop", crash_loop }, { "hlt", crash_hlt },
};

int kmain(void)
{
    size_t len, pos = 0, wlen = 0;
    const char *cmd = cmdline_or("ud", &len);
    const char *w = next_word(cmd, &pos, len, &wlen);

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) == wlen && memcmp(kinds[i].name, w, wlen) == 0) {
            printf("crash: about to %s\n", kinds[i].name);
            kinds[i].fn();
            printf("crash: still alive after %s\n", kinds[i].name);
            return 1;
        }
    }
    printf("crash: unknown kind \"%.*s\" (ud gp pf de loop hlt)\n", (int)wlen, w);
    return 1;
}
