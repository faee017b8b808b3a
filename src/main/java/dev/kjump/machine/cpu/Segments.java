package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

/**
 * Segment registers and descriptors: GDT descriptor reads and checks, the accessed bit, and loads of the
 * segment registers with their descriptor cache (MOV/POP Sreg, and CS for far transfers, interrupts and IRET).
 */
final class Segments {
    private Segments() {
    }

    /** Descriptor high-dword bits. */
    private static final int D_ACCESSED = 0x100, D_WRITABLE_READABLE = 0x200, D_CODE = 0x800, D_S = 0x1000,
            D_PRESENT = 0x8000, D_GRANULARITY = 0x800000;

    /** The 8-byte GDT descriptor {@code selector} names (#GP when outside the GDT; there is no LDT). */
    static long readDescriptor(ArchState s, int selector) {
        if ((selector & 4) != 0) {
            throw Exceptions.gp(s, selector & 0xFFFC); // no LDT support
        }
        int idx = selector & 0xFFF8;
        if (idx + 7 > s.gdtLimit) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        int lo = Operands.rd32(s, s.gdtBase + idx);
        int hi = Operands.rd32(s, s.gdtBase + idx + 4);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    static int descBase(long d) {
        int lo = (int) d;
        int hi = (int) (d >>> 32);
        return (lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
    }

    /** The limit in bytes minus one, granularity applied. */
    static int descLimit(long d) {
        int lo = (int) d;
        int hi = (int) (d >>> 32);
        int limit = (lo & 0xFFFF) | (hi & 0xF0000);
        return (hi & D_GRANULARITY) != 0 ? (limit << 12) | 0xFFF : limit;
    }

    /** Descriptor bits 8-23 of the high dword: type, S, DPL, P, AVL, D/B, G. */
    static int descAttributes(long d) {
        return ((int) (d >>> 32) >>> 8) & 0xF0FF;
    }

    /** Sets the descriptor's accessed bit in the GDT (when clear); returns the descriptor as now in memory. */
    private static long markAccessed(ArchState s, int selector, long d) {
        int hi = (int) (d >>> 32);
        if ((hi & D_ACCESSED) == 0) {
            Operands.wr32(s, s.gdtBase + (selector & 0xFFF8) + 4, hi | D_ACCESSED);
        }
        return d | ((long) D_ACCESSED << 32);
    }

    /** Fills segment register {@code seg} and its descriptor cache. */
    private static void setSegment(ArchState s, int seg, int selector, long d) {
        s.segSel[seg] = selector;
        s.segBase[seg] = descBase(d);
        s.segLimit[seg] = descLimit(d);
        s.segAttr[seg] = descAttributes(d);
    }

    /**
     * The code segment descriptor a far transfer to {@code selector} would load, checked (a present code segment)
     * and marked accessed; {@link #loadCs} then loads it once the transfer can no longer fault.
     */
    static long codeDescriptor(ArchState s, int selector) {
        if ((selector & 0xFFFC) == 0) {
            throw Exceptions.gp(s, 0);
        }
        long d = readDescriptor(s, selector);
        int hi = (int) (d >>> 32);
        if ((hi & (D_S | D_CODE)) != (D_S | D_CODE)) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        if ((hi & D_PRESENT) == 0) {
            throw s.fault.set(V_NP, true, selector & 0xFFFC);
        }
        return markAccessed(s, selector, d);
    }

    /** Loads CS from a descriptor {@link #codeDescriptor} checked. */
    static void loadCs(ArchState s, int selector, long d) {
        setSegment(s, CS, selector & 0xFFFC, d);
    }

    /** Loads data/stack segment register {@code seg} from the GDT, as MOV Sreg / POP Sreg do. */
    static void loadDataSegment(ArchState s, int seg, int selector) {
        selector &= 0xFFFF;
        if ((selector & 0xFFFC) == 0) {
            if (seg == SS) {
                throw Exceptions.gp(s, 0);
            }
            s.segSel[seg] = selector;
            s.segBase[seg] = 0;
            s.segLimit[seg] = 0;
            s.segAttr[seg] = 0;
            return;
        }
        long d = readDescriptor(s, selector);
        int hi = (int) (d >>> 32);
        boolean codeOrData = (hi & D_S) != 0;
        boolean code = (hi & D_CODE) != 0;
        boolean writable = !code && (hi & D_WRITABLE_READABLE) != 0;
        boolean readable = !code || (hi & D_WRITABLE_READABLE) != 0;
        if (!codeOrData || (seg == SS && !writable) || !readable) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        if ((hi & D_PRESENT) == 0) {
            throw s.fault.set(seg == SS ? V_SS : V_NP, true, selector & 0xFFFC);
        }
        setSegment(s, seg, selector, markAccessed(s, selector, d));
    }

    /** POP Sreg: ESP is left as it was when the load faults. */
    static void popSegment(ArchState s, Insn d, int seg) {
        int sp = s.r[ESP];
        int v = Stack.pop(s, d.os16);
        try {
            loadDataSegment(s, seg, v & 0xFFFF);
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
    }
}
