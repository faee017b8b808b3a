/* hello.c - the simplest jump-back image: print one line, return 0. */
#include "kjump.h"

int kmain(void)
{
    printf("hello from a jump-back image\n");
    return 0;
}
