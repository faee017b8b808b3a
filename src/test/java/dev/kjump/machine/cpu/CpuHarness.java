package dev.kjump.machine.cpu;

import dev.kjump.machine.StopReason;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;

/**
 * Runs hand-assembled i386 machine code on a small {@link Machine} for the CPU tests.
 *
 * <p>The machine has 16 MiB of RAM (unless told otherwise), COM1 writes into {@link #console}, the CPU is in
 * the flat protected-mode state of {@link Cpu#resetProtectedFlat()} with ESP at {@link #STACK_TOP}. {@link
 * #code(Object...)} places the bytes at {@link #CODE} followed by HLT (0xF4) and points EIP there; {@link #run()}
 * runs until the CPU stops (HLT normally) and keeps the {@link StopReason}. No IDT is installed, so any
 * exception ends the run with {@link StopReason.Kind#TRIPLE_FAULT}.
 *
 * <p>Bytes are given as ints (only the low 8 bits count) so that the tests can spell instructions as in a
 * listing; {@link #le32(int)} and {@link #le16(int)} spell immediates and displacements, {@link #cat} joins.
 */
final class CpuHarness {
    /** Physical (and linear) address the code is written to. */
    static final int CODE = 0x10000;
    /** Initial ESP. */
    static final int STACK_TOP = 0x90000;
    /** A scratch data area the tests may use freely. */
    static final int DATA = 0x40000;

    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final Machine machine;
    final Cpu cpu;
    final PhysicalMemory mem;
    /** Length of the code last given to {@link #code(Object...)}, without the trailing HLT. */
    private int codeLength;
    /** The stop of the last {@link #run()}. */
    StopReason stop;

    CpuHarness() {
        this(16L << 20);
    }

    CpuHarness(long ramBytes) {
        machine = new Machine(ramBytes, console);
        cpu = machine.cpu();
        mem = machine.memory();
        cpu.setReg(Cpu.ESP, STACK_TOP);
        cpu.setEip(CODE);
    }

    /**
     * Writes the bytes at {@link #CODE}, then HLT, and sets EIP to {@link #CODE}; the parts are joined as by
     * {@link #cat}.
     */
    CpuHarness code(Object... parts) {
        int[] bytes = cat(parts);
        load(CODE, bytes);
        mem.write8(CODE + bytes.length, 0xF4);
        codeLength = bytes.length;
        cpu.setEip(CODE);
        return this;
    }

    /** Writes the bytes at physical address {@code addr} (no HLT added); the parts are joined as by {@link #cat}. */
    CpuHarness load(int addr, Object... parts) {
        int[] bytes = cat(parts);
        for (int i = 0; i < bytes.length; i++) {
            mem.write8(addr + i, bytes[i]);
        }
        return this;
    }

    /** Sets general register {@code r} ({@link Cpu#EAX} ...). */
    CpuHarness set(int r, int value) {
        cpu.setReg(r, value);
        return this;
    }

    /** Sets EFLAGS. */
    CpuHarness flags(int eflags) {
        cpu.setEflags(eflags);
        return this;
    }

    /** Runs at most 1,000,000 instructions; returns (and keeps) the stop reason. */
    StopReason run() {
        return run(1_000_000);
    }

    /** Runs at most {@code budget} instructions; returns (and keeps) the stop reason. */
    StopReason run(long budget) {
        stop = machine.run(budget, 0);
        return stop;
    }

    /**
     * Runs and insists that the code ran to its trailing HLT; returns this harness for chained reads.
     *
     * @throws AssertionError naming the stop when the run ended any other way
     */
    CpuHarness runToHlt() {
        StopReason s = run();
        if (s.kind() != StopReason.Kind.HALT || s.eip() != CODE + codeLength + 1) {
            throw new AssertionError("expected HLT at end of code (eip " + Integer.toHexString(CODE + codeLength + 1)
                    + "), got " + s.kind() + " at " + Integer.toHexString(s.eip()) + ": " + s.message() + " ["
                    + s.bytesHex() + "] " + cpu.saveState());
        }
        return this;
    }

    /** General register {@code r}. */
    int reg(int r) {
        return cpu.reg(r);
    }

    /** EFLAGS, every bit computed. */
    int eflags() {
        return cpu.eflags();
    }

    /** A 32-bit value at physical address {@code addr}. */
    int read32(int addr) {
        return mem.read32(addr);
    }

    /** The four little-endian bytes of {@code v}. */
    static int[] le32(int v) {
        return new int[] {v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, v >>> 24};
    }

    /** The two little-endian bytes of {@code v}. */
    static int[] le16(int v) {
        return new int[] {v & 0xFF, (v >>> 8) & 0xFF};
    }

    /** Concatenates byte lists; each part is an {@code int[]} or a boxed {@code Integer}. */
    static int[] cat(Object... parts) {
        int n = 0;
        for (Object p : parts) {
            n += p instanceof int[] a ? a.length : 1;
        }
        int[] out = new int[n];
        int i = 0;
        for (Object p : parts) {
            if (p instanceof int[] a) {
                System.arraycopy(a, 0, out, i, a.length);
                i += a.length;
            } else {
                out[i++] = (Integer) p;
            }
        }
        return out;
    }
}
