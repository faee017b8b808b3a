/*
 * relocate_page.S - the code kjump's kernel copies into the first 2 KiB of a kimage's control page
 * (machine_kexec: memcpy(control_page, relocate_page, PAGE_SIZE/2)), following the layout of the seed's
 * arch/x86/kernel/relocate_kernel_32.S. Written for kjump; offsets are fixed with .org because the Java kernel
 * (dev.kjump.kernel.kexec.ControlPage) names them.
 *
 * The Java kernel performs relocate_kernel's work itself (it is the kernel): it switches paging off,
 * runs swap_pages over the indirection list, and enters the callee at relocate_call_callee. The emulated CPU
 * executes the bytes below for real from there on: the call into the callee, and the helper entry a C callee
 * returns to and a merged-protocol peer calls. Reaching kexec_jump_back_entry (offset 0) hands control back to
 * the Java kernel (a host entry); the instructions there show what the seed's entry begins with.
 */
        .code32
        .text
        .globl  relocate_page
relocate_page:

/* offset 0x000: the real jump-back entry. Paging is off; %edi = the callee's re-entry point. */
        .globl  kexec_jump_back_entry
kexec_jump_back_entry:
.Lentry:
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
 * offset 0x022: the helper jump-back entry, which is also the door of the merged kexec jump protocol (2.6.27 and
 * later). Two kinds of caller arrive here, and for both the word at 0(%esp) is where to resume them next time:
 *  - a callee that returns like a C function (the v8 helper): 0(%esp) = the address it was entered at, %edi
 *    preserved (= kexec_jump_back_entry);
 *  - a peer kernel of the merged protocol, by "call *%edx" from its relocate_kernel with paging off: 0(%esp) = its
 *    re-entry point (the instruction after that call), %edi = its own control page.
 * So: keep the caller's %edi in %edx (for --bare's protocol check), pop the resume address into %edi and call the
 * real entry, which takes %edi as the v8 protocol does. The kernel tells the callers apart by the stack: a
 * returning callee's %esp is back at this image's swap page. Entering a merged peer again is the call at 0x020,
 * which leaves 0(%esp) = this door: the peer's "movl 0(%esp), %ebp" finds it.
 */
        .globl  jump_back_helper
jump_back_helper:
        movl    %edi, %edx
        popl    %edi
        call    .Lentry                         /* kexec_jump_back_entry (a local label: no relocation) */
        .globl  jump_back_helper_return
jump_back_helper_return:                        /* offset 0x02a: the address that call leaves at 0(%esp) */

        .org    0x800, 0xcc                     /* data area (KJUMP_DATA_BASE) starts here */
