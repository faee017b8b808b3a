package dev.kjump.kernel;

import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.machine.PhysicalMemory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * kjump's integrity proof for one jump: fingerprints of every page the kernel owns outside the image's
 * source, control and swap pages, and of every destination page, taken before the pages are swapped in and
 * compared after they are swapped back. A destination must come back exactly as it was (the swap's promise);
 * any other owned page must not have changed at all.
 */
public final class Integrity {
    private final PhysicalMemory mem;
    private final int[] pfns;
    private final long[] before;
    private final int destinationPages;
    private Result result;

    /**
     * The outcome.
     *
     * @param pagesChecked pages fingerprinted
     * @param destinationPages of which destination pages
     * @param damaged physical addresses of pages that changed
     */
    public record Result(int pagesChecked, int destinationPages, List<Long> damaged) {
        /** True when no page changed. */
        public boolean intact() {
            return damaged.isEmpty();
        }
    }

    /** Chooses the pages, while the kernel's page tables are live. */
    Integrity(PhysicalMemory mem, BitSet owned, Kimage image) {
        this.mem = mem;
        BitSet check = (BitSet) owned.clone();
        BitSet dest = new BitSet();
        BitSet src = new BitSet();
        for (long[] p : image.pagePairs()) {
            dest.set((int) (p[0] >>> 12));
            src.set((int) (p[1] >>> 12));
        }
        check.or(dest);
        check.andNot(src);
        check.clear(image.controlPage() >>> 12);
        check.clear(image.swapPage() >>> 12);
        dest.andNot(src);
        this.destinationPages = dest.cardinality();
        this.pfns = check.stream().toArray();
        this.before = new long[pfns.length];
    }

    void snapshot() {
        for (int i = 0; i < pfns.length; i++) {
            before[i] = mem.pageFingerprint(pfns[i]);
        }
    }

    void verify() {
        List<Long> damaged = new ArrayList<>();
        for (int i = 0; i < pfns.length; i++) {
            if (mem.pageFingerprint(pfns[i]) != before[i]) {
                damaged.add((long) pfns[i] << PhysicalMemory.PAGE_SHIFT);
            }
        }
        result = new Result(pfns.length, destinationPages, List.copyOf(damaged));
    }

    /** The result, or null before {@code verify}. */
    public Result result() {
        return result;
    }
}
