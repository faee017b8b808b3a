package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The PC's interrupt and timer devices as the machine wires them. */
class MachineDevicesTest {
    private static StopReason run(Machine m, byte... code) {
        m.memory().write(0x10000, code, 0, code.length);
        m.cpu().setEip(0x10000);
        return m.run(1000, 0);
    }

    @Test
    void theDevicesAreOnTheBusAndThePicStartsMasked() {
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
        assertThat(m.io().devices()).contains(m.pic(), m.pit(), m.rtc(), m.i8042(), m.uart());
        assertThat(m.clock().nanosPerTick()).isEqualTo(VirtualClock.DEFAULT_NANOS_PER_INSTRUCTION);
        assertThat(m.pic().imr()).isEqualTo(0xFFFF);
        m.uart().out(0x3F9, 1, 0x02); // THR-empty interrupt: IRQ 4 requested, but masked
        assertThat(m.pic().irr() & 0x10).isEqualTo(0x10);
        assertThat(m.pic().intr()).isFalse();
        assertThat(m.io().in(0x80, 1)).isEqualTo(0xFF);
        assertThat(m.clock().nextEvent()).as("the PIT runs from power-on")
                .isEqualTo(Pit8254.nanosForTicks(0x8000));
    }

    @Test
    void theRateOfVirtualTimeIsAParameter() {
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream(), null, 25);
        assertThat(m.clock().nanosPerTick()).isEqualTo(25);
        // 40 x nop, then hlt: the PIT sees the instructions as time
        byte[] code = new byte[41];
        java.util.Arrays.fill(code, (byte) 0x90);
        code[40] = (byte) 0xF4;
        assertThat(run(m, code).kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(m.clock().nanos()).isEqualTo(m.cpu().instructions() * 25);
        assertThat(m.pit().counter(0)).isEqualTo((int) (0x10000 - 2 * Pit8254.ticks(0, m.clock().nanos())));
    }

    @Test
    void i8042ResetStopsTheMachine() {
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
        // mov $0xfe, %al; out %al, $0x64; hlt
        StopReason s = run(m, (byte) 0xB0, (byte) 0xFE, (byte) 0xE6, (byte) 0x64, (byte) 0xF4);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.RESET);
        assertThat(s.message()).isEqualTo("the guest reset the machine (i8042 0xFE)");
        assertThat(m.cpu().eip()).isEqualTo(0x10004);
    }
}
