package dev.kjump.machine;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Motorola MC146818 real-time clock and its 128 bytes of CMOS RAM at ports 0x70 (index) and 0x71 (data), as
 * QEMU's {@code mc146818rtc} (hw/rtc/mc146818rtc.c) models it. Bit 7 of the index is the NMI mask: it is kept
 * but has no effect (the machine has no NMI source); reading port 0x70 gives 0xFF, as QEMU.
 *
 * <p>The time runs on virtual time ({@link VirtualClock#nanos()}), starting at a fixed epoch given to the
 * constructor ({@link #DEFAULT_EPOCH}: 2024-01-01 00:00:00 UTC), so runs are reproducible. As in QEMU the guest
 * RTC time is {@code base * 1e9 + (now - lastUpdate) + offset} ns: reading a time register (0 seconds, 2 minutes,
 * 4 hours, 6 day of week (1 = Sunday), 7 day of month, 8 month, 9 year, 0x32 century; 0x37, the PS/2 century
 * byte, reads 0x32) while the clock runs first copies that time into them, in BCD or binary (register B bit 2)
 * and 24-hour or 12-hour with bit 7 for PM (register B bit 1). Writing a time register while the clock runs sets
 * the time from the registers; with register B's SET bit (7) the registers hold still and the time is set from
 * them when SET is cleared (keeping the sub-second phase). Register A: the divider (bits 6-4; 0x60 holds the
 * clock, leaving it starts the next second half a second later) and rate; its UIP bit (7) reads set during the
 * last 244 µs of each second while the clock runs (QEMU's {@code UIP_HOLD_LENGTH}, 8 cycles of 32.768 kHz).
 * Register C reads and clears the interrupt flags (none are raised: the periodic, alarm and update-ended
 * interrupts on IRQ 8 are not modelled); register D reads 0x80 (VRT: the battery is good). Writes to C and D are
 * ignored. The other bytes are plain RAM.
 *
 * <p>Power-on: register A 0x26 (32.768 kHz time base, 1024 Hz rate), B 0x02 (24-hour, BCD), C 0, D 0x80, the
 * time registers holding the epoch, the rest 0.
 */
public final class CmosRtc implements IoDevice {
    /** The index port. */
    public static final int INDEX = 0x70;
    /** The data port. */
    public static final int DATA = 0x71;
    /** The default epoch: 2024-01-01 00:00:00 UTC, in seconds since 1970. */
    public static final long DEFAULT_EPOCH = 1_704_067_200L;

    /** Register indexes. */
    static final int SECONDS = 0;
    static final int MINUTES = 2;
    static final int HOURS = 4;
    static final int DAY_OF_WEEK = 6;
    static final int DAY_OF_MONTH = 7;
    static final int MONTH = 8;
    static final int YEAR = 9;
    static final int REG_A = 0x0A;
    static final int REG_B = 0x0B;
    static final int REG_C = 0x0C;
    static final int REG_D = 0x0D;
    static final int CENTURY = 0x32;
    static final int PS2_CENTURY = 0x37;

    static final int REG_A_UIP = 0x80;
    static final int REG_B_SET = 0x80;
    static final int REG_B_UIE = 0x10;
    static final int REG_B_DM = 0x04;
    static final int REG_B_24H = 0x02;

    private static final long NS = 1_000_000_000L;
    /** How long before each second's update UIP reads set: 8 cycles of the 32.768 kHz time base, in ns. */
    static final long UIP_HOLD_NANOS = 8 * NS / 32768;

    private final VirtualClock clock;
    private final byte[] cmos = new byte[128];
    private int index;
    private boolean nmiMasked;
    /** RTC seconds since 1970 at {@link #lastUpdate}. */
    private long base;
    /** The virtual time (ns) the time was last set. */
    private long lastUpdate;
    /** The sub-second phase (ns) at {@link #lastUpdate}. */
    private long offset;

    /**
     * @param clock the virtual time the RTC runs on
     * @param epochSeconds the RTC time (seconds since 1970-01-01 UTC) at virtual time 0
     */
    public CmosRtc(VirtualClock clock, long epochSeconds) {
        this.clock = clock;
        cmos[REG_A] = 0x26;
        cmos[REG_B] = REG_B_24H;
        cmos[REG_D] = (byte) 0x80;
        base = epochSeconds;
        lastUpdate = 0;
        copyDate(epochSeconds);
    }

    /** An RTC starting at {@link #DEFAULT_EPOCH}. */
    public CmosRtc(VirtualClock clock) {
        this(clock, DEFAULT_EPOCH);
    }

    /** Registers ports 0x70-0x71 on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(INDEX, 2, this);
    }

    @Override
    public String name() {
        return "mc146818@0x70";
    }

    /** The RTC's time now, seconds since 1970-01-01 UTC. */
    public long seconds() {
        return Math.floorDiv(guestNanos(), NS);
    }

    @Override
    public int in(int port, int size) {
        if (port == INDEX) {
            return 0xFF;
        }
        switch (index) {
            case PS2_CENTURY:
                index = CENTURY;
                // fall through
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY:
                if (running()) {
                    copyDate(seconds());
                }
                return reg(index);
            case REG_A:
                return reg(REG_A) | (updateInProgress() ? REG_A_UIP : 0);
            case REG_C:
                int c = reg(REG_C);
                cmos[REG_C] = 0;
                return c;
            default:
                return reg(index);
        }
    }

    @Override
    public void out(int port, int size, int value) {
        int v = value & 0xFF;
        if (port == INDEX) {
            index = v & 0x7F;
            nmiMasked = (v & 0x80) != 0;
            return;
        }
        switch (index) {
            case PS2_CENTURY:
                index = CENTURY;
                // fall through
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY:
                cmos[index] = (byte) v;
                if (running()) {
                    setTime();
                }
                break;
            case REG_A:
                writeA(v);
                break;
            case REG_B:
                writeB(v);
                break;
            case REG_C, REG_D:
                break;
            default:
                cmos[index] = (byte) v;
        }
    }

    private void writeA(int v) {
        int a = reg(REG_A);
        if ((v & 0x60) == 0x60) {
            if (running()) {
                copyDate(seconds());
            }
        } else if ((a & 0x60) == 0x60 && (v & 0x70) <= 0x20 && (reg(REG_B) & REG_B_SET) == 0) {
            // leaving divider reset: the first update comes half a second later
            offset = NS / 2;
            setTime();
        }
        cmos[REG_A] = (byte) (v & ~REG_A_UIP);
    }

    private void writeB(int v) {
        int b = reg(REG_B);
        if ((v & REG_B_SET) != 0) {
            if (running()) {
                copyDate(seconds());
            }
            v &= ~REG_B_UIE;
        } else if ((b & REG_B_SET) != 0 && (reg(REG_A) & 0x70) <= 0x20) {
            offset = Math.floorMod(guestNanos(), NS);
            setTime();
        }
        cmos[REG_B] = (byte) v;
    }

    /** The clock runs: register B's SET is clear and the divider is a normal time base. */
    private boolean running() {
        return (reg(REG_B) & REG_B_SET) == 0 && (reg(REG_A) & 0x70) <= 0x20;
    }

    /** QEMU's {@code update_in_progress}: in the last 244 µs of a second while running. */
    private boolean updateInProgress() {
        return running() && Math.floorMod(guestNanos(), NS) >= NS - UIP_HOLD_NANOS;
    }

    private long guestNanos() {
        return base * NS + clock.nanos() - lastUpdate + offset;
    }

    private int reg(int i) {
        return cmos[i] & 0xFF;
    }

    private int toBcd(int a) {
        return (reg(REG_B) & REG_B_DM) != 0 ? a : (a / 10) << 4 | a % 10;
    }

    private int fromBcd(int a) {
        return (reg(REG_B) & REG_B_DM) != 0 ? a : (a >> 4) * 10 + (a & 0x0F);
    }

    /** QEMU's {@code rtc_copy_date}: the time {@code secs} into the registers, in the current format. */
    private void copyDate(long secs) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(secs, 0, ZoneOffset.UTC);
        cmos[SECONDS] = (byte) toBcd(t.getSecond());
        cmos[MINUTES] = (byte) toBcd(t.getMinute());
        int h = t.getHour();
        if ((reg(REG_B) & REG_B_24H) != 0) {
            cmos[HOURS] = (byte) toBcd(h);
        } else {
            int h12 = h % 12;
            cmos[HOURS] = (byte) (toBcd(h12 == 0 ? 12 : h12) | (h >= 12 ? 0x80 : 0));
        }
        cmos[DAY_OF_WEEK] = (byte) toBcd(t.getDayOfWeek().getValue() % 7 + 1);
        cmos[DAY_OF_MONTH] = (byte) toBcd(t.getDayOfMonth());
        cmos[MONTH] = (byte) toBcd(t.getMonthValue());
        cmos[YEAR] = (byte) toBcd(t.getYear() % 100);
        cmos[CENTURY] = (byte) toBcd(t.getYear() / 100);
    }

    /** QEMU's {@code rtc_set_time}: the time from the registers (out-of-range fields carry over), now. */
    private void setTime() {
        int hours = fromBcd(reg(HOURS) & 0x7F);
        if ((reg(REG_B) & REG_B_24H) == 0) {
            hours %= 12;
            if ((reg(HOURS) & 0x80) != 0) {
                hours += 12;
            }
        }
        int year = fromBcd(reg(YEAR)) + fromBcd(reg(CENTURY)) * 100;
        LocalDateTime t = LocalDate.of(year, 1, 1).atStartOfDay()
                .plusMonths(fromBcd(reg(MONTH)) - 1L)
                .plusDays(fromBcd(reg(DAY_OF_MONTH)) - 1L)
                .plusHours(hours)
                .plusMinutes(fromBcd(reg(MINUTES)))
                .plusSeconds(fromBcd(reg(SECONDS)));
        base = t.toEpochSecond(ZoneOffset.UTC);
        lastUpdate = clock.nanos();
    }

    @Override
    public State saveState() {
        return new State(cmos, index, nmiMasked, base, lastUpdate, offset);
    }

    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("not a CmosRtc state: " + state);
        }
        System.arraycopy(s.cmos(), 0, cmos, 0, 128);
        index = s.index();
        nmiMasked = s.nmiMasked();
        base = s.base();
        lastUpdate = s.lastUpdate();
        offset = s.offset();
    }

    /**
     * The RTC's saved state.
     *
     * @param cmos the 128 bytes of CMOS RAM, registers included
     * @param index the selected register (0-0x7F)
     * @param nmiMasked bit 7 of the last index write
     * @param base RTC seconds since 1970 at {@code lastUpdate}
     * @param lastUpdate the virtual time (ns) the time was last set
     * @param offset the sub-second phase (ns) at {@code lastUpdate}
     */
    public record State(byte[] cmos, int index, boolean nmiMasked, long base, long lastUpdate, long offset)
            implements DeviceState {
        /** Copies the RAM, so a state stays immutable. */
        public State {
            cmos = cmos.clone();
        }

        /** A copy of the CMOS RAM. */
        @Override
        public byte[] cmos() {
            return cmos.clone();
        }

        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            r.put("index", (long) index);
            for (int i : new int[] {SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, REG_A, REG_B,
                    REG_C, REG_D, CENTURY}) {
                r.put(String.format("cmos[%02x]", i), (long) (cmos[i] & 0xFF));
            }
            r.put("base", base);
            return r;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(cmos, s.cmos) && index == s.index && nmiMasked == s.nmiMasked
                    && base == s.base && lastUpdate == s.lastUpdate && offset == s.offset;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(cmos) * 31 + Long.hashCode(base ^ lastUpdate ^ offset) + index;
        }

        @Override
        public String toString() {
            return "CmosRtc.State" + registers();
        }
    }
}
