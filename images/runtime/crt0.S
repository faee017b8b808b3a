/*
 * crt0.S - jump-back protocol entry (jump-back protocol 1.00, callee side).
 *
 * State at _start (set up by the caller's relocate_kernel / kjump):
 *   32-bit protected mode, paging off, flat 4 GiB CS/DS/ES/SS, IF=0;
 *   %esp  = top of a small (~4 KiB) caller stack, (%esp) = the caller's
 *           helper entry (our return address), 4(%esp) = the address the
 *           image was entered at;
 *   %edi  = the caller's real jump-back entry (0 if none).
 *
 * The image behaves as a plain C function callee: it preserves
 * %ebx %esi %edi %ebp and the caller's %esp, returns kmain()'s value in
 * %eax, and returns with `ret' to the helper entry.
 *
 * Re-entry: the caller may enter _start again later.  We zero .bss on
 * EVERY entry (not only the first), so each run starts from the same
 * state as a fresh load and produces the same transcript.  Only .data
 * persists between entries (kjump_entry_count, kjump_caller_entry).  On
 * the first entry .bss is already zero because loaders zero-fill memsz
 * beyond filesz; clearing it again is harmless.
 */
        .section .note.GNU-stack,"",@progbits

        .section .text.entry,"ax",@progbits
        .globl  _start
        .type   _start, @function
_start:
        pushl   %ebp
        pushl   %edi
        pushl   %esi
        pushl   %ebx
        movl    %esp, kjump_caller_esp
        movl    %edi, kjump_caller_entry
        incl    kjump_entry_count
        cld

        /* zero .bss (the image stack lives there, so do it before use) */
        movl    $__bss_start, %edi
        movl    $__bss_end, %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx                /* link.ld aligns both ends to 16 */
        xorl    %eax, %eax
        rep stosl

        movl    $kjump_stack_top, %esp
        xorl    %ebp, %ebp
        call    uart_init
        call    kmain                   /* return value stays in %eax */

        movl    kjump_caller_esp, %esp
        popl    %ebx
        popl    %esi
        popl    %edi
        popl    %ebp
        ret
        .size   _start, . - _start

        .section .data
        .align  4
        .globl  kjump_caller_esp, kjump_caller_entry, kjump_entry_count
kjump_caller_esp:       .long 0         /* caller %esp after our pushes */
kjump_caller_entry:     .long 0         /* caller's %edi at entry */
kjump_entry_count:      .long 0         /* number of entries so far */

        .section .bss
        .align  16
        .globl  kjump_stack, kjump_stack_top
kjump_stack:
        .skip   32768
kjump_stack_top:
