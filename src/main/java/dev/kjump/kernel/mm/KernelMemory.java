package dev.kjump.kernel.mm;

import dev.kjump.machine.cpu.Mmu;
import dev.kjump.machine.PhysicalMemory;

/**
 * The kernel's loads and stores: every access takes a kernel virtual address and goes through the CPU's MMU
 * (TLB, page walk, accessed/dirty bits) with the kernel's page tables loaded, as a real kernel's accesses do.
 * A fault is a kernel oops ({@link dev.kjump.machine.cpu.PageFaultException}).
 */
public final class KernelMemory {
    /** The kernel's direct mapping of low memory starts here (i386 {@code PAGE_OFFSET}). */
    public static final int PAGE_OFFSET = 0xC0000000;
    /** The end of low memory the direct mapping covers (896 MiB, as on i386). */
    public static final long LOWMEM_LIMIT = 896L << 20;

    private final Mmu mmu;
    private final PhysicalMemory mem;

    /** @param mmu the CPU's MMU (loaded with the kernel's CR3 while the kernel runs) @param mem physical memory */
    public KernelMemory(Mmu mmu, PhysicalMemory mem) {
        this.mmu = mmu;
        this.mem = mem;
    }

    /** {@code __va}: the kernel virtual address of low-memory physical address {@code pa}. */
    public static int va(long pa) {
        if (pa < 0 || pa >= LOWMEM_LIMIT) {
            throw new IllegalArgumentException(String.format("physical %x is not in low memory", pa));
        }
        return (int) (PAGE_OFFSET + pa);
    }

    /** {@code __pa}: the physical address of direct-mapped kernel virtual address {@code va}. */
    public static long pa(int va) {
        long v = va & 0xFFFFFFFFL;
        if (v < (PAGE_OFFSET & 0xFFFFFFFFL)) {
            throw new IllegalArgumentException(String.format("%08x is not a direct-mapped kernel address", va));
        }
        return v - (PAGE_OFFSET & 0xFFFFFFFFL);
    }

    /** Physical memory, for the parts of the kernel that run with paging off (relocate_kernel, swap_pages). */
    public PhysicalMemory physical() {
        return mem;
    }

    public int read8(int va) {
        return mem.read8(mmu.translate(va, false));
    }

    public int read32(int va) {
        if ((va & 0xFFF) > 0xFFC) {
            return read8(va) | read8(va + 1) << 8 | read8(va + 2) << 16 | read8(va + 3) << 24;
        }
        return mem.read32(mmu.translate(va, false));
    }

    public void write8(int va, int v) {
        mem.write8(mmu.translate(va, true), v);
    }

    public void write32(int va, int v) {
        if ((va & 0xFFF) > 0xFFC) {
            for (int i = 0; i < 4; i++) {
                write8(va + i, v >>> (8 * i));
            }
            return;
        }
        mem.write32(mmu.translate(va, true), v);
    }

    /** copy to kernel memory at {@code va} from {@code src[off..off+len)}, a page at a time. */
    public void write(int va, byte[] src, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, PhysicalMemory.PAGE_SIZE - (va & 0xFFF));
            mem.write(mmu.translate(va, true), src, off, n);
            va += n;
            off += n;
            len -= n;
        }
    }

    /** copy from kernel memory at {@code va} into {@code dst[off..off+len)}, a page at a time. */
    public void read(int va, byte[] dst, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, PhysicalMemory.PAGE_SIZE - (va & 0xFFF));
            mem.read(mmu.translate(va, false), dst, off, n);
            va += n;
            off += n;
            len -= n;
        }
    }

    /** memset. */
    public void fill(int va, int len, int value) {
        while (len > 0) {
            int n = Math.min(len, PhysicalMemory.PAGE_SIZE - (va & 0xFFF));
            mem.fill(mmu.translate(va, true), n, value);
            va += n;
            len -= n;
        }
    }
}
