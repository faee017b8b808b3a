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
     * A debugger that plugs into {@link #run} (a GDB stub, say): before every slice of instructions it may hold
     * the machine (serving its user while stopped), shorten the slice (1 to single-step) or end the run; after a
     * stop it decides whether the stop is its own (a breakpoint, a watchpoint, a finished step) or the run's.
     */
    public interface Debugger {
        /**
         * What to do next, as {@link #beforeSlice} decides: run at most {@code instructions} ({@code step}: one
         * instruction for a single step), or end the run with {@code end}.
         */
        record Slice(long instructions, boolean step, StopReason end) {
            /** Run at most {@code n} instructions. */
            public static Slice run(long n) {
                return new Slice(n, false, null);
            }

            /** Run one instruction, a single step. */
            public static Slice singleStep() {
                return new Slice(1, true, null);
            }

            /** End the run with {@code s}. */
            public static Slice end(StopReason s) {
                return new Slice(0, false, s);
            }
        }

        /** Before each slice of at most {@code planned} instructions (may block while the user looks around). */
        Slice beforeSlice(Machine machine, long planned);

        /**
         * The CPU stopped with {@code s}: null to go on running, or the stop the run ends with. A slice that merely
         * ran out of instructions is reported only after a single step ({@code stepped}, kind
         * {@link StopReason.Kind#BUDGET}) or when the run's budget or time is used up (BUDGET, TIMEOUT).
         */
        StopReason afterStop(Machine machine, StopReason s, boolean stepped);
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
     * {@code timeoutNanos > 0}, at most that much time running (checked every million instructions; time a
     * debugger holds the machine stopped does not count). COM1's output is flushed before returning. This is
     * the one run loop: a debugger, when attached, plugs in through {@link Debugger}; a host stop request
     * ({@link Cpu#requestHostStop()}) ends it with {@link StopReason.Kind#INTERRUPTED}.
     */
    public StopReason run(long maxInstructions, long timeoutNanos) {
        long left = maxInstructions;
        long ranNanos = 0;
        try {
            while (true) {
                Debugger d = debugger;
                long slice = Math.min(left, CHUNK);
                boolean step = false;
                if (d != null) {
                    Debugger.Slice plan = d.beforeSlice(this, slice);
                    if (plan.end() != null) {
                        return plan.end();
                    }
                    slice = plan.instructions();
                    step = plan.step();
                }
                long before = cpu.instructions();
                long t0 = System.nanoTime();
                StopReason s = cpu.run(slice);
                ranNanos += System.nanoTime() - t0;
                long ran = cpu.instructions() - before;
                left -= ran;
                boolean stepped = step && ran > 0;
                if (s.kind() == StopReason.Kind.BUDGET && !stepped) {
                    if (left <= 0) {
                        s = stopHere(StopReason.Kind.BUDGET, "instruction budget of " + maxInstructions + " used up");
                    } else if (timeoutNanos > 0 && ranNanos > timeoutNanos) {
                        s = stopHere(StopReason.Kind.TIMEOUT, String.format("timed out after %.1f s", timeoutNanos / 1e9));
                    } else {
                        continue;
                    }
                }
                if (d != null) {
                    s = d.afterStop(this, s, stepped);
                    if (s == null) {
                        continue;
                    }
                }
                return s;
            }
        } finally {
            uart.flush();
        }
    }

    /** A stop of {@code kind} at the CPU's EIP. */
    private StopReason stopHere(StopReason.Kind kind, String message) {
        return new StopReason(kind, cpu.eip(), 0, 0, cpu.instructionBytes(cpu.eip()), message);
    }
}
