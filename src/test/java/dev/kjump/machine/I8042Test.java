package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The i8042 without a keyboard: status, the commands with replies, and the reset line. */
class I8042Test {
    private int resets;
    private final List<String> irqs = new ArrayList<>();
    private final I8042 kbc = new I8042((irq, level) -> irqs.add(irq + (level ? "+" : "-")), () -> resets++);

    @Test
    void statusHasNothingToReadAndAnEmptyInputBuffer() {
        assertThat(kbc.in(0x64, 1)).isEqualTo(0x18);
        assertThat(kbc.in(0x64, 1) & 0x03).isZero();
    }

    @Test
    void pulseResetCommandResetsTheMachine() {
        kbc.out(0x64, 1, 0xFE);
        assertThat(resets).isEqualTo(1);
        kbc.out(0x64, 1, 0xFF); // pulse nothing
        kbc.out(0x64, 1, 0xF1);
        assertThat(resets).isEqualTo(1);
        kbc.out(0x64, 1, 0xF0);
        assertThat(resets).isEqualTo(2);
    }

    @Test
    void writingTheOutputPortWithBit0ClearResets() {
        kbc.out(0x64, 1, 0xD1);
        kbc.out(0x60, 1, 0xDF);
        assertThat(resets).isZero();
        kbc.out(0x64, 1, 0xD0);
        assertThat(kbc.in(0x60, 1)).isEqualTo(0xDF);
        kbc.out(0x64, 1, 0xD1);
        kbc.out(0x60, 1, 0xDE);
        assertThat(resets).isEqualTo(1);
    }

    @Test
    void selfTestAndCommandByte() {
        kbc.out(0x64, 1, 0xAA);
        assertThat(kbc.in(0x64, 1)).isEqualTo(0x1D);
        assertThat(irqs).containsExactly("1+");
        assertThat(kbc.in(0x60, 1)).isEqualTo(0x55);
        assertThat(irqs).containsExactly("1+", "1-");
        assertThat(kbc.in(0x64, 1) & 0x01).isZero();
        kbc.out(0x64, 1, 0x60);
        kbc.out(0x60, 1, 0x44); // interrupts off
        assertThat(kbc.in(0x64, 1) & 0x08).as("the last write was data").isZero();
        kbc.out(0x64, 1, 0x20);
        assertThat(kbc.in(0x60, 1)).isEqualTo(0x44);
        assertThat(irqs).containsExactly("1+", "1-", "1-");
        kbc.out(0x60, 1, 0xFF); // to the keyboard: there is none
        assertThat(kbc.in(0x64, 1) & 0x01).isZero();
        assertThat(kbc.saveState().registers()).containsEntry("mode", 0x44L);
    }
}
