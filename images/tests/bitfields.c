/* bitfields.c - signed/unsigned bitfields, packing, clz/ctz/popcount/bswap, bit ops. */
#include "kjump.h"

struct flags {
    unsigned a : 1;
    unsigned b : 3;
    signed c : 5;
    unsigned d : 7;
    signed e : 12;
    unsigned f : 4;
};
struct mixed {
    u8 lo : 4;
    u8 hi : 4;
    u16 mid : 11;
    s16 smid : 5;
    u32 big : 31;
    u32 bit : 1;
};
struct pte_bits {
    u32 present : 1, rw : 1, user : 1, pwt : 1, pcd : 1, accessed : 1, dirty : 1, ps : 1, global : 1, avail : 3, frame : 20;
};

static volatile u32 vals[] = { 0, 1, 2, 3, 0x80, 0x8000, 0x80000000, 0xffffffff, 0x12345678, 0xf0f00f0f, 0x00010000, 0x7ffffffe };
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static u32 raw32(const void *p) { u32 w; memcpy(&w, p, 4); return w; }

int kmain(void)
{
    printf("bitfields: start\n");
    printf("sizeof flags %u mixed %u pte_bits %u\n", sizeof(struct flags), sizeof(struct mixed), sizeof(struct pte_bits));

    struct flags f;
    memset(&f, 0, sizeof f);
    for (int i = 0; i < N(vals); i++) {
        u32 v = vals[i];
        f.a = v;
        f.b = v >> 1;
        f.c = (int)(v >> 3);
        f.d = v >> 4;
        f.e = (int)(v >> 6);
        f.f = v >> 28;
        printf("flags(%08x): a=%u b=%u c=%d d=%u e=%d f=%u raw=%08x\n", v, f.a, f.b, f.c, f.d, f.e, f.f, raw32(&f));
    }

    struct mixed m;
    memset(&m, 0, sizeof m);
    m.lo = 0xa; m.hi = 0x5; m.mid = 0x7ff; m.smid = -3; m.big = 0x7fffffff; m.bit = 1;
    const u8 *rb = (const u8 *)&m;
    printf("mixed bytes:");
    for (unsigned i = 0; i < sizeof m; i++)
        printf(" %02x", rb[i]);
    printf("\n");
    m.mid++;          /* wraps to 0 in 11 bits */
    m.smid += 20;     /* 17 -> -15 in 5 signed bits */
    m.big += 2u;      /* wraps (unsigned add: no signed overflow) */
    printf("mixed after wrap: mid=%u smid=%d big=%08x bit=%u\n", m.mid, m.smid, m.big, m.bit);

    struct pte_bits pte;
    memset(&pte, 0, sizeof pte);
    pte.present = 1; pte.rw = 1; pte.accessed = 1; pte.frame = 0x12345;
    printf("pte raw %08x\n", raw32(&pte));
    u32 rawp = 0x00abc0e3;
    memcpy(&pte, &rawp, 4);
    printf("pte from %08x: P=%u RW=%u U=%u A=%u D=%u PS=%u G=%u avail=%u frame=%05x\n", rawp,
           pte.present, pte.rw, pte.user, pte.accessed, pte.dirty, pte.ps, pte.global, pte.avail, pte.frame);

    printf("-- builtins\n");
    for (int i = 0; i < N(vals); i++) {
        u32 v = vals[i];
        u64 w = ((u64)v << 32) | (v ^ 0x5a5a5a5a);
        printf("%08x clz=%2d ctz=%2d pop=%2d par=%d bswap=%08x ffs=%2d | clzll=%2d ctzll=%2d popll=%2d bswap64=%016llx\n",
               v, v ? __builtin_clz(v) : 32, v ? __builtin_ctz(v) : 32, __builtin_popcount(v),
               __builtin_parity(v), __builtin_bswap32(v), __builtin_ffs((int)v),
               w ? __builtin_clzll(w) : 64, w ? __builtin_ctzll(w) : 64, __builtin_popcountll(w),
               __builtin_bswap64(w));
    }
    u16 h = (u16)vals[8];
    printf("bswap16 %04x\n", __builtin_bswap16(h));

    printf("-- bit ops\n");
    for (int i = 0; i < N(vals); i += 2) {
        u32 v = vals[i], x = vals[i + 1];
        u32 lowest = v & (0u - v);
        u32 clear_low = v & (v - 1);
        u32 smear = v | (v >> 1); smear |= smear >> 2; smear |= smear >> 4; smear |= smear >> 8; smear |= smear >> 16;
        u32 rev = v;
        rev = ((rev >> 1) & 0x55555555u) | ((rev & 0x55555555u) << 1);
        rev = ((rev >> 2) & 0x33333333u) | ((rev & 0x33333333u) << 2);
        rev = ((rev >> 4) & 0x0f0f0f0fu) | ((rev & 0x0f0f0f0fu) << 4);
        rev = __builtin_bswap32(rev);
        printf("%08x %08x and=%08x or=%08x xor=%08x andn=%08x not=%08x low=%08x clr=%08x smear=%08x rev=%08x\n",
               v, x, v & x, v | x, v ^ x, v & ~x, ~v, lowest, clear_low, smear, rev);
    }
    /* bt/bts/btr/btc and setcc via inline asm */
    u32 word = 0x0000f00f;
    for (u32 bit = 0; bit < 32; bit += 5) {
        u32 w1 = word, w2 = word, w3 = word;
        u8 c0, c1, c2, c3;
        __asm__("btl %2, %1; setc %0" : "=q"(c0) : "r"(word), "r"(bit) : "cc");
        __asm__("btsl %2, %0; setc %1" : "+r"(w1), "=q"(c1) : "r"(bit) : "cc");
        __asm__("btrl %2, %0; setc %1" : "+r"(w2), "=q"(c2) : "r"(bit) : "cc");
        __asm__("btcl %2, %0; setc %1" : "+r"(w3), "=q"(c3) : "r"(bit) : "cc");
        u32 bsf = 0, bsr = 0;
        __asm__("bsfl %1, %0" : "=r"(bsf) : "r"(w1) : "cc");
        __asm__("bsrl %1, %0" : "=r"(bsr) : "r"(w1) : "cc");
        printf("bit %2u: bt=%u bts=%08x/%u btr=%08x/%u btc=%08x/%u bsf=%u bsr=%u\n",
               bit, c0, w1, c1, w2, c2, w3, c3, bsf, bsr);
    }
    /* bit-array in memory with bts on memory operands */
    static u32 bitmap[4];
    for (u32 i = 0; i < 128; i += 7)
        __asm__("btsl %1, %0" : "+m"(bitmap) : "r"(i) : "cc", "memory");
    printf("bitmap %08x %08x %08x %08x\n", bitmap[0], bitmap[1], bitmap[2], bitmap[3]);
    printf("bitfields: done\n");
    return 0;
}
