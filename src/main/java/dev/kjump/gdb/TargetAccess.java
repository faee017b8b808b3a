package dev.kjump.gdb;

import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.cpu.Cpu;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The target as gdb sees it: the registers of {@link TargetDescription} (general registers, EIP, EFLAGS,
 * segment selectors, an empty x87) read and written as the remote protocol's hex, and memory at the
 * addresses the CPU sees (through the MMU, without faulting). The answers are RSP replies ({@code "OK"},
 * {@code "E01"} bad request, {@code "E14"} (EFAULT) not accessible).
 *
 * <p>Memory is accessible where the address is mapped (paging) and the physical address is RAM: beyond the end of
 * RAM nothing decodes the address (reads see all-ones, writes are lost), so there, as gdbserver does for memory it
 * cannot access, a read answers the bytes before the first inaccessible one, or {@code E14} when that is the first
 * byte, and a write that touches any inaccessible byte changes nothing and answers {@code E14}.
 */
final class TargetAccess {
    private TargetAccess() {
    }

    /** Register {@code n}'s value as the target's bytes. */
    static byte[] registerBytes(Cpu cpu, int n) {
        int size = TargetDescription.size(n);
        byte[] b = new byte[size];
        if (n >= TargetDescription.ST0 && n < TargetDescription.FCTRL) {
            return b; // empty x87 stack
        }
        int v = registerValue(cpu, n);
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static final int[] SEGMENT_INDEX = {Cpu.CS, Cpu.SS, Cpu.DS, Cpu.ES, Cpu.FS, Cpu.GS};

    static int registerValue(Cpu cpu, int n) {
        if (n <= TargetDescription.EDI) {
            return cpu.reg(n);
        }
        if (n == TargetDescription.EIP) {
            return cpu.eip();
        }
        if (n == TargetDescription.EFLAGS) {
            return cpu.eflags();
        }
        if (n <= TargetDescription.GS) {
            return cpu.segment(SEGMENT_INDEX[n - TargetDescription.CS]);
        }
        return switch (n - TargetDescription.FCTRL) {
            case 0 -> 0x037F; // fctrl after FNINIT
            case 2 -> 0xFFFF; // ftag: all empty
            default -> 0;
        };
    }

    static String readRegisters(Cpu cpu) {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < TargetDescription.REGISTERS; n++) {
            sb.append(Rsp.hex(registerBytes(cpu, n)));
        }
        return sb.toString();
    }

    static String readRegister(Cpu cpu, int n) {
        if (n < 0 || n >= TargetDescription.REGISTERS) {
            return "E01";
        }
        return Rsp.hex(registerBytes(cpu, n));
    }

    /** Whether {@code value} can be written to register {@code n}: the writable ones, or any unchanged value. */
    static boolean writable(Cpu cpu, int n, byte[] value) {
        return n <= TargetDescription.EFLAGS || Arrays.equals(value, registerBytes(cpu, n));
    }

    static void set(Cpu cpu, int n, byte[] value) {
        int v = (value[0] & 0xFF) | (value[1] & 0xFF) << 8 | (value[2] & 0xFF) << 16 | (value[3] & 0xFF) << 24;
        if (n <= TargetDescription.EDI) {
            cpu.setReg(n, v);
        } else if (n == TargetDescription.EIP) {
            cpu.setEip(v);
        } else if (n == TargetDescription.EFLAGS) {
            cpu.setEflags(v);
        }
    }

    static String writeRegister(Cpu cpu, int n, String hex) {
        if (n < 0 || n >= TargetDescription.REGISTERS) {
            return "E01";
        }
        byte[] v = Rsp.unhex(hex);
        if (v.length != TargetDescription.size(n) || !writable(cpu, n, v)) {
            return "E01";
        }
        set(cpu, n, v);
        return "OK";
    }

    static String writeRegisters(Cpu cpu, String hex) {
        byte[] all = Rsp.unhex(hex);
        if (all.length < TargetDescription.totalSize()) {
            return "E01";
        }
        byte[][] regs = new byte[TargetDescription.REGISTERS][];
        int off = 0;
        for (int n = 0; n < regs.length; n++) {
            regs[n] = Arrays.copyOfRange(all, off, off + TargetDescription.size(n));
            off += regs[n].length;
            if (!writable(cpu, n, regs[n])) {
                return "E01";
            }
        }
        for (int n = 0; n <= TargetDescription.EFLAGS; n++) {
            set(cpu, n, regs[n]);
        }
        return "OK";
    }

    // ------------------------------------------------------------------ memory

    static String readMemory(Cpu cpu, PhysicalMemory mem, String args, int maxLength) {
        String[] f = args.split(",", -1);
        if (f.length != 2) {
            return "E01";
        }
        long addr = Rsp.parseHex(f[0]);
        int len = (int) Math.min(Rsp.parseHex(f[1]), maxLength);
        ByteArrayOutputStream out = new ByteArrayOutputStream(len);
        for (int i = 0; i < len; i++) {
            long phys = physical(cpu, mem, addr + i);
            if (phys < 0) {
                break;
            }
            out.write(mem.read8((int) phys));
        }
        if (out.size() == 0 && len > 0) {
            return "E14";
        }
        return Rsp.hex(out.toByteArray());
    }

    static String writeMemory(Cpu cpu, PhysicalMemory mem, String args, boolean binary) {
        int colon = args.indexOf(':');
        if (colon < 0) {
            return "E01";
        }
        String[] f = args.substring(0, colon).split(",", -1);
        if (f.length != 2) {
            return "E01";
        }
        long addr = Rsp.parseHex(f[0]);
        int len = (int) Rsp.parseHex(f[1]);
        byte[] data;
        if (binary) {
            byte[] raw = Rsp.bytes(args);
            data = Rsp.unescape(raw, colon + 1, raw.length - colon - 1);
        } else {
            data = Rsp.unhex(args.substring(colon + 1));
        }
        if (data.length != len) {
            return "E01";
        }
        long[] phys = new long[len];
        for (int i = 0; i < len; i++) {
            phys[i] = physical(cpu, mem, addr + i);
            if (phys[i] < 0) {
                return "E14";
            }
        }
        for (int i = 0; i < len; i++) {
            mem.write8((int) phys[i], data[i]);
        }
        return "OK";
    }

    /**
     * The RAM address behind the address {@code linear} the CPU sees, or -1 when it is not accessible: beyond
     * 32 bits, not mapped, or not RAM.
     */
    private static long physical(Cpu cpu, PhysicalMemory mem, long linear) {
        if (linear < 0 || linear > 0xFFFF_FFFFL) {
            return -1;
        }
        long phys = cpu.mmu().probe((int) linear);
        return phys < 0 || phys >= mem.size() ? -1 : phys;
    }
}
