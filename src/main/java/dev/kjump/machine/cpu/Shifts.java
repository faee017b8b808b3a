package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * Shifts and rotates: group 2 (ROL ROR RCL RCR SHL SHR SAL SAR) and SHLD/SHRD, with QEMU's flag results.
 */
final class Shifts {
    private Shifts() {
    }

    /** Group 2: ROL ROR RCL RCR SHL SHR SAL SAR by {@code count}, with QEMU's flag results. */
    static int shift(ArchState s, int kind, int size, int v, int count) {
        count &= 0x1F;
        if (count == 0) {
            return v;
        }
        int bits = size * 8;
        int m = ArchState.mask(size);
        v &= m;
        int res;
        switch (kind) {
            case 0: { // ROL
                int c = count & (bits - 1);
                res = c == 0 ? v : ((v << c) | (v >>> (bits - c))) & m;
                boolean cf = (res & 1) != 0;
                s.setCfOf(cf, (((res >>> (bits - 1)) & 1) != 0) ^ cf);
                return res;
            }
            case 1: { // ROR
                int c = count & (bits - 1);
                res = c == 0 ? v : ((v >>> c) | (v << (bits - c))) & m;
                boolean msb = ((res >>> (bits - 1)) & 1) != 0;
                boolean next = ((res >>> (bits - 2)) & 1) != 0;
                s.setCfOf(msb, msb ^ next);
                return res;
            }
            case 2:
            case 3: { // RCL, RCR: a rotation of the (bits+1)-bit value CF:v; right by c is left by bits+1-c
                int c = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
                if (c == 0) {
                    return v;
                }
                long cin = s.cf() ? 1 : 0;
                long wide = (cin << bits) | (v & 0xFFFFFFFFL);
                int w = bits + 1;
                int left = kind == 2 ? c : w - c;
                long rot = ((wide << left) | (wide >>> (w - left))) & ((1L << w) - 1);
                res = (int) rot & m;
                boolean cf = ((rot >>> bits) & 1) != 0;
                s.setCfOf(cf, (((v ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
            case 4:
            case 6: { // SHL
                int src = v << (count - 1);
                res = (v << count) & m;
                s.setSzpCo(size, res, ((src >>> (bits - 1)) & 1) != 0, (((src ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
            case 5: { // SHR
                int src = v >>> (count - 1);
                res = (v >>> count) & m;
                s.setSzpCo(size, res, (src & 1) != 0, (((src ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
            default: { // SAR
                int sv = (v << (32 - bits)) >> (32 - bits);
                int src = sv >> (count - 1);
                res = (sv >> count) & m;
                s.setSzpCo(size, res, (src & 1) != 0, (((src ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
        }
    }

    // 32-bit shifts and rotates by a constant count from 1 to 31, small enough for the JVM to inline into a
    // translated block; the same results and flags as shift()

    static int shl32(ArchState s, int v, int count) {
        int src = v << (count - 1);
        int res = v << count;
        s.setSzpCo(4, res, src < 0, (src ^ res) < 0);
        return res;
    }

    static int shr32(ArchState s, int v, int count) {
        int src = v >>> (count - 1);
        int res = v >>> count;
        s.setSzpCo(4, res, (src & 1) != 0, (src ^ res) < 0);
        return res;
    }

    static int sar32(ArchState s, int v, int count) {
        int src = v >> (count - 1);
        int res = v >> count;
        s.setSzpCo(4, res, (src & 1) != 0, (src ^ res) < 0);
        return res;
    }

    static int rol32(ArchState s, int v, int count) {
        int res = Integer.rotateLeft(v, count);
        boolean cf = (res & 1) != 0;
        s.setCfOf(cf, (res < 0) ^ cf);
        return res;
    }

    static int ror32(ArchState s, int v, int count) {
        int res = Integer.rotateRight(v, count);
        boolean msb = res < 0;
        s.setCfOf(msb, msb ^ ((res >>> 30) & 1) != 0);
        return res;
    }

    static int shld(ArchState s, int size, int dst, int src, int count, boolean left) {
        count &= 0x1F;
        if (count == 0) {
            return dst;
        }
        int bits = size * 8;
        int m = ArchState.mask(size);
        int res;
        int pre;
        if (size == 4) {
            if (left) {
                res = (dst << count) | (src >>> (32 - count));
                pre = dst << (count - 1);
            } else {
                res = (dst >>> count) | (src << (32 - count));
                pre = dst >>> (count - 1);
            }
        } else {
            long wide = left ? ((dst & 0xFFFFL) << 32) | ((src & 0xFFFFL) << 16) | (dst & 0xFFFFL)
                    : ((dst & 0xFFFFL)) | ((src & 0xFFFFL) << 16) | ((dst & 0xFFFFL) << 32);
            if (left) {
                res = (int) ((wide << count) >>> 32) & m;
                pre = (int) ((wide << (count - 1)) >>> 32);
            } else {
                res = (int) (wide >>> count) & m;
                pre = (int) (wide >>> (count - 1));
            }
        }
        res &= m;
        boolean c = left ? ((pre >>> (bits - 1)) & 1) != 0 : (pre & 1) != 0;
        s.setSzpCo(size, res, c, (((pre ^ res) >>> (bits - 1)) & 1) != 0);
        return res;
    }

    static void shiftRm(ArchState s, Insn d, int size, int count) {
        if (d.mod == 3) {
            Operands.setReg(s, size, d.rm, shift(s, d.reg, size, Operands.getReg(s, size, d.rm), count));
        } else {
            int lin = Operands.ea(s, d);
            int v = Operands.rdRmw(s, size, lin);
            Operands.wr(s, size, lin, shift(s, d.reg, size, v, count));
        }
    }

    static void shldRm(ArchState s, Insn d, int size, int count, boolean left) {
        int src = Operands.getReg(s, size, d.reg);
        if (d.mod == 3) {
            Operands.setReg(s, size, d.rm, shld(s, size, Operands.getReg(s, size, d.rm), src, count, left));
        } else {
            int lin = Operands.ea(s, d);
            int v = Operands.rdRmw(s, size, lin);
            Operands.wr(s, size, lin, shld(s, size, v, src, count, left));
        }
    }
}
