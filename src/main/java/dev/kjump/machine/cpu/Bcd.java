package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

/**
 * Decimal arithmetic: DAA, DAS (packed BCD in AL) and AAA, AAS, AAM, AAD (unpacked BCD in AX), with the flag
 * results QEMU produces for the flags the SDM leaves undefined (DAA/DAS clear OF; AAA/AAS keep OF, SF, ZF,
 * PF; AAM/AAD set SF, ZF, PF from AL and clear CF, OF, AF).
 */
final class Bcd {
    private Bcd() {
    }

    private static int parity(int v) {
        return (Integer.bitCount(v & 0xFF) & 1) == 0 ? PF : 0;
    }

    /** Sets the arithmetic flags to {@code arith} (CF/AF given) plus ZF, SF, PF of {@code al}; OF cleared. */
    private static void setDecimalFlags(ArchState s, int carries, int al) {
        s.materialize();
        int f = carries | (al == 0 ? ZF : 0) | (al & 0x80) | parity(al);
        s.flags = (s.flags & ~ArchState.ARITH) | f;
    }

    /** DAA: decimal adjust AL after addition. */
    static void daa(ArchState s) {
        decimalAdjust(s, true);
    }

    /** DAS: decimal adjust AL after subtraction. */
    static void das(ArchState s) {
        decimalAdjust(s, false);
    }

    /**
     * DAA ({@code add}) and DAS: adjust the low digit by 6 when it is above 9 or AF is set, then the high digit by
     * 0x60 when AL was above 0x99 or CF is set; AF and CF say which happened (DAS also borrows into CF on the first
     * step when AL was below 6).
     */
    private static void decimalAdjust(ArchState s, boolean add) {
        boolean cf = s.cf();
        boolean af = s.af();
        int al = s.r[EAX] & 0xFF;
        int old = al;
        int carries = 0;
        if ((al & 0x0F) > 9 || af) {
            carries |= AF;
            if (!add && (al < 6 || cf)) {
                carries |= CF;
            }
            al = (add ? al + 6 : al - 6) & 0xFF;
        }
        if (old > 0x99 || cf) {
            al = (add ? al + 0x60 : al - 0x60) & 0xFF;
            carries |= CF;
        }
        Operands.setReg8(s, EAX, al);
        setDecimalFlags(s, carries, al);
    }

    /** AAA (ASCII adjust after addition) and AAS (after subtraction, {@code add} false). */
    private static void asciiAdjust(ArchState s, boolean add) {
        s.materialize();
        int al = s.r[EAX] & 0xFF;
        int ah = (s.r[EAX] >>> 8) & 0xFF;
        if ((al & 0x0F) > 9 || (s.flags & AF) != 0) {
            if (add) {
                ah = (ah + 1 + (al > 0xF9 ? 1 : 0)) & 0xFF;
                al = (al + 6) & 0x0F;
            } else {
                ah = (ah - 1 - (al < 6 ? 1 : 0)) & 0xFF;
                al = (al - 6) & 0x0F;
            }
            s.flags |= CF | AF;
        } else {
            s.flags &= ~(CF | AF);
            al &= 0x0F;
        }
        Operands.setReg(s, 2, EAX, al | ah << 8);
    }

    /** AAA. */
    static void aaa(ArchState s) {
        asciiAdjust(s, true);
    }

    /** AAS. */
    static void aas(ArchState s) {
        asciiAdjust(s, false);
    }

    /** AAM imm8: AH = AL / base, AL = AL % base (#DE for base 0). */
    static void aam(ArchState s, int base) {
        if (base == 0) {
            throw s.fault.set(V_DE, false, 0);
        }
        int al = s.r[EAX] & 0xFF;
        int res = al % base;
        Operands.setReg(s, 2, EAX, res | (al / base) << 8);
        s.setCc(ArchState.CC_LOGIC, 1, res, 0, res);
    }

    /** AAD imm8: AL = AH * base + AL, AH = 0. */
    static void aad(ArchState s, int base) {
        int al = s.r[EAX] & 0xFF;
        int ah = (s.r[EAX] >>> 8) & 0xFF;
        int res = (ah * base + al) & 0xFF;
        Operands.setReg(s, 2, EAX, res);
        s.setCc(ArchState.CC_LOGIC, 1, res, 0, res);
    }
}
