package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SegmentTest {
    @Test
    void endIsAddressPlusMemorySize() {
        assertThat(new Segment(0x1000, new byte[4], 0x100).end()).isEqualTo(0x1100);
    }

    @Test
    void copiesDataOnConstruction() {
        byte[] data = {1, 2, 3};
        Segment s = new Segment(0, data, 3);
        data[0] = 9;
        assertThat(s.data()).containsExactly(1, 2, 3);
        assertThat(s.data()).as("accessor does not copy").isSameAs(s.data());
    }

    @Test
    void equalityUsesContents() {
        Segment a = new Segment(0x1000, new byte[] {1, 2}, 8);
        Segment b = new Segment(0x1000, new byte[] {1, 2}, 8);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new Segment(0x1000, new byte[] {1, 3}, 8));
        assertThat(a).isNotEqualTo(new Segment(0x1001, new byte[] {1, 2}, 8));
        assertThat(a).isNotEqualTo(new Segment(0x1000, new byte[] {1, 2}, 9));
    }

    @Test
    void toStringShowsRangeAndData() {
        assertThat(new Segment(0x1000, new byte[] {(byte) 0x90, (byte) 0xf4}, 0x10))
                .hasToString("Segment[0x1000-0x1010, filesz=0x2, data=90f4]");
        assertThat(new Segment(0, new byte[9], 9).toString()).contains("data=0000000000000000...");
    }

    @Test
    void rejectsInconsistentArguments() {
        assertThatThrownBy(() -> new Segment(-1, new byte[0], 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Segment(0, new byte[4], 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memSize 3 < data length 4");
        assertThatThrownBy(() -> new Segment(Long.MAX_VALUE, new byte[0], 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
