/*
 * jbharness.c - test harness for the jump-back entry (crt0.S) under QEMU.
 * A multiboot kernel linked at 16 MiB; the jump-back image NAME-OPT.elf is
 * given as the first multiboot module (qemu -initrd).  It loads the PT_LOAD
 * segments at p_paddr (zero-filling memsz), then enters e_entry twice the
 * way the jump-back protocol does (4 KiB caller stack, (%esp) = return
 * address, 4(%esp) = entry, %edi = a fake jump-back entry) and checks that
 * ebx/esi/edi/ebp/esp survive.  After each run it prints one line
 * "[jbharness] run N: kmain=V regs=ok|BAD".  Exit code as qemu-run.sh.
 */
#include "kjump.h"

struct mb_info { u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr; };
struct mb_mod { u32 start, end, string, reserved; };
struct elf32_ehdr { u8 ident[16]; u16 type, machine; u32 version, entry, phoff, shoff, flags;
                    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx; };
struct elf32_phdr { u32 type, offset, vaddr, paddr, filesz, memsz, flags, align; };

extern u32 mb_info;
static u8 caller_stack[4096] __attribute__((aligned(16)));
u32 jb_out[6];   /* eax ebx esi edi ebp esp after return */

u32 jb_saved_esp;

static u32 enter(u32 entry, u32 stack_top)
{
    /* fixed callee-saved values, a fake jump-back entry in %edi */
    __asm__ volatile(
        "pushal\n\t"
        "movl %%esp, jb_saved_esp\n\t"
        "movl %1, %%esp\n\t"
        "pushl %0\n\t"                   /* becomes 4(%%esp): address entered */
        "movl $0x11111111, %%ebx\n\t"
        "movl $0x22222222, %%esi\n\t"
        "movl $0x00001000, %%edi\n\t"
        "movl $0x44444444, %%ebp\n\t"
        "movl %%esp, jb_out+20\n\t"
        "call *(%%esp)\n\t"             /* (%%esp) = our return address */
        "movl %%eax, jb_out\n\t"
        "movl %%ebx, jb_out+4\n\t"
        "movl %%esi, jb_out+8\n\t"
        "movl %%edi, jb_out+12\n\t"
        "movl %%ebp, jb_out+16\n\t"
        "subl %%esp, jb_out+20\n\t"     /* 0 if %%esp came back unchanged */
        "movl jb_saved_esp, %%esp\n\t"
        "popal"
        : : "r"(entry), "r"(stack_top) : "memory", "cc");
    return jb_out[0];
}

int kmain(void)
{
    const struct mb_info *mi = (const struct mb_info *)mb_info;
    if (!(mi->flags & 8) || mi->mods_count < 1) {
        printf("[jbharness] no module\n");
        return 2;
    }
    const struct mb_mod *mod = (const struct mb_mod *)mi->mods_addr;
    const u8 *file = (const u8 *)mod->start;
    const struct elf32_ehdr *eh = (const struct elf32_ehdr *)file;
    if (memcmp(eh->ident, "\177ELF\1\1", 6) != 0 || eh->machine != 3) {
        printf("[jbharness] not an ELF32 i386 image\n");
        return 3;
    }
    for (u32 i = 0; i < eh->phnum; i++) {
        const struct elf32_phdr *ph = (const struct elf32_phdr *)(file + eh->phoff + i * eh->phentsize);
        if (ph->type != 1)
            continue;
        memcpy((void *)ph->paddr, file + ph->offset, ph->filesz);
        memset((void *)(ph->paddr + ph->filesz), 0, ph->memsz - ph->filesz);
    }
    u32 worst = 0;
    for (int run = 1; run <= 2; run++) {
        u32 v = enter(eh->entry, (u32)(caller_stack + sizeof caller_stack));
        int ok = jb_out[1] == 0x11111111 && jb_out[2] == 0x22222222 && jb_out[3] == 0x1000 &&
                 jb_out[4] == 0x44444444 && jb_out[5] == 0;
        printf("[jbharness] run %d: kmain=%u regs=%s\n", run, v, ok ? "ok" : "BAD");
        if (v || !ok)
            worst = v ? v : 4;
    }
    return (int)worst;
}
