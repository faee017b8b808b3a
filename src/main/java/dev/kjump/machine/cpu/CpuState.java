package dev.kjump.machine.cpu;

import java.util.Arrays;

/**
 * A snapshot of the CPU's architectural state, as a value: general registers, EIP, EFLAGS, segment
 * selectors with their descriptor cache (bases, limits, attributes), control registers and descriptor table
 * registers. The kernel's save_processor_state/restore_processor_state and a debugger's register packets use it.
 *
 * @param segLimits the segment limits in bytes minus one (-1: 4 GiB)
 * @param segAttributes descriptor bits 8-23 of the high dword (type, S, DPL, P, AVL, D/B, G)
 */
public record CpuState(int[] regs, int eip, int eflags, int[] segSelectors, int[] segBases,
                       int cr0, int cr2, int cr3, int cr4, int gdtBase, int gdtLimit, int idtBase, int idtLimit,
                       int[] segLimits, int[] segAttributes) {

    /** Compact constructor: copies the arrays so the value is immutable. */
    public CpuState {
        regs = regs.clone();
        segSelectors = segSelectors.clone();
        segBases = segBases.clone();
        segLimits = segLimits.clone();
        segAttributes = segAttributes.clone();
    }

    /**
     * A state whose segments are flat 4 GiB ring-0 segments at the given bases (code for CS, writable data for
     * the others), as a loader or the kernel sets them up without a descriptor reload.
     */
    public CpuState(int[] regs, int eip, int eflags, int[] segSelectors, int[] segBases, int cr0, int cr2, int cr3,
                    int cr4, int gdtBase, int gdtLimit, int idtBase, int idtLimit) {
        this(regs, eip, eflags, segSelectors, segBases, cr0, cr2, cr3, cr4, gdtBase, gdtLimit, idtBase, idtLimit,
                flatLimits(), flatAttributes());
    }

    private static int[] flatLimits() {
        int[] l = new int[6];
        Arrays.fill(l, -1);
        return l;
    }

    private static int[] flatAttributes() {
        int[] a = new int[6];
        Arrays.fill(a, ArchState.FLAT_DATA_ATTR);
        a[X86.CS] = ArchState.FLAT_CODE_ATTR;
        return a;
    }

    /** General register {@code i} (EAX=0, ECX, EDX, EBX, ESP, EBP, ESI, EDI=7). */
    public int reg(int i) {
        return regs[i];
    }

    // the arrays are copied out, so the value stays immutable
    @Override public int[] regs() { return regs.clone(); }
    @Override public int[] segSelectors() { return segSelectors.clone(); }
    @Override public int[] segBases() { return segBases.clone(); }
    @Override public int[] segLimits() { return segLimits.clone(); }
    @Override public int[] segAttributes() { return segAttributes.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuState c && Arrays.equals(regs, c.regs) && eip == c.eip && eflags == c.eflags
                && Arrays.equals(segSelectors, c.segSelectors) && Arrays.equals(segBases, c.segBases)
                && Arrays.equals(segLimits, c.segLimits) && Arrays.equals(segAttributes, c.segAttributes)
                && cr0 == c.cr0 && cr2 == c.cr2 && cr3 == c.cr3 && cr4 == c.cr4 && gdtBase == c.gdtBase
                && gdtLimit == c.gdtLimit && idtBase == c.idtBase && idtLimit == c.idtLimit;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs) * 31 + eip;
    }

    @Override
    public String toString() {
        String[] names = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("%s=%08x ", names[i], regs[i]));
        }
        sb.append(String.format("eip=%08x eflags=%08x cs=%04x ds=%04x ss=%04x cr0=%08x cr2=%08x cr3=%08x cr4=%08x",
                eip, eflags, segSelectors[1], segSelectors[3], segSelectors[2], cr0, cr2, cr3, cr4));
        return sb.toString();
    }
}
