/* math64.c - 64-bit mul/div/mod/shifts, signed and unsigned, comparisons. */
#include "kjump.h"

static volatile u64 vals[] = {
    0, 1, 3, 10, 0xffffffffull, 0x100000000ull, 0x123456789abcdef0ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    0xfedcba9876543210ull, 1000000007ull, 0x00000001fffffffeull,
};
static volatile u32 shifts[] = { 0, 1, 13, 31, 32, 33, 47, 63 };
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static u64 acc;
static void mix(u64 x) { acc = (acc ^ x) * 0x100000001b3ull; }

int kmain(void)
{
    printf("math64: start\n");
    printf("-- add/sub/mul, compares\n");
    for (int i = 0; i < N(vals); i++)
        for (int j = 0; j < N(vals); j++) {
            u64 a = vals[i], b = vals[j];
            s64 sa = (s64)a, sb = (s64)b;
            u64 add = a + b, sub = a - b, mul = a * b;
            int cmp = (a < b) | (a <= b) << 1 | (a == b) << 2 | (a != b) << 3 |
                      (sa < sb) << 4 | (sa <= sb) << 5 | (sa > sb) << 6 | (sa >= sb) << 7;
            mix(add); mix(sub); mix(mul); mix(cmp);
            if ((i + j) % 4 == 0)
                printf("%016llx %016llx add=%016llx sub=%016llx mul=%016llx cmp=%02x\n",
                       a, b, add, sub, mul, cmp);
        }
    printf("-- div/mod\n");
    for (int i = 0; i < N(vals); i++)
        for (int j = 0; j < N(vals); j++) {
            u64 a = vals[i], b = vals[j];
            s64 sa = (s64)a, sb = (s64)b;
            if (b == 0)
                continue;
            u64 q = a / b, r = a % b;
            s64 sq = 0, sr = 0;
            if (!(sa == (s64)0x8000000000000000ull && sb == -1)) {
                sq = sa / sb;
                sr = sa % sb;
            }
            mix(q); mix(r); mix((u64)sq); mix((u64)sr);
            if ((i * 3 + j) % 5 == 0)
                printf("%016llx / %016llx: q=%016llx r=%016llx sq=%016llx sr=%016llx\n",
                       a, b, q, r, (u64)sq, (u64)sr);
        }
    printf("-- shifts\n");
    for (int i = 0; i < N(vals); i += 2)
        for (int k = 0; k < N(shifts); k++) {
            u64 a = vals[i];
            u32 c = shifts[k];
            u64 shl = a << c, shr = a >> c;
            s64 sar = (s64)a >> c;
            mix(shl); mix(shr); mix((u64)sar);
            printf("%016llx c=%2u shl=%016llx shr=%016llx sar=%016llx\n", a, c, shl, shr, (u64)sar);
        }
    printf("-- decimal\n");
    for (int i = 0; i < N(vals); i++)
        printf("%llu %lld %llo\n", vals[i], (s64)vals[i], vals[i]);
    printf("-- 32x32->64 and mixed\n");
    for (int i = 0; i < N(vals); i++) {
        u32 lo = (u32)vals[i], hi = (u32)(vals[i] >> 32);
        u64 p = (u64)lo * hi;
        s64 sp = (s64)(s32)lo * (s32)hi;
        u64 f = 1;
        for (u32 k = 1; k <= (lo & 15) + 5; k++)
            f *= k;
        printf("%08x*%08x=%016llx s=%016llx fact=%llu\n", lo, hi, p, (u64)sp, f);
    }
    printf("-- collatz steps (64-bit)\n");
    for (u64 n0 = 27; n0 < 27 + 10 * 1000; n0 += 1000) {
        u64 n = n0 * 1000003ull;
        u32 steps = 0;
        u64 peak = n;
        while (n != 1) {
            n = (n & 1) ? 3 * n + 1 : n / 2;
            if (n > peak)
                peak = n;
            steps++;
        }
        printf("start %llu: steps %u peak %llx\n", n0 * 1000003ull, steps, peak);
    }
    printf("acc %016llx\n", acc);
    printf("math64: done\n");
    return 0;
}
