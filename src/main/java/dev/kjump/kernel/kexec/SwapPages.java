package dev.kjump.kernel.kexec;

import dev.kjump.machine.PhysicalMemory;
import java.util.List;

/**
 * {@code swap_pages} (relocate_kernel_32.S of the seed), run with paging off: walks the indirection list in
 * physical memory and, for every (destination, source) pair, copies source→swap, destination→source,
 * swap→destination. Running it twice leaves memory as it was.
 */
public final class SwapPages {
    private SwapPages() {
    }

    /**
     * Walks the list that starts with entry {@code head} and swaps every pair through the swap page.
     *
     * @return the number of pages swapped
     * @throws IllegalStateException when the list runs off RAM or does not end (a damaged list)
     */
    public static int swap(PhysicalMemory mem, int head, int swapPage) {
        int swapPfn = swapPage >>> 12;
        int entry = head;
        long ptr = -1;
        long dest = 0;
        int count = 0;
        int steps = 0;
        while (true) {
            long addr = entry & 0xFFFFF000L;
            if ((entry & Kexec.IND_DESTINATION) != 0) {
                dest = addr;
            } else if ((entry & Kexec.IND_INDIRECTION) != 0) {
                ptr = addr;
            } else if ((entry & Kexec.IND_DONE) != 0) {
                return count;
            } else if ((entry & Kexec.IND_SOURCE) != 0) {
                swapOne(mem, (int) (addr >>> 12), (int) (dest >>> 12), swapPfn);
                dest += PhysicalMemory.PAGE_SIZE;
                count++;
            }
            if (ptr < 0 || ptr >= mem.size() || ++steps > (1 << 22)) {
                throw new IllegalStateException(String.format("indirection list damaged near %x", ptr));
            }
            entry = mem.read32((int) ptr);
            ptr += 4;
        }
    }

    /** Swaps pairs from a list the kernel kept aside (used when the in-memory list was damaged). */
    public static int swap(PhysicalMemory mem, List<long[]> pairs, int swapPage) {
        for (long[] p : pairs) {
            swapOne(mem, (int) (p[1] >>> 12), (int) (p[0] >>> 12), swapPage >>> 12);
        }
        return pairs.size();
    }

    private static void swapOne(PhysicalMemory mem, int srcPfn, int destPfn, int swapPfn) {
        mem.copyPage(srcPfn, swapPfn);
        mem.copyPage(destPfn, srcPfn);
        mem.copyPage(swapPfn, destPfn);
    }
}
