package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.POPF_MASK;
import static dev.kjump.machine.cpu.X86.*;

/**
 * Exceptions and interrupts: delivery through the IDT with the Intel SDM's double- and triple-fault
 * escalation, INT n / INT3 / INTO, IRET, and the faults the other parts raise (#GP, #UD).
 */
final class Exceptions {
    private Exceptions() {
    }

    /**
     * The Intel SDM's exception classes (Vol. 3A, Table 6-5), which decide whether a second exception raised
     * while delivering a first one becomes a double fault.
     */
    enum FaultClass {
        BENIGN, CONTRIBUTORY, PAGE_FAULT, DOUBLE_FAULT;

        static FaultClass of(int vector) {
            return switch (vector) {
                case V_PF -> PAGE_FAULT;
                case V_DF -> DOUBLE_FAULT;
                case V_DE, V_TS, V_NP, V_SS, V_GP -> CONTRIBUTORY;
                default -> BENIGN;
            };
        }
    }

    /**
     * Delivers an exception through the IDT, escalating to #DF and a triple fault as
     * the Intel SDM's table says. Returns false on a triple fault.
     */
    static boolean deliverException(ArchState s, int vector, boolean hasErr, int err, int retEip, int depth) {
        if (depth > 4) {
            return false;
        }
        int savedEsp = s.r[ESP];
        try {
            deliverOnce(s, vector, hasErr, err, retEip, false);
            return true;
        } catch (CpuFault f2) {
            s.r[ESP] = savedEsp;
            int v2 = f2.vector;
            boolean e2 = f2.hasErrorCode;
            int c2 = f2.errorCode;
            FaultClass first = FaultClass.of(vector);
            FaultClass second = FaultClass.of(v2);
            if (first == FaultClass.DOUBLE_FAULT && second != FaultClass.BENIGN) {
                return false; // triple fault
            }
            boolean toDouble = (first == FaultClass.CONTRIBUTORY && second == FaultClass.CONTRIBUTORY)
                    || (first == FaultClass.PAGE_FAULT && second != FaultClass.BENIGN);
            if (toDouble) {
                return deliverException(s, V_DF, true, 0, retEip, depth + 1);
            }
            return deliverException(s, v2, e2, c2, retEip, depth + 1);
        }
    }

    /** Delivers {@code vector} through its IDT gate once: pushes EFLAGS, CS, EIP (and the error code). */
    static void deliverOnce(ArchState s, int vector, boolean hasErr, int err, int retEip, boolean software) {
        int off = vector << 3;
        int ext = software ? 0 : 1;
        if (off + 7 > s.idtLimit) {
            throw s.fault.set(V_GP, true, off | 2 | ext);
        }
        int lo = Operands.rd32(s, s.idtBase + off);
        int hi = Operands.rd32(s, s.idtBase + off + 4);
        int type = (hi >>> 8) & 0x1F;
        if (type != 0xE && type != 0xF) {
            throw s.fault.set(V_GP, true, off | 2 | ext);
        }
        if ((hi & 0x8000) == 0) {
            throw s.fault.set(V_NP, true, off | 2 | ext);
        }
        int selector = lo >>> 16;
        int target = (lo & 0xFFFF) | (hi & 0xFFFF0000);
        long cs = Segments.codeDescriptor(s, selector);
        int fl = s.eflags();
        Stack.push32(s, fl);
        Stack.push32(s, s.segSel[CS]);
        Stack.push32(s, retEip);
        if (hasErr) {
            Stack.push32(s, err);
        }
        Segments.loadCs(s, selector, cs);
        int nf = fl & ~(TF | NT | RF | VM);
        if (type == 0xE) {
            nf &= ~IF;
        }
        s.setEflags(nf);
        s.eip = target;
    }

    static CpuFault gp(ArchState s, int code) {
        return s.fault.set(V_GP, true, code);
    }

    static CpuFault ud(ArchState s) {
        return s.fault.set(V_UD, false, 0);
    }

    /**
     * INT n, INT3, INTO: delivers {@code vector} with the next instruction's EIP. A fault while doing so
     * (gate beyond the IDT limit or not present, stack not writable) is a fault of this instruction: it
     * propagates with the stack pointer restored, so the run loop delivers it with EIP at the INT.
     */
    static void softwareInterrupt(ArchState s, int vector) {
        int sp = s.r[ESP];
        try {
            deliverOnce(s, vector, false, 0, s.eip, true);
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
    }

    /** IRET at ring 0: pops EIP, CS, EFLAGS (ESP as it was when the CS load faults); no task return. */
    static void iret(ArchState s, Insn d) {
        if ((s.flags & NT) != 0) {
            throw gp(s, 0); // task return: no task support
        }
        int sp = s.r[ESP];
        int t = Stack.pop(s, d.os16);
        int sel = Stack.pop(s, d.os16) & 0xFFFF;
        int fl = Stack.pop(s, d.os16);
        try {
            Segments.loadCs(s, sel, Segments.codeDescriptor(s, sel));
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
        int cur = s.eflags();
        if (d.os16) {
            fl = (cur & 0xFFFF0000) | (fl & 0xFFFF);
        }
        s.setEflags((cur & ~POPF_MASK) | (fl & POPF_MASK));
        s.eip = t;
    }

    /** A short name for an exception vector, e.g. {@code "#PF"}. */
    static String vectorName(int v) {
        return switch (v) {
            case V_DE -> "#DE";
            case V_DB -> "#DB";
            case V_BP -> "#BP";
            case V_OF -> "#OF";
            case V_BR -> "#BR";
            case V_UD -> "#UD";
            case V_NM -> "#NM";
            case V_DF -> "#DF";
            case V_TS -> "#TS";
            case V_NP -> "#NP";
            case V_SS -> "#SS";
            case V_GP -> "#GP";
            case V_PF -> "#PF";
            default -> "vector " + v;
        };
    }
}
