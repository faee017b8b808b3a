package dev.kjump.machine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * QEMU's {@code isa-debug-exit} device: a guest write stops the machine.
 *
 * <p>A write of value {@code v} (the zero-extended value of the access width) to any of its ports asks to stop
 * the machine with exit code {@code (v << 1) | 1}, as QEMU does; an operating system keeps only the low 8 bits of a
 * process's exit status, so the guest can never make the exit code look like a plain 0. The device calls the
 * callback given to the constructor with {@code v}; stopping the CPU is the caller's job.
 *
 * <p>Reads return 0, as QEMU's device does. The default placement is port 0xF4 with 4 ports, as used with
 * {@code -device isa-debug-exit,iobase=0xf4,iosize=0x04} (QEMU's own default {@code iosize} is 2).
 */
public final class DebugExit implements IoDevice {
    /** The usual port. */
    public static final int DEFAULT_PORT = 0xF4;

    /** The usual number of ports. */
    public static final int DEFAULT_IO_SIZE = 4;

    private final int port;
    private final int ioSize;
    private final IntConsumer onExit;

    private boolean written;
    private int lastValue;

    /**
     * Creates the device at port 0xF4 with 4 ports.
     *
     * @param onExit called with each value written
     */
    public DebugExit(IntConsumer onExit) {
        this(DEFAULT_PORT, DEFAULT_IO_SIZE, onExit);
    }

    /**
     * Creates the device at {@code port .. port+ioSize-1}.
     *
     * @param port   the first port
     * @param ioSize the number of ports
     * @param onExit called with each value written
     */
    public DebugExit(int port, int ioSize, IntConsumer onExit) {
        if (ioSize <= 0 || port < 0 || port + ioSize > 0x10000) {
            throw new IllegalArgumentException("bad port range: 0x" + Integer.toHexString(port) + "+" + ioSize);
        }
        this.port = port;
        this.ioSize = ioSize;
        this.onExit = Objects.requireNonNull(onExit, "onExit");
    }

    /** Registers this device's ports on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(port, ioSize, this);
    }

    /** The value of the last write, zero-extended from its width; empty before any write. */
    public OptionalInt lastValue() {
        return written ? OptionalInt.of(lastValue) : OptionalInt.empty();
    }

    /**
     * The exit code the last write asks for, {@code (value << 1) | 1} in 32 bits; empty before any write.
     * A process exit status keeps only its low 8 bits.
     */
    public OptionalInt exitCode() {
        return written ? OptionalInt.of(exitCodeFor(lastValue)) : OptionalInt.empty();
    }

    /** The exit code QEMU uses for a written value: {@code (value << 1) | 1}. */
    public static int exitCodeFor(int value) {
        return (value << 1) | 1;
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
        return "isa-debug-exit@0x" + Integer.toHexString(port);
    }

    /** {@inheritDoc} Always 0, as QEMU. */
    @Override
    public int in(int port, int size) {
        return 0;
    }

    /** {@inheritDoc} Records the value and calls the exit callback with it. */
    @Override
    public void out(int port, int size, int value) {
        int v = size == 1 ? value & 0xFF : size == 2 ? value & 0xFFFF : value;
        written = true;
        lastValue = v;
        onExit.accept(v);
    }

    /** {@inheritDoc} */
    @Override
    public State saveState() {
        return new State(written, lastValue);
    }

    /** {@inheritDoc} Does not call the exit callback. */
    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State)) {
            throw new IllegalArgumentException("not a DebugExit state: " + state);
        }
        State s = (State) state;
        written = s.written();
        lastValue = s.lastValue();
    }

    /**
     * The device's saved state.
     *
     * @param written   whether the guest has written to the device
     * @param lastValue the last value written (0 if none)
     */
    public record State(boolean written, int lastValue) implements DeviceState {
        /** {@inheritDoc} */
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            r.put("written", written ? 1L : 0L);
            r.put("lastValue", Integer.toUnsignedLong(lastValue));
            return r;
        }
    }
}
