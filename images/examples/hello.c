/*
 * hello.c - example: a jump-back image that is a plain C function callee.
 *
 * Prints one line and returns 0 (crt0.S `ret's to the caller's helper
 * entry).  N counts the entries: crt0.S increments kjump_entry_count (in
 * .data, which unlike .bss is not cleared on re-entry) on every entry.
 */
#include "examples.h"

extern u32 kjump_entry_count;

int kmain(void)
{
    printf("hello from a jump-back image (entry %u)\n", kjump_entry_count);
    return 0;
}
