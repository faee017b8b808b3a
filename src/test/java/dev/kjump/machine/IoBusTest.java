package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IoBusTest {
    /** A device that records accesses and answers reads with port + size. */
    private static final class Probe implements IoDevice {
        final String name;
        final List<String> log = new ArrayList<>();

        Probe(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int in(int port, int size) {
            log.add("in " + Integer.toHexString(port) + "/" + size);
            return port + size;
        }

        @Override
        public void out(int port, int size, int value) {
            log.add("out " + Integer.toHexString(port) + "/" + size + "=" + Integer.toHexString(value));
        }

        @Override
        public DeviceState saveState() {
            return Map::of;
        }

        @Override
        public void restoreState(DeviceState state) {
        }
    }

    private final IoBus bus = new IoBus();

    @Test
    void unclaimedPortsReadAllOnesAndIgnoreWrites() {
        assertThat(bus.in(0x80, 1)).isEqualTo(0xFF);
        assertThat(bus.in(0x80, 2)).isEqualTo(0xFFFF);
        assertThat(bus.in(0x80, 4)).isEqualTo(0xFFFFFFFF);
        bus.out(0x80, 1, 0);
        assertThat(bus.in(0x80, 1)).isEqualTo(0xFF);
    }

    @Test
    void dispatchesByPort() {
        Probe a = new Probe("a");
        Probe b = new Probe("b");
        bus.register(0x60, 1, a);
        bus.register(0x64, 1, a);
        bus.register(0x70, 2, b);
        assertThat(bus.in(0x64, 1)).isEqualTo(0x65);
        bus.out(0x71, 2, 0x1234);
        assertThat(bus.in(0x61, 1)).isEqualTo(0xFF);
        assertThat(bus.in(0x72, 1)).isEqualTo(0xFF);
        assertThat(a.log).containsExactly("in 64/1");
        assertThat(b.log).containsExactly("out 71/2=1234");
        assertThat(bus.devices()).containsExactly(a, b);
    }

    @Test
    void portNumbersWrapAt64K() {
        Probe a = new Probe("a");
        bus.register(0x10, 1, a);
        assertThat(bus.in(0x10010, 1)).isEqualTo(0x11);
        assertThat(a.log).containsExactly("in 10/1");
    }

    @Test
    void overlappingRegistrationIsRejectedAndLeavesThePortsAlone() {
        Probe a = new Probe("a");
        Probe b = new Probe("b");
        bus.register(0x3F8, 8, a);
        assertThatThrownBy(() -> bus.register(0x3F0, 9, b))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a");
        assertThat(bus.in(0x3F0, 1)).as("no partial claim").isEqualTo(0xFF);
        assertThat(bus.devices()).containsExactly(a);
        bus.register(0x3F8, 1, a); // the same device again is allowed
        assertThat(bus.devices()).containsExactly(a);
    }

    @Test
    void badRangesAreRejected() {
        Probe a = new Probe("a");
        assertThatThrownBy(() -> bus.register(-1, 1, a)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus.register(0xFFFF, 2, a)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus.register(0x10, 0, a)).isInstanceOf(IllegalArgumentException.class);
        bus.register(0xFFFF, 1, a);
        assertThat(bus.in(0xFFFF, 1)).isEqualTo(0x10000);
    }

    @Test
    void allDevicesTogether() {
        Uart16550 uart = new Uart16550(new java.io.ByteArrayOutputStream());
        AtaDisk disk = new AtaDisk(new byte[1024]);
        DebugExit exit = new DebugExit(v -> { });
        uart.attachTo(bus);
        disk.attachTo(bus);
        exit.attachTo(bus);
        assertThat(bus.devices()).containsExactly(uart, disk, exit);
        assertThat(bus.in(0x3FD, 1)).isEqualTo(0x60);
        assertThat(bus.in(0x3F6, 1)).isEqualTo(0x50);
        assertThat(bus.in(0x3F7, 1)).as("0x3F7 is not the disk's").isEqualTo(0xFF);
        assertThat(bus.in(0x1F7, 1)).isEqualTo(0x50);
        bus.out(0xF4, 1, 1);
        assertThat(exit.exitCode()).hasValue(3);
    }
}
