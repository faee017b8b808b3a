package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * Bit operations: BT, BTS, BTR, BTC (register and immediate offsets) and BSF/BSR.
 */
final class Bits {
    private Bits() {
    }

    /** BT/BTS/BTR/BTC ({@code kind} 0..3); register bit offsets may address beyond the operand in memory. */
    static void bitOp(ArchState s, Insn d, int size, int bitOffset, int kind, boolean regOffset) {
        int bits = size * 8;
        if (d.mod == 3) {
            int bit = bitOffset & (bits - 1);
            int v = Operands.getReg(s, size, d.rm);
            boolean set = ((v >>> bit) & 1) != 0;
            s.setCfOnly(set);
            if (kind != 0) {
                Operands.setReg(s, size, d.rm, bitResult(kind, v, bit));
            }
            return;
        }
        int lin = Operands.ea(s, d);
        int bit;
        if (regOffset) {
            int off = size == 2 ? (short) bitOffset : bitOffset;
            lin += (off >> (size == 2 ? 4 : 5)) * size;
            bit = off & (bits - 1);
        } else {
            bit = bitOffset & (bits - 1);
        }
        int v = kind == 0 ? Operands.rd(s, size, lin) : Operands.rdRmw(s, size, lin);
        s.setCfOnly(((v >>> bit) & 1) != 0);
        if (kind != 0) {
            Operands.wr(s, size, lin, bitResult(kind, v, bit));
        }
    }

    static int bitResult(int kind, int v, int bit) {
        return switch (kind) {
            case 1 -> v | (1 << bit);
            case 2 -> v & ~(1 << bit);
            default -> v ^ (1 << bit);
        };
    }

    static void bsf(ArchState s, Insn d, int size) {
        int v = Operands.readRm(s, d, size) & ArchState.mask(size);
        s.setCc(CC_LOGIC, size, v, 0, v);
        if (v != 0) {
            Operands.setReg(s, size, d.reg, Integer.numberOfTrailingZeros(v));
        }
    }

    static void bsr(ArchState s, Insn d, int size) {
        int v = Operands.readRm(s, d, size) & ArchState.mask(size);
        s.setCc(CC_LOGIC, size, v, 0, v);
        if (v != 0) {
            Operands.setReg(s, size, d.reg, 31 - Integer.numberOfLeadingZeros(v));
        }
    }
}
