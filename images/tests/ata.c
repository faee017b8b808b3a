/*
 * ata.c - a polled ATA PIO driver on the primary channel's master device.
 *
 * Needs a disk: images/build/ata-disk.img (made by tools/ata-disk.c; 1 MiB,
 * 2048 sectors, byte i of sector s = (s*31 + i*7) & 0xff). qemu-run.sh and
 * the kjump harnesses attach a fresh copy of it to every ata-* image.
 *
 * Prints only what the ATA standard fixes and every implementation gives
 * the same way: the capacity (IDENTIFY words 60-61), the LBA bit (word 49
 * bit 9), checksums of sector data, and the ERR/DRQ status bits. Never the
 * model/serial/firmware strings, other IDENTIFY words, the error register or
 * raw status values, or how long BSY stayed set.
 *
 * The run is idempotent (sectors 5-6 are only read after being written with
 * a fixed pattern), so re-entering the image gives the same transcript.
 */
#include "kjump.h"

#define ATA_DATA     0x1F0
#define ATA_ERROR    0x1F1
#define ATA_COUNT    0x1F2
#define ATA_LBA_LO   0x1F3
#define ATA_LBA_MID  0x1F4
#define ATA_LBA_HI   0x1F5
#define ATA_DRIVE    0x1F6
#define ATA_STATUS   0x1F7
#define ATA_COMMAND  0x1F7
#define ATA_ALTSTAT  0x3F6
#define ATA_DEVCTL   0x3F6

#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DRQ  0x08
#define ST_ERR  0x01

#define CMD_READ     0x20
#define CMD_WRITE    0x30
#define CMD_FLUSH    0xE7
#define CMD_IDENTIFY 0xEC

#define DISK_SECTORS 2048u          /* the 1 MiB disk the harnesses attach */
#define SPIN_LIMIT   50000000u      /* polls before giving up on BSY */

static u16 buf[256];
static int failures;

static u8 orig_byte(u32 s, u32 i) { return (u8)(s * 31 + i * 7); }
static u8 new_byte(u32 s, u32 i)  { return (u8)(s * 13 + i * 5 + 0x5A); }

/* FNV-1a over the 512 bytes of buf */
static u32 checksum(void)
{
    const u8 *p = (const u8 *)buf;
    u32 h = 2166136261u;
    for (int i = 0; i < 512; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static int matches(u32 s, u8 (*pattern)(u32, u32))
{
    const u8 *p = (const u8 *)buf;
    for (u32 i = 0; i < 512; i++)
        if (p[i] != pattern(s, i))
            return 0;
    return 1;
}

/* ~400 ns: four reads of the alternate status register */
static void delay400(void)
{
    for (int i = 0; i < 4; i++)
        (void)inb(ATA_ALTSTAT);
}

/* wait until BSY clears; returns the status, or -1 on timeout */
static int wait_not_busy(void)
{
    for (u32 n = 0; n < SPIN_LIMIT; n++) {
        u8 st = inb(ATA_STATUS);
        if (!(st & ST_BSY))
            return st;
    }
    printf("ata: timeout waiting for !BSY\n");
    failures++;
    return -1;
}

/* wait for !BSY, then require DRQ set and ERR clear (data ready / wanted) */
static int wait_drq(const char *what)
{
    int st = wait_not_busy();
    if (st < 0)
        return -1;
    if ((st & ST_ERR) || !(st & ST_DRQ)) {
        printf("ata: %s: err=%d drq=%d\n", what, st & ST_ERR ? 1 : 0, st & ST_DRQ ? 1 : 0);
        failures++;
        return -1;
    }
    return 0;
}

/* the status bits a completed command leaves: ERR and DRQ */
static void print_done(const char *what)
{
    int st = wait_not_busy();
    if (st < 0)
        return;
    printf("%s: err=%d drq=%d\n", what, st & ST_ERR ? 1 : 0, st & ST_DRQ ? 1 : 0);
}

static void select_lba(u32 lba, u32 count)
{
    outb(ATA_DRIVE, 0xE0 | ((lba >> 24) & 0x0F));   /* master, LBA */
    delay400();
    outb(ATA_COUNT, (u8)count);
    outb(ATA_LBA_LO, (u8)lba);
    outb(ATA_LBA_MID, (u8)(lba >> 8));
    outb(ATA_LBA_HI, (u8)(lba >> 16));
}

static void read_block(void)
{
    for (int i = 0; i < 256; i++)
        buf[i] = inw(ATA_DATA);
}

static void write_block(void)
{
    for (int i = 0; i < 256; i++)
        outw(ATA_DATA, buf[i]);
}

static void identify(void)
{
    outb(ATA_DRIVE, 0xA0);
    delay400();
    if (wait_not_busy() < 0)
        return;
    outb(ATA_COMMAND, CMD_IDENTIFY);
    if (wait_drq("identify") < 0)
        return;
    read_block();
    u32 lba28 = buf[60] | (u32)buf[61] << 16;
    printf("identify: lba28 sectors=%u lba=%d\n", lba28, buf[49] & (1 << 9) ? 1 : 0);
    print_done("identify done");
}

/* READ SECTORS from lba, count sectors (0 = 256); per sector: checksum, pattern check */
static void read_sectors(u32 lba, u32 count, u8 (*pattern)(u32, u32), int verbose)
{
    u32 n = count ? count : 256;
    u32 ok = 0;
    u32 all = 0;
    if (wait_not_busy() < 0)
        return;
    select_lba(lba, count);
    outb(ATA_COMMAND, CMD_READ);
    for (u32 k = 0; k < n; k++) {
        if (wait_drq("read") < 0)
            return;
        read_block();
        u32 sum = checksum();
        int m = matches(lba + k, pattern);
        ok += m;
        all = all * 31 + sum;
        if (verbose)
            printf("read sector %u: fnv=%08x pattern=%s\n", lba + k, sum, m ? "ok" : "BAD");
    }
    if (!verbose)
        printf("read %u sectors from %u: %u match the pattern, combined=%08x\n", n, lba, ok, all);
    if (ok != n)
        failures++;
    print_done("read done");
}

static void write_sectors(u32 lba, u32 count)
{
    if (wait_not_busy() < 0)
        return;
    select_lba(lba, count);
    outb(ATA_COMMAND, CMD_WRITE);
    for (u32 k = 0; k < count; k++) {
        u8 *p = (u8 *)buf;
        for (u32 i = 0; i < 512; i++)
            p[i] = new_byte(lba + k, i);
        if (wait_drq("write") < 0)
            return;
        write_block();
        printf("wrote sector %u: fnv=%08x\n", lba + k, checksum());
    }
    print_done("write done");
}

static void flush(void)
{
    if (wait_not_busy() < 0)
        return;
    outb(ATA_DRIVE, 0xE0);
    delay400();
    outb(ATA_COMMAND, CMD_FLUSH);
    print_done("flush cache");
}

/* a read starting past the end of the disk: only the ERR (and DRQ) bits */
static void read_out_of_range(u32 lba)
{
    if (wait_not_busy() < 0)
        return;
    select_lba(lba, 1);
    outb(ATA_COMMAND, CMD_READ);
    print_done(lba == DISK_SECTORS ? "read at the end of the disk" : "read far past the end");
}

/*
 * A transfer that runs off the end of the disk: the sectors before the end move, then the command ends with ERR
 * and the count/address registers left at the first sector past the end (as QEMU does it).
 */
static void read_across_the_end(void)
{
    if (wait_not_busy() < 0)
        return;
    select_lba(DISK_SECTORS - 1, 2);
    outb(ATA_COMMAND, CMD_READ);
    if (wait_drq("read across the end") < 0)
        return;
    read_block();
    printf("read across the end: first sector fnv=%08x pattern=%s\n", checksum(),
           matches(DISK_SECTORS - 1, orig_byte) ? "ok" : "BAD");
    print_done("read across the end, then");
    printf("read across the end: count=%u lba=%06x\n", inb(ATA_COUNT),
           inb(ATA_LBA_LO) | inb(ATA_LBA_MID) << 8 | inb(ATA_LBA_HI) << 16);
}

static void write_across_the_end(void)
{
    if (wait_not_busy() < 0)
        return;
    select_lba(DISK_SECTORS - 1, 2);
    outb(ATA_COMMAND, CMD_WRITE);
    for (int k = 0; k < 2; k++) {
        if (wait_drq("write across the end") < 0)
            return;
        for (int i = 0; i < 256; i++)
            buf[i] = (u16)(0xA5A5 + k * 0x101 + i);
        write_block();
    }
    print_done("write across the end, then");
    printf("write across the end: count=%u lba=%06x\n", inb(ATA_COUNT),
           inb(ATA_LBA_LO) | inb(ATA_LBA_MID) << 8 | inb(ATA_LBA_HI) << 16);
    /* the last sector took the first block */
    select_lba(DISK_SECTORS - 1, 1);
    outb(ATA_COMMAND, CMD_READ);
    if (wait_drq("read back the last sector") < 0)
        return;
    read_block();
    printf("last sector after the write: fnv=%08x first=%04x\n", checksum(), buf[0]);
    print_done("read back the last sector");
}

static void set_multiple(u32 n)
{
    if (wait_not_busy() < 0)
        return;
    select_lba(0, n);
    outb(ATA_COMMAND, 0xC6);   /* SET MULTIPLE MODE */
    printf("set multiple %u: ", n);
    print_done("done");
}

/* READ/WRITE MULTIPLE (0xC4/0xC5) with the block size set above; IDENTIFY word 47 gives the largest block */
static void multiple(void)
{
    set_multiple(3);           /* not a power of two: aborted */
    set_multiple(8);
    if (wait_not_busy() < 0)
        return;
    outb(ATA_DRIVE, 0xE0);
    delay400();
    outb(ATA_COMMAND, 0xEC);
    if (wait_drq("identify") < 0)
        return;
    read_block();
    /* word 59 (the current block) is left out: QEMU answers IDENTIFY from data it built the first time
       (SeaBIOS's), so after SET MULTIPLE it still shows the old block; kjump shows the current one */
    printf("identify: max multiple=%04x\n", buf[47]);
    print_done("identify");

    select_lba(20, 10);
    outb(ATA_COMMAND, 0xC5);   /* WRITE MULTIPLE: 10 sectors in blocks of 8 */
    for (u32 k = 0; k < 10; k++) {
        if (wait_drq("write multiple") < 0)
            return;
        for (int i = 0; i < 256; i++)
            buf[i] = (u16)(k * 0x0101 + i * 3);
        write_block();
    }
    print_done("write multiple");
    select_lba(20, 10);
    outb(ATA_COMMAND, 0xC4);   /* READ MULTIPLE */
    u32 all = 0;
    for (u32 k = 0; k < 10; k++) {
        if (wait_drq("read multiple") < 0)
            return;
        read_block();
        all = all * 31 + checksum();
    }
    printf("read multiple: 10 sectors combined=%08x\n", all);
    print_done("read multiple");

    set_multiple(0);           /* multiple mode off: READ MULTIPLE is aborted */
    select_lba(20, 1);
    outb(ATA_COMMAND, 0xC4);
    print_done("read multiple with multiple mode off");
}

int kmain(void)
{
    printf("ata: polled PIO on the primary master\n");
    outb(ATA_DEVCTL, 0x02);              /* nIEN: no interrupts */
    identify();

    read_sectors(0, 4, orig_byte, 1);

    write_sectors(5, 2);
    flush();
    read_sectors(5, 2, new_byte, 1);

    read_sectors(8, 0, orig_byte, 0);    /* count 0 = 256 sectors: 8..263 */

    read_out_of_range(DISK_SECTORS);
    read_out_of_range(0x0FFFFF00u);
    read_sectors(DISK_SECTORS - 1, 1, orig_byte, 1);  /* the last sector still reads */
    read_across_the_end();
    write_across_the_end();
    multiple();

    printf("ata: %d failures\n", failures);
    printf("ata: done\n");
    return failures;
}
