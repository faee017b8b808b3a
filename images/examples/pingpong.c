/*
 * pingpong.c - example: a kernel-style callee (see pingpong_entry.S).
 *
 * Every time it runs (first entry or re-entry) it prints
 *     pingpong: round N
 * N = 1, 2, 3, ... counted in .data (survives re-entry; .bss is cleared
 * only on the first entry), then the stub jumps back to the caller's real
 * jump-back entry with %edi = pingpong_reentry.  It never returns.
 */
#include "examples.h"

__attribute__((section(".data"))) u32 pingpong_rounds = 0;

void pingpong_round(u32 caller_entry);

void pingpong_round(u32 caller_entry)
{
    pingpong_rounds++;
    printf("pingpong: round %u\n", pingpong_rounds);
    if (caller_entry == 0)
        printf("pingpong: no jump-back entry (%%edi = 0), halting\n");
}
