/*
 * scribble.c - example: a callee that overwrites ALL of its own pages.
 *
 * Every page from __image_start to __image_end (text, rodata, data, bss,
 * including the 64 KiB scribble_buf below and the image stack) is filled
 * with the 32-bit pattern SCRIBBLE_PATTERN, then the image returns 0 to
 * the caller's helper entry with %ebx %esi %edi %ebp and %esp restored,
 * as crt0.S would have.
 *
 * The fill destroys the code doing it, so the last step runs elsewhere:
 * scribble_and_return (asm below) copies the 11-byte position-independent
 * tail `rep stosl; mov %edx,%esp; pop ebx/esi/edi/ebp; xor %eax,%eax; ret'
 * onto the CALLER's stack (64 bytes below the %esp crt0.S saved, the
 * protocol's ~4 KiB stack, not an image page), moves %esp there and jumps
 * to it.  Everything the tail needs is in registers by then.
 *
 * Transcript:
 *     scribble: image 0x00400000-0x0041b000, 27 pages
 *     scribble: filling them with 0x53435242 from the caller's stack, then returning 0
 * (range and page count as in the built image; see README).  If the
 * caller's stack overlaps the image it prints
 *     scribble: caller stack 0x... is inside the image, not scribbling
 * and returns 1.  The image cannot be entered again after a scribble.
 */
#include "examples.h"

#define SCRIBBLE_PATTERN 0x53435242u    /* "SCRB" */
#define TAIL_GAP 64                     /* tail goes at (caller %esp - 64) & ~15 */

/* a big .bss buffer, so that there are many pages to scribble */
__attribute__((used, aligned(4096))) u8 scribble_buf[64 * 1024];

extern u32 kjump_caller_esp;            /* crt0.S: caller %esp after its 4 pushes */

__attribute__((noreturn))
void scribble_and_return(u32 start, u32 nwords, u32 pattern, u32 caller_esp);

__asm__(
    "   .text\n"
    "   .globl  scribble_and_return\n"
    "   .type   scribble_and_return, @function\n"
    "scribble_and_return:\n"
    "   movl    16(%esp), %edx\n"           /* caller %esp (saved regs, then ret addr) */
    "   leal    -64(%edx), %ebx\n"
    "   andl    $-16, %ebx\n"               /* where the tail goes: caller's stack */
    "   cld\n"
    "   movl    $scribble_tail, %esi\n"
    "   movl    %ebx, %edi\n"
    "   movl    $(scribble_tail_end - scribble_tail), %ecx\n"
    "   rep movsb\n"
    "   movl    4(%esp), %edi\n"            /* start */
    "   movl    8(%esp), %ecx\n"            /* nwords */
    "   movl    12(%esp), %eax\n"           /* pattern */
    "   movl    %ebx, %esp\n"               /* off the image stack (it gets scribbled) */
    "   jmp     *%ebx\n"
    "   .size   scribble_and_return, . - scribble_and_return\n"
    /* position-independent tail, copied to and run from the caller's stack */
    "scribble_tail:\n"
    "   rep stosl\n"
    "   movl    %edx, %esp\n"
    "   popl    %ebx\n"
    "   popl    %esi\n"
    "   popl    %edi\n"
    "   popl    %ebp\n"
    "   xorl    %eax, %eax\n"
    "   ret\n"
    "scribble_tail_end:\n"
);

static int overlaps(u32 a, u32 b, u32 start, u32 end)   /* [a,b) vs [start,end) */
{
    return a < end && start < b;
}

int kmain(void)
{
    u32 start = (u32)__image_start, end = (u32)__image_end;
    u32 cesp = kjump_caller_esp;
    u32 tail = (cesp - TAIL_GAP) & ~15u;

    printf("scribble: image 0x%08x-0x%08x, %u pages\n", start, end, (end - start) >> 12);
    /* the tail and the caller's frame (4 saved regs + return address) */
    if (overlaps(tail, cesp + 20, start, end) || cesp < TAIL_GAP + 16) {
        printf("scribble: caller stack 0x%08x is inside the image, not scribbling\n", cesp);
        return 1;
    }
    printf("scribble: filling them with 0x%08x from the caller's stack, then returning 0\n",
           SCRIBBLE_PATTERN);
    scribble_and_return(start, (end - start) / 4, SCRIBBLE_PATTERN, cesp);
}
