package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * The stack: PUSH and POP by operand size, PUSHA/POPA and ENTER, each leaving ESP as it was when a
 * memory access faults.
 */
final class Stack {
    private Stack() {
    }

    static void push32(ArchState s, int v) {
        int sp = s.r[ESP] - 4;
        Operands.wr32(s, s.segBase[SS] + sp, v);
        s.r[ESP] = sp;
    }

    static void push16(ArchState s, int v) {
        int sp = s.r[ESP] - 2;
        Operands.wr16(s, s.segBase[SS] + sp, v);
        s.r[ESP] = sp;
    }

    static void push(ArchState s, boolean os16, int v) {
        if (os16) {
            push16(s, v);
        } else {
            push32(s, v);
        }
    }

    static int pop32(ArchState s) {
        int v = Operands.rd32(s, s.segBase[SS] + s.r[ESP]);
        s.r[ESP] += 4;
        return v;
    }

    static int pop16(ArchState s) {
        int v = Operands.rd16(s, s.segBase[SS] + s.r[ESP]);
        s.r[ESP] += 2;
        return v;
    }

    static int pop(ArchState s, boolean os16) {
        return os16 ? pop16(s) : pop32(s);
    }

    static void pusha(ArchState s, boolean os16) {
        int sp = s.r[ESP];
        int osz = os16 ? 2 : 4;
        try {
            for (int i = 0; i < 8; i++) {
                push(s, os16, i == ESP ? sp : Operands.getReg(s, osz, i));
            }
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
    }

    static void popa(ArchState s, boolean os16) {
        int osz = os16 ? 2 : 4;
        int base = s.segBase[SS] + s.r[ESP];
        Operands.rd(s, osz, base); // fault before any register changes
        Operands.rd(s, osz, base + 7 * osz);
        for (int i = 0; i < 8; i++) {
            int reg = 7 - i;
            if (reg != ESP) {
                Operands.setReg(s, osz, reg, Operands.rd(s, osz, base + i * osz));
            }
        }
        s.r[ESP] += 8 * osz;
    }

    static void enter(ArchState s, Insn d) {
        int size = d.imm & 0xFFFF;
        int level = d.imm2 & 0x1F;
        boolean os16 = d.os16;
        int osz = os16 ? 2 : 4;
        int sp = s.r[ESP];
        int bp = s.r[EBP];
        try {
            push(s, os16, s.r[EBP]);
            int frame = s.r[ESP];
            if (level > 0) {
                int b = bp;
                for (int i = 1; i < level; i++) {
                    b -= osz;
                    push(s, os16, Operands.rd(s, osz, s.segBase[SS] + b));
                }
                push(s, os16, frame);
            }
            Operands.setReg(s, osz, EBP, frame);
            s.r[ESP] -= size;
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            s.r[EBP] = bp;
            throw f;
        }
    }

    /** POP r16/r32 (58+r). */
    static void popReg(ArchState s, boolean os16, int reg) {
        int v = pop(s, os16);
        Operands.setReg(s, os16 ? 2 : 4, reg, v);
    }

    /** LEAVE: ESP = EBP, then POP EBP (ESP as it was when the pop faults). */
    static void leave(ArchState s, boolean os16) {
        int sp = s.r[ESP];
        s.r[ESP] = s.r[EBP];
        try {
            Operands.setReg(s, os16 ? 2 : 4, EBP, pop(s, os16));
        } catch (CpuFault f) {
            s.r[ESP] = sp;
            throw f;
        }
    }
}
