/* recursion.c - fib, ackermann, mutual recursion, hanoi, permutations, deep recursion. */
#include "kjump.h"

static volatile u32 vn;

__attribute__((noinline)) static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static u32 ack(u32 m, u32 n)
{
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static int is_odd(u32 n);
__attribute__((noinline)) static int is_even(u32 n) { return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static int is_odd(u32 n) { return n == 0 ? 0 : is_even(n - 1); }

static u32 moves;
static u32 peg_sum;
__attribute__((noinline)) static void hanoi(u32 n, u32 from, u32 to, u32 via)
{
    if (n == 0) return;
    hanoi(n - 1, from, via, to);
    moves++;
    peg_sum = peg_sum * 3 + from * 4 + to;
    hanoi(n - 1, via, to, from);
}

static u32 perm_count, perm_hash;
static void permute(char *s, int k, int n)
{
    if (k == n) {
        perm_count++;
        for (int i = 0; i < n; i++)
            perm_hash = perm_hash * 31 + (u8)s[i];
        if (perm_count <= 6 || perm_count % 120 == 0)
            printf("  perm %u: %s\n", perm_count, s);
        return;
    }
    for (int i = k; i < n; i++) {
        char t = s[k]; s[k] = s[i]; s[i] = t;
        permute(s, k + 1, n);
        t = s[k]; s[k] = s[i]; s[i] = t;
    }
}

__attribute__((noinline)) static u32 deep(u32 n, u32 acc)
{
    volatile u32 pad[4];  /* make each frame use some stack */
    pad[0] = acc;
    pad[3] = n;
    if (n == 0) return pad[0];
    return deep(n - 1, pad[0] * 31 + pad[3]) + 1;
}

__attribute__((noinline)) static u32 gcd(u32 a, u32 b) { return b ? gcd(b, a % b) : a; }

static int queens_n, queens_solutions;
static void queens(int row, u32 cols, u32 d1, u32 d2)
{
    if (row == queens_n) { queens_solutions++; return; }
    for (int c = 0; c < queens_n; c++) {
        if ((cols >> c) & 1 || (d1 >> (row + c)) & 1 || (d2 >> (row - c + queens_n)) & 1)
            continue;
        queens(row + 1, cols | 1u << c, d1 | 1u << (row + c), d2 | 1u << (row - c + queens_n));
    }
}

int kmain(void)
{
    printf("recursion: start\n");
    vn = 24;
    for (u32 i = 0; i <= vn; i += 3)
        printf("fib(%u)=%u\n", i, fib(i));
    for (u32 m = 0; m <= 3; m++)
        for (u32 n = 0; n <= 4; n++)
            printf("ack(%u,%u)=%u\n", m, n, ack(m, n));
    for (u32 n = 0; n < 1000; n += 137)
        printf("even(%u)=%d odd(%u)=%d\n", n, is_even(n), n, is_odd(n));
    for (u32 n = 1; n <= 16; n += 3) {
        moves = 0;
        peg_sum = 0;
        hanoi(n, 1, 3, 2);
        printf("hanoi(%u): %u moves, sum %08x\n", n, moves, peg_sum);
    }
    char s[] = "abcde";
    permute(s, 0, 5);
    printf("permutations %u hash %08x\n", perm_count, perm_hash);
    printf("deep(300)=%08x\n", deep(300, 7));
    printf("gcd(1071,462)=%u gcd(2^31,6^10)=%u\n", gcd(1071, 462), gcd(0x80000000u, 60466176u));
    for (queens_n = 4; queens_n <= 8; queens_n++) {
        queens_solutions = 0;
        queens(0, 0, 0, 0);
        printf("queens(%d)=%d\n", queens_n, queens_solutions);
    }
    printf("recursion: done\n");
    return 0;
}
