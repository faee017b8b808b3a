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

    /** JMP ptr16:32 and JMP m16:32. */
    static void jumpFar(ArchState s, int selector, int offset) {
        Segments.loadCs(s, selector, Segments.codeDescriptor(s, selector));
        s.eip = offset;
    }

    /** CALL ptr16:32 and CALL m16:32: pushes CS and EIP (ESP as it was when a push faults). */
    static void callFar(ArchState s, boolean os16, int selector, int offset) {
        long cs = Segments.codeDescriptor(s, selector);
        int sp = s.r[ESP];
        try {
            Stack.push(s, os16, s.segSel[CS]);
            Stack.push(s, os16, s.eip);
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
        Segments.loadCs(s, selector, cs);
        s.eip = offset;
    }

    /** RETF and RETF imm16: pops EIP and CS (ESP as it was when the CS load faults), then releases arguments. */
    static void returnFar(ArchState s, boolean os16, int release) {
        int sp = s.r[ESP];
        int t = Stack.pop(s, os16);
        int sel = Stack.pop(s, os16) & 0xFFFF;
        try {
            Segments.loadCs(s, sel, Segments.codeDescriptor(s, sel));
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
        s.r[ESP] += release;
        s.eip = t;
    }

    /** LOOPNE (E0), LOOPE (E1), LOOP (E2): decrement ECX, jump while it is non-zero (and ZF as asked). */
    static void loop(ArchState s, Insn d) {
        int c = s.r[ECX] - 1;
        s.r[ECX] = c;
        if (c != 0 && (d.op == 0xE2 || (d.op == 0xE1) == s.zf())) {
            jumpRelative(s, d.os16, d.imm);
        }
    }

    /** JECXZ. */
    static void jumpIfEcxZero(ArchState s, Insn d) {
        if (s.r[ECX] == 0) {
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
