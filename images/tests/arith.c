/*
 * arith.c - integer arithmetic at 8, 16 and 32 bits, signed and unsigned:
 * add/sub/mul/div/mod, shifts, rotates, comparisons, wraparound edges,
 * plus EFLAGS after individual instructions (only architecturally
 * defined flags are printed).
 */
#include "kjump.h"

static volatile u32 v32[] = { 0, 1, 2, 7, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xdeadbeef };
static volatile u16 v16[] = { 0, 1, 3, 0x7fff, 0x8000, 0xffff, 0x1234, 0xbeef };
static volatile u8  v8[]  = { 0, 1, 5, 0x7f, 0x80, 0xff, 0x3c, 0xa5 };
static volatile u32 shc[] = { 0, 1, 4, 15, 31 };

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static u32 checksum;
static void mix(u32 x) { checksum = (checksum ^ x) * 0x01000193u; }

static void test32(void)
{
    printf("-- 32-bit add/sub/mul unsigned, signed compare\n");
    for (int i = 0; i < N(v32); i++)
        for (int j = 0; j < N(v32); j++) {
            u32 a = v32[i], b = v32[j];
            s32 sa = (s32)a, sb = (s32)b;
            u32 add = a + b, sub = a - b, mul = a * b;
            u64 wide = (u64)a * b;
            s64 swide = (s64)sa * sb;
            int cmp = (a < b) | (a <= b) << 1 | (a == b) << 2 | (a > b) << 3 |
                      (sa < sb) << 4 | (sa <= sb) << 5 | (sa > sb) << 6 | (sa >= sb) << 7;
            mix(add); mix(sub); mix(mul); mix((u32)(wide >> 32)); mix((u32)((u64)swide >> 32));
            if (j % 3 == 0 || i == j)
                printf("%08x %08x add=%08x sub=%08x mul=%08x umulh=%08x smulh=%08x cmp=%02x\n",
                       a, b, add, sub, mul, (u32)(wide >> 32), (u32)((u64)swide >> 32), cmp);
        }
    printf("-- 32-bit div/mod\n");
    for (int i = 0; i < N(v32); i++)
        for (int j = 0; j < N(v32); j++) {
            u32 a = v32[i], b = v32[j];
            s32 sa = (s32)a, sb = (s32)b;
            if (b == 0)
                continue;
            u32 q = a / b, r = a % b;
            s32 sq = 0, sr = 0;
            if (!(sa == (s32)0x80000000 && sb == -1)) {
                sq = sa / sb;
                sr = sa % sb;
            }
            mix(q); mix(r); mix((u32)sq); mix((u32)sr);
            if (i % 2 == 0 || j % 2 == 0)
                printf("%08x / %08x: udiv=%08x umod=%08x sdiv=%08x smod=%08x\n", a, b, q, r, (u32)sq, (u32)sr);
        }
    printf("-- 32-bit shifts/rotates\n");
    for (int i = 0; i < N(v32); i++)
        for (int k = 0; k < N(shc); k++) {
            u32 a = v32[i], c = shc[k];
            u32 shl = a << c, shr = a >> c;
            s32 sar = (s32)a >> c;
            u32 rol = (a << c) | (a >> ((32 - c) & 31));
            u32 ror = (a >> c) | (a << ((32 - c) & 31));
            mix(shl); mix(shr); mix((u32)sar); mix(rol); mix(ror);
            if (i % 2 == 1)
                printf("%08x c=%2u shl=%08x shr=%08x sar=%08x rol=%08x ror=%08x\n",
                       a, c, shl, shr, (u32)sar, rol, ror);
        }
}

static void test16(void)
{
    printf("-- 16-bit\n");
    for (int i = 0; i < N(v16); i++)
        for (int j = 0; j < N(v16); j++) {
            u16 a = v16[i], b = v16[j];
            s16 sa = (s16)a, sb = (s16)b;
            u16 add = (u16)(a + b), sub = (u16)(a - b), mul = (u16)(a * b);
            u16 q = b ? a / b : 0, r = b ? a % b : 0;
            s16 sq = b ? (s16)(sa / sb) : 0, sr = b ? (s16)(sa % sb) : 0;
            u16 shl = (u16)(a << (b & 15)), shr = (u16)(a >> (b & 15));
            s16 sar = (s16)(sa >> (b & 15));
            u16 rol = (u16)((a << (b & 15)) | (a >> ((16 - (b & 15)) & 15)));
            int cmp = (a < b) | (sa < sb) << 1 | (a == b) << 2;
            mix(add); mix(sub); mix(mul); mix(q); mix(r); mix((u16)sq); mix((u16)sr);
            mix(shl); mix(shr); mix((u16)sar); mix(rol);
            if (j % 2 == 0)
                printf("%04x %04x add=%04x sub=%04x mul=%04x div=%04x mod=%04x sdiv=%04x smod=%04x shl=%04x shr=%04x sar=%04x rol=%04x cmp=%x\n",
                       a, b, add, sub, mul, q, r, (u16)sq, (u16)sr, shl, shr, (u16)sar, rol, cmp);
        }
}

static void test8(void)
{
    printf("-- 8-bit\n");
    for (int i = 0; i < N(v8); i++)
        for (int j = 0; j < N(v8); j++) {
            u8 a = v8[i], b = v8[j];
            s8 sa = (s8)a, sb = (s8)b;
            u8 add = (u8)(a + b), sub = (u8)(a - b), mul = (u8)(a * b);
            u8 q = b ? a / b : 0, r = b ? a % b : 0;
            s8 sq = b ? (s8)(sa / sb) : 0, sr = b ? (s8)(sa % sb) : 0;
            u8 shl = (u8)(a << (b & 7)), shr = (u8)(a >> (b & 7));
            s8 sar = (s8)(sa >> (b & 7));
            int cmp = (a < b) | (sa < sb) << 1 | (a == b) << 2;
            s32 sext = sa;
            u32 zext = a;
            mix(add); mix(sub); mix(mul); mix(q); mix(r); mix((u8)sq); mix((u8)sr);
            mix(shl); mix(shr); mix((u8)sar); mix((u32)sext); mix(zext);
            if (j % 2 == 1)
                printf("%02x %02x add=%02x sub=%02x mul=%02x div=%02x mod=%02x sdiv=%02x smod=%02x shl=%02x shr=%02x sar=%02x cmp=%x sext=%08x\n",
                       a, b, add, sub, mul, q, r, (u8)sq, (u8)sr, shl, shr, (u8)sar, cmp, (u32)sext);
        }
}

/* ---- EFLAGS after single instructions (inline asm) ---- */
#define F_CF 0x001
#define F_PF 0x004
#define F_AF 0x010
#define F_ZF 0x040
#define F_SF 0x080
#define F_OF 0x800
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_LOGIC (F_CF | F_PF | F_ZF | F_SF | F_OF)   /* AF undefined */
#define F_SHIFT (F_CF | F_PF | F_ZF | F_SF)          /* OF only for count 1 */

#define DEF_ALU(op)                                                                    \
    static u32 op##32(u32 a, u32 b, u32 cin, u32 *fl) { u32 f;                         \
        __asm__("bt $0, %3\n\t" #op "l %2, %0\n\tpushfl\n\tpopl %1"                    \
                : "+r"(a), "=&r"(f) : "r"(b), "r"(cin) : "cc"); *fl = f; return a; }   \
    static u32 op##16(u32 a, u32 b, u32 cin, u32 *fl) { u32 f; u16 x = (u16)a;         \
        __asm__("bt $0, %3\n\t" #op "w %2, %0\n\tpushfl\n\tpopl %1"                    \
                : "+r"(x), "=&r"(f) : "r"((u16)b), "r"(cin) : "cc"); *fl = f; return x; } \
    static u32 op##8(u32 a, u32 b, u32 cin, u32 *fl) { u32 f; u8 x = (u8)a;            \
        __asm__("bt $0, %3\n\t" #op "b %2, %0\n\tpushfl\n\tpopl %1"                    \
                : "+q"(x), "=&r"(f) : "q"((u8)b), "r"(cin) : "cc"); *fl = f; return x; }

DEF_ALU(add)
DEF_ALU(adc)
DEF_ALU(sub)
DEF_ALU(sbb)
DEF_ALU(and)
DEF_ALU(or)
DEF_ALU(xor)

typedef u32 (*alu_fn)(u32, u32, u32, u32 *);
static const struct {
    const char *name;
    alu_fn f[3];
    u32 mask;
} alu[] = {
    { "add", { add8, add16, add32 }, F_ARITH },
    { "adc", { adc8, adc16, adc32 }, F_ARITH },
    { "sub", { sub8, sub16, sub32 }, F_ARITH },
    { "sbb", { sbb8, sbb16, sbb32 }, F_ARITH },
    { "and", { and8, and16, and32 }, F_LOGIC },
    { "or",  { or8,  or16,  or32  }, F_LOGIC },
    { "xor", { xor8, xor16, xor32 }, F_LOGIC },
};

static volatile u32 fl_a[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x0f0f0f0f };
static volatile u32 fl_b[] = { 0, 1, 0x80, 0xffffffff, 0x7fffffff, 0x0f0f0f0f };

static void test_flags(void)
{
    static const int width[3] = { 8, 16, 32 };
    printf("-- flags (CF PF AF ZF SF OF as hex mask)\n");
    for (unsigned op = 0; op < sizeof(alu) / sizeof(alu[0]); op++)
        for (int w = 0; w < 3; w++) {
            printf("%s%d:", alu[op].name, width[w]);
            for (int i = 0; i < N(fl_a); i++)
                for (int j = 0; j < N(fl_b); j++)
                    for (u32 cin = 0; cin < 2; cin++) {
                        u32 fl, r = alu[op].f[w](fl_a[i], fl_b[j], cin, &fl);
                        fl &= alu[op].mask;
                        mix(r);
                        mix(fl);
                        if ((i + j + cin) % 7 == 0)
                            printf(" %x/%03x", r, fl);
                    }
            printf(" sum=%08x\n", checksum);
        }

    /* inc/dec keep CF; neg; shifts by 1 with OF; rcl/rcr through carry */
    for (int i = 0; i < N(fl_a); i++) {
        u32 a = fl_a[i], finc, fdec, fneg, fshl1, fsar1, frcl, frcr;
        u32 inc = a, dec = a, neg = a, shl1 = a, sar1 = a, rcl = a, rcr = a;
        __asm__("stc\n\tincl %0\n\tpushfl\n\tpopl %1" : "+r"(inc), "=r"(finc) : : "cc");
        __asm__("clc\n\tdecl %0\n\tpushfl\n\tpopl %1" : "+r"(dec), "=r"(fdec) : : "cc");
        __asm__("negl %0\n\tpushfl\n\tpopl %1" : "+r"(neg), "=r"(fneg) : : "cc");
        __asm__("shll $1, %0\n\tpushfl\n\tpopl %1" : "+r"(shl1), "=r"(fshl1) : : "cc");
        __asm__("sarl $1, %0\n\tpushfl\n\tpopl %1" : "+r"(sar1), "=r"(fsar1) : : "cc");
        __asm__("stc\n\trcll $1, %0\n\tpushfl\n\tpopl %1" : "+r"(rcl), "=r"(frcl) : : "cc");
        __asm__("stc\n\trcrl $1, %0\n\tpushfl\n\tpopl %1" : "+r"(rcr), "=r"(frcr) : : "cc");
        printf("%08x inc=%08x/%03x dec=%08x/%03x neg=%08x/%03x shl1=%08x/%03x sar1=%08x/%03x rcl=%08x/%x rcr=%08x/%x\n",
               a, inc, finc & F_ARITH, dec, fdec & F_ARITH, neg, fneg & F_ARITH,
               shl1, fshl1 & (F_SHIFT | F_OF), sar1, fsar1 & (F_SHIFT | F_OF),
               rcl, frcl & (F_CF | F_OF), rcr, frcr & (F_CF | F_OF));
    }

    /* shift counts are masked to 5 bits; count 0 leaves flags alone */
    static volatile u8 cnt[] = { 0, 1, 8, 31, 32, 33, 63, 255 };
    for (int k = 0; k < N(cnt); k++) {
        u32 x = 0x81234567, y = 0x81234567, z = 0x81234567, w = 0x81234567;
        u8 c = cnt[k];
        __asm__("shll %%cl, %0" : "+r"(x) : "c"(c) : "cc");
        __asm__("shrl %%cl, %0" : "+r"(y) : "c"(c) : "cc");
        __asm__("sarl %%cl, %0" : "+r"(z) : "c"(c) : "cc");
        __asm__("roll %%cl, %0" : "+r"(w) : "c"(c) : "cc");
        u16 h = 0x8421;
        __asm__("rolw %%cl, %0" : "+r"(h) : "c"(c) : "cc");
        u8 b = 0x81;
        __asm__("rorb %%cl, %0" : "+q"(b) : "c"(c) : "cc");
        printf("count %3u: shl=%08x shr=%08x sar=%08x rol=%08x rolw=%04x rorb=%02x\n", c, x, y, z, w, h, b);
    }

    /* double-precision shifts, bswap-free byte ops, multiply/divide forms */
    for (int i = 0; i < N(fl_a); i += 2) {
        u32 a = fl_a[i], b = 0x9abcdef0, l = a, r = a;
        __asm__("shldl $12, %1, %0" : "+r"(l) : "r"(b) : "cc");
        __asm__("shrdl $12, %1, %0" : "+r"(r) : "r"(b) : "cc");
        u32 lo, hi, slo, shi;
        __asm__("mull %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
        __asm__("imull %3" : "=a"(slo), "=d"(shi) : "a"(a), "rm"(b) : "cc");
        s32 im3 = 0;
        __asm__("imull $-3, %1, %0" : "=r"(im3) : "r"(a) : "cc");
        printf("%08x shld=%08x shrd=%08x mul=%08x:%08x imul=%08x:%08x imul3=%08x\n",
               a, l, r, hi, lo, shi, slo, (u32)im3);
    }
}

int kmain(void)
{
    printf("arith: start\n");
    test32();
    test16();
    test8();
    test_flags();
    printf("checksum %08x\n", checksum);
    printf("arith: done\n");
    return 0;
}
