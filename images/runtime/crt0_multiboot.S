/*
 * crt0_multiboot.S - multiboot (v1) entry for the same runtime, so a test
 * image runs under `qemu-system-i386 -kernel'.
 *
 * The header's flags have no bit 16, so the loader uses the ELF program
 * headers (load at p_paddr, enter at e_entry).  The multiboot spec leaves
 * GDTR undefined, so we load our own flat GDT (code 0x08, data 0x10).
 * After kmain() returns, its value is written to port 0xF4
 * (QEMU isa-debug-exit: QEMU exits with status (value << 1) | 1).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000000

        .section .note.GNU-stack,"",@progbits

        .section .multiboot,"a",@progbits
        .align  4
        .long   MB_MAGIC
        .long   MB_FLAGS
        .long   -(MB_MAGIC + MB_FLAGS)

        .section .text.entry,"ax",@progbits
        .globl  _start
        .type   _start, @function
_start:
        cli
        movl    %eax, mb_magic
        movl    %ebx, mb_info
        lgdt    mb_gdtr
        ljmp    $0x08, $1f
1:      movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    %ax, %fs
        movw    %ax, %gs
        cld

        movl    $__bss_start, %edi
        movl    $__bss_end, %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl

        movl    $kjump_stack_top, %esp
        xorl    %ebp, %ebp
        call    uart_init
        call    kmain
        outl    %eax, $0xf4             /* isa-debug-exit */
2:      cli
        hlt
        jmp     2b
        .size   _start, . - _start

        .section .rodata
        .align  8
mb_gdt:
        .quad   0                       /* null */
        .quad   0x00cf9a000000ffff      /* 0x08: code, base 0, 4 GiB, 32-bit */
        .quad   0x00cf92000000ffff      /* 0x10: data, base 0, 4 GiB */
mb_gdt_end:
        .align  4
        .word   0
mb_gdtr:
        .word   mb_gdt_end - mb_gdt - 1
        .long   mb_gdt

        .section .data
        .align  4
        .globl  mb_magic, mb_info, kjump_caller_entry, kjump_entry_count
mb_magic:               .long 0
mb_info:                .long 0
kjump_caller_entry:     .long 0         /* no jump-back caller here */
kjump_entry_count:      .long 1

        .section .bss
        .align  16
        .globl  kjump_stack, kjump_stack_top
kjump_stack:
        .skip   32768
kjump_stack_top:
