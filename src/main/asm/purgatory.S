/*
 * purgatory.S - the entry stub kjump's kexec loader puts in front of a bzImage (kexec-tools' purgatory for
 * i386, reduced to what a kexec jump needs). Written for kjump; the loader (dev.kjump.image.BzImageKexec) fills
 * the fields at the fixed offsets below and loads the page as one kexec segment; the kimage's entry is offset 0.
 *
 * Entered by the first kernel's relocate_kernel with paging off, interrupts off, flat segments, and the first
 * kernel's jump-back entry (its re-entry point) at 0(%esp). It
 *  1. records that entry in jump_back_entry and, when cmdline_end is set and the entry is not 0, appends
 *     " kexec_jump_back_entry=0x%08x" to the command line at cmdline_end (as kexec-tools' purgatory does with
 *     x86_setup_jump_back_entry), so that the kernel it boots can jump back;
 *  2. loads its own GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18) and reloads every segment register;
 *  3. enters the kernel at entry32_eip per the 32-bit boot protocol: %esi = boot_params, %ebx = %ebp = %edi = 0
 *     (and every other general register 0 but %esp).
 * Everything is position independent: the stub finds its own address with call/pop.
 */
        .code32
        .text
        .globl  purgatory_start
purgatory_start:
        cld
        call    1f
1:      popl    %ebp
        subl    $(1b - purgatory_start), %ebp           /* %ebp = where the stub runs */

        /* 1. the jump-back entry and the command line */
        movl    0(%esp), %eax
        movl    %eax, (jump_back_entry - purgatory_start)(%ebp)
        movl    (cmdline_end - purgatory_start)(%ebp), %edi
        testl   %edi, %edi
        jz      4f
        testl   %eax, %eax
        jz      4f
        leal    (jump_back_text - purgatory_start)(%ebp), %esi
2:      movb    (%esi), %cl
        incl    %esi
        testb   %cl, %cl
        jz      3f
        movb    %cl, (%edi)
        incl    %edi
        jmp     2b
3:      movl    $8, %ecx                                /* eight hex digits, most significant first */
5:      roll    $4, %eax
        movl    %eax, %edx
        andl    $15, %edx
        movb    (hex_digits - purgatory_start)(%ebp,%edx), %dl
        movb    %dl, (%edi)
        incl    %edi
        loop    5b
        movb    $0, (%edi)

        /* 2. our GDT, then every segment register from it */
4:      leal    (gdt - purgatory_start)(%ebp), %eax
        movl    %eax, (gdt_desc + 2 - purgatory_start)(%ebp)
        lgdt    (gdt_desc - purgatory_start)(%ebp)
        leal    (6f - purgatory_start)(%ebp), %eax
        pushl   $0x10                                   /* __BOOT_CS */
        pushl   %eax
        lret
6:      movl    $0x18, %eax                             /* __BOOT_DS */
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %fs
        movl    %eax, %gs
        movl    %eax, %ss

        /* 3. the 32-bit boot protocol */
        movl    (entry32_esi - purgatory_start)(%ebp), %esi
        movl    (entry32_eip - purgatory_start)(%ebp), %eax
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        jmp     *%eax

/* offset 0x100: the fields the loader fills */
        .org    0x100, 0xcc
        .globl  entry32_eip, entry32_esi, cmdline_end, jump_back_entry
entry32_eip:    .long   0                               /* 0x100: the kernel's 32-bit entry (code32_start) */
entry32_esi:    .long   0                               /* 0x104: boot_params */
cmdline_end:    .long   0                               /* 0x108: the command line's NUL, or 0: append nothing */
jump_back_entry: .long  0                               /* 0x10c: 0(%esp) at entry, stored by the stub */

jump_back_text: .asciz  " kexec_jump_back_entry=0x"
hex_digits:     .ascii  "0123456789abcdef"

        .balign 8
gdt:    .quad   0                                       /* 0x00 */
        .quad   0                                       /* 0x08 */
        .quad   0x00cf9a000000ffff                      /* 0x10 __BOOT_CS: flat 4 GiB code */
        .quad   0x00cf92000000ffff                      /* 0x18 __BOOT_DS: flat 4 GiB data */
gdt_end:
gdt_desc:
        .word   gdt_end - gdt - 1
        .long   0                                       /* the GDT's address: set at run time */

        .org    0x200, 0                                /* 512 bytes */
