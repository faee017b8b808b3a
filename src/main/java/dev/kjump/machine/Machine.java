package dev.kjump.machine;

import dev.kjump.machine.cpu.Cpu;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The emulated PC, wired: physical memory, the CPU and its MMU, the I/O bus with a 16550 UART at COM1, QEMU's
 * isa-debug-exit at port 0xF4 and, when a disk image is given, an ATA disk on the primary channel. This is the
 * one place that builds a machine, for the CLI and the tests alike.
 */
public final class Machine {
    /** Default RAM size: 128 MiB. */
    public static final long DEFAULT_MEMORY = 128L << 20;

    private static final long CHUNK = 1L << 20;

    private final PhysicalMemory memory;
    private final IoBus io = new IoBus();
    private final Cpu cpu;
    private final Uart16550 uart;
    private final DebugExit debugExit;
    private final AtaDisk disk;
    private volatile Debugger debugger;

    /**
     * A debugger that takes over {@link #run} while attached (a GDB stub, say): it runs the CPU itself,
     * stopping where its user wants, and returns the stop the caller should see.
     */
    public interface Debugger {
        /** Runs {@code machine} as {@link Machine#run} would, under the debugger's control. */
        StopReason run(Machine machine, long maxInstructions, long timeoutNanos);
    }

    /**
     * @param memorySize RAM in bytes (a multiple of 4 KiB, at most 4 GiB)
     * @param console where COM1's output goes
     * @param diskImage a host file backing the ATA disk, or null for no disk
     */
    public Machine(long memorySize, OutputStream console, Path diskImage) {
        this.memory = new PhysicalMemory(memorySize);
        this.cpu = new Cpu(memory, io);
        this.uart = new Uart16550(console);
        uart.attachTo(io);
        this.debugExit = new DebugExit(value -> cpu.requestStop(new StopReason(StopReason.Kind.DEBUG_EXIT, cpu.eip(), 0,
                value, new byte[0], String.format("debug-exit port written: value %d (QEMU exit status %d)", value,
                        (value << 1) | 1))));
        debugExit.attachTo(io);
        if (diskImage != null) {
            try {
                this.disk = new AtaDisk(diskImage);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open disk image " + diskImage + ": " + e.getMessage(), e);
            }
            disk.attachTo(io);
        } else {
            this.disk = null;
        }
        cpu.resetProtectedFlat();
    }

    /** A machine with {@code memorySize} bytes of RAM, COM1 into {@code console}, and no disk. */
    public Machine(long memorySize, OutputStream console) {
        this(memorySize, console, null);
    }

    /** Physical memory. */
    public PhysicalMemory memory() {
        return memory;
    }

    /** The CPU. */
    public Cpu cpu() {
        return cpu;
    }

    /** The I/O port bus. */
    public IoBus io() {
        return io;
    }

    /** COM1. */
    public Uart16550 uart() {
        return uart;
    }

    /** The ATA disk, or null. */
    public AtaDisk disk() {
        return disk;
    }

    /** Attaches a debugger that runs the machine from now on (null: detach). */
    public void attachDebugger(Debugger d) {
        this.debugger = d;
    }

    /** The attached debugger, or null. */
    public Debugger debugger() {
        return debugger;
    }

    /**
     * Runs the CPU until a stop condition, at most {@code maxInstructions} instructions and, when
     * {@code timeoutNanos > 0}, at most that much wall-clock time (checked every million instructions).
     * COM1's output is flushed before returning. With a debugger attached, the debugger runs the CPU.
     */
    public StopReason run(long maxInstructions, long timeoutNanos) {
        Debugger d = debugger;
        if (d != null) {
            try {
                return d.run(this, maxInstructions, timeoutNanos);
            } finally {
                uart.flush();
            }
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : Long.MAX_VALUE;
        long left = maxInstructions;
        try {
            while (true) {
                long chunk = Math.min(left, CHUNK);
                long before = cpu.instructions();
                StopReason s = cpu.run(chunk);
                left -= cpu.instructions() - before;
                if (s.kind() != StopReason.Kind.BUDGET) {
                    return s;
                }
                if (left <= 0) {
                    return new StopReason(StopReason.Kind.BUDGET, cpu.eip(), 0, 0, cpu.instructionBytes(cpu.eip()),
                            "instruction budget of " + maxInstructions + " used up");
                }
                if (System.nanoTime() > deadline) {
                    return new StopReason(StopReason.Kind.TIMEOUT, cpu.eip(), 0, 0, cpu.instructionBytes(cpu.eip()),
                            String.format("timed out after %.1f s", timeoutNanos / 1e9));
                }
            }
        } finally {
            uart.flush();
        }
    }
}
