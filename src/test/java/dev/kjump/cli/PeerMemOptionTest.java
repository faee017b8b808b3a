package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --peer-mem SIZE[@ADDR]} and its default. */
class PeerMemOptionTest {
    private static final long MIB = 1L << 20;

    @Test
    void theDefaultIsTheUpperHalfFrom64MiB() {
        assertThat(MachineOptions.peerRegion(null, 128 * MIB)).containsExactly(64 * MIB, 64 * MIB);
        assertThat(MachineOptions.peerRegion(null, 64 * MIB)).containsExactly(32 * MIB, 32 * MIB);
        assertThat(MachineOptions.peerRegion(null, 32 * MIB)).containsExactly(0, 0);
        // the kernel maps the first 896 MiB: above that no peer by default (--mem 1G, 4G used to be refused)
        assertThat(MachineOptions.peerRegion(null, 1024 * MIB)).containsExactly(448 * MIB, 448 * MIB);
        assertThat(MachineOptions.peerRegion(null, 4096 * MIB)).containsExactly(448 * MIB, 448 * MIB);
        assertThat(MachineOptions.peerRegion("64M", 4096 * MIB)).containsExactly(832 * MIB, 64 * MIB);
    }

    @Test
    void sizeAndAddress() {
        assertThat(MachineOptions.peerRegion("48M", 128 * MIB)).containsExactly(80 * MIB, 48 * MIB);
        assertThat(MachineOptions.peerRegion("32M@64M", 128 * MIB)).containsExactly(64 * MIB, 32 * MIB);
        assertThat(MachineOptions.peerRegion("0", 128 * MIB)).containsExactly(0, 0);
        assertThatThrownBy(() -> MachineOptions.peerRegion("64M@96M", 128 * MIB))
                .hasMessage("--peer-mem: 64M@96M does not fit in 128 MiB of RAM");
        assertThatThrownBy(() -> MachineOptions.peerRegion("lots", 128 * MIB))
                .hasMessageStartingWith("--peer-mem: not a size: 'lots'");
        assertThatThrownBy(() -> MachineOptions.peerRegion("1M@2M@3M", 128 * MIB))
                .hasMessageContaining("is not SIZE[@ADDR]");
    }
}
