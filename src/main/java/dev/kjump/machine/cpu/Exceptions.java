package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

/**
 * Exceptions and interrupts: delivery through the IDT (interrupt and trap gates, gate DPL checks for software
 * interrupts, the TSS stack switch from ring 3 to ring 0) with the Intel SDM's double- and triple-fault
 * escalation; external interrupts; INT n / INT3 / INTO; IRET, including the return to an outer level; and
 * the faults the other parts raise (#GP, #UD, and the privilege checks of ring-0-only instructions).
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

    /** How an event reaches the IDT: raised by the CPU, an external interrupt, or INT n/INT3/INTO. */
    enum Source {
        EXCEPTION, EXTERNAL, SOFTWARE
    }

    /**
     * Delivers an exception through the IDT, escalating to #DF and a triple fault as the Intel SDM's table
     * says. Returns false on a triple fault.
     */
    static boolean deliverException(ArchState s, int vector, boolean hasErr, int err, int retEip, int depth) {
        if (depth > 4) {
            return false;
        }
        try {
            deliver(s, vector, hasErr, err, retEip, Source.EXCEPTION);
            return true;
        } catch (CpuFault f2) {
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

    /**
     * Delivers {@code vector} through its IDT gate: checks the gate (a software interrupt needs gate DPL >= CPL),
     * switches to the ring-0 stack from the TSS when coming from ring 3 (pushing SS and ESP), pushes EFLAGS,
     * CS, EIP (and the error code), and enters the handler. A fault while doing so leaves the CPU as it was.
     */
    static void deliver(ArchState s, int vector, boolean hasErr, int err, int retEip, Source source) {
        int off = vector << 3;
        int ext = source == Source.SOFTWARE ? 0 : 1;
        int gateCode = off | 2 | ext;
        if (off + 7 > s.idtLimit) {
            throw s.fault.set(V_GP, true, gateCode);
        }
        int lo = Operands.rd32System(s, s.idtBase + off);
        int hi = Operands.rd32System(s, s.idtBase + off + 4);
        int type = (hi >>> 8) & 0x1F;
        if (type != 0xE && type != 0xF) {
            throw s.fault.set(V_GP, true, gateCode); // no task gates, no 16-bit gates
        }
        if (source == Source.SOFTWARE && ((hi >>> 13) & 3) < s.cpl) {
            throw s.fault.set(V_GP, true, off | 2);
        }
        if ((hi & 0x8000) == 0) {
            throw s.fault.set(V_NP, true, gateCode);
        }
        int selector = lo >>> 16;
        int target = (lo & 0xFFFF) | (hi & 0xFFFF0000);
        if ((selector & 0xFFFC) == 0) {
            throw s.fault.set(V_GP, true, ext);
        }
        long cs = Segments.codeDescriptor(s, selector);
        int level = Segments.conforming(cs) ? s.cpl : Segments.dpl(cs);
        if (level > s.cpl) {
            throw s.fault.set(V_GP, true, (selector & 0xFFFC) | ext);
        }
        int fl = s.eflags();
        int oldCpl = s.cpl;
        int oldEsp = s.r[ESP];
        int oldSs = s.segSel[SS];
        int oldSsBase = s.segBase[SS], oldSsLimit = s.segLimit[SS], oldSsAttr = s.segAttr[SS];
        try {
            if (level < oldCpl) {
                // inner level: the stack from the TSS, then the old SS:ESP on it
                int newSs = tssStackSelector(s, level, ext);
                int newEsp = tssStackPointer(s, level);
                long ssDesc = Segments.stackDescriptor(s, newSs, level, V_TS);
                s.setCpl(level);
                Segments.loadSs(s, newSs, ssDesc);
                s.r[ESP] = newEsp;
                Stack.push32(s, oldSs);
                Stack.push32(s, oldEsp);
            }
            Stack.push32(s, fl);
            Stack.push32(s, s.segSel[CS]);
            Stack.push32(s, retEip);
            if (hasErr) {
                Stack.push32(s, err);
            }
        } catch (CpuFault f) {
            s.setCpl(oldCpl);
            s.segSel[SS] = oldSs;
            s.segBase[SS] = oldSsBase;
            s.segLimit[SS] = oldSsLimit;
            s.segAttr[SS] = oldSsAttr;
            s.r[ESP] = oldEsp;
            throw f;
        }
        Segments.loadCs(s, selector, cs, level);
        int nf = fl & ~(TF | NT | RF | VM);
        if (type == 0xE) {
            nf &= ~IF;
        }
        s.setEflags(nf);
        s.eip = target;
    }

    /** The TSS must hold the 32-bit stack pointer pair of {@code level}: #TS(TR) when it is too short. */
    private static void checkTss(ArchState s, int level, int ext) {
        if ((s.trSel & 0xFFFC) == 0 || 8 * level + 9 > (s.trLimit & 0xFFFFFFFFL)) {
            throw s.fault.set(V_TS, true, (s.trSel & 0xFFFC) | ext);
        }
    }

    private static int tssStackSelector(ArchState s, int level, int ext) {
        checkTss(s, level, ext);
        return Operands.rd32System(s, s.trBase + 8 * level + 8) & 0xFFFF;
    }

    private static int tssStackPointer(ArchState s, int level) {
        return Operands.rd32System(s, s.trBase + 8 * level + 4);
    }

    /** An external interrupt (from the interrupt controller) with the current EIP as the return address. */
    static void externalInterrupt(ArchState s, int vector) {
        deliver(s, vector, false, 0, s.eip, Source.EXTERNAL);
    }

    static CpuFault gp(ArchState s, int code) {
        return s.fault.set(V_GP, true, code);
    }

    static CpuFault ud(ArchState s) {
        return s.fault.set(V_UD, false, 0);
    }

    /** A ring-0-only instruction (HLT, LGDT, MOV CR, RDMSR, ...): #GP(0) at CPL > 0. */
    static void requireCpl0(ArchState s) {
        if (s.cpl != 0) {
            throw gp(s, 0);
        }
    }

    /** CLI, STI (and port I/O without a TSS I/O bitmap): #GP(0) when CPL > IOPL. */
    static void requireIopl(ArchState s) {
        if (s.cpl > s.iopl()) {
            throw gp(s, 0);
        }
    }

    /**
     * INT n, INT3, INTO: delivers {@code vector} with the next instruction's EIP. A fault while doing so
     * (gate DPL below CPL, gate beyond the IDT limit or not present, stack not writable) is a fault of this
     * instruction: the run loop delivers it with EIP at the INT.
     */
    static void softwareInterrupt(ArchState s, int vector) {
        deliver(s, vector, false, 0, s.eip, Source.SOFTWARE);
    }

    /**
     * IRET: pops EIP, CS, EFLAGS and, returning to an outer level, ESP and SS (then data segment registers the
     * outer level may not use are nulled). EFLAGS follow the privilege rules: IOPL changes only at CPL 0, IF
     * only when CPL <= IOPL. ESP is left as it was when a load faults. No task return (NT set: #GP).
     */
    static void iret(ArchState s, Insn d) {
        if ((s.flags & NT) != 0) {
            throw gp(s, 0); // task return: no task support
        }
        int sp = s.r[ESP];
        try {
            int t = Stack.pop(s, d.os16);
            int sel = Stack.pop(s, d.os16) & 0xFFFF;
            int fl = Stack.pop(s, d.os16);
            long cs = ControlTransfer.returnCode(s, sel);
            int oldCpl = s.cpl;
            int cur = s.eflags();
            if (d.os16) {
                fl = (cur & 0xFFFF0000) | (fl & 0xFFFF);
            }
            ControlTransfer.returnTo(s, d.os16, sel, cs, 0);
            s.setEflags(poppedFlags(s, cur, fl, oldCpl));
            s.eip = t;
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
    }

    /**
     * EFLAGS as POPF and IRET load them at privilege {@code cpl}: IOPL only at CPL 0, IF only when CPL <= IOPL,
     * VM and RF never (no virtual-8086 mode).
     */
    static int poppedFlags(ArchState s, int cur, int v, int cpl) {
        int mask = ArchState.POPF_MASK;
        if (cpl > 0) {
            mask &= ~IOPL;
        }
        if (cpl > ((cur >>> 12) & 3)) {
            mask &= ~IF;
        }
        return (cur & ~mask) | (v & mask);
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
