package dev.kjump.kernel.mm;

import dev.kjump.machine.PhysicalMemory;
import java.util.BitSet;

/**
 * The kernel's page allocator over guest RAM. Its state — one bit per page frame, set when the frame is in
 * use (the kernel's {@code mem_map} reduced to what kjump needs) — lives in guest RAM in pages the allocator
 * owns, and is read and written through the kernel's page tables. It hands out low-memory frames (below
 * {@link KernelMemory#LOWMEM_LIMIT}); frames below 1 MiB belong to the firmware and are never handed out, nor
 * are the frames of the peer region (RAM the kernel leaves to a second kernel it jumps into): they are not the
 * kernel's, so they are neither allocated nor {@link #ownedFrames owned}.
 */
public final class PageAllocator {
    /** First frame the kernel manages: 1 MiB. */
    public static final int FIRST_KERNEL_PFN = 0x100;

    private final KernelMemory km;
    private final int bitmapVa;
    private final int totalPfns;
    private final int lowmemPfns;
    private final int peerFirstPfn;
    private final int peerEndPfn;
    private int hint;
    private int used;

    /**
     * Creates an allocator whose bitmap is at kernel virtual address {@code bitmapVa} (already mapped, zeroed
     * by the caller) and marks frames {@code 0 .. firstFree-1} as in use.
     */
    public PageAllocator(KernelMemory km, int bitmapVa, long ramBytes, int firstFree) {
        this(km, bitmapVa, ramBytes, firstFree, 0, 0);
    }

    /**
     * As {@link #PageAllocator(KernelMemory, int, long, int)}, and never hands out the frames of
     * {@code [peerStart, peerStart + peerSize)} (page aligned; size 0: none).
     */
    public PageAllocator(KernelMemory km, int bitmapVa, long ramBytes, int firstFree, long peerStart, long peerSize) {
        this.km = km;
        this.peerFirstPfn = (int) (peerStart >>> PhysicalMemory.PAGE_SHIFT);
        this.peerEndPfn = (int) ((peerStart + peerSize) >>> PhysicalMemory.PAGE_SHIFT);
        this.bitmapVa = bitmapVa;
        this.totalPfns = (int) (ramBytes >>> PhysicalMemory.PAGE_SHIFT);
        this.lowmemPfns = (int) (Math.min(ramBytes, KernelMemory.LOWMEM_LIMIT) >>> PhysicalMemory.PAGE_SHIFT);
        for (int pfn = 0; pfn < firstFree; pfn++) {
            setBit(pfn, true);
        }
        this.used = firstFree - FIRST_KERNEL_PFN;
        this.hint = firstFree;
    }

    /** Bytes of bitmap needed for {@code ramBytes} of RAM. */
    public static int bitmapBytes(long ramBytes) {
        return (int) (((ramBytes >>> PhysicalMemory.PAGE_SHIFT) + 7) / 8);
    }

    private boolean bit(int pfn) {
        return (km.read8(bitmapVa + (pfn >>> 3)) & (1 << (pfn & 7))) != 0;
    }

    private void setBit(int pfn, boolean on) {
        int va = bitmapVa + (pfn >>> 3);
        int b = km.read8(va);
        km.write8(va, on ? b | (1 << (pfn & 7)) : b & ~(1 << (pfn & 7)));
    }

    /** {@code alloc_page}: a free low-memory frame, marked in use, or -1 when memory is exhausted. */
    public synchronized int allocPage() {
        for (int pfn = hint; pfn < lowmemPfns; pfn++) {
            if (pfn >= peerFirstPfn && pfn < peerEndPfn) {
                pfn = peerEndPfn - 1;
                continue;
            }
            if (!bit(pfn)) {
                setBit(pfn, true);
                hint = pfn + 1;
                used++;
                return pfn;
            }
        }
        return -1;
    }

    /** {@code __free_page}. */
    public synchronized void freePage(int pfn) {
        if (pfn < FIRST_KERNEL_PFN || pfn >= lowmemPfns || !bit(pfn)) {
            throw new IllegalStateException(String.format("freeing frame %x that is not allocated", pfn));
        }
        setBit(pfn, false);
        used--;
        if (pfn < hint) {
            hint = pfn;
        }
    }

    /** True when frame {@code pfn} is in use by the kernel. */
    public synchronized boolean inUse(int pfn) {
        return pfn >= 0 && pfn < totalPfns && pfn < lowmemPfns && bit(pfn);
    }

    /** Frames the kernel owns: in use and at or above 1 MiB. */
    public synchronized BitSet ownedFrames() {
        BitSet s = new BitSet(lowmemPfns);
        byte[] bitmap = new byte[(lowmemPfns + 7) / 8];
        km.read(bitmapVa, bitmap, 0, bitmap.length);
        for (int pfn = FIRST_KERNEL_PFN; pfn < lowmemPfns; pfn++) {
            if ((bitmap[pfn >>> 3] & (1 << (pfn & 7))) != 0) {
                s.set(pfn);
            }
        }
        return s;
    }

    /** Frames in use above 1 MiB. */
    public synchronized int usedPages() {
        return used;
    }

    /** True when frame {@code pfn} lies in the peer region. */
    public boolean inPeerRegion(int pfn) {
        return pfn >= peerFirstPfn && pfn < peerEndPfn;
    }

    /** Low-memory frames the allocator manages. */
    public int lowmemPages() {
        return lowmemPfns;
    }

    /** All RAM frames. */
    public int totalPages() {
        return totalPfns;
    }
}
