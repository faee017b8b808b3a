/*
 * relocate_page.S - the code kjump's kernel copies into the first 2 KiB of a kimage's control page
 * (machine_kexec: memcpy(control_page, relocate_page, PAGE_SIZE/2)), following the layout of the seed's
 * arch/x86/kernel/relocate_kernel_32.S. Written for kjump; offsets are fixed with .org because the Java kernel
 * (dev.kjump.kernel.kexec.ControlPage) names them.
 *
 * The Java kernel performs relocate_kernel's work itself (it is the kernel): it switches paging off,
 * runs swap_pages over the indirection list, and enters the callee at relocate_call_callee. The emulated CPU
 * executes the bytes below for real from there on: the call into the callee, and the helper entry a C callee
 * returns to. Reaching kexec_jump_back_entry (offset 0) hands control back to the Java kernel (a host entry);
 * the instructions there show what the seed's entry begins with.
 */
        .code32
        .text
        .globl  relocate_page
relocate_page:

/* offset 0x000: the real jump-back entry. Paging is off; %edi = the callee's re-entry point. */
        .globl  kexec_jump_back_entry
kexec_jump_back_entry:
        call    1f
1:      popl    %ebx
        subl    $(1b - relocate_page), %ebx
        movl    %edi, 0x804(%ebx)               /* KJUMP_ENTRY: becomes image->start */
        ud2                                     /* the rest (swap_pages, paging on, CPU state) is the kernel's */

/*
 * offset 0x020: enter the callee. %edx = image->start, %esp = swap page top - 4 with (%esp) = image->start,
 * %edi = this page's physical address (kexec_jump_back_entry). The call pushes the helper entry, so the callee
 * finds (%esp) = helper entry, 4(%esp) = its own start, %edi = the real jump-back entry.
 */
        .org    0x20, 0xcc
        .globl  relocate_call_callee
relocate_call_callee:
2:      call    *%edx

/*
 * offset 0x022: the helper jump-back entry. A callee that returns like a C function lands here with %edi
 * preserved (= kexec_jump_back_entry); pop its start into %edi and call the real entry, as the seed does.
 */
        .globl  jump_back_helper
jump_back_helper:
        movl    %edi, %edx
        popl    %edi
        pushl   %edx
        jmp     2b

        .org    0x800, 0xcc                     /* data area (KJUMP_DATA_BASE) starts here */
