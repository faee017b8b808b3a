package dev.kjump.machine;

import dev.kjump.machine.cpu.Cpu;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The emulated PC, wired: physical memory, the CPU and its MMU, the virtual clock (time from the instruction
 * count), the I/O bus with the 8259A PIC pair (0x20, 0xA0, ELCR 0x4D0), the 8254 PIT (0x40, port 0x61; IRQ 0),
 * the MC146818 RTC and CMOS (0x70), the i8042 (0x60/0x64; its reset line stops the machine with
 * {@link StopReason.Kind#RESET}), the POST port 0x80, a 16550 UART at COM1 (IRQ 4), QEMU's isa-debug-exit at port
 * 0xF4 and, when a disk image is given, an ATA disk on the primary channel. The CPU gets the PIC as its interrupt
 * controller and the clock ({@link Cpu#connect}). At power-on the PIC has every IRQ masked, so nothing is
 * delivered until a guest programs it. This is the one place that builds a machine, for the CLI and the tests
 * alike. A machine with a disk holds the disk image open and locked until {@link #close()}.
 */
public final class Machine implements AutoCloseable {
    /** Default RAM size: 128 MiB. */
    public static final long DEFAULT_MEMORY = 128L << 20;

    private static final long CHUNK = 1L << 20;

    private final PhysicalMemory memory;
    private final IoBus io = new IoBus();
    private final Cpu cpu;
    private final Uart16550 uart;
    private final DebugExit debugExit;
    private final AtaDisk disk;
    private final VirtualClock clock;
    private final Pic8259 pic;
    private final Pit8254 pit;
    private final CmosRtc rtc;
    private final I8042 i8042;
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
     * @param nanosPerInstruction virtual nanoseconds per instruction (at least 1; the default,
     *     {@link VirtualClock#DEFAULT_NANOS_PER_INSTRUCTION}, is 100 MIPS)
     */
    public Machine(long memorySize, OutputStream console, Path diskImage, long nanosPerInstruction) {
        this(memorySize, console, openDisk(diskImage), nanosPerInstruction, true);
    }

    private static AtaDisk openDisk(Path diskImage) {
        if (diskImage == null) {
            return null;
        }
        try {
            return new AtaDisk(diskImage);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open disk image " + diskImage + ": " + e.getMessage(), e);
        }
    }

    /**
     * A machine with {@code disk} (already open, e.g. {@link AtaDisk#open read-only}) on the primary channel; the
     * machine owns it from here: {@link #close()} closes it, and so does a failure to build the machine.
     *
     * @param memorySize RAM in bytes (a multiple of 4 KiB, at most 4 GiB)
     * @param console where COM1's output goes
     * @param disk the ATA disk, or null for none
     * @param nanosPerInstruction virtual nanoseconds per instruction (at least 1)
     * @return the machine
     */
    public static Machine withDisk(long memorySize, OutputStream console, AtaDisk disk, long nanosPerInstruction) {
        return new Machine(memorySize, console, disk, nanosPerInstruction, true);
    }

    private Machine(long memorySize, OutputStream console, AtaDisk disk, long nanosPerInstruction, boolean owned) {
        try {
            this.memory = new PhysicalMemory(memorySize);
        } catch (RuntimeException e) {
            closeQuietly(disk);
            throw e;
        }
        this.cpu = new Cpu(memory, io);
        this.clock = new VirtualClock(nanosPerInstruction);
        this.pic = new Pic8259(clock::reschedule);
        pic.attachTo(io);
        this.pit = new Pit8254(clock, pic);
        pit.attachTo(io);
        clock.register(pit);
        this.rtc = new CmosRtc(clock);
        rtc.attachTo(io);
        this.i8042 = new I8042(pic, () -> cpu.requestStop(new StopReason(StopReason.Kind.RESET, cpu.eip(), 0, 0,
                new byte[0], "the guest reset the machine (i8042 0xFE)")));
        i8042.attachTo(io);
        new PostPort().attachTo(io);
        this.uart = new Uart16550(console);
        uart.attachTo(io);
        uart.connectIrq(pic, 4);
        this.debugExit = new DebugExit(value -> cpu.requestStop(new StopReason(StopReason.Kind.DEBUG_EXIT, cpu.eip(), 0,
                value, new byte[0], String.format("debug-exit port written: value %d (QEMU exit status %d)", value,
                        (value << 1) | 1))));
        debugExit.attachTo(io);
        this.disk = disk;
        if (disk != null) {
            disk.attachTo(io);
        }
        cpu.resetProtectedFlat();
        cpu.connect(pic, clock);
    }

    /**
     * A machine at the default rate of virtual time ({@link VirtualClock#DEFAULT_NANOS_PER_INSTRUCTION}).
     *
     * @param memorySize RAM in bytes (a multiple of 4 KiB, at most 4 GiB)
     * @param console where COM1's output goes
     * @param diskImage a host file backing the ATA disk, or null for no disk
     */
    public Machine(long memorySize, OutputStream console, Path diskImage) {
        this(memorySize, console, diskImage, VirtualClock.DEFAULT_NANOS_PER_INSTRUCTION);
    }

    /** A machine with {@code memorySize} bytes of RAM, COM1 into {@code console}, and no disk. */
    public Machine(long memorySize, OutputStream console) {
        this(memorySize, console, null);
    }

    /**
     * Closes the disk, if any: its written sectors forced to the file, the file closed and its lock released. The
     * machine must not run afterwards. Closing twice does nothing more.
     *
     * @throws UncheckedIOException when the written sectors cannot be forced to the file
     */
    @Override
    public void close() {
        if (disk != null) {
            try {
                disk.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write back the disk image: " + e.getMessage(), e);
            }
        }
    }

    private static void closeQuietly(AtaDisk disk) {
        if (disk != null) {
            try {
                disk.close();
            } catch (IOException ignored) {
                // the machine was never built; the failure that stopped it is the one to report
            }
        }
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

    /** The virtual clock. */
    public VirtualClock clock() {
        return clock;
    }

    /** The 8259A PIC pair (the CPU's interrupt controller). */
    public Pic8259 pic() {
        return pic;
    }

    /** The 8254 PIT. */
    public Pit8254 pit() {
        return pit;
    }

    /** The MC146818 RTC and CMOS RAM. */
    public CmosRtc rtc() {
        return rtc;
    }

    /** The i8042 keyboard controller (its reset line). */
    public I8042 i8042() {
        return i8042;
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
