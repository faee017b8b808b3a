package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MC146818 on virtual time: the epoch, BCD and binary, 12 and 24 hours, UIP, SET, the CMOS RAM. */
class CmosRtcTest {
    private static final long S = 1_000_000_000L;

    private long now;
    private final VirtualClock clock = new VirtualClock(1);
    private final CmosRtc rtc = new CmosRtc(clock);
    private final IoBus bus = new IoBus();

    @BeforeEach
    void attach() {
        clock.connect(() -> now, () -> { });
        rtc.attachTo(bus);
    }

    private int read(int reg) {
        bus.out(0x70, 1, reg);
        return bus.in(0x71, 1);
    }

    private void write(int reg, int value) {
        bus.out(0x70, 1, reg);
        bus.out(0x71, 1, value);
    }

    @Test
    void powerOnHoldsTheEpochInBcd() {
        assertThat(CmosRtc.DEFAULT_EPOCH).isEqualTo(java.time.Instant.parse("2024-01-01T00:00:00Z").getEpochSecond());
        assertThat(read(0x00)).isZero();
        assertThat(read(0x02)).isZero();
        assertThat(read(0x04)).isZero();
        assertThat(read(0x06)).as("Monday").isEqualTo(2);
        assertThat(read(0x07)).isEqualTo(0x01);
        assertThat(read(0x08)).isEqualTo(0x01);
        assertThat(read(0x09)).isEqualTo(0x24);
        assertThat(read(0x32)).isEqualTo(0x20);
        assertThat(read(0x0A)).isEqualTo(0x26);
        assertThat(read(0x0B)).isEqualTo(0x02);
        assertThat(read(0x0C)).isZero();
        assertThat(read(0x0D)).as("VRT").isEqualTo(0x80);
    }

    @Test
    void timeAdvancesWithVirtualTime() {
        now = (2 * 86400 + 13 * 3600 + 59 * 60 + 58) * S + S / 2;
        assertThat(read(0x00)).isEqualTo(0x58);
        assertThat(read(0x02)).isEqualTo(0x59);
        assertThat(read(0x04)).isEqualTo(0x13);
        assertThat(read(0x07)).isEqualTo(0x03);
        assertThat(read(0x06)).as("Wednesday").isEqualTo(4);
        now = 366L * 86400 * S; // 2025-01-01 (2024 is a leap year)
        assertThat(read(0x09)).isEqualTo(0x25);
        assertThat(read(0x08)).isEqualTo(0x01);
        assertThat(rtc.seconds()).isEqualTo(CmosRtc.DEFAULT_EPOCH + 366L * 86400);
    }

    @Test
    void binaryAndTwelveHourModes() {
        now = (23 * 3600 + 45 * 60 + 59) * S;
        write(0x0B, 0x06); // binary, 24 h
        assertThat(read(0x00)).isEqualTo(59);
        assertThat(read(0x02)).isEqualTo(45);
        assertThat(read(0x04)).isEqualTo(23);
        assertThat(read(0x09)).isEqualTo(24);
        write(0x0B, 0x00); // BCD, 12 h
        assertThat(read(0x04)).as("11 PM").isEqualTo(0x80 | 0x11);
        now = 30 * 60 * S;
        assertThat(read(0x04)).as("12 AM").isEqualTo(0x12);
        now = (12 * 3600 + 30 * 60) * S;
        assertThat(read(0x04)).as("12 PM").isEqualTo(0x80 | 0x12);
    }

    @Test
    void uipInTheLast244MicrosecondsOfEachSecond() {
        assertThat(CmosRtc.UIP_HOLD_NANOS).isEqualTo(244_140);
        now = 5 * S + S / 2;
        assertThat(read(0x0A)).isEqualTo(0x26);
        now = 6 * S - 244_140;
        assertThat(read(0x0A)).isEqualTo(0xA6);
        now = 6 * S - 1;
        assertThat(read(0x0A)).isEqualTo(0xA6);
        now = 6 * S;
        assertThat(read(0x0A)).isEqualTo(0x26);
        write(0x0A, 0xA6);
        assertThat(read(0x0A)).as("UIP is read-only").isEqualTo(0x26);
    }

    @Test
    void setModeHoldsTheRegistersAndSetsTheTimeWhenCleared() {
        now = 10 * S + S / 4;
        write(0x0B, 0x82); // SET, 24 h, BCD
        write(0x04, 0x10);
        write(0x02, 0x20);
        write(0x00, 0x30);
        now = 20 * S;
        assertThat(read(0x00)).as("held").isEqualTo(0x30);
        assertThat(read(0x0A) & 0x80).as("no UIP while set").isZero();
        write(0x0B, 0x02);
        assertThat(read(0x04)).isEqualTo(0x10);
        assertThat(read(0x02)).isEqualTo(0x20);
        assertThat(read(0x00)).isEqualTo(0x30);
        now = 20 * S + 3 * S;
        assertThat(read(0x00)).isEqualTo(0x33);
        assertThat(read(0x07)).as("the date was kept").isEqualTo(0x01);
    }

    @Test
    void writingATimeRegisterWhileRunningSetsTheTime() {
        write(0x09, 0x99);
        write(0x32, 0x19);
        assertThat(read(0x09)).isEqualTo(0x99);
        assertThat(rtc.seconds()).isEqualTo(java.time.Instant.parse("1999-01-01T00:00:00Z").getEpochSecond());
    }

    @Test
    void cmosRamIndexNmiBitAndPorts() {
        write(0x40, 0x5A);
        write(0x7F, 0xA5);
        assertThat(read(0x40)).isEqualTo(0x5A);
        bus.out(0x70, 1, 0x80 | 0x7F); // NMI masked, same index
        assertThat(bus.in(0x71, 1)).isEqualTo(0xA5);
        assertThat(bus.in(0x70, 1)).isEqualTo(0xFF);
        write(0x0C, 0xFF);
        write(0x0D, 0x00);
        assertThat(read(0x0C)).isZero();
        assertThat(read(0x0D)).isEqualTo(0x80);
        assertThat(read(0x37)).as("the PS/2 century byte reads 0x32").isEqualTo(0x20);
    }

    @Test
    void anotherEpoch() {
        CmosRtc other = new CmosRtc(clock, java.time.Instant.parse("1999-12-31T23:59:59Z").getEpochSecond());
        other.out(0x70, 1, 0x09);
        assertThat(other.in(0x71, 1)).isEqualTo(0x99);
        now = S;
        other.out(0x70, 1, 0x32);
        assertThat(other.in(0x71, 1)).isEqualTo(0x20);
        other.out(0x70, 1, 0x09);
        assertThat(other.in(0x71, 1)).isEqualTo(0x00);
    }

    @Test
    void stateSavesAndRestores() {
        write(0x40, 0x11);
        now = 7 * S;
        CmosRtc.State s = rtc.saveState();
        write(0x40, 0x22);
        write(0x04, 0x05);
        rtc.restoreState(s);
        assertThat(rtc.saveState()).isEqualTo(s);
        assertThat(read(0x40)).isEqualTo(0x11);
        assertThat(read(0x00)).isEqualTo(0x07);
        assertThat(read(0x04)).isZero();
    }
}
