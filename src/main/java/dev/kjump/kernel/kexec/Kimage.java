package dev.kjump.kernel.kexec;

import dev.kjump.kernel.mm.KernelMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code struct kimage}: a loaded kexec image. The structure itself lives in a guest page (allocated by the
 * kernel) and is read and written through the kernel's page tables; this class is a typed view of it. Its
 * layout: head 0, entry 4 (kernel virtual pointer to the current list slot), last_entry 8, destination 12,
 * start 16, control_code_page 20 (physical), swap_page 24 (physical), nr_segments 28, segment[16] from 32
 * ({@code mem, memsz, bufsz, 0}, 16 bytes each), type 288, preserve_context 292.
 *
 * <p>The page lists the kernel threads through {@code struct page} ({@code control_pages}, {@code dest_pages},
 * {@code unuseable_pages}) are kept on the Java side.
 */
public final class Kimage {
    static final int HEAD = 0, ENTRY = 4, LAST_ENTRY = 8, DESTINATION = 12, START = 16, CONTROL = 20, SWAP = 24,
            NR_SEGMENTS = 28, SEGMENTS = 32, TYPE = 288, PRESERVE = 292;

    private final KernelMemory km;
    private final int va;
    private int peerGdt;
    /** Frames of control pages (the kernel's {@code image->control_pages}). */
    final List<Integer> controlPages = new ArrayList<>();
    /** Free frames that are some destination, kept for it ({@code image->dest_pages}). */
    final List<Integer> destPages = new ArrayList<>();
    /** Frames that cannot be source pages ({@code image->unuseable_pages}). */
    final List<Integer> unusablePages = new ArrayList<>();

    Kimage(KernelMemory km, int va) {
        this.km = km;
        this.va = va;
    }

    /** The kernel virtual address of the structure. */
    /**
     * kjump's addition: the physical address of the GDT a merged-protocol peer (Linux 6.1 i386) runs on, found when
     * it jumped back, or 0. Its {@code restore_processor_state} expects "a usable GDT" on re-entry (loads SS, then
     * {@code ltr}), which its 32-bit relocate_kernel does not restore; the kernel enters it with that GDT loaded.
     */
    public int peerGdt() {
        return peerGdt;
    }

    /** Records the peer's GDT ({@link #peerGdt()}). */
    public void setPeerGdt(int pa) {
        this.peerGdt = pa;
    }

    public int va() {
        return va;
    }

    int get(int off) {
        return km.read32(va + off);
    }

    void set(int off, int v) {
        km.write32(va + off, v);
    }

    /** {@code image->head}: the first indirection-list entry. */
    public int head() {
        return get(HEAD);
    }

    /** {@code image->start}: where the next jump enters the image. */
    public int start() {
        return get(START);
    }

    void setStart(int s) {
        set(START, s);
    }

    /** Physical address of the control page. */
    public int controlPage() {
        return get(CONTROL);
    }

    /** Physical address of the swap page. */
    public int swapPage() {
        return get(SWAP);
    }

    public int nrSegments() {
        return get(NR_SEGMENTS);
    }

    /** Destination of segment {@code i}. */
    public long segmentMem(int i) {
        return get(SEGMENTS + 16 * i) & 0xFFFFFFFFL;
    }

    /** Destination size of segment {@code i}. */
    public long segmentMemsz(int i) {
        return get(SEGMENTS + 16 * i + 4) & 0xFFFFFFFFL;
    }

    /** Buffer size of segment {@code i}. */
    public long segmentBufsz(int i) {
        return get(SEGMENTS + 16 * i + 8) & 0xFFFFFFFFL;
    }

    /** {@code image->preserve_context}. */
    public boolean preserveContext() {
        return get(PRESERVE) != 0;
    }

    /** Walks the indirection list: every entry in order, up to and including IND_DONE. */
    public List<Integer> entries() {
        List<Integer> out = new ArrayList<>();
        int e = head();
        int ptr = 0;
        while (true) {
            out.add(e);
            if ((e & Kexec.IND_DONE) != 0 || e == 0) {
                return out;
            }
            if ((e & Kexec.IND_INDIRECTION) != 0) {
                ptr = KernelMemory.va(e & 0xFFFFF000L);
            }
            if (ptr == 0 || out.size() > 4_000_000) {
                throw new IllegalStateException("corrupt indirection list");
            }
            e = km.read32(ptr);
            ptr += 4;
        }
    }

    /** (destination, source) physical page pairs of the indirection list, in order. */
    public List<long[]> pagePairs() {
        List<long[]> out = new ArrayList<>();
        long dest = 0;
        for (int e : entries()) {
            long addr = e & 0xFFFFF000L;
            if ((e & Kexec.IND_DESTINATION) != 0) {
                dest = addr;
            } else if ((e & Kexec.IND_SOURCE) != 0) {
                out.add(new long[] {dest, addr});
                dest += 4096;
            }
        }
        return out;
    }

    /** Frames holding indirection pages. */
    public List<Integer> indirectionPages() {
        List<Integer> out = new ArrayList<>();
        for (int e : entries()) {
            if ((e & Kexec.IND_INDIRECTION) != 0) {
                out.add(e >>> 12);
            }
        }
        return out;
    }
}
