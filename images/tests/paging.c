/*
 * paging.c - two-level paging built in .bss:
 *   0 - 8 MiB            identity, 4 KiB pages (covers the image at 4 MiB)
 *   0x80000000 (+4 KiB)  non-identity: 4 KiB pages of .bss buffers
 *   0xC0000000           one 4 MiB PSE page -> physical 4 MiB (the image)
 * Turns paging on, writes/reads through the aliases, remaps a PTE and uses
 * invlpg, checks the accessed/dirty bits the CPU sets, turns paging off.
 * Works from the jump-back entry and the multiboot entry alike; only
 * image-relative values are printed (no absolute addresses).
 * Tables, pages and marker are volatile: the CPU (A/D bits) and the aliases
 * change them behind the compiler's back.
 */
#include "kjump.h"

#define PTE_P   0x001u
#define PTE_RW  0x002u
#define PTE_A   0x020u
#define PTE_D   0x040u
#define PDE_PS  0x080u
#define PAGE    4096u

#define ALIAS_VA 0x80000000u
#define PSE_VA   0xC0000000u
#define IMAGE_PA 0x00400000u

static volatile u32 pd[1024] __attribute__((aligned(4096)));
static volatile u32 pt_low[2][1024] __attribute__((aligned(4096)));
static volatile u32 pt_hi[1024] __attribute__((aligned(4096)));
static volatile u8 page_a[PAGE] __attribute__((aligned(4096)));
static volatile u8 page_b[PAGE] __attribute__((aligned(4096)));
static volatile u8 page_c[PAGE] __attribute__((aligned(4096)));
static volatile u8 page_d[PAGE] __attribute__((aligned(4096)));

static volatile u32 marker = 0x13579bdf;          /* .data, read through the PSE alias */
static const char pse_text[] = "read through a 4 MiB page";

static u32 saved_cr0, saved_cr3, saved_cr4;

static inline volatile u32 *va32(u32 va) { return (volatile u32 *)va; }
static inline u32 pse_alias(const volatile void *p) { return PSE_VA + ((u32)p - IMAGE_PA); }
static const char *ad(u32 e) { static const char *s[4] = { "--", "A-", "-D", "AD" }; return s[((e >> 5) & 1) | ((e >> 6) & 1) << 1]; }

static void build_tables(void)
{
    memset((void *)pd, 0, sizeof pd);
    for (u32 i = 0; i < 2048; i++)
        pt_low[i / 1024][i % 1024] = i * PAGE | PTE_P | PTE_RW;
    pd[0] = (u32)pt_low[0] | PTE_P | PTE_RW;
    pd[1] = (u32)pt_low[1] | PTE_P | PTE_RW;

    memset((void *)pt_hi, 0, sizeof pt_hi);
    pt_hi[0] = (u32)page_a | PTE_P | PTE_RW;   /* written through */
    pt_hi[1] = (u32)page_b | PTE_P | PTE_RW;   /* only read */
    pt_hi[2] = (u32)page_c | PTE_P | PTE_RW;   /* never touched */
    pd[ALIAS_VA >> 22] = (u32)pt_hi | PTE_P | PTE_RW;

    pd[PSE_VA >> 22] = IMAGE_PA | PDE_PS | PTE_P | PTE_RW;
}

static void paging_on(void)
{
    write_cr4((saved_cr4 & ~0x20u) | CR4_PSE);   /* PSE on, PAE off */
    write_cr3((u32)pd);
    write_cr0(saved_cr0 | CR0_PG);
}

static void paging_off(void)
{
    write_cr0(read_cr0() & ~CR0_PG);
    write_cr3(saved_cr3);
    write_cr4(saved_cr4);
}

int kmain(void)
{
    printf("paging: start\n");
    marker = 0x13579bdf;      /* .data survives re-entry; start from a known value */
    saved_cr0 = read_cr0();
    saved_cr3 = read_cr3();
    saved_cr4 = read_cr4();
    printf("entry: CR0.PE=%u CR0.PG=%u\n", saved_cr0 & CR0_PE, saved_cr0 >> 31);

    for (u32 i = 0; i < PAGE; i++) {
        page_a[i] = (u8)i;
        page_b[i] = (u8)(0xb0 ^ i);
        page_c[i] = 0xcc;
        page_d[i] = (u8)(0xd0 + i);
    }
    build_tables();
    printf("tables: pd[0] flags %03x pd[512] flags %03x pd[768] %08x\n",
           pd[0] & 0xfff, pd[512] & 0xfff, pd[768]);
    printf("before: pte a %s b %s c %s, pde512 %s pde768 %s\n",
           ad(pt_hi[0]), ad(pt_hi[1]), ad(pt_hi[2]), ad(pd[512]), ad(pd[768]));

    paging_on();
    printf("paging on: CR0.PG=%u CR4.PSE=%u CR3 is pd: %s\n",
           read_cr0() >> 31, (read_cr4() >> 4) & 1, read_cr3() == (u32)pd ? "yes" : "no");

    /* non-identity alias: write through 0x80000000, read through identity */
    *va32(ALIAS_VA) = 0xcafebabe;
    *va32(ALIAS_VA + 0x10) = 0x0badf00d;
    printf("alias write: page_a[0..3]=%02x %02x %02x %02x word4=%08x\n",
           page_a[0], page_a[1], page_a[2], page_a[3], *(volatile u32 *)(page_a + 0x10));
    /* identity write, alias read */
    *(volatile u32 *)(page_a + 0x20) = 0x600dd00d;
    printf("alias read: %08x %08x %08x %08x\n", *va32(ALIAS_VA + 0x20), *va32(ALIAS_VA + 0x24),
           *va32(ALIAS_VA + 0xffc), *va32(ALIAS_VA + 0x10));
    u32 sum_b = 0;
    for (u32 off = 0; off < PAGE; off += 4)
        sum_b = sum_b * 31 + *va32(ALIAS_VA + PAGE + off);
    printf("page_b via alias: sum %08x first %08x\n", sum_b, *va32(ALIAS_VA + PAGE));

    /* 4 MiB PSE page onto the image itself */
    printf("pse: marker %08x via alias %08x\n", marker, *va32(pse_alias(&marker)));
    printf("pse: text \"%s\"\n", (const char *)pse_alias(pse_text));
    *va32(pse_alias(&marker)) = 0x2468ace0;
    printf("pse write: marker now %08x\n", marker);

    /* remap the alias PTE to page_d; invlpg makes the change visible */
    u32 old = *va32(ALIAS_VA);
    pt_hi[0] = (u32)page_d | PTE_P | PTE_RW;
    invlpg((void *)ALIAS_VA);
    u32 now = *va32(ALIAS_VA);
    printf("remap: before %08x after %08x (page_d[0..3] %02x%02x%02x%02x)\n",
           old, now, page_d[3], page_d[2], page_d[1], page_d[0]);
    *va32(ALIAS_VA + 8) = 0x77777777;
    printf("remap write: page_d word2=%08x page_a word2=%08x\n",
           *(volatile u32 *)(page_d + 8), *(volatile u32 *)(page_a + 8));
    /* and back to page_a */
    pt_hi[0] = (u32)page_a | PTE_P | PTE_RW;
    invlpg((void *)ALIAS_VA);
    printf("remap back: %08x\n", *va32(ALIAS_VA));

    /* accessed / dirty bits set by the CPU */
    printf("after: pte a (reset, read) %s, b (read) %s, c (untouched) %s; pde512 %s pde768 (written) %s\n",
           ad(pt_hi[0]), ad(pt_hi[1]), ad(pt_hi[2]), ad(pd[512]), ad(pd[768]));
    printf("pte frames intact: a %s b %s c %s\n",
           (pt_hi[0] & ~0xfffu) == (u32)page_a ? "yes" : "no",
           (pt_hi[1] & ~0xfffu) == (u32)page_b ? "yes" : "no",
           (pt_hi[2] & ~0xfffu) == (u32)page_c ? "yes" : "no");

    /* clear A/D, flush, then a read-only access sets only A, a write sets D */
    pt_hi[1] &= ~(PTE_A | PTE_D);
    invlpg((void *)(ALIAS_VA + PAGE));
    (void)*va32(ALIAS_VA + PAGE + 0x40);
    u32 after_read = pt_hi[1];
    *va32(ALIAS_VA + PAGE + 0x40) = 0x12345678;
    u32 after_write = pt_hi[1];
    printf("pte b: after read %s, after write %s, flags %03x\n", ad(after_read), ad(after_write), after_write & 0xfff);

    /* a PTE change without invlpg followed by CR3 reload (full flush) */
    pt_hi[2] = (u32)page_b | PTE_P | PTE_RW;
    write_cr3(read_cr3());
    printf("cr3 reload: slot c now reads %08x (page_b word 16 = %08x)\n",
           *va32(ALIAS_VA + 2 * PAGE + 0x40), *(volatile u32 *)(page_b + 0x40));

    /* many remaps: slots 16..31 rotate over the four pages */
    static volatile u8 *const pages[4] = { page_a, page_b, page_c, page_d };
    for (u32 round = 0; round < 4; round++) {
        printf("round %u:", round);
        for (u32 slot = 16; slot < 32; slot++) {
            u32 which = (slot + round) % 4;
            pt_hi[slot] = (u32)pages[which] | PTE_P | PTE_RW;
            invlpg((void *)(ALIAS_VA + slot * PAGE));
            u32 w = *va32(ALIAS_VA + slot * PAGE + 4 * round);
            if (slot % 4 == 0)
                printf(" %c=%08x", 'a' + which, w);
            if (slot == 16 + round)
                *va32(ALIAS_VA + slot * PAGE + 0x100) = 0xabc00000 | slot << 8 | round;
        }
        u32 dirty = 0;
        for (u32 slot = 16; slot < 32; slot++)
            dirty = dirty << 1 | ((pt_hi[slot] & PTE_D) ? 1 : 0);
        printf(" dirty-mask %04x\n", dirty);
    }
    printf("rotation writes: %08x %08x %08x %08x\n", *(volatile u32 *)(page_a + 0x100),
           *(volatile u32 *)(page_b + 0x100), *(volatile u32 *)(page_c + 0x100), *(volatile u32 *)(page_d + 0x100));

    paging_off();
    printf("paging off: CR0.PG=%u, CR3/CR4 restored: %s\n", read_cr0() >> 31,
           read_cr3() == saved_cr3 && read_cr4() == saved_cr4 ? "yes" : "no");
    printf("physical: page_a %08x %08x page_d %08x marker %08x\n",
           *(u32 *)page_a, *(u32 *)(page_a + 0x10), *(u32 *)(page_d + 8), marker);

    /* second round: paging on again with the same tables, quick check */
    paging_on();
    u32 again = *va32(ALIAS_VA);
    paging_off();
    printf("second on/off: alias %08x, PG=%u\n", again, read_cr0() >> 31);
    printf("paging: done\n");
    return 0;
}
