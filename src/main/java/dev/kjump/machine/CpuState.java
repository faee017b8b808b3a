package dev.kjump.machine;

/**
 * A snapshot of the CPU's architectural state, as a value: general registers, EIP, EFLAGS, segment
 * selectors with their hidden bases, control registers and descriptor table registers. The kernel's
 * save_processor_state/restore_processor_state and a debugger's register packets use it.
 */
public record CpuState(int[] regs, int eip, int eflags, int[] segSelectors, int[] segBases,
                       int cr0, int cr2, int cr3, int cr4, int gdtBase, int gdtLimit, int idtBase, int idtLimit) {

    /** Compact constructor: copies the arrays so the value is immutable. */
    public CpuState {
        regs = regs.clone();
        segSelectors = segSelectors.clone();
        segBases = segBases.clone();
    }

    /** General register {@code i} (EAX=0, ECX, EDX, EBX, ESP, EBP, ESI, EDI=7). */
    public int reg(int i) {
        return regs[i];
    }

    @Override
    public int[] regs() {
        return regs.clone();
    }

    @Override
    public int[] segSelectors() {
        return segSelectors.clone();
    }

    @Override
    public int[] segBases() {
        return segBases.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuState c && java.util.Arrays.equals(regs, c.regs) && eip == c.eip && eflags == c.eflags
                && java.util.Arrays.equals(segSelectors, c.segSelectors) && java.util.Arrays.equals(segBases, c.segBases)
                && cr0 == c.cr0 && cr2 == c.cr2 && cr3 == c.cr3 && cr4 == c.cr4 && gdtBase == c.gdtBase
                && gdtLimit == c.gdtLimit && idtBase == c.idtBase && idtLimit == c.idtLimit;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(regs) * 31 + eip;
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
