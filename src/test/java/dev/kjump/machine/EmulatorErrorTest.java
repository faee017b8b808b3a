package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An error inside the emulator (here a device whose host I/O fails) stops the machine cleanly. */
class EmulatorErrorTest {
    @Test
    void aFailingDeviceStopsTheMachineWithAClearReason() {
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
        m.io().register(0x500, 1, new IoDevice() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public int in(int port, int size) {
                return 0;
            }

            @Override
            public void out(int port, int size, int value) {
                throw new IllegalStateException("host disk went away");
            }

            @Override
            public DeviceState saveState() {
                return Map::of;
            }

            @Override
            public void restoreState(DeviceState state) {
            }
        });
        // mov $0x500, %dx; out %al, (%dx); hlt
        byte[] code = {0x66, (byte) 0xBA, 0x00, 0x05, (byte) 0xEE, (byte) 0xF4};
        m.memory().write(0x10000, code, 0, code.length);
        m.cpu().setEip(0x10000);
        StopReason s = m.run(1000, 0);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.EMULATOR_ERROR);
        assertThat(s.eip()).isEqualTo(0x10004);
        assertThat(s.bytesHex()).startsWith("ee f4");
        assertThat(s.message()).contains("host disk went away", "00010004");
        assertThat(m.cpu().eip()).isEqualTo(0x10004);
    }
}
