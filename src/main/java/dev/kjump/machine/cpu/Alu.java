package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * Integer arithmetic and logic: the eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP) with their
 * lazy flags, INC/DEC, XCHG, XADD, CMPXCHG, CMPXCHG8B, group 3 (TEST NOT NEG MUL IMUL DIV IDIV) and the
 * two- and three-operand IMUL.
 */
final class Alu {
    private Alu() {
    }

    /** The ALU operations, numbered as in opcodes 00-3F and the reg field of group 1. */
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

    /** The eight ALU operations of opcodes 00-3F and group 1: ADD OR ADC SBB AND SUB XOR CMP. */
    static int alu(ArchState s, int kind, int size, int dst, int src) {
        int res;
        switch (kind) {
            case ADD:
                res = dst + src;
                s.setCc(CC_ADD, size, dst, src, res);
                break;
            case OR:
                res = dst | src;
                s.setCc(CC_LOGIC, size, dst, src, res);
                break;
            case ADC: {
                int c = s.cf() ? 1 : 0;
                res = dst + src + c;
                s.setCc(CC_ADC, size, dst, src, res);
                s.ccCarry = c;
                break;
            }
            case SBB: {
                int c = s.cf() ? 1 : 0;
                res = dst - src - c;
                s.setCc(CC_SBB, size, dst, src, res);
                s.ccCarry = c;
                break;
            }
            case AND:
                res = dst & src;
                s.setCc(CC_LOGIC, size, dst, src, res);
                break;
            case SUB:
            case CMP:
                res = dst - src;
                s.setCc(CC_SUB, size, dst, src, res);
                break;
            default:
                res = dst ^ src;
                s.setCc(CC_LOGIC, size, dst, src, res);
                break;
        }
        return res & ArchState.mask(size);
    }

    /** ALU op {@code kind} of a register (reg field) with the r/m operand, result into the register (02/03 forms). */
    static void aluReg(ArchState s, Insn d, int kind, int size) {
        int res = alu(s, kind, size, Operands.getReg(s, size, d.reg), Operands.readRm(s, d, size));
        if (kind != CMP) {
            Operands.setReg(s, size, d.reg, res);
        }
    }

    /** ALU op {@code kind} of AL/AX/EAX with an immediate (04/05 forms). */
    static void aluAccumulator(ArchState s, int kind, int size, int imm) {
        int res = alu(s, kind, size, Operands.getReg(s, size, EAX), imm);
        if (kind != CMP) {
            Operands.setReg(s, size, EAX, res);
        }
    }

    /** INC r16/r32 (40+r). */
    static void incReg(ArchState s, int size, int reg) {
        Operands.setReg(s, size, reg, inc(s, size, Operands.getReg(s, size, reg)));
    }

    /** DEC r16/r32 (48+r). */
    static void decReg(ArchState s, int size, int reg) {
        Operands.setReg(s, size, reg, dec(s, size, Operands.getReg(s, size, reg)));
    }

    static int inc(ArchState s, int size, int v) {
        int c = s.cf() ? 1 : 0;
        int res = v + 1;
        s.setCc(CC_INC, size, v, 1, res);
        s.ccCarry = c;
        return res & ArchState.mask(size);
    }

    static int dec(ArchState s, int size, int v) {
        int c = s.cf() ? 1 : 0;
        int res = v - 1;
        s.setCc(CC_DEC, size, v, 1, res);
        s.ccCarry = c;
        return res & ArchState.mask(size);
    }

    static void aluRm(ArchState s, Insn d, int kind, int size, int src) {
        if (d.mod == 3) {
            int res = alu(s, kind, size, Operands.getReg(s, size, d.rm), src);
            if (kind != CMP) {
                Operands.setReg(s, size, d.rm, res);
            }
        } else {
            int lin = Operands.ea(s, d);
            if (kind == CMP) {
                alu(s, kind, size, Operands.rd(s, size, lin), src);
            } else {
                int res = alu(s, kind, size, Operands.rdRmw(s, size, lin), src);
                Operands.wr(s, size, lin, res);
            }
        }
    }

    static void aluRmImm(ArchState s, Insn d, int size, int imm) {
        aluRm(s, d, d.reg, size, imm & ArchState.mask(size));
    }

    static void incDecRm(ArchState s, Insn d, int size) {
        if (d.mod == 3) {
            int v = Operands.getReg(s, size, d.rm);
            Operands.setReg(s, size, d.rm, d.reg == 0 ? inc(s, size, v) : dec(s, size, v));
        } else {
            int lin = Operands.ea(s, d);
            int v = Operands.rdRmw(s, size, lin);
            Operands.wr(s, size, lin, d.reg == 0 ? inc(s, size, v) : dec(s, size, v));
        }
    }

    static void xchgRm(ArchState s, Insn d, int size) {
        if (d.mod == 3) {
            int t = Operands.getReg(s, size, d.rm);
            Operands.setReg(s, size, d.rm, Operands.getReg(s, size, d.reg));
            Operands.setReg(s, size, d.reg, t);
        } else {
            int lin = Operands.ea(s, d);
            int t = Operands.rdRmw(s, size, lin);
            Operands.wr(s, size, lin, Operands.getReg(s, size, d.reg));
            Operands.setReg(s, size, d.reg, t);
        }
    }

    static void xadd(ArchState s, Insn d, int size) {
        int src = Operands.getReg(s, size, d.reg);
        if (d.mod == 3) {
            int dst = Operands.getReg(s, size, d.rm);
            int sum = alu(s, ADD, size, dst, src);
            Operands.setReg(s, size, d.reg, dst);
            Operands.setReg(s, size, d.rm, sum);
        } else {
            int lin = Operands.ea(s, d);
            int dst = Operands.rdRmw(s, size, lin);
            int sum = alu(s, ADD, size, dst, src);
            Operands.wr(s, size, lin, sum);
            Operands.setReg(s, size, d.reg, dst);
        }
    }

    static void cmpxchg(ArchState s, Insn d, int size) {
        int acc = Operands.getReg(s, size, EAX);
        int lin = d.mod == 3 ? 0 : Operands.ea(s, d);
        int dst = d.mod == 3 ? Operands.getReg(s, size, d.rm) : Operands.rdRmw(s, size, lin);
        alu(s, CMP, size, acc, dst);
        boolean equal = (acc & ArchState.mask(size)) == (dst & ArchState.mask(size));
        int newVal = equal ? Operands.getReg(s, size, d.reg) : dst;
        if (d.mod == 3) {
            Operands.setReg(s, size, d.rm, newVal);
        } else {
            Operands.wr(s, size, lin, newVal);
        }
        if (!equal) {
            Operands.setReg(s, size, EAX, dst);
        }
    }

    static void cmpxchg8b(ArchState s, Insn d) {
        if (d.reg != 1 || d.mod == 3) {
            throw Exceptions.ud(s);
        }
        int lin = Operands.ea(s, d);
        int lo = Operands.rdRmw(s, 4, lin);
        int hi = Operands.rdRmw(s, 4, lin + 4);
        if (lo == s.r[EAX] && hi == s.r[EDX]) {
            Operands.wr32(s, lin, s.r[EBX]);
            Operands.wr32(s, lin + 4, s.r[ECX]);
            s.setZfOnly(true);
        } else {
            Operands.wr32(s, lin, lo);
            Operands.wr32(s, lin + 4, hi);
            s.r[EAX] = lo;
            s.r[EDX] = hi;
            s.setZfOnly(false);
        }
    }

    static void group3(ArchState s, Insn d, int size) {
        switch (d.reg) {
            case 0, 1 -> alu(s, AND, size, Operands.readRm(s, d, size), d.imm);
            case 2 -> {
                if (d.mod == 3) {
                    Operands.setReg(s, size, d.rm, ~Operands.getReg(s, size, d.rm));
                } else {
                    int lin = Operands.ea(s, d);
                    Operands.wr(s, size, lin, ~Operands.rdRmw(s, size, lin));
                }
            }
            case 3 -> {
                if (d.mod == 3) {
                    Operands.setReg(s, size, d.rm, alu(s, SUB, size, 0, Operands.getReg(s, size, d.rm)));
                } else {
                    int lin = Operands.ea(s, d);
                    int v = Operands.rdRmw(s, size, lin);
                    Operands.wr(s, size, lin, alu(s, SUB, size, 0, v));
                }
            }
            case 4 -> mul(s, size, Operands.readRm(s, d, size));
            case 5 -> imul1(s, size, Operands.readRm(s, d, size));
            case 6 -> div(s, size, Operands.readRm(s, d, size));
            default -> idiv(s, size, Operands.readRm(s, d, size));
        }
    }

    static void mul(ArchState s, int size, int src) {
        switch (size) {
            case 1 -> {
                int p = (s.r[EAX] & 0xFF) * (src & 0xFF);
                Operands.setReg(s, 2, EAX, p);
                boolean hi = (p & 0xFF00) != 0;
                s.setSzpCo(1, p, hi, hi);
            }
            case 2 -> {
                int p = (s.r[EAX] & 0xFFFF) * (src & 0xFFFF);
                Operands.setReg(s, 2, EAX, p);
                Operands.setReg(s, 2, EDX, p >>> 16);
                boolean hi = (p >>> 16) != 0;
                s.setSzpCo(2, p, hi, hi);
            }
            default -> {
                long p = (s.r[EAX] & 0xFFFFFFFFL) * (src & 0xFFFFFFFFL);
                s.r[EAX] = (int) p;
                s.r[EDX] = (int) (p >>> 32);
                boolean hi = s.r[EDX] != 0;
                s.setSzpCo(4, (int) p, hi, hi);
            }
        }
    }

    static void imul1(ArchState s, int size, int src) {
        switch (size) {
            case 1 -> {
                int p = ((byte) s.r[EAX]) * ((byte) src);
                Operands.setReg(s, 2, EAX, p);
                boolean o = p != (byte) p;
                s.setSzpCo(1, p, o, o);
            }
            case 2 -> {
                int p = ((short) s.r[EAX]) * ((short) src);
                Operands.setReg(s, 2, EAX, p);
                Operands.setReg(s, 2, EDX, p >> 16);
                boolean o = p != (short) p;
                s.setSzpCo(2, p, o, o);
            }
            default -> {
                long p = (long) s.r[EAX] * (long) src;
                s.r[EAX] = (int) p;
                s.r[EDX] = (int) (p >>> 32);
                boolean o = p != (int) p;
                s.setSzpCo(4, (int) p, o, o);
            }
        }
    }

    static int imul2(ArchState s, int size, int a, int b) {
        if (size == 4) {
            long p = (long) a * (long) b;
            int res = (int) p;
            boolean o = p != res;
            s.setSzpCo(4, res, o, o);
            return res;
        }
        int p = ((short) a) * ((short) b);
        boolean o = p != (short) p;
        s.setSzpCo(2, p, o, o);
        return p & 0xFFFF;
    }

    static CpuFault divideError(ArchState s) {
        return s.fault.set(V_DE, false, 0);
    }

    static void div(ArchState s, int size, int src) {
        switch (size) {
            case 1 -> {
                int dv = src & 0xFF;
                if (dv == 0) {
                    throw divideError(s);
                }
                int a = s.r[EAX] & 0xFFFF;
                int q = a / dv;
                if (q > 0xFF) {
                    throw divideError(s);
                }
                Operands.setReg(s, 2, EAX, (q & 0xFF) | ((a % dv) << 8));
            }
            case 2 -> {
                int dv = src & 0xFFFF;
                if (dv == 0) {
                    throw divideError(s);
                }
                long a = ((s.r[EDX] & 0xFFFFL) << 16) | (s.r[EAX] & 0xFFFFL);
                long q = a / dv;
                if (q > 0xFFFF) {
                    throw divideError(s);
                }
                Operands.setReg(s, 2, EAX, (int) q);
                Operands.setReg(s, 2, EDX, (int) (a % dv));
            }
            default -> {
                long dv = src & 0xFFFFFFFFL;
                if (dv == 0) {
                    throw divideError(s);
                }
                long a = ((long) s.r[EDX] << 32) | (s.r[EAX] & 0xFFFFFFFFL);
                long q = Long.divideUnsigned(a, dv);
                if (Long.compareUnsigned(q, 0xFFFFFFFFL) > 0) {
                    throw divideError(s);
                }
                s.r[EAX] = (int) q;
                s.r[EDX] = (int) Long.remainderUnsigned(a, dv);
            }
        }
    }

    static void idiv(ArchState s, int size, int src) {
        switch (size) {
            case 1 -> {
                int dv = (byte) src;
                if (dv == 0) {
                    throw divideError(s);
                }
                int a = (short) s.r[EAX];
                int q = a / dv;
                if (q != (byte) q) {
                    throw divideError(s);
                }
                Operands.setReg(s, 2, EAX, (q & 0xFF) | ((a % dv) << 8));
            }
            case 2 -> {
                int dv = (short) src;
                if (dv == 0) {
                    throw divideError(s);
                }
                int a = (s.r[EDX] << 16) | (s.r[EAX] & 0xFFFF);
                long q = (long) a / dv;
                if (q != (short) q) {
                    throw divideError(s);
                }
                Operands.setReg(s, 2, EAX, (int) q);
                Operands.setReg(s, 2, EDX, a % dv);
            }
            default -> {
                long dv = src;
                if (dv == 0) {
                    throw divideError(s);
                }
                long a = ((long) s.r[EDX] << 32) | (s.r[EAX] & 0xFFFFFFFFL);
                if (a == Long.MIN_VALUE && dv == -1) {
                    throw divideError(s);
                }
                long q = a / dv;
                if (q != (int) q) {
                    throw divideError(s);
                }
                s.r[EAX] = (int) q;
                s.r[EDX] = (int) (a % dv);
            }
        }
    }

    /** BOUND r, m16&16 / m32&32: #BR when the signed index is below the lower or above the upper bound. */
    static void bound(ArchState s, Insn d, int osz) {
        if (d.mod == 3) {
            throw Exceptions.ud(s);
        }
        int lin = Operands.ea(s, d);
        int index = Operands.getReg(s, osz, d.reg);
        int lower = Operands.rd(s, osz, lin);
        int upper = Operands.rd(s, osz, lin + osz);
        if (osz == 2) {
            index = (short) index;
            lower = (short) lower;
            upper = (short) upper;
        }
        if (index < lower || index > upper) {
            throw s.fault.set(V_BR, false, 0);
        }
    }
}
