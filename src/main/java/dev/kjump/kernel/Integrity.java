package dev.kjump.kernel;

import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.machine.PhysicalMemory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * kjump's integrity proof for one jump, over every page the kernel owns outside the image's source, control
 * and swap pages, and every destination page: physical memory logs each frame written from the moment before
 * the pages are swapped in until they are swapped back, keeping the frame's contents from before its first
 * write; a checked frame not in the log cannot have changed, and one in the log is compared byte for byte
 * with what it held. A destination must come back exactly as it was (the swap's promise); any other owned
 * page must not have changed at all.
 */
public final class Integrity implements MachineKexec.Hooks {
    private final PhysicalMemory mem;
    private final int[] pfns;
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

        /** For people: {@code held: 1015 page(s) checked (11 destination), 0 damaged}, naming damaged pages. */
        public String summary() {
            return String.format("%s: %d page(s) checked (%d destination), %d damaged%s", intact() ? "held" : "BROKEN",
                    pagesChecked, destinationPages, damaged.size(), intact() ? "" : " at " + JumpReport.hexList(damaged));
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
    }

    /**
     * Starts the write log: from here until {@link #afterSwapBack()} every written frame is recorded, with the
     * contents from before of the checked frames only (the rest of RAM may be rewritten at no cost in host memory).
     */
    @Override
    public void beforeSwapIn() {
        BitSet keep = new BitSet();
        for (int pfn : pfns) {
            keep.set(pfn);
        }
        mem.startWriteLog(keep);
    }

    /** Stops the write log and compares every checked frame that was written with what it held. */
    @Override
    public void afterSwapBack() {
        PhysicalMemory.WriteLog log = mem.stopWriteLog();
        BitSet written = log.written();
        List<Long> damaged = new ArrayList<>();
        for (int pfn : pfns) {
            if (written.get(pfn) && !mem.pageEquals(pfn, log.original(pfn))) {
                damaged.add((long) pfn << PhysicalMemory.PAGE_SHIFT);
            }
        }
        result = new Result(pfns.length, destinationPages, List.copyOf(damaged));
    }

    /** The result, or null before {@code verify}. */
    public Result result() {
        return result;
    }
}
