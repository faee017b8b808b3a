/*
 * bench.c - compute-heavy benchmark for MIPS measurement: repeated SHA-256
 * and CRC-32 over a 16 KiB pseudo-random buffer, plus a sieve and a small
 * sort, each round feeding the next.  BENCH_ROUNDS sets the work:
 * about 100 million instructions at -O2/-Os, 180 million at -O0; measured
 * under QEMU -singlestep at ~14.5 (O2) / ~26 (O0) million per round).
 */
#include "kjump.h"
#include "hashlib.h"

#ifndef BENCH_ROUNDS
#define BENCH_ROUNDS 7
#endif

#define BUF_SIZE 16384
static u8 buf[BUF_SIZE];
static u8 sieve[65536];
static u32 arr[2048];

static u32 do_sieve(u32 n)
{
    memset(sieve, 1, n);
    sieve[0] = sieve[1] = 0;
    for (u32 i = 2; i * i < n; i++)
        if (sieve[i])
            for (u32 j = i * i; j < n; j += i)
                sieve[j] = 0;
    u32 count = 0;
    for (u32 i = 0; i < n; i++)
        count += sieve[i];
    return count;
}

static void shell_sort(u32 *a, u32 n)
{
    static const u32 gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (u32 g = 0; g < 8; g++) {
        u32 gap = gaps[g];
        for (u32 i = gap; i < n; i++) {
            u32 t = a[i], j = i;
            while (j >= gap && a[j - gap] > t) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = t;
        }
    }
}

int kmain(void)
{
    printf("bench: start (%u rounds)\n", BENCH_ROUNDS);
    crc32_init();
    u32 x = 0x9e3779b9;
    for (u32 i = 0; i < BUF_SIZE; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        buf[i] = (u8)x;
    }
    u32 crc = 0, primes = 0;
    u8 d[32];
    for (u32 round = 0; round < BENCH_ROUNDS; round++) {
        for (u32 pass = 0; pass < 4; pass++) {
            struct sha256 s;
            sha256_init(&s);
            sha256_update(&s, buf, BUF_SIZE);
            sha256_final(&s, d);
            crc = crc32_update(crc, buf, BUF_SIZE);
            /* perturb the buffer with the digest so rounds differ */
            for (u32 i = 0; i < 32; i++)
                buf[(round * 977 + pass * 131 + i * 509) % BUF_SIZE] ^= d[i];
        }
        primes = do_sieve(65536 - (round % 7) * 1000);
        for (u32 i = 0; i < 2048; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            arr[i] = x ^ crc;
        }
        shell_sort(arr, 2048);
        u32 ok = 1;
        for (u32 i = 1; i < 2048; i++)
            ok &= arr[i - 1] <= arr[i];
        printf("round %2u: crc %08x sha %02x%02x%02x%02x primes %u sorted %u median %08x\n",
               round, crc, d[0], d[1], d[2], d[3], primes, ok, arr[1024]);
    }
    printf("final sha256 ");
    for (int i = 0; i < 32; i++)
        printf("%02x", d[i]);
    printf("\nbench: done\n");
    return 0;
}
