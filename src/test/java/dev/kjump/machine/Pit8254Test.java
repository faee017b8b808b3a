package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 8254 on virtual time: modes, access, latch, read-back, IRQ 0 times, channel 2 through port 0x61. */
class Pit8254Test {
    /** Linux's PIT_LATCH for HZ=100. */
    private static final int LATCH = 11932;

    private long now;
    private int reschedules;
    private final VirtualClock clock = new VirtualClock(1);
    private final List<String> irq0 = new ArrayList<>();
    private final Pit8254 pit = new Pit8254(clock, (irq, level) -> irq0.add((level ? "+" : "-") + clock.nanos()));
    private final IoBus bus = new IoBus();

    @BeforeEach
    void attach() {
        clock.connect(() -> now, () -> reschedules++);
        clock.register(pit);
        pit.attachTo(bus);
    }

    /** The first virtual ns at which {@code ticks} PIT ticks have elapsed since {@code from}, computed apart. */
    private static long at(long from, long ticks) {
        BigInteger[] qr = BigInteger.valueOf(ticks).multiply(BigInteger.valueOf(1_000_000_000L))
                .divideAndRemainder(BigInteger.valueOf(Pit8254.PIT_FREQ));
        return from + qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }

    /** PIT ticks elapsed since {@code from}, computed apart. */
    private static long ticks(long from, long t) {
        return BigInteger.valueOf(t - from).multiply(BigInteger.valueOf(Pit8254.PIT_FREQ))
                .divide(BigInteger.valueOf(1_000_000_000L)).longValueExact();
    }

    /** Runs virtual time to the clock's next event and lets the devices act, as the CPU does. */
    private long runToNextEvent() {
        now = clock.nextEvent();
        clock.advance();
        return now;
    }

    private int latchedCount(int ch) {
        bus.out(0x43, 1, ch << 6);
        return bus.in(0x40 + ch, 1) | bus.in(0x40 + ch, 1) << 8;
    }

    @Test
    void powerOnChannel0RunsMode3At18Hz() {
        assertThat(pit.mode(0)).isEqualTo(3);
        assertThat(pit.initialCount(0)).isEqualTo(0x10000);
        assertThat(clock.nextEvent()).isEqualTo(at(0, 0x8000));
        assertThat(runToNextEvent()).isEqualTo(at(0, 0x8000));
        assertThat(irq0).containsExactly("-" + at(0, 0x8000));
        assertThat(runToNextEvent()).isEqualTo(at(0, 0x10000));
        assertThat(irq0).last().isEqualTo("+" + at(0, 0x10000));
    }

    @Test
    void mode2RaisesIrq0OncePerPeriodAtExactTimes() {
        now = 12_345;
        bus.out(0x43, 1, 0x34); // channel 0, lo/hi, mode 2, binary
        bus.out(0x40, 1, LATCH & 0xFF);
        bus.out(0x40, 1, LATCH >> 8);
        assertThat(irq0).containsExactly("-12345");
        assertThat(reschedules).isPositive();
        irq0.clear();
        for (int period = 1; period <= 3; period++) {
            runToNextEvent();
            runToNextEvent();
        }
        List<String> expected = new ArrayList<>();
        for (int period = 1; period <= 3; period++) {
            expected.add("+" + at(12_345, (long) period * LATCH));
            expected.add("-" + at(12_345, (long) period * LATCH + 1));
        }
        assertThat(irq0).containsExactlyElementsOf(expected);
        // HZ=100: 10 ms as near as the PIT gets
        assertThat(at(12_345, LATCH) - 12_345).as("11932 ticks: 10.000151 ms").isEqualTo(10_000_151L);
    }

    @Test
    void countsDownAsAFunctionOfVirtualTime() {
        bus.out(0x43, 1, 0x34);
        bus.out(0x40, 1, LATCH & 0xFF);
        bus.out(0x40, 1, LATCH >> 8);
        for (long t : new long[] {0, 837, 838, 5_000_000, 9_999_999, 10_000_017, 123_456_789}) {
            now = t;
            long expected = LATCH - ticks(0, t) % LATCH;
            assertThat(latchedCount(0)).as("at %d ns", t).isEqualTo(expected);
            assertThat(pit.counter(0)).isEqualTo((int) expected);
        }
    }

    @Test
    void theLatchFreezesTheCountUntilRead() {
        bus.out(0x43, 1, 0x34);
        bus.out(0x40, 1, 0x00);
        bus.out(0x40, 1, 0x10); // 0x1000
        now = 100_000; // 119 ticks
        bus.out(0x43, 1, 0x00);
        now = 900_000;
        bus.out(0x43, 1, 0x00); // ignored: the first latch is not read yet
        int lo = bus.in(0x40, 1);
        now = 2_000_000;
        int hi = bus.in(0x40, 1);
        assertThat(lo | hi << 8).isEqualTo(0x1000 - 119);
        // unlatched, the lo/hi reads follow the counter
        int lo2 = bus.in(0x40, 1);
        int hi2 = bus.in(0x40, 1);
        assertThat(lo2 | hi2 << 8).isEqualTo(0x1000 - (int) ticks(0, 2_000_000));
    }

    @Test
    void readBackLatchesStatusAndCount() {
        bus.out(0x43, 1, 0x34);
        bus.out(0x40, 1, 100);
        bus.out(0x40, 1, 0);
        now = at(0, 10);
        bus.out(0x43, 1, 0xE2); // read-back status only, channel 0
        assertThat(bus.in(0x40, 1)).as("OUT low, lo/hi, mode 2, binary").isEqualTo(0x34);
        now = at(0, 100); // the output pulse
        bus.out(0x43, 1, 0xC2); // count and status
        assertThat(bus.in(0x40, 1)).as("OUT high").isEqualTo(0xB4);
        now = at(0, 150);
        assertThat(bus.in(0x40, 1) | bus.in(0x40, 1) << 8).as("count latched with the status").isEqualTo(100);
        // channels 1 and 2 at power-on: mode 3, lo/hi never programmed (access 0), OUT high
        bus.out(0x43, 1, 0xEC);
        assertThat(bus.in(0x41, 1)).isEqualTo(0x86);
        assertThat(bus.in(0x42, 1)).isEqualTo(0x86);
        assertThat(bus.in(0x43, 1)).as("the control port reads 0").isZero();
    }

    @Test
    void lsbOnlyAndMsbOnlyAccess() {
        bus.out(0x43, 1, 0x50); // channel 1, LSB only, mode 0
        bus.out(0x41, 1, 0x80);
        assertThat(pit.initialCount(1)).isEqualTo(0x80);
        assertThat(bus.in(0x41, 1)).isEqualTo(0x80);
        bus.out(0x43, 1, 0x60); // MSB only
        bus.out(0x41, 1, 0x12);
        assertThat(pit.initialCount(1)).isEqualTo(0x1200);
        now = at(0, 0x100);
        assertThat(bus.in(0x41, 1)).isEqualTo(0x11);
        bus.out(0x41, 1, 0); // 0 is 0x10000
        assertThat(pit.initialCount(1)).isEqualTo(0x10000);
    }

    @Test
    void mode0RaisesIrq0OnceAtTerminalCount() {
        bus.out(0x43, 1, 0x30);
        bus.out(0x40, 1, 0xE8);
        bus.out(0x40, 1, 0x03); // 1000
        assertThat(irq0).containsExactly("-0");
        assertThat(runToNextEvent()).isEqualTo(at(0, 1000));
        assertThat(irq0).containsExactly("-0", "+" + at(0, 1000));
        assertThat(clock.nextEvent()).isEqualTo(Long.MAX_VALUE);
        now = at(0, 1005);
        assertThat(pit.counter(0)).as("wraps past zero").isEqualTo(0xFFFB);
    }

    @Test
    void channel2GatedAndReadThroughPort61AsLinuxCalibratesTheTsc() {
        // pit_calibrate_tsc: gate high, speaker off; mode 0, lo/hi; latch = 1193182 / 20 (50 ms)
        bus.out(0x61, 1, (bus.in(0x61, 1) & ~0x02) | 0x01);
        int latch = (int) (Pit8254.PIT_FREQ / 20);
        bus.out(0x43, 1, 0xB0);
        bus.out(0x42, 1, latch & 0xFF);
        bus.out(0x42, 1, latch >> 8);
        now = at(0, latch) - 1;
        assertThat(bus.in(0x61, 1) & 0x21).isEqualTo(0x01);
        now = at(0, latch);
        assertThat(bus.in(0x61, 1) & 0x21).isEqualTo(0x21);
        assertThat(clock.nextEvent()).as("channel 2 is not on an IRQ").isEqualTo(at(0, 0x8000));
    }

    @Test
    void gateRiseRestartsMode2() {
        bus.out(0x43, 1, 0xB4); // channel 2, lo/hi, mode 2
        bus.out(0x42, 1, 0);
        bus.out(0x42, 1, 1); // 256
        now = at(0, 100);
        assertThat(pit.counter(2)).isEqualTo(156);
        bus.out(0x61, 1, 0x01);
        assertThat(pit.counter(2)).as("restarted by the gate's rise").isEqualTo(256);
        now = at(0, 110);
        bus.out(0x61, 1, 0x01); // no rise: nothing happens
        assertThat(pit.counter(2)).isEqualTo(256 - (int) ticks(at(0, 100), now));
    }

    @Test
    void refreshBitTogglesOnEveryRead() {
        int a = bus.in(0x61, 1);
        int b = bus.in(0x61, 1);
        assertThat(a & 0x10).isEqualTo(0x10);
        assertThat(b & 0x10).isZero();
        assertThat(a & ~0x10).isEqualTo(b & ~0x10);
    }

    @Test
    void tickConversionsAreExactInverses() {
        for (long k = 0; k < 3 * Pit8254.PIT_FREQ; k += 997) {
            long t = Pit8254.nanosForTicks(k);
            assertThat(Pit8254.ticks(0, t)).isEqualTo(k);
            assertThat(k == 0 || Pit8254.ticks(0, t - 1) == k - 1).isTrue();
        }
        long big = 40_000L * 1_000_000_000L; // eleven hours
        assertThat(Pit8254.ticks(0, big)).isEqualTo(ticks(0, big));
    }

    @Test
    void farBehindCatchesUpWithOneRise() {
        bus.out(0x43, 1, 0x34);
        bus.out(0x40, 1, 2);
        bus.out(0x40, 1, 0);
        irq0.clear();
        now = 1_000_000_000L;
        clock.advance();
        assertThat(irq0).hasSizeLessThan(200).startsWith("+1000000000");
        assertThat(clock.nextEvent()).isGreaterThan(now);
    }

    @Test
    void stateSavesAndRestores() {
        bus.out(0x43, 1, 0x34);
        bus.out(0x40, 1, LATCH & 0xFF);
        bus.out(0x40, 1, LATCH >> 8);
        now = 5_000_000;
        Pit8254.State s = pit.saveState();
        assertThat(s.registers()).containsEntry("ch0.count", (long) LATCH).containsEntry("ch0.mode", 2L);
        bus.out(0x43, 1, 0x30);
        bus.out(0x40, 1, 1);
        bus.out(0x40, 1, 0);
        pit.restoreState(s);
        assertThat(pit.saveState()).isEqualTo(s);
        assertThat(clock.nextEvent()).isEqualTo(at(0, LATCH));
        assertThat(pit.counter(0)).isEqualTo(LATCH - (int) ticks(0, now));
    }
}
