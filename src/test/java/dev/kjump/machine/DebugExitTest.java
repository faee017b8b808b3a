package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebugExitTest {
    private final List<Integer> calls = new ArrayList<>();
    private final DebugExit dev = new DebugExit(calls::add);

    @Test
    void nothingBeforeAWrite() {
        assertThat(dev.lastValue()).isEmpty();
        assertThat(dev.exitCode()).isEmpty();
        assertThat(calls).isEmpty();
    }

    @Test
    void writeCallsBackWithValueAndQemuExitCode() {
        dev.out(0xF4, 1, 0x10);
        assertThat(calls).containsExactly(0x10);
        assertThat(dev.lastValue()).hasValue(0x10);
        assertThat(dev.exitCode()).hasValue(0x21);
        dev.out(0xF4, 4, 0);
        assertThat(dev.exitCode()).hasValue(1);
        assertThat(calls).containsExactly(0x10, 0);
    }

    @Test
    void valueIsTruncatedToTheAccessWidth() {
        dev.out(0xF4, 1, 0x1234);
        assertThat(dev.lastValue()).hasValue(0x34);
        dev.out(0xF4, 2, 0x12345678);
        assertThat(dev.lastValue()).hasValue(0x5678);
        dev.out(0xF4, 4, 0x80000001);
        assertThat(dev.lastValue()).hasValue(0x80000001);
        assertThat(dev.exitCode()).hasValue(3);
    }

    @Test
    void readsReturnZero() {
        assertThat(dev.in(0xF4, 1)).isZero();
        assertThat(dev.in(0xF4, 4)).isZero();
        assertThat(calls).isEmpty();
    }

    @Test
    void attachesToItsPortsOnTheBus() {
        IoBus bus = new IoBus();
        dev.attachTo(bus);
        bus.out(0xF7, 1, 5);
        assertThat(dev.exitCode()).hasValue(11);
        assertThat(bus.in(0xF4, 1)).isZero();
        assertThat(bus.in(0xF8, 1)).isEqualTo(0xFF);
        assertThat(dev.name()).isEqualTo("isa-debug-exit@0xf4");
    }

    @Test
    void otherPlacement() {
        DebugExit d = new DebugExit(0x501, 2, calls::add);
        IoBus bus = new IoBus();
        d.attachTo(bus);
        bus.out(0x502, 1, 7);
        bus.out(0x503, 1, 9);
        assertThat(calls).containsExactly(7);
        assertThatThrownBy(() -> new DebugExit(0xFFFF, 2, calls::add)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saveRestoreRoundTripWithoutCallingBack() {
        dev.out(0xF4, 1, 3);
        DebugExit.State s = dev.saveState();
        assertThat(s.registers()).containsEntry("written", 1L).containsEntry("lastValue", 3L);
        DebugExit fresh = new DebugExit(v -> {
            throw new AssertionError("callback on restore");
        });
        fresh.restoreState(s);
        assertThat(fresh.saveState()).isEqualTo(s);
        assertThat(fresh.exitCode()).hasValue(7);
    }
}
