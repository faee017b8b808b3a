package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

import java.util.Arrays;

/**
 * The instruction decoder: prefixes, one- and two-byte opcode maps, ModRM/SIB, displacements and
 * immediates, into an {@link Insn}. It reads instruction bytes through the MMU (a fetch), and knows nothing
 * of what an instruction does.
 */
final class Decoder {
    private Decoder() {
    }

    private static final boolean[] MODRM = new boolean[0x200];
    /** Immediate kinds: 0 none, 1 imm8 (sign-extended), 2 imm16/32 by operand size, 3 imm16, 4 ENTER, 5 far pointer, 6 moffs32. */
    private static final byte[] IMM = new byte[0x200];

    static {
        for (int i = 0; i < 0x40; i += 8) { // the ALU block: r/m,reg and reg,r/m forms, then AL,imm8 and eAX,imm
            modrm(i, i + 1, i + 2, i + 3);
            IMM[i + 4] = 1;
            IMM[i + 5] = 2;
        }
        modrm(0x62, 0x63, 0x69, 0x6B, 0xC0, 0xC1, 0xC4, 0xC5, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3, 0xF6, 0xF7, 0xFE,
            0xFF);
        modrm(range(0x80, 0x8F));
        modrm(range(0xD8, 0xDF));
        modrm(0x100, 0x101, 0x102, 0x103, 0x10D, 0x120, 0x121, 0x122, 0x123, 0x1A3, 0x1A4, 0x1A5, 0x1AB, 0x1AC, 0x1AD,
            0x1AF, 0x1B0, 0x1B1, 0x1B2, 0x1B3, 0x1B4, 0x1B5, 0x1B6, 0x1B7, 0x1B8, 0x1BA, 0x1BB, 0x1BC, 0x1BD, 0x1BE, 0x1BF,
            0x1C0, 0x1C1, 0x1C7);
        modrm(range(0x118, 0x11F));
        modrm(range(0x140, 0x14F));
        modrm(range(0x190, 0x19F));
        imm(1, 0x6A, 0x6B, 0x80, 0x82, 0x83, 0xA8, 0xC0, 0xC1, 0xC6, 0xCD, 0xD4, 0xD5, 0xE0, 0xE1, 0xE2, 0xE3, 0xE4,
            0xE5, 0xE6, 0xE7, 0xEB, 0x1A4, 0x1AC, 0x1BA);
        imm(1, range(0x70, 0x7F));
        imm(1, range(0xB0, 0xB7));
        imm(2, 0x68, 0x69, 0x81, 0xA9, 0xC7, 0xE8, 0xE9);
        imm(2, range(0xB8, 0xBF));
        imm(2, range(0x180, 0x18F));
        imm(3, 0xC2, 0xCA);
        imm(4, 0xC8);
        imm(5, 0x9A, 0xEA);
        imm(6, range(0xA0, 0xA3));
    }

    private static void modrm(int... ops) {
        for (int o : ops) {
            MODRM[o] = true;
        }
    }

    private static void imm(int kind, int... ops) {
        for (int o : ops) {
            IMM[o] = (byte) kind;
        }
    }

    private static int[] range(int first, int last) {
        int[] ops = new int[last - first + 1];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = first + i;
        }
        return ops;
    }

    static int fetchByte(ArchState s, int linear) {
        return s.mem.read8(s.mmu.fetch(linear));
    }

    static int fetch16(ArchState s, int linear) {
        return fetchByte(s, linear) | fetchByte(s, linear + 1) << 8;
    }

    static int fetch32(ArchState s, int linear) {
        return fetch16(s, linear) | fetch16(s, linear + 2) << 16;
    }

    /** Decodes one instruction at linear address {@code lin0} into {@code d}. */
    static void decode(ArchState s, Insn d, int lin0) {
        int p = lin0;
        d.os16 = false;
        d.rep = 0;
        d.seg = -1;
        d.segOverride = false;
        d.mod = 3;
        d.reg = 0;
        d.rm = 0;
        d.base = -1;
        d.index = -1;
        d.scale = 0;
        d.disp = 0;
        d.imm = 0;
        d.imm2 = 0;
        d.eaMask = -1;
        d.addr16 = false;
        boolean addr16 = false;
        boolean lock = false;
        int b;
        int prefixes = 0;
        while (true) {
            b = fetchByte(s, p++);
            switch (b) {
                case 0x66 -> d.os16 = true;
                case 0x67 -> addr16 = true;
                case 0xF2, 0xF3 -> d.rep = b;
                case 0xF0 -> lock = true;
                case 0x26 -> d.seg = ES;
                case 0x2E -> d.seg = CS;
                case 0x36 -> d.seg = SS;
                case 0x3E -> d.seg = DS;
                case 0x64 -> d.seg = FS;
                case 0x65 -> d.seg = GS;
                default -> {
                    prefixes = -1;
                }
            }
            if (prefixes < 0) {
                break;
            }
            if (p - lin0 >= 15) {
                d.op = Insn.OP_INVALID;
                d.len = 15;
                return;
            }
        }
        d.segOverride = d.seg >= 0;
        int op = b;
        if (b == 0x0F) {
            op = 0x100 | fetchByte(s, p++);
        }
        d.op = op;
        if (MODRM[op]) {
            int modrm = fetchByte(s, p++);
            d.mod = modrm >>> 6;
            d.reg = (modrm >>> 3) & 7;
            d.rm = modrm & 7;
            if (d.mod != 3 && addr16) {
                p = modrm16(s, d, p);
            } else if (d.mod != 3) {
                int base = d.rm;
                if (d.rm == 4) {
                    int sib = fetchByte(s, p++);
                    d.scale = sib >>> 6;
                    int idx = (sib >>> 3) & 7;
                    d.index = idx == 4 ? -1 : idx;
                    base = sib & 7;
                    if (base == 5 && d.mod == 0) {
                        base = -1;
                        d.disp = fetch32(s, p);
                        p += 4;
                    }
                } else if (d.rm == 5 && d.mod == 0) {
                    base = -1;
                    d.disp = fetch32(s, p);
                    p += 4;
                }
                d.base = base;
                if (d.mod == 1) {
                    d.disp = (byte) fetchByte(s, p++);
                } else if (d.mod == 2) {
                    d.disp = fetch32(s, p);
                    p += 4;
                }
                if (d.seg < 0) {
                    d.seg = (base == ESP || base == EBP) ? SS : DS;
                }
            }
        }
        if (d.seg < 0) {
            d.seg = DS;
        }
        switch (IMM[op]) {
            case 1 -> d.imm = (byte) fetchByte(s, p++);
            case 2 -> {
                if (d.os16) {
                    d.imm = (short) fetch16(s, p);
                    p += 2;
                } else {
                    d.imm = fetch32(s, p);
                    p += 4;
                }
            }
            case 3 -> {
                d.imm = fetch16(s, p);
                p += 2;
            }
            case 4 -> {
                d.imm = fetch16(s, p);
                d.imm2 = fetchByte(s, p + 2);
                p += 3;
            }
            case 5 -> {
                if (d.os16) {
                    d.imm = fetch16(s, p);
                    p += 2;
                } else {
                    d.imm = fetch32(s, p);
                    p += 4;
                }
                d.imm2 = fetch16(s, p);
                p += 2;
            }
            case 6 -> {
                if (addr16) {
                    d.imm = fetch16(s, p);
                    p += 2;
                } else {
                    d.imm = fetch32(s, p);
                    p += 4;
                }
            }
            default -> { }
        }
        if ((op == 0xF6 || op == 0xF7) && d.reg < 2) {
            if (op == 0xF6) {
                d.imm = fetchByte(s, p++);
            } else if (d.os16) {
                d.imm = fetch16(s, p);
                p += 2;
            } else {
                d.imm = fetch32(s, p);
                p += 4;
            }
        }
        d.addr16 = addr16;
        if (addr16) {
            d.eaMask = 0xFFFF;
        }
        if (lock && !lockable(op, d)) {
            d.op = Insn.OP_INVALID;
        }
        d.len = p - lin0;
        if (d.len > 15) {
            d.op = Insn.OP_INVALID;
        }
    }

    /**
     * Whether a LOCK prefix is allowed: the read-modify-write instructions with a memory destination (ADD OR ADC
     * SBB AND SUB XOR, group 1 but CMP, XCHG, NOT, NEG, INC, DEC, BTS BTR BTC, CMPXCHG, CMPXCHG8B, XADD); LOCK on
     * anything else is #UD.
     */
    private static boolean lockable(int op, Insn d) {
        if (d.mod == 3) {
            return false;
        }
        if (op < 0x40) {
            return (op & 7) < 2 && op >>> 3 != 7;
        }
        return switch (op) {
            case 0x80, 0x81, 0x82, 0x83 -> d.reg != 7;
            case 0x86, 0x87, 0x1AB, 0x1B3, 0x1BB, 0x1B0, 0x1B1, 0x1C0, 0x1C1 -> true;
            case 0xF6, 0xF7 -> d.reg == 2 || d.reg == 3;
            case 0xFE, 0xFF -> d.reg < 2;
            case 0x1BA -> d.reg >= 5;
            case 0x1C7 -> d.reg == 1;
            default -> false;
        };
    }

    /** The 16-bit addressing forms' base and index registers, by r/m (-1: none). */
    private static final int[] BASE16 = {EBX, EBX, EBP, EBP, -1, -1, EBP, EBX};
    private static final int[] INDEX16 = {ESI, EDI, ESI, EDI, ESI, EDI, -1, -1};

    /**
     * A ModRM memory operand with 16-bit addressing (67 prefix): [BX+SI], [BX+DI], [BP+SI], [BP+DI], [SI], [DI],
     * [BP] or disp16, [BX], plus disp8/disp16; the offset wraps at 64 KiB; BP-based forms default to SS.
     * Returns the position after the displacement.
     */
    private static int modrm16(ArchState s, Insn d, int p) {
        if (d.mod == 0 && d.rm == 6) {
            d.base = -1;
            d.index = -1;
            d.disp = fetch16(s, p);
            p += 2;
        } else {
            d.base = BASE16[d.rm];
            d.index = INDEX16[d.rm];
            if (d.mod == 1) {
                d.disp = (byte) fetchByte(s, p++);
            } else if (d.mod == 2) {
                d.disp = (short) fetch16(s, p);
                p += 2;
            }
        }
        d.scale = 0;
        d.eaMask = 0xFFFF;
        if (d.seg < 0) {
            d.seg = d.base == EBP ? SS : DS;
        }
        return p;
    }

    /** Up to 15 bytes at {@code at} in CS, read without faulting (fewer where unmapped): for reports. */
    static byte[] instructionBytes(ArchState s, int at) {
        byte[] out = new byte[15];
        int n = 0;
        for (; n < 15; n++) {
            long p = s.mmu.probe(s.segBase[CS] + at + n);
            if (p < 0) {
                break;
            }
            out[n] = (byte) s.mem.read8((int) p);
        }
        return Arrays.copyOf(out, n);
    }
}
