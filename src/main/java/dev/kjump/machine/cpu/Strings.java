package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * The string instructions MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE.
 */
final class Strings {
    private Strings() {
    }

    /**
     * Iterations a REP string instruction runs per execution; with ECX still non-zero the instruction is run
     * again (EIP stays on it), so budgets, timeouts and debugger interrupts take effect inside a long REP,
     * as interrupts do on hardware.
     */
    static final int REP_CHUNK = 1 << 16;

    /** The string instructions, as {@link #string} runs them. */
    static final int MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4, INS = 5, OUTS = 6;

    static int step(ArchState s, int size) {
        return (s.flags & DF) != 0 ? -size : size;
    }

    static void repAgain(ArchState s, Insn d) {
        if (count(s, d) != 0) {
            s.eip -= d.len;
        }
    }

    /** The count register: ECX, or CX with a 67 prefix. */
    static int count(ArchState s, Insn d) {
        return s.r[ECX] & d.eaMask;
    }

    /** Sets the count register (CX alone with a 67 prefix). */
    static void setCount(ArchState s, Insn d, int v) {
        s.r[ECX] = (s.r[ECX] & ~d.eaMask) | (v & d.eaMask);
    }

    /** Adds {@code step} to index register {@code reg} (SI or DI alone, wrapping at 64 KiB, with a 67 prefix). */
    private static void advance(ArchState s, Insn d, int reg, int step) {
        s.r[reg] = (s.r[reg] & ~d.eaMask) | ((s.r[reg] + step) & d.eaMask);
    }

    /**
     * A string instruction: one step, or with a REP prefix steps while ECX is non-zero (CMPS and SCAS also while
     * ZF says equal for REPE, not equal for REPNE), at most {@link #REP_CHUNK} per execution. Each step updates
     * ESI/EDI (and ECX) only after its memory and port accesses succeed, so a fault restarts it cleanly.
     */
    static void string(ArchState s, Insn d, int kind, int size) {
        if (d.rep == 0) {
            stringStep(s, d, kind, size);
            return;
        }
        boolean compares = kind == CMPS || kind == SCAS;
        boolean whileEqual = d.rep == 0xF3;
        for (int n = 0; count(s, d) != 0; n++) {
            if (n == REP_CHUNK) {
                repAgain(s, d);
                return;
            }
            stringStep(s, d, kind, size);
            setCount(s, d, count(s, d) - 1);
            if (compares && s.zf() != whileEqual) {
                break;
            }
        }
    }

    static void stringStep(ArchState s, Insn d, int kind, int size) {
        int st = step(s, size);
        int src = s.segBase[d.seg] + (s.r[ESI] & d.eaMask);
        int dst = s.segBase[ES] + (s.r[EDI] & d.eaMask);
        switch (kind) {
            case MOVS -> Operands.wr(s, size, dst, Operands.rd(s, size, src));
            case CMPS -> Alu.alu(s, Alu.CMP, size, Operands.rd(s, size, src), Operands.rd(s, size, dst));
            case STOS -> Operands.wr(s, size, dst, Operands.getReg(s, size, EAX));
            case LODS -> Operands.setReg(s, size, EAX, Operands.rd(s, size, src));
            case SCAS -> Alu.alu(s, Alu.CMP, size, Operands.getReg(s, size, EAX), Operands.rd(s, size, dst));
            case INS -> {
                PortIo.check(s, s.r[EDX] & 0xFFFF, size);
                if (s.mmu.paging) {
                    s.mmu.write(dst); // fault before the port is read
                }
                Operands.wr(s, size, dst, s.io.in(s.r[EDX] & 0xFFFF, size));
            }
            default -> PortIo.out(s, s.r[EDX] & 0xFFFF, size, Operands.rd(s, size, src));
        }
        if (kind != STOS && kind != SCAS && kind != INS) {
            advance(s, d, ESI, st);
        }
        if (kind != LODS && kind != OUTS) {
            advance(s, d, EDI, st);
        }
    }
}
