package dev.kjump.machine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Intel 8254 programmable interval timer at ports 0x40-0x43 (QEMU's {@code isa-pit}, hw/timer/i8254.c and
 * i8254_common.c), with port 0x61 (system control port B, QEMU's {@code pcspk}) for channel 2's gate and output.
 *
 * <p>The counters are not stepped: each channel remembers the virtual time its count was loaded, and its counter
 * and output are exact functions of the virtual time ({@link VirtualClock#nanos()}) at the input clock of
 * {@value #PIT_FREQ} Hz, as in QEMU: {@code d = floor((now - loadTime) * PIT_FREQ / 1e9)} ticks have elapsed, the
 * counter reads {@code count - d} (modes 0, 1, 4, 5: modulo 0x10000), {@code count - d mod count} (mode 2) or
 * {@code count - 2d mod count} (mode 3), and the output is: mode 0 {@code d >= count}; mode 1 {@code d < count};
 * mode 2 high for the one tick at each multiple of {@code count} (QEMU's reading of the low pulse); mode 3
 * {@code d mod count < (count+1)/2}; modes 4 and 5 high at {@code d == count}. A count of 0 is 0x10000.
 *
 * <p>Programming, as QEMU: the control word at 0x43 selects channel (bits 7-6), access (bits 5-4: 0 latch,
 * 1 LSB, 2 MSB, 3 LSB then MSB), mode (bits 3-1, stored as written: 6 and 7 are not folded into 2 and 3) and BCD
 * (bit 0; kept for the status, the counter counts in binary); it does not restart the counter, writing the
 * count does. The counter latch (access 0) freezes the count until it is read in the channel's access mode; the
 * read-back command (channel bits 11) latches count (bit 5 clear) and/or status (bit 4 clear: OUT bit 7, access,
 * mode, BCD) of the channels in bits 3-1. Reading 0x43 gives 0. The gate matters only on a rise, which restarts
 * counting in modes 1, 2, 3 and 5 (QEMU does not stop a counter whose gate is low).
 *
 * <p>Channel 0's output is IRQ 0: this is a {@link VirtualClock.Timed} device whose events are channel 0's output
 * transitions, at the exact virtual time the output changes (the first instant the tick count reaches the
 * transition), so a periodic mode 2 or 3 raises IRQ 0 once per period, deterministically.
 *
 * <p>Port 0x61 reads bit 0 channel 2's gate, bit 1 the speaker data enable, bit 4 the refresh toggle and bit 5
 * channel 2's output; writes set the gate (bit 0) and speaker data (bit 1). The refresh bit flips on every read,
 * as QEMU's {@code dummy_refresh_clock} does (a real board flips it every 15 µs).
 *
 * <p>Power-on state, as QEMU's reset: every channel in mode 3 with count 0x10000 loaded at time 0, gates high
 * for channels 0 and 1 and low for channel 2: IRQ 0 runs at 18.2 Hz until the guest programs channel 0 (the PIC
 * keeps it masked until then).
 */
public final class Pit8254 implements IoDevice, VirtualClock.Timed {
    /** The counters' input clock, Hz (QEMU's {@code PIT_FREQ}). */
    public static final long PIT_FREQ = 1_193_182;
    /** The first port. */
    public static final int BASE = 0x40;
    /** System control port B: channel 2's gate and output, the speaker. */
    public static final int PORT_B = 0x61;

    private static final long NS = 1_000_000_000L;
    private static final int RW_LSB = 1;
    private static final int RW_MSB = 2;
    private static final int RW_WORD0 = 3;
    private static final int RW_WORD1 = 4;
    /** Transitions {@link #advanceTo} replays one by one before it jumps to the present. */
    private static final int CATCH_UP = 64;

    private final VirtualClock clock;
    private final IrqLine irq;
    private final Channel[] channels = {new Channel(), new Channel(), new Channel()};
    private boolean speakerData;
    private boolean refresh;
    /** Channel 0's next output transition, virtual ns; {@link Long#MAX_VALUE} for none. */
    private long nextTransition;

    /**
     * @param clock the virtual time the counters run on
     * @param irq where channel 0's output goes (IRQ 0)
     */
    public Pit8254(VirtualClock clock, IrqLine irq) {
        this.clock = clock;
        this.irq = irq;
        for (int i = 0; i < 3; i++) {
            Channel c = channels[i];
            c.mode = 3;
            c.gate = i != 2;
            c.count = 0x10000;
            c.loadTime = 0;
        }
        nextTransition = channels[0].nextTransition(0);
    }

    /** Registers ports 0x40-0x43 and 0x61 on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(BASE, 4, this);
        bus.register(PORT_B, 1, this);
    }

    @Override
    public String name() {
        return "i8254@0x40";
    }

    // ------------------------------------------------------------------ timed device (channel 0 -> IRQ 0)

    @Override
    public long nextEvent() {
        return nextTransition;
    }

    @Override
    public void advanceTo(long nanos) {
        for (int n = 0; nextTransition <= nanos; n++) {
            if (n == CATCH_UP) {
                // Far behind (the clock jumped, a state came back): IRR keeps one rise however many there were.
                irq.setIrq(0, true);
                irqUpdate(nanos);
                return;
            }
            irqUpdate(nextTransition);
        }
    }

    /** QEMU's {@code pit_irq_timer_update}: IRQ 0 follows channel 0's output at {@code t}; the next transition. */
    private void irqUpdate(long t) {
        Channel c = channels[0];
        irq.setIrq(0, c.out(t));
        nextTransition = c.nextTransition(t);
    }

    // ------------------------------------------------------------------ ports

    @Override
    public int in(int port, int size) {
        long now = clock.nanos();
        if (port == PORT_B) {
            Channel c = channels[2];
            refresh = !refresh;
            return (c.gate ? 1 : 0) | (speakerData ? 2 : 0) | (refresh ? 0x10 : 0) | (c.out(now) ? 0x20 : 0);
        }
        int a = port & 3;
        if (a == 3) {
            return 0;
        }
        Channel c = channels[a];
        if (c.statusLatched) {
            c.statusLatched = false;
            return c.status;
        }
        if (c.countLatched != 0) {
            switch (c.countLatched) {
                case RW_MSB -> {
                    c.countLatched = 0;
                    return c.latchedCount >> 8 & 0xFF;
                }
                case RW_WORD0 -> {
                    c.countLatched = RW_MSB;
                    return c.latchedCount & 0xFF;
                }
                default -> {
                    c.countLatched = 0;
                    return c.latchedCount & 0xFF;
                }
            }
        }
        int count = c.counter(now);
        switch (c.readState) {
            case RW_MSB:
                return count >> 8 & 0xFF;
            case RW_WORD0:
                c.readState = RW_WORD1;
                return count & 0xFF;
            case RW_WORD1:
                c.readState = RW_WORD0;
                return count >> 8 & 0xFF;
            default:
                return count & 0xFF;
        }
    }

    @Override
    public void out(int port, int size, int value) {
        int v = value & 0xFF;
        long now = clock.nanos();
        if (port == PORT_B) {
            speakerData = (v & 2) != 0;
            setGate(2, (v & 1) != 0, now);
            return;
        }
        int a = port & 3;
        if (a == 3) {
            control(v, now);
            return;
        }
        Channel c = channels[a];
        switch (c.writeState) {
            case RW_MSB -> load(a, v << 8, now);
            case RW_WORD0 -> {
                c.writeLatch = v;
                c.writeState = RW_WORD1;
            }
            case RW_WORD1 -> {
                load(a, c.writeLatch | v << 8, now);
                c.writeState = RW_WORD0;
            }
            default -> load(a, v, now);
        }
    }

    private void control(int v, long now) {
        int ch = v >> 6;
        if (ch == 3) { // read-back
            for (int i = 0; i < 3; i++) {
                Channel c = channels[i];
                if ((v & (2 << i)) != 0) {
                    if ((v & 0x20) == 0) {
                        c.latch(now);
                    }
                    if ((v & 0x10) == 0 && !c.statusLatched) {
                        c.status = (c.out(now) ? 0x80 : 0) | c.rwMode << 4 | c.mode << 1 | (c.bcd ? 1 : 0);
                        c.statusLatched = true;
                    }
                }
            }
            return;
        }
        Channel c = channels[ch];
        int access = v >> 4 & 3;
        if (access == 0) {
            c.latch(now);
        } else {
            c.rwMode = access;
            c.readState = access;
            c.writeState = access;
            c.mode = v >> 1 & 7;
            c.bcd = (v & 1) != 0;
        }
    }

    /** QEMU's {@code pit_load_count}: 0 is 0x10000; counting starts now. */
    private void load(int ch, int value, long now) {
        Channel c = channels[ch];
        c.count = value == 0 ? 0x10000 : value;
        c.loadTime = now;
        restarted(ch, now);
    }

    /** QEMU's {@code pit_set_gate}: a rise restarts counting in modes 1, 2, 3 and 5. */
    private void setGate(int ch, boolean gate, long now) {
        Channel c = channels[ch];
        if (!c.gate && gate && c.mode != 0 && c.mode != 4 && c.mode <= 5) {
            c.loadTime = now;
            restarted(ch, now);
        }
        c.gate = gate;
    }

    private void restarted(int ch, long now) {
        if (ch == 0) {
            irqUpdate(now);
            clock.reschedule();
        }
    }

    // ------------------------------------------------------------------ views

    /** Channel {@code ch}'s counter now (what an unlatched read gives, both bytes). */
    public int counter(int ch) {
        return channels[ch].counter(clock.nanos());
    }

    /** Channel {@code ch}'s output now. */
    public boolean output(int ch) {
        return channels[ch].out(clock.nanos());
    }

    /** Channel {@code ch}'s initial count (1-0x10000). */
    public int initialCount(int ch) {
        return channels[ch].count;
    }

    /** Channel {@code ch}'s mode (0-7, as written). */
    public int mode(int ch) {
        return channels[ch].mode;
    }

    // ------------------------------------------------------------------ state

    @Override
    public State saveState() {
        ChannelState[] cs = new ChannelState[3];
        for (int i = 0; i < 3; i++) {
            cs[i] = channels[i].save();
        }
        return new State(cs[0], cs[1], cs[2], speakerData, refresh, nextTransition);
    }

    /** {@inheritDoc} Channel 0's schedule comes back as saved; IRQ 0 is not touched until its next transition. */
    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("not a Pit8254 state: " + state);
        }
        channels[0].load(s.channel0());
        channels[1].load(s.channel1());
        channels[2].load(s.channel2());
        speakerData = s.speakerData();
        refresh = s.refresh();
        nextTransition = s.nextTransition();
        clock.reschedule();
    }

    /** Elapsed input-clock ticks between {@code from} and {@code to} (ns): QEMU's {@code muldiv64}, exactly. */
    static long ticks(long from, long to) {
        long ns = to - from;
        if (ns <= 0) {
            return 0;
        }
        return ns / NS * PIT_FREQ + ns % NS * PIT_FREQ / NS;
    }

    /** The first time (ns after the load) at which {@code k} ticks have elapsed: the inverse of {@link #ticks}. */
    static long nanosForTicks(long k) {
        return k / PIT_FREQ * NS + (k % PIT_FREQ * NS + PIT_FREQ - 1) / PIT_FREQ;
    }

    /** One counter. */
    private static final class Channel {
        int count;
        int latchedCount;
        int countLatched;
        boolean statusLatched;
        int status;
        /** 0 until a control word sets the access (treated as LSB, as QEMU's zeroed state). */
        int readState;
        int writeState;
        int writeLatch;
        int rwMode;
        int mode;
        boolean bcd;
        boolean gate;
        long loadTime;

        int counter(long now) {
            long d = ticks(loadTime, now);
            return switch (mode) {
                case 0, 1, 4, 5 -> (int) ((count - d) & 0xFFFF);
                case 3 -> (int) (count - (2 * d) % count);
                default -> (int) (count - d % count);
            };
        }

        boolean out(long now) {
            long d = ticks(loadTime, now);
            return switch (mode) {
                case 1 -> d < count;
                case 2 -> d % count == 0 && d != 0;
                case 3 -> d % count < (count + 1) >> 1;
                case 4, 5 -> d == count;
                default -> d >= count;
            };
        }

        /**
         * When the output next changes, as {@link #out} defines it: the exact first instant the tick count gets
         * there ({@link Long#MAX_VALUE}: never). QEMU's {@code pit_get_next_transition_time} instead rounds the time
         * down and aims mode 2 one tick late to make up for it; here mode 2's pulse starts exactly at each multiple
         * of the count, so IRQ 0 rises at the same tick as in QEMU, within one PIT tick of the same nanosecond.
         */
        long nextTransition(long now) {
            long d = ticks(loadTime, now);
            long next;
            switch (mode) {
                case 2 -> {
                    if (d % count != 0 || d == 0) {
                        next = d - d % count + count; // the pulse
                    } else if (count > 1) {
                        next = d + 1; // the end of the pulse
                    } else {
                        return Long.MAX_VALUE; // count 1: high for good
                    }
                }
                case 3 -> {
                    if (count == 1) {
                        return Long.MAX_VALUE; // high for good
                    }
                    long base = d - d % count;
                    long half = (count + 1) >> 1;
                    next = d - base < half ? base + half : base + count;
                }
                case 4, 5 -> {
                    if (d < count) {
                        next = count;
                    } else if (d == count) {
                        next = count + 1;
                    } else {
                        return Long.MAX_VALUE;
                    }
                }
                default -> {
                    if (d >= count) {
                        return Long.MAX_VALUE;
                    }
                    next = count;
                }
            }
            long t = loadTime + nanosForTicks(next);
            return t <= now ? now + 1 : t;
        }

        void latch(long now) {
            if (countLatched == 0) {
                latchedCount = counter(now);
                countLatched = rwMode;
            }
        }

        ChannelState save() {
            return new ChannelState(count, latchedCount, countLatched, statusLatched, status, readState, writeState,
                    writeLatch, rwMode, mode, bcd, gate, loadTime);
        }

        void load(ChannelState s) {
            count = s.count();
            latchedCount = s.latchedCount();
            countLatched = s.countLatched();
            statusLatched = s.statusLatched();
            status = s.status();
            readState = s.readState();
            writeState = s.writeState();
            writeLatch = s.writeLatch();
            rwMode = s.rwMode();
            mode = s.mode();
            bcd = s.bcd();
            gate = s.gate();
            loadTime = s.loadTime();
        }
    }

    /**
     * One channel's saved state (QEMU's {@code PITChannelState}).
     *
     * @param count the initial count (1-0x10000)
     * @param latchedCount the count the latch froze
     * @param countLatched how much of the latched count is still to be read (0 none, else the access state)
     * @param statusLatched a read-back status is waiting to be read
     * @param status the latched status byte
     * @param readState the next read's byte (1 LSB, 2 MSB, 3 LSB of a word, 4 MSB of a word)
     * @param writeState the next write's byte, likewise
     * @param writeLatch the LSB written, waiting for its MSB
     * @param rwMode the access mode of the control word (1-3)
     * @param mode the counter mode (0-7)
     * @param bcd the control word's BCD bit
     * @param gate the gate input
     * @param loadTime the virtual time (ns) the count was loaded or the gate restarted it
     */
    public record ChannelState(int count, int latchedCount, int countLatched, boolean statusLatched, int status,
                               int readState, int writeState, int writeLatch, int rwMode, int mode, boolean bcd,
                               boolean gate, long loadTime) {
        void put(Map<String, Long> r, String prefix) {
            r.put(prefix + "count", (long) count);
            r.put(prefix + "mode", (long) mode);
            r.put(prefix + "rwMode", (long) rwMode);
            r.put(prefix + "gate", gate ? 1L : 0L);
            r.put(prefix + "loadTime", loadTime);
        }
    }

    /**
     * The timer's saved state.
     *
     * @param channel0 channel 0 (IRQ 0)
     * @param channel1 channel 1 (DRAM refresh on old PCs)
     * @param channel2 channel 2 (speaker, gated by port 0x61)
     * @param speakerData port 0x61 bit 1
     * @param refresh port 0x61 bit 4 as last read
     * @param nextTransition channel 0's next output transition (virtual ns; {@link Long#MAX_VALUE}: none)
     */
    public record State(ChannelState channel0, ChannelState channel1, ChannelState channel2, boolean speakerData,
                        boolean refresh, long nextTransition) implements DeviceState {
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            channel0.put(r, "ch0.");
            channel1.put(r, "ch1.");
            channel2.put(r, "ch2.");
            r.put("portB", (speakerData ? 2L : 0L) | (channel2.gate() ? 1L : 0L));
            return r;
        }
    }
}
