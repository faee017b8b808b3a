package dev.kjump.kernel;

import dev.kjump.kernel.mm.KernelMemory;
import dev.kjump.kernel.mm.PageAllocator;

/**
 * A RAM disk in guest pages: a block map page (bytes used at 0, page count at 4, then one frame number per
 * page) and the data pages, all allocated from the kernel's page allocator and reached through its page
 * tables. The kernel's tasks append to it and checksum it, so a page lost or damaged by a jump shows.
 */
public final class RamDisk {
    private final KernelMemory km;
    private final int map;
    private final int pageCount;
    private int checksumCursor;

    RamDisk(KernelMemory km, PageAllocator pages, int pageCount, KernelLog log) {
        if (pageCount < 1 || pageCount > 1000) {
            throw new IllegalArgumentException("RAM disk size must be 1..1000 pages: " + pageCount);
        }
        this.km = km;
        this.pageCount = pageCount;
        int mapPfn = pages.allocPage();
        this.map = KernelMemory.va((long) mapPfn << 12);
        km.fill(map, 4096, 0);
        km.write32(map + 4, pageCount);
        // page i holds the bytes (i * 31 + j * 7) mod 256, j = 0..4095: as 7 is odd, that is 7 * (j + k) mod 256 with
        // k = i * 31 * 183 (183 = 7^-1 mod 256), so every page is a 4 KiB window of one sequence 7 * x mod 256
        byte[] sevens = new byte[4096 + 256];
        for (int x = 0; x < sevens.length; x++) {
            sevens[x] = (byte) (7 * x);
        }
        for (int i = 0; i < pageCount; i++) {
            int pfn = pages.allocPage();
            if (pfn < 0) {
                throw new IllegalStateException("out of memory for the RAM disk");
            }
            km.write32(map + 8 + 4 * i, pfn);
            km.write(pageVa(i), sevens, (i * 31 * 183) & 0xFF, 4096);
        }
        log.printk("RAMDISK: %d KiB at frames %x..%x", pageCount * 4, frame(0), frame(pageCount - 1));
    }

    private int frame(int i) {
        return km.read32(map + 8 + 4 * i);
    }

    private int pageVa(int i) {
        return KernelMemory.va((long) frame(i) << 12);
    }

    /** Pages of data. */
    public int pageCount() {
        return pageCount;
    }

    /** Bytes appended so far (the log wraps around the disk). */
    public int used() {
        return km.read32(map);
    }

    /** Physical address of data page {@code i}. */
    public long pagePhys(int i) {
        return (long) frame(i) << 12;
    }

    /** Appends {@code data} (wrapping at the end of the disk); returns the bytes written. */
    public int append(byte[] data) {
        int pos = used();
        int cap = pageCount * 4096;
        for (byte b : data) {
            int p = pos % cap;
            km.write8(pageVa(p >>> 12) + (p & 0xFFF), b);
            pos++;
        }
        km.write32(map, pos);
        return data.length;
    }

    /** Reads {@code len} bytes at disk offset {@code off}. */
    public byte[] read(int off, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            int p = (off + i) % (pageCount * 4096);
            out[i] = (byte) km.read8(pageVa(p >>> 12) + (p & 0xFFF));
        }
        return out;
    }

    /** A rolling checksum: each call folds one more page in (round robin). */
    public int checksum() {
        int i = checksumCursor;
        checksumCursor = (checksumCursor + 1) % pageCount;
        byte[] b = new byte[4096];
        km.read(pageVa(i), b, 0, 4096);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b);
        return (int) crc.getValue() ^ i;
    }
}
