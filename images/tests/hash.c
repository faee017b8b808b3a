/* hash.c - SHA-256 of a few strings (known test vectors) and CRC-32 (table-driven). */
#include "kjump.h"
#include "hashlib.h"

static void print_digest(const u8 d[32])
{
    for (int i = 0; i < 32; i++)
        printf("%02x", d[i]);
}

static u8 big[3000];

int kmain(void)
{
    printf("hash: start\n");
    crc32_init();
    printf("crc32 table: %08x %08x %08x %08x\n", crc32_table[1], crc32_table[0x80], crc32_table[0xfe], crc32_table[0xff]);

    static const char *msgs[] = {
        "",
        "abc",
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "The quick brown fox jumps over the lazy dog",
        "The quick brown fox jumps over the lazy dog.",
        "123456789",
        "kjump: kexec jump-back image",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",   /* 63 bytes */
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",  /* 64 bytes */
    };
    for (unsigned i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        struct sha256 s;
        u8 d[32];
        size_t n = strlen(msgs[i]);
        sha256_init(&s);
        sha256_update(&s, msgs[i], n);
        sha256_final(&s, d);
        printf("len %2u crc32 %08x sha256 ", n, crc32_update(0, msgs[i], n));
        print_digest(d);
        printf("\n");
    }

    /* one million 'a' (FIPS 180 test vector), fed in uneven chunks */
    {
        static u8 chunk[1000];
        memset(chunk, 'a', sizeof chunk);
        struct sha256 s;
        u8 d[32];
        sha256_init(&s);
        u32 total = 0, step = 1;
        while (total < 1000000) {
            u32 n = step;
            if (n > 1000000 - total)
                n = 1000000 - total;
            sha256_update(&s, chunk, n);
            total += n;
            step = step * 3 % 997 + 1;
        }
        sha256_final(&s, d);
        printf("sha256(1e6 x 'a') = ");
        print_digest(d);
        printf("\n");
    }

    /* pseudo-random buffer: incremental vs one-shot, prefix sweep */
    u32 x = 0x2545f491;
    for (unsigned i = 0; i < sizeof big; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        big[i] = (u8)(x >> 11);
    }
    u32 c1 = crc32_update(0, big, sizeof big);
    u32 c2 = crc32_update(crc32_update(0, big, 1234), big + 1234, sizeof big - 1234);
    printf("crc32(big) %08x split %08x\n", c1, c2);
    for (u32 n = 0; n <= sizeof big; n += 375) {
        struct sha256 s;
        u8 d[32];
        sha256_init(&s);
        sha256_update(&s, big, n);
        sha256_final(&s, d);
        printf("prefix %4u: crc %08x sha ", n, crc32_update(0, big, n));
        print_digest(d);
        printf("\n");
    }
    printf("hash: done\n");
    return 0;
}
