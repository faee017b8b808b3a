/*
 * pingpong_entry.S - entry stub of the pingpong example: a kernel-style
 * callee that never `ret's, it jumps back (jump-back protocol 1.00).
 *
 * _start           first entry (the ELF entry point);
 * pingpong_reentry re-entry point handed to the caller in %edi.
 *
 * At both: 32-bit protected mode, paging off, flat segments, IF=0,
 * %edi = the caller's real jump-back entry (may differ on every entry),
 * %esp = top of a small caller stack.  Nothing else is relied upon.
 *
 * Both save %edi and %esp in .data, switch to the image's own stack and
 * call pingpong_round(caller_entry) (pingpong.c).  Then, back on the
 * caller's stack, they jump to the caller's real jump-back entry with
 * %edi = pingpong_reentry.  _start clears .bss; pingpong_reentry does not
 * (not needed either: all state that must persist is in .data).
 * If the caller gave no jump-back entry (%edi = 0) the image halts.
 */
        .section .note.GNU-stack,"",@progbits

        .section .text.entry,"ax",@progbits
        .globl  _start
        .type   _start, @function
_start:
        cld
        movl    %edi, pp_caller_entry
        movl    %esp, pp_caller_esp
        movl    $__bss_start, %edi      /* clear .bss (first entry only) */
        movl    $__bss_end, %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl
        jmp     1f
        .size   _start, . - _start

        .globl  pingpong_reentry
        .type   pingpong_reentry, @function
pingpong_reentry:
        cld
        movl    %edi, pp_caller_entry
        movl    %esp, pp_caller_esp
1:      movl    $pp_stack_top, %esp
        xorl    %ebp, %ebp
        call    uart_init
        pushl   pp_caller_entry
        call    pingpong_round
        addl    $4, %esp

        movl    pp_caller_entry, %eax
        testl   %eax, %eax
        jz      2f
        movl    pp_caller_esp, %esp     /* jump back on the caller's stack */
        movl    $pingpong_reentry, %edi
        jmp     *%eax
2:      cli
        hlt
        jmp     2b
        .size   pingpong_reentry, . - pingpong_reentry

        .section .data
        .align  4
        .globl  pp_caller_entry, pp_caller_esp
pp_caller_entry:        .long 0         /* caller's %edi at the latest entry */
pp_caller_esp:          .long 0         /* caller's %esp at the latest entry */

        .section .bss
        .align  16
pp_stack:
        .skip   8192
pp_stack_top:
