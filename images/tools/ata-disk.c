/*
 * ata-disk.c - host tool: writes the disk image the ata-* test images read.
 *
 *   ata-disk FILE    -> FILE: 1 MiB (2048 sectors of 512 bytes),
 *                       byte i of sector s = (s*31 + i*7) & 0xff
 *
 * Built and run by `make build/ata-disk.img` (images/Makefile); qemu-run.sh
 * attaches a fresh copy of the result to every ata-* image. The Java
 * ConformanceTest makes the same bytes itself.
 */
#include <stdio.h>

#define SECTORS 2048
#define SECTOR_SIZE 512

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    unsigned char sector[SECTOR_SIZE];
    for (unsigned s = 0; s < SECTORS; s++) {
        for (unsigned i = 0; i < SECTOR_SIZE; i++)
            sector[i] = (unsigned char)(s * 31 + i * 7);
        if (fwrite(sector, 1, SECTOR_SIZE, f) != SECTOR_SIZE) {
            perror(argv[1]);
            return 1;
        }
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
