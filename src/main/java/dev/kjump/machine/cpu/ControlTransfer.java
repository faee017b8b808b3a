package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

/**
 * Control transfer: near and far JMP, CALL and RET, Jcc, LOOP/LOOPE/LOOPNE and JECXZ, and the indirect forms
 * of group 5. With a 66 prefix a near target is truncated to 16 bits, as the hardware does. Interrupts and
 * IRET are in {@link Exceptions}.
 */
final class ControlTransfer {
    private ControlTransfer() {
    }

    /** EIP for a near transfer to {@code target}. */
    private static int near(boolean os16, int target) {
        return os16 ? target & 0xFFFF : target;
    }

    /** JMP rel8/rel16/rel32. */
    static void jumpRelative(ArchState s, boolean os16, int disp) {
        s.eip = near(os16, s.eip + disp);
    }

    /** Jcc rel8/rel16/rel32 on condition {@code cc}. */
    static void jumpIf(ArchState s, boolean os16, int cc, int disp) {
        if (s.cond(cc)) {
            jumpRelative(s, os16, disp);
        }
    }

    /** JMP r/m (near indirect). */
    static void jumpNear(ArchState s, boolean os16, int target) {
        s.eip = near(os16, target);
    }

    /** CALL rel16/rel32. */
    static void callRelative(ArchState s, boolean os16, int disp) {
        Stack.push(s, os16, s.eip);
        jumpRelative(s, os16, disp);
    }

    /** CALL r/m (near indirect). */
    static void callNear(ArchState s, boolean os16, int target) {
        Stack.push(s, os16, s.eip);
        s.eip = near(os16, target);
    }

    /** RET and RET imm16: pops EIP, then releases {@code release} bytes of arguments. */
    static void returnNear(ArchState s, boolean os16, int release) {
        int t = Stack.pop(s, os16);
        s.r[ESP] += release;
        s.eip = near(os16, t);
    }

    /** JMP ptr16:32 and JMP m16:32, to a code segment at the same privilege (no call gates or tasks). */
    static void jumpFar(ArchState s, int selector, int offset) {
        Segments.loadCs(s, selector, Segments.sameLevelCode(s, selector), s.cpl);
        s.eip = offset;
    }

    /** CALL ptr16:32 and CALL m16:32: pushes CS and EIP (ESP as it was when a push faults). */
    static void callFar(ArchState s, boolean os16, int selector, int offset) {
        long cs = Segments.sameLevelCode(s, selector);
        int sp = s.r[ESP];
        try {
            Stack.push(s, os16, s.segSel[CS]);
            Stack.push(s, os16, s.eip);
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
        Segments.loadCs(s, selector, cs, s.cpl);
        s.eip = offset;
    }

    /**
     * RETF and RETF imm16: pops EIP and CS, releases the arguments and, returning to an outer level, pops ESP
     * and SS (and releases the arguments on the outer stack too). ESP is left as it was when a load faults.
     */
    static void returnFar(ArchState s, boolean os16, int release) {
        int sp = s.r[ESP];
        try {
            int t = Stack.pop(s, os16);
            int sel = Stack.pop(s, os16) & 0xFFFF;
            long cs = returnCode(s, sel);
            s.r[ESP] += release;
            returnTo(s, os16, sel, cs, release);
            s.eip = t;
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
    }

    /**
     * The code segment a far return (RETF, IRET) pops: its RPL is the level returned to, not inner to the CPL; a
     * nonconforming segment's DPL equals it, a conforming one's is not above it.
     */
    static long returnCode(ArchState s, int sel) {
        int level = sel & 3;
        if (level < s.cpl) {
            throw Exceptions.gp(s, sel & 0xFFFC);
        }
        long cs = Segments.codeDescriptor(s, sel);
        if (Segments.conforming(cs) ? Segments.dpl(cs) > level : Segments.dpl(cs) != level) {
            throw Exceptions.gp(s, sel & 0xFFFC);
        }
        return cs;
    }

    /**
     * Loads the CS a far return popped ({@link #returnCode}); returning to an outer level it also pops ESP and SS
     * (releasing {@code release} bytes of arguments on the outer stack too) and nulls the data segment registers the
     * outer level may not use.
     */
    static void returnTo(ArchState s, boolean os16, int sel, long cs, int release) {
        int level = sel & 3;
        if (level > s.cpl) {
            int newEsp = Stack.pop(s, os16);
            int newSs = Stack.pop(s, os16) & 0xFFFF;
            long ss = Segments.stackDescriptor(s, newSs, level, V_GP);
            Segments.loadCs(s, sel, cs, level);
            Segments.loadSs(s, newSs, ss);
            s.r[ESP] = newEsp + release;
            Segments.dropInaccessible(s);
        } else {
            Segments.loadCs(s, sel, cs, level);
        }
    }

    /** LOOPNE (E0), LOOPE (E1), LOOP (E2): decrement ECX, jump while it is non-zero (and ZF as asked). */
    static void loop(ArchState s, Insn d) {
        int c = Strings.count(s, d) - 1;
        Strings.setCount(s, d, c);
        if ((c & d.eaMask) != 0 && (d.op == 0xE2 || (d.op == 0xE1) == s.zf())) {
            jumpRelative(s, d.os16, d.imm);
        }
    }

    /** JECXZ (JCXZ with a 67 prefix). */
    static void jumpIfEcxZero(ArchState s, Insn d) {
        if (Strings.count(s, d) == 0) {
            jumpRelative(s, d.os16, d.imm);
        }
    }

    /** Group 5 (FF /2../5): CALL and JMP, near and far, through a register or memory operand. */
    static void group5Transfer(ArchState s, Insn d, int osz) {
        switch (d.reg) {
            case 2 -> callNear(s, d.os16, Operands.readRm(s, d, osz));
            case 4 -> jumpNear(s, d.os16, Operands.readRm(s, d, osz));
            default -> {
                if (d.mod == 3) {
                    throw Exceptions.ud(s);
                }
                int lin = Operands.ea(s, d);
                int off = d.os16 ? Operands.rd16(s, lin) : Operands.rd32(s, lin);
                int sel = Operands.rd16(s, lin + osz);
                if (d.reg == 3) {
                    callFar(s, d.os16, sel, off);
                } else {
                    jumpFar(s, sel, off);
                }
            }
        }
    }
}
