package dev.kjump.kernel.kexec;

import dev.kjump.machine.PhysicalMemory;
import java.util.List;

/**
 * Finds the GDT of a Linux i386 peer ({@code gdt_page}, page aligned, {@code GDT_ENTRIES} = 32) among a kimage's
 * destination pages: the page whose entries {@code GDT_ENTRY_KERNEL_CS} (12), {@code KERNEL_DS} (13),
 * {@code DEFAULT_USER_CS} (14) and {@code DEFAULT_USER_DS} (15) are the flat 4 GiB descriptors Linux sets up
 * (ignoring the accessed bit). Used to give a merged-protocol peer back "a usable GDT" on re-entry: Linux 6.1's
 * 32-bit relocate_kernel zaps the GDTR before jumping out and does not restore it, while its
 * {@code restore_processor_state} loads SS and then runs {@code ltr} with whatever GDTR it finds.
 */
final class PeerGdt {
    /** The limit of a Linux i386 GDT: 32 entries. */
    static final int LIMIT = 32 * 8 - 1;
    private static final long[] FLAT = {0x00cf9a000000ffffL, 0x00cf92000000ffffL, 0x00cffa000000ffffL,
        0x00cff2000000ffffL};
    private static final long ACCESSED = 1L << 40;

    private PeerGdt() {
    }

    /** The physical address of the one page that holds such a GDT, or 0 when none or several do. */
    static int find(PhysicalMemory mem, List<long[]> pagePairs) {
        int found = 0;
        for (long[] p : pagePairs) {
            int page = (int) p[0];
            if (isGdt(mem, page)) {
                if (found != 0) {
                    return 0;
                }
                found = page;
            }
        }
        return found;
    }

    private static boolean isGdt(PhysicalMemory mem, int page) {
        for (int i = 0; i < FLAT.length; i++) {
            int at = page + (12 + i) * 8;
            long d = (mem.read32(at) & 0xFFFFFFFFL) | (long) mem.read32(at + 4) << 32;
            if ((d & ~ACCESSED) != FLAT[i]) {
                return false;
            }
        }
        return true;
    }
}
