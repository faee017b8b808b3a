/*
 * libgcc64.c - the 64-bit arithmetic helpers gcc -m32 emits calls to.
 * Our own implementation (libgcc is not linked).  Only 32-bit DIV,
 * 64-bit shifts/compares/subtracts (inlined by gcc) are used here.
 */
#include "kjump.h"

static inline u32 div64by32(u32 hi, u32 lo, u32 d, u32 *r)
{
    /* requires hi < d; one DIVL instruction */
    u32 q, rem;
    __asm__("divl %4" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi), "rm"(d));
    *r = rem;
    return q;
}

static inline int clz64(u64 x)
{
    u32 hi = (u32)(x >> 32);
    return hi ? __builtin_clz(hi) : 32 + __builtin_clz((u32)x);
}

u64 __udivmoddi4(u64 n, u64 d, u64 *rem)
{
    u32 nh = (u32)(n >> 32), nl = (u32)n;
    u32 dh = (u32)(d >> 32), dl = (u32)d;
    u64 q;

    if (dh == 0) {
        if (dl == 0) {
            /* division by zero: fault like the hardware does (#DE) */
            volatile u32 zero = 0;
            u32 r;
            q = div64by32(0, 1, zero, &r);
            if (rem)
                *rem = 0;
            return q;
        }
        u32 r, qh = 0, ql;
        if (nh >= dl) {
            qh = nh / dl;
            nh = nh % dl;
        }
        ql = div64by32(nh, nl, dl, &r);
        if (rem)
            *rem = r;
        return ((u64)qh << 32) | ql;
    }

    if (d > n) {
        if (rem)
            *rem = n;
        return 0;
    }

    /* shift-subtract long division; d >= 2^32 so the quotient < 2^32 */
    int s = clz64(d) - clz64(n);
    d <<= s;
    q = 0;
    for (int i = 0; i <= s; i++) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    if (rem)
        *rem = n;
    return q;
}

u64 __udivdi3(u64 n, u64 d)
{
    return __udivmoddi4(n, d, NULL);
}

u64 __umoddi3(u64 n, u64 d)
{
    u64 r;
    __udivmoddi4(n, d, &r);
    return r;
}

s64 __divdi3(s64 n, s64 d)
{
    int neg = 0;
    u64 un = (u64)n, ud = (u64)d;
    if (n < 0) {
        un = 0 - un;
        neg = !neg;
    }
    if (d < 0) {
        ud = 0 - ud;
        neg = !neg;
    }
    u64 q = __udivmoddi4(un, ud, NULL);
    return (s64)(neg ? 0 - q : q);
}

s64 __moddi3(s64 n, s64 d)
{
    /* remainder takes the sign of the dividend (C99 truncation) */
    u64 un = (u64)n, ud = (u64)d, r;
    if (n < 0)
        un = 0 - un;
    if (d < 0)
        ud = 0 - ud;
    __udivmoddi4(un, ud, &r);
    return (s64)(n < 0 ? 0 - r : r);
}

int __popcountsi2(u32 x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (int)((x * 0x01010101u) >> 24);
}

int __popcountdi2(u64 x)
{
    return __popcountsi2((u32)x) + __popcountsi2((u32)(x >> 32));
}

s64 __divmoddi4(s64 n, s64 d, s64 *rem)
{
    s64 q = __divdi3(n, d);
    if (rem)
        *rem = n - q * d;
    return q;
}

/* bit-count helpers gcc -m32 -march=i686 may call for 64-bit builtins */
int __clzdi2(u64 x)
{
    u32 hi = (u32)(x >> 32);
    return hi ? __builtin_clz(hi) : 32 + __builtin_clz((u32)x);
}

int __ctzdi2(u64 x)
{
    u32 lo = (u32)x;
    return lo ? __builtin_ctz(lo) : 32 + __builtin_ctz((u32)(x >> 32));
}

int __ffsdi2(u64 x)
{
    return x ? __ctzdi2(x) + 1 : 0;
}

int __paritysi2(u32 x)
{
    return __popcountsi2(x) & 1;
}

int __paritydi2(u64 x)
{
    return __popcountdi2(x) & 1;
}
