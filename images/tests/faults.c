/*
 * faults.c - own IDT with handlers for #DE(0) #UD(6) #GP(13) #PF(14).
 * Triggers each exception; the handler records vector, error code, faulting
 * EIP and CR2 and resumes at a recovery address stored in `fault_resume`.
 * The caller's IDT (sidt/lidt) and paging state are restored at the end.
 * Gate selector = the current %cs.  Exception delivery reads the GDT, and
 * the caller's GDTR may point at memory that is not mapped by our page
 * tables (or be a placeholder), so we load our own GDT that has flat
 * code/data descriptors at the indices of the CURRENT selectors (no segment
 * register is reloaded), and restore the caller's GDTR at the end.
 */
#include "kjump.h"

#define PAGE 4096u
#define PTE_P 1u
#define PTE_RW 2u

volatile u32 fault_vector, fault_error, fault_eip, fault_cr2, fault_count, fault_resume;

struct __attribute__((packed)) gate { u16 off_lo, sel; u8 zero, type; u16 off_hi; };
static struct gate idt[256] __attribute__((aligned(8)));
static u64 gdt[8192] __attribute__((aligned(8)));

#define GDT_FLAT_CODE 0x00cf9a000000ffffull
#define GDT_FLAT_DATA 0x00cf92000000ffffull

static u16 read_sel(int which)
{
    u16 v;
    switch (which) {
    case 0: __asm__ volatile("mov %%ds, %0" : "=r"(v)); break;
    case 1: __asm__ volatile("mov %%es, %0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%ss, %0" : "=r"(v)); break;
    default: __asm__ volatile("mov %%fs, %0" : "=r"(v)); break;
    }
    return v;
}

/* own GDT mirroring the current selectors; returns 0 if impossible */
static int install_gdt(u16 cs)
{
    u32 max = cs >> 3;
    if (cs & 4 || max == 0)
        return 0;
    gdt[cs >> 3] = GDT_FLAT_CODE;
    for (int i = 0; i < 4; i++) {
        u16 sel = read_sel(i);
        if (sel < 4)             /* null selector (fs may be 0) */
            continue;
        if (sel & 4 || (sel >> 3) == (u32)(cs >> 3))
            return 0;
        gdt[sel >> 3] = GDT_FLAT_DATA;
        if ((u32)(sel >> 3) > max)
            max = sel >> 3;
    }
    struct dtr g = { (u16)((max + 1) * 8 - 1), (u32)gdt };
    lgdt(&g);
    return 1;
}

static volatile u32 pd[1024] __attribute__((aligned(4096)));
static volatile u32 pt_low[2][1024] __attribute__((aligned(4096)));
static volatile u32 pt_hi[1024] __attribute__((aligned(4096)));
static volatile u8 ro_page[PAGE] __attribute__((aligned(4096)));

/* Exception entry stubs. Stack at entry (no privilege change):
 * [err] EIP CS EFLAGS. Stubs push a dummy 0 error code where the CPU
 * pushes none, then the vector. */
extern char isr_de[], isr_ud[], isr_gp[], isr_pf[];
__asm__(
    "    .text\n"
    "isr_de: pushl $0\n pushl $0\n jmp isr_common\n"
    "isr_ud: pushl $0\n pushl $6\n jmp isr_common\n"
    "isr_gp: pushl $13\n jmp isr_common\n"
    "isr_pf: pushl $14\n jmp isr_common\n"
    "isr_common:\n"
    "    pushl %eax\n"
    "    movl 4(%esp), %eax\n movl %eax, fault_vector\n"
    "    movl 8(%esp), %eax\n movl %eax, fault_error\n"
    "    movl 12(%esp), %eax\n movl %eax, fault_eip\n"
    "    movl %cr2, %eax\n movl %eax, fault_cr2\n"
    "    movl fault_resume, %eax\n movl %eax, 12(%esp)\n"
    "    incl fault_count\n"
    "    popl %eax\n"
    "    addl $8, %esp\n"
    "    iret\n");

static void set_gate(int v, void *handler, u16 cs)
{
    u32 a = (u32)handler;
    idt[v].off_lo = (u16)a;
    idt[v].sel = cs;
    idt[v].zero = 0;
    idt[v].type = 0x8e;     /* present, DPL 0, 32-bit interrupt gate */
    idt[v].off_hi = (u16)(a >> 16);
}

static void reset_fault(void)
{
    fault_vector = fault_error = fault_eip = fault_cr2 = 0xffffffff;
}

static void report(const char *what, const char *site_name, u32 site, u32 reg)
{
    printf("%-22s vector %2u error %04x eip@%s %s reg %08x count %u\n", what, fault_vector,
           fault_error, site_name, fault_eip == site ? "yes" : "NO", reg, fault_count);
}

extern char site_de[], site_ud[], site_gp[], site_pf_read[], site_pf_write[], site_pf_pte[], site_pf_wp[], site_de8[];

__attribute__((noinline, noclone)) static u32 do_de(void)
{
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $100, %%eax\n\txorl %%edx, %%edx\n\txorl %%ecx, %%ecx\n"
                     "site_de: divl %%ecx\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=a"(eax) : : "ecx", "edx", "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_de8(void)
{
    /* quotient overflow: 0x1000 / 2 does not fit in AL -> #DE */
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0x1000, %%eax\n\tmovb $2, %%cl\n"
                     "site_de8: divb %%cl\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=a"(eax) : : "ecx", "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_ud(void)
{
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0x600d, %%eax\n"
                     "site_ud: ud2\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=a"(eax) : : "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_gp(void)
{
    /* selector 0xfff8 lies beyond any GDT limit here -> #GP(0xfff8) */
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0xfff8, %%eax\n"
                     "site_gp: movw %%ax, %%fs\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=a"(eax) : : "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_pf_read(u32 addr)
{
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0x1234, %%eax\n"
                     "site_pf_read: movl (%1), %%eax\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=&a"(eax) : "r"(addr) : "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_pf_write(u32 addr)
{
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0x5678, %%eax\n"
                     "site_pf_write: movl %%eax, (%1)\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=&a"(eax) : "r"(addr) : "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_pf_pte(u32 addr)
{
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0x9abc, %%eax\n"
                     "site_pf_pte: movb (%1), %%al\n"
                     "1:"
                     : "=&a"(eax) : "r"(addr) : "memory", "cc");
    return eax;
}

__attribute__((noinline, noclone)) static u32 do_pf_wp(u32 addr)
{
    u32 eax;
    __asm__ volatile("movl $1f, fault_resume\n\t"
                     "movl $0xdef0, %%eax\n"
                     "site_pf_wp: movw %%ax, (%1)\n\t"
                     "movl $0xbad, %%eax\n"
                     "1:"
                     : "=&a"(eax) : "r"(addr) : "memory", "cc");
    return eax;
}

int kmain(void)
{
    printf("faults: start\n");
    struct dtr old_idt, my_idt, old_gdt;
    sidt(&old_idt);
    sgdt(&old_gdt);
    u32 cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4();
    u16 cs = read_cs();

    if (!install_gdt(cs)) {
        printf("faults: cannot mirror selectors in a GDT\n");
        return 1;
    }
    memset(idt, 0, sizeof idt);
    set_gate(0, isr_de, cs);
    set_gate(6, isr_ud, cs);
    set_gate(13, isr_gp, cs);
    set_gate(14, isr_pf, cs);
    my_idt.limit = sizeof idt - 1;
    my_idt.base = (u32)idt;
    lidt(&my_idt);
    struct dtr check;
    sidt(&check);
    printf("idt loaded: limit %04x base is ours: %s\n", check.limit, check.base == (u32)idt ? "yes" : "no");

    u32 r;
    for (int i = 0; i < 3; i++) {
        reset_fault();
        r = do_de();
        report("divide by zero", "site_de", (u32)site_de, r);
    }
    reset_fault();
    r = do_de8();
    report("divide overflow (8b)", "site_de8", (u32)site_de8, r);
    reset_fault();
    r = do_ud();
    report("ud2", "site_ud", (u32)site_ud, r);
    reset_fault();
    r = do_gp();
    report("bad selector", "site_gp", (u32)site_gp, r);

    /* page tables: identity 0-8 MiB, 0x80000000 -> ro_page (read-only) */
    for (u32 i = 0; i < 2048; i++)
        pt_low[i / 1024][i % 1024] = i * PAGE | PTE_P | PTE_RW;
    pd[0] = (u32)pt_low[0] | PTE_P | PTE_RW;
    pd[1] = (u32)pt_low[1] | PTE_P | PTE_RW;
    pt_hi[0] = (u32)ro_page | PTE_P;                 /* present, read-only */
    pd[0x200] = (u32)pt_hi | PTE_P | PTE_RW;
    pt_low[1][1023] = 0;                             /* 0x7ff000 not present */
    ro_page[0x10] = 0x42;

    write_cr4(cr4 & ~0x20u);                         /* no PAE: 2-level tables */
    write_cr3((u32)pd);
    write_cr0(cr0 | CR0_PG);
    printf("paging on: PG=%u\n", read_cr0() >> 31);

    reset_fault();
    r = do_pf_read(0x90000123);
    report("pf read, no PDE", "site_pf_read", (u32)site_pf_read, r);
    printf("  cr2 %08x\n", fault_cr2);
    reset_fault();
    r = do_pf_write(0x90400ffc);
    report("pf write, no PDE", "site_pf_write", (u32)site_pf_write, r);
    printf("  cr2 %08x\n", fault_cr2);
    reset_fault();
    r = do_pf_pte(0x007ff321);
    report("pf read, no PTE", "site_pf_pte", (u32)site_pf_pte, r);
    printf("  cr2 %08x\n", fault_cr2);

    /* read-only page: read ok; write ok with CR0.WP=0, faults with CR0.WP=1 */
    printf("ro page read via alias: %02x\n", *(volatile u8 *)0x80000010);
    reset_fault();
    write_cr0(read_cr0() & ~CR0_WP);   /* the caller may have left WP set */
    u32 before = fault_count;
    *(volatile u16 *)0x80000020 = 0x1111;
    printf("write with WP=0: faults %u, value %04x\n", fault_count - before, *(volatile u16 *)(ro_page + 0x20));
    write_cr0(read_cr0() | CR0_WP);
    reset_fault();
    r = do_pf_wp(0x80000020);
    report("pf write, WP=1 ro", "site_pf_wp", (u32)site_pf_wp, r);
    printf("  cr2 %08x value still %04x\n", fault_cr2, *(volatile u16 *)(ro_page + 0x20));

    /* make the page present and retry the faulting read */
    pt_low[1][1023] = 0x7ff000 | PTE_P | PTE_RW;
    invlpg((void *)0x7ff000);
    *(volatile u32 *)0x7ff320 = 0x44332211;
    reset_fault();
    before = fault_count;
    r = do_pf_pte(0x007ff321);
    printf("retry after mapping: faults %u, al %02x\n", fault_count - before, r & 0xff);

    write_cr0(cr0);
    write_cr3(cr3);
    write_cr4(cr4);
    printf("paging restored: PG=%u CR0/CR3/CR4 as at entry: %s\n", read_cr0() >> 31,
           read_cr0() == cr0 && read_cr3() == cr3 && read_cr4() == cr4 ? "yes" : "no");

    /* faults with paging off again */
    reset_fault();
    r = do_ud();
    report("ud2 (paging off)", "site_ud", (u32)site_ud, r);

    lidt(&old_idt);
    lgdt(&old_gdt);
    struct dtr gcheck;
    sgdt(&gcheck);
    printf("gdt restored: %s\n", gcheck.base == old_gdt.base && gcheck.limit == old_gdt.limit ? "yes" : "no");
    sidt(&check);
    printf("idt restored: %s\n", check.base == old_idt.base && check.limit == old_idt.limit ? "yes" : "no");
    printf("total faults %u\n", fault_count);
    printf("faults: done\n");
    return 0;
}
