package dev.kjump.machine.cpu;

import dev.kjump.machine.PhysicalMemory;
import java.util.Arrays;

/**
 * Where the CPU stops before executing: host entries (physical addresses the caller registered, such as the
 * kernel's jump-back entries) and debugger breakpoints (linear addresses). Guest memory is never modified: the
 * physical addresses are marked in the decode cache as {@link Insn#OP_STOP_POINT}, so the interpreter pays
 * nothing for them until it reaches one, and decides there on its slow path.
 */
final class StopPoints {
    private final PhysicalMemory mem;
    private final Mmu mmu;

    private int[] hostEntries = new int[0];
    /** Debugger breakpoints: linear addresses, and the physical addresses marked as stop points for them. */
    private int[] breakLinear = new int[0];
    private int[] breakPhys = new int[0];
    /** The next run passes a breakpoint at its first instruction (as EFLAGS.RF does). */
    boolean passBreakpoint;

    StopPoints(PhysicalMemory mem, Mmu mmu) {
        this.mem = mem;
        this.mmu = mmu;
    }

    void setHostEntries(int... physAddresses) {
        for (int a : hostEntries) {
            dropDecodes(a);
        }
        hostEntries = physAddresses.clone();
        for (int a : hostEntries) {
            dropDecodes(a);
        }
    }

    void setBreakpoints(int... linear) {
        breakLinear = linear.clone();
        markBreakpoints();
        mmu.setFetchWalkListener(breakLinear.length == 0 ? null : this::fetchMapped);
    }

    /**
     * An instruction fetch mapped a page anew (a kernel filled in a page table entry after a page fault, without
     * touching CR3): breakpoints on that linear page are marked where it now maps, so a breakpoint in code that
     * was not yet mapped when it was set (a user program's entry, say) still stops the CPU.
     */
    private void fetchMapped(int linearPage, int physPage) {
        for (int lin : breakLinear) {
            if ((lin & 0xFFFFF000) == linearPage) {
                int phys = physPage | (lin & 0xFFF);
                if (!contains(breakPhys, phys)) {
                    breakPhys = Arrays.copyOf(breakPhys, breakPhys.length + 1);
                    breakPhys[breakPhys.length - 1] = phys;
                    dropDecodes(phys);
                }
            }
        }
    }

    int[] breakpoints() {
        return breakLinear.clone();
    }

    /**
     * Marks the breakpoints' physical addresses: the identity address (paging off) and, with paging on, where
     * the address maps now. Called again whenever CR0, CR3 or CR4 change.
     */
    void markBreakpoints() {
        if (breakPhys.length == 0 && breakLinear.length == 0) {
            return;
        }
        for (int a : breakPhys) {
            dropDecodes(a);
        }
        int[] phys = new int[breakLinear.length * 2];
        int n = 0;
        for (int lin : breakLinear) {
            phys[n++] = lin;
            long p = mmu.paging ? mmu.probe(lin) : -1;
            if (p >= 0 && (int) p != lin) {
                phys[n++] = (int) p;
            }
        }
        breakPhys = Arrays.copyOf(phys, n);
        for (int a : breakPhys) {
            dropDecodes(a);
        }
    }

    /** True when {@code phys} is a host entry or a breakpoint's physical address (to be marked when decoded). */
    boolean isStopPoint(int phys) {
        return contains(hostEntries, phys) || contains(breakPhys, phys);
    }

    boolean isBreakpoint(int linear) {
        return contains(breakLinear, linear);
    }

    boolean isHostEntry(int phys) {
        return contains(hostEntries, phys);
    }

    private static boolean contains(int[] set, int v) {
        for (int x : set) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private void dropDecodes(int phys) {
        int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
        if (pfn < mem.pageCount()) {
            mem.dropDecodes(pfn);
        }
    }
}
