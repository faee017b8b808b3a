package dev.kjump.machine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The machine's virtual time, derived from the CPU's instruction count (plus the time it spends halted), so
 * that a run is reproducible: the same inputs give the same interrupts at the same instructions. At the
 * default rate one instruction is {@value #DEFAULT_NANOS_PER_INSTRUCTION} ns of virtual time (100 MIPS).
 *
 * <p>Timed devices ({@link Timed}) say when their next event is due; the clock keeps the earliest of them, and
 * the CPU calls {@link #advance()} when the instruction count reaches it.
 */
public final class VirtualClock {
    /** Virtual nanoseconds per instruction at the default rate (100 MIPS). */
    public static final long DEFAULT_NANOS_PER_INSTRUCTION = 10;

    /** A device with events in virtual time (a timer that raises an IRQ, say). */
    public interface Timed {
        /** The virtual time (ns) of this device's next event, or {@link Long#MAX_VALUE} for none. */
        long nextEvent();

        /** Virtual time is now {@code nanos}: do what was due up to then (raise IRQs, reload counters). */
        void advanceTo(long nanos);
    }

    private final long nanosPerTick;
    private final List<Timed> devices = new ArrayList<>();
    private LongSupplier ticks = () -> 0;
    private Runnable onReschedule = () -> { };

    /** @param nanosPerTick virtual nanoseconds per instruction (at least 1) */
    public VirtualClock(long nanosPerTick) {
        if (nanosPerTick < 1) {
            throw new IllegalArgumentException("nanoseconds per instruction must be at least 1: " + nanosPerTick);
        }
        this.nanosPerTick = nanosPerTick;
    }

    /** Virtual nanoseconds per instruction. */
    public long nanosPerTick() {
        return nanosPerTick;
    }

    /**
     * Connects the clock to the CPU: {@code ticks} reads the CPU's time in instructions (halted time included),
     * {@code onReschedule} tells the CPU the earliest event changed.
     */
    public void connect(LongSupplier ticks, Runnable onReschedule) {
        this.ticks = ticks;
        this.onReschedule = onReschedule;
    }

    /** Registers a timed device. */
    public void register(Timed device) {
        devices.add(device);
        reschedule();
    }

    /** Virtual time now, in nanoseconds. */
    public long nanos() {
        return ticks.getAsLong() * nanosPerTick;
    }

    /** A device's schedule changed (the guest programmed a timer): the CPU looks at the earliest event again. */
    public void reschedule() {
        onReschedule.run();
    }

    /** The earliest event of all devices, in virtual ns ({@link Long#MAX_VALUE}: none). */
    public long nextEvent() {
        long next = Long.MAX_VALUE;
        for (Timed t : devices) {
            next = Math.min(next, t.nextEvent());
        }
        return next;
    }

    /** The earliest event, in CPU ticks (rounded up; {@link Long#MAX_VALUE}: none). */
    public long nextEventTick() {
        long next = nextEvent();
        return next == Long.MAX_VALUE ? Long.MAX_VALUE : (next + nanosPerTick - 1) / nanosPerTick;
    }

    /** Brings every device up to the current virtual time. */
    public void advance() {
        long now = nanos();
        for (Timed t : devices) {
            if (t.nextEvent() <= now) {
                t.advanceTo(now);
            }
        }
    }
}
