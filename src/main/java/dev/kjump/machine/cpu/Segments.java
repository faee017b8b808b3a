package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

/**
 * Segment registers and descriptors: GDT/LDT descriptor reads and checks, the accessed bit, loads of the
 * segment registers with their descriptor cache and privilege checks (MOV/POP Sreg, LDS/LES/LFS/LGS/LSS, CS
 * and SS for far transfers, interrupts and IRET), the LDT and task registers (group 6: SLDT STR LLDT LTR VERR
 * VERW), LAR, LSL and ARPL. Descriptor-table accesses are supervisor accesses whatever the CPL.
 */
final class Segments {
    private Segments() {
    }

    /** Descriptor high-dword bits. */
    static final int D_ACCESSED = 0x100, D_RW = 0x200, D_CONFORMING = 0x400, D_CODE = 0x800, D_S = 0x1000,
            D_PRESENT = 0x8000, D_GRANULARITY = 0x800000;

    /** The DPL of a descriptor. */
    static int dpl(long d) {
        return (int) (d >>> 45) & 3;
    }

    /** True for a conforming code segment's descriptor. */
    static boolean conforming(long d) {
        return (hi(d) & (D_S | D_CODE | D_CONFORMING)) == (D_S | D_CODE | D_CONFORMING);
    }

    /**
     * True when the current privilege may not use the segment {@code selector} names: a DPL below the CPL or the
     * RPL, unless the segment is conforming code (data loads, LAR, LSL, VERR and VERW apply this rule).
     */
    private static boolean deniedAt(ArchState s, int selector, long d) {
        return !conforming(d) && (dpl(d) < s.cpl || dpl(d) < (selector & 3));
    }

    private static int hi(long d) {
        return (int) (d >>> 32);
    }

    /** True when {@code selector}'s descriptor lies within the table it names (GDT, or the LDT when loaded). */
    private static boolean inTable(ArchState s, int selector) {
        long end = (selector & 0xFFF8) + 7L;
        if ((selector & 4) != 0) {
            return (s.ldtrSel & 0xFFFC) != 0 && end <= (s.ldtrLimit & 0xFFFFFFFFL);
        }
        return end <= (s.gdtLimit & 0xFFFFFFFFL);
    }

    private static int tableBase(ArchState s, int selector) {
        return ((selector & 4) != 0 ? s.ldtrBase : s.gdtBase) + (selector & 0xFFF8);
    }

    /** The 8-byte descriptor {@code selector} names (#GP(selector) outside its table). */
    static long readDescriptor(ArchState s, int selector) {
        if (!inTable(s, selector)) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        int at = tableBase(s, selector);
        int lo = Operands.rd32System(s, at);
        int hi = Operands.rd32System(s, at + 4);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    static int descBase(long d) {
        int lo = (int) d;
        int hi = hi(d);
        return (lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
    }

    /** The limit in bytes minus one, granularity applied. */
    static int descLimit(long d) {
        int lo = (int) d;
        int hi = hi(d);
        int limit = (lo & 0xFFFF) | (hi & 0xF0000);
        return (hi & D_GRANULARITY) != 0 ? (limit << 12) | 0xFFF : limit;
    }

    /** Descriptor bits 8-23 of the high dword: type, S, DPL, P, AVL, D/B, G. */
    static int descAttributes(long d) {
        return (hi(d) >>> 8) & 0xF0FF;
    }

    /** Sets the descriptor's accessed bit in its table (when clear); returns the descriptor as now in memory. */
    private static long markAccessed(ArchState s, int selector, long d) {
        if ((hi(d) & D_ACCESSED) == 0) {
            Operands.wr32System(s, tableBase(s, selector) + 4, hi(d) | D_ACCESSED);
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

    /** Loads a null selector into data segment register {@code seg} (any use then faults on real hardware). */
    private static void setNull(ArchState s, int seg, int selector) {
        s.segSel[seg] = selector;
        s.segBase[seg] = 0;
        s.segLimit[seg] = 0;
        s.segAttr[seg] = 0;
    }

    /**
     * The code segment descriptor {@code selector} names, checked to be a present code segment and marked
     * accessed; the caller checks privilege and loads it with {@link #loadCs} once the transfer cannot fault.
     */
    static long codeDescriptor(ArchState s, int selector) {
        if ((selector & 0xFFFC) == 0) {
            throw Exceptions.gp(s, 0);
        }
        long d = readDescriptor(s, selector);
        if ((hi(d) & (D_S | D_CODE)) != (D_S | D_CODE)) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        if ((hi(d) & D_PRESENT) == 0) {
            throw s.fault.set(V_NP, true, selector & 0xFFFC);
        }
        return markAccessed(s, selector, d);
    }

    /** A far JMP/CALL target at the same privilege: nonconforming code needs RPL <= CPL and DPL == CPL. */
    static long sameLevelCode(ArchState s, int selector) {
        long d = codeDescriptor(s, selector);
        if (conforming(d) ? dpl(d) > s.cpl : (selector & 3) > s.cpl || dpl(d) != s.cpl) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        return d;
    }

    /** Loads CS from a checked descriptor at privilege level {@code level} (CS.RPL = CPL = level). */
    static void loadCs(ArchState s, int selector, long d, int level) {
        setSegment(s, CS, (selector & 0xFFFC) | level, d);
        if (level != s.cpl) {
            s.setCpl(level);
        }
    }

    /**
     * The stack segment descriptor for SS at privilege {@code level}: RPL and DPL equal to it, a present
     * writable data segment ({@code faultVector}: #GP for MOV/POP SS and returns, #TS for a stack switch).
     */
    static long stackDescriptor(ArchState s, int selector, int level, int faultVector) {
        if ((selector & 0xFFFC) == 0) {
            throw s.fault.set(faultVector, true, 0);
        }
        long d = readDescriptor(s, selector);
        int h = hi(d);
        if ((selector & 3) != level || dpl(d) != level || (h & (D_S | D_CODE | D_RW)) != (D_S | D_RW)) {
            throw s.fault.set(faultVector, true, selector & 0xFFFC);
        }
        if ((h & D_PRESENT) == 0) {
            throw s.fault.set(V_SS, true, selector & 0xFFFC);
        }
        return markAccessed(s, selector, d);
    }

    /** Loads SS from a checked descriptor. */
    static void loadSs(ArchState s, int selector, long d) {
        setSegment(s, SS, selector, d);
    }

    /** Loads data/stack segment register {@code seg}, as MOV Sreg / POP Sreg / LDS and friends do. */
    static void loadDataSegment(ArchState s, int seg, int selector) {
        selector &= 0xFFFF;
        if (seg == SS) {
            loadSs(s, selector, stackDescriptor(s, selector, s.cpl, V_GP));
            return;
        }
        if ((selector & 0xFFFC) == 0) {
            setNull(s, seg, selector);
            return;
        }
        long d = readDescriptor(s, selector);
        int h = hi(d);
        boolean code = (h & D_CODE) != 0;
        boolean readable = !code || (h & D_RW) != 0;
        if ((h & D_S) == 0 || !readable || deniedAt(s, selector, d)) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        if ((h & D_PRESENT) == 0) {
            throw s.fault.set(V_NP, true, selector & 0xFFFC);
        }
        setSegment(s, seg, selector, markAccessed(s, selector, d));
    }

    /** On a return to an outer level: data segment registers the new CPL may not use are loaded with null. */
    static void dropInaccessible(ArchState s) {
        for (int seg : new int[] {ES, DS, FS, GS}) {
            int attr = s.segAttr[seg];
            boolean conformingCode = (attr & 0x0C) == 0x0C && (attr & 0x10) != 0;
            int segDpl = (attr >>> 5) & 3;
            if ((s.segSel[seg] & 0xFFFC) != 0 && !conformingCode && segDpl < s.cpl) {
                setNull(s, seg, 0);
            }
        }
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

    /** LDS LES LFS LGS LSS: a far pointer from memory into a segment register and a general register. */
    static void loadFarPointer(ArchState s, Insn d, int seg, int osz) {
        if (d.mod == 3) {
            throw Exceptions.ud(s);
        }
        int lin = Operands.ea(s, d);
        int off = Operands.rd(s, osz, lin);
        int sel = Operands.rd16(s, lin + osz);
        loadDataSegment(s, seg, sel);
        Operands.setReg(s, osz, d.reg, off);
    }

    // ------------------------------------------------------------------ group 6, LAR, LSL, ARPL

    /** Group 6 (0F 00): SLDT STR LLDT LTR VERR VERW. */
    static void group6(ArchState s, Insn d) {
        switch (d.reg) {
            case 0 -> Operands.writeRm(s, d, d.mod == 3 ? (d.os16 ? 2 : 4) : 2, s.ldtrSel);
            case 1 -> Operands.writeRm(s, d, d.mod == 3 ? (d.os16 ? 2 : 4) : 2, s.trSel);
            case 2 -> {
                Exceptions.requireCpl0(s);
                lldt(s, Operands.readRm(s, d, 2));
            }
            case 3 -> {
                Exceptions.requireCpl0(s);
                ltr(s, Operands.readRm(s, d, 2));
            }
            case 4, 5 -> s.setZfOnly(verify(s, Operands.readRm(s, d, 2), d.reg == 5));
            default -> throw Exceptions.ud(s);
        }
    }

    /** LLDT: a null selector disables the LDT; otherwise a present LDT descriptor (type 2) in the GDT. */
    static void lldt(ArchState s, int selector) {
        if ((selector & 0xFFFC) == 0) {
            s.ldtrSel = selector;
            s.ldtrBase = 0;
            s.ldtrLimit = 0;
            return;
        }
        if ((selector & 4) != 0) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        long d = readDescriptor(s, selector);
        if ((hi(d) & (D_S | 0xF00)) != 0x200) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        if ((hi(d) & D_PRESENT) == 0) {
            throw s.fault.set(V_NP, true, selector & 0xFFFC);
        }
        s.ldtrSel = selector;
        s.ldtrBase = descBase(d);
        s.ldtrLimit = descLimit(d);
    }

    /** LTR: an available 16- or 32-bit TSS descriptor in the GDT, which LTR marks busy. */
    static void ltr(ArchState s, int selector) {
        if ((selector & 0xFFFC) == 0 || (selector & 4) != 0) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        long d = readDescriptor(s, selector);
        int type = (hi(d) >>> 8) & 0x1F;
        if (type != 0x09 && type != 0x01) {
            throw Exceptions.gp(s, selector & 0xFFFC);
        }
        if ((hi(d) & D_PRESENT) == 0) {
            throw s.fault.set(V_NP, true, selector & 0xFFFC);
        }
        Operands.wr32System(s, tableBase(s, selector) + 4, hi(d) | 0x200); // busy
        s.trSel = selector;
        s.trBase = descBase(d);
        s.trLimit = descLimit(d);
        s.trAttr = descAttributes(d) | 0x2;
    }

    /**
     * The descriptor LAR/LSL/VERR/VERW look at, or -1 when the selector is null, outside its table or not
     * visible at the current privilege (then ZF is cleared and nothing else changes).
     */
    private static long visibleDescriptor(ArchState s, int selector, boolean systemTypesOk) {
        if ((selector & 0xFFFC) == 0 || !inTable(s, selector)) {
            return -1;
        }
        long d = readDescriptor(s, selector);
        int h = hi(d);
        if ((h & D_S) == 0) {
            int type = (h >>> 8) & 0xF;
            // LAR accepts TSS, LDT and gates; LSL only the types that have a limit
            boolean ok = systemTypesOk ? type == 1 || type == 2 || type == 3 || type == 4 || type == 5 || type == 9
                    || type == 11 || type == 12 : type == 1 || type == 2 || type == 3 || type == 9 || type == 11;
            if (!ok) {
                return -1;
            }
        }
        if (deniedAt(s, selector, d)) {
            return -1;
        }
        return d;
    }

    /** LAR (0F 02): the access rights (descriptor high dword masked with 0x00F0FF00), ZF=1 when visible. */
    static void lar(ArchState s, Insn d, int osz) {
        long desc = visibleDescriptor(s, Operands.readRm(s, d, 2), true);
        if (desc == -1) {
            s.setZfOnly(false);
            return;
        }
        Operands.setReg(s, osz, d.reg, hi(desc) & 0x00F0FF00);
        s.setZfOnly(true);
    }

    /** LSL (0F 03): the segment limit, granularity applied, ZF=1 when visible. */
    static void lsl(ArchState s, Insn d, int osz) {
        long desc = visibleDescriptor(s, Operands.readRm(s, d, 2), false);
        if (desc == -1) {
            s.setZfOnly(false);
            return;
        }
        Operands.setReg(s, osz, d.reg, descLimit(desc));
        s.setZfOnly(true);
    }

    /** VERR/VERW: whether the segment is readable (writable) at the current privilege. */
    private static boolean verify(ArchState s, int selector, boolean write) {
        if ((selector & 0xFFFC) == 0 || !inTable(s, selector)) {
            return false;
        }
        long d = readDescriptor(s, selector);
        int h = hi(d);
        if ((h & D_S) == 0) {
            return false;
        }
        boolean code = (h & D_CODE) != 0;
        if (deniedAt(s, selector, d)) {
            return false;
        }
        return write ? !code && (h & D_RW) != 0 : !code || (h & D_RW) != 0;
    }

    /** ARPL (63): raises the RPL of the r/m selector to the register's, ZF=1 when it changed. */
    static void arpl(ArchState s, Insn d) {
        int dst = Operands.readRm(s, d, 2);
        int src = Operands.getReg(s, 2, d.reg);
        if ((dst & 3) < (src & 3)) {
            Operands.writeRm(s, d, 2, (dst & ~3) | (src & 3));
            s.setZfOnly(true);
        } else {
            s.setZfOnly(false);
        }
    }
}
