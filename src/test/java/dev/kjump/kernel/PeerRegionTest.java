package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kjump.kernel.mm.PageAllocator;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The peer region (never allocated, not owned) and the kernel's smallest machine. */
class PeerRegionTest {
    private static final long MIB = 1L << 20;

    @Test
    void theAllocatorNeverHandsOutAPeerFrame() {
        // 24 MiB of RAM, the peer region 8..20 MiB: exhaust the allocator
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withPeer(8 * MIB, 12 * MIB), 24 * MIB);
        PageAllocator pages = f.kernel().pageAllocator();
        int n = 0;
        for (int pfn = pages.allocPage(); pfn >= 0; pfn = pages.allocPage()) {
            assertThat(pfn < 0x800 || pfn >= 0x1400).as("frame %x outside the peer region", pfn).isTrue();
            n++;
        }
        assertThat(n).as("frames left outside the peer region").isPositive();
        assertThat(pages.ownedFrames().get(0x800, 0x1400).isEmpty()).as("no peer frame is owned").isTrue();
        assertThat(pages.inPeerRegion(0x800)).isTrue();
        assertThat(pages.inPeerRegion(0x1400)).isFalse();
        assertThat(f.dmesg()).anyMatch(l -> l.contains("peer region: [mem 0x00800000-0x013fffff] (12 MiB)"));
    }

    @Test
    void anElfCalleeJumpsOnA16MiBMachine() {
        KernelFixture f = new KernelFixture(KernelConfig.defaults(), 16 * MIB);
        JumpReport r = f.loadAndJump("hello.elf", null);
        assertThat(r.ok()).isTrue();
        assertThat(r.integrity().intact()).isTrue();
        assertThat(f.transcript()).contains("hello");
    }

    @Test
    void badMachinesAndRegionsAreRefusedInOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> new Kernel(new Machine(15 * MIB, out), KernelConfig.defaults(), new KernelLog(null)))
                .hasMessage("the kernel needs at least 16 MiB of RAM, the machine has 15 MiB");
        assertThatThrownBy(() -> new Kernel(new Machine(32 * MIB, out), KernelConfig.defaults().withPeer(4 * MIB,
                4 * MIB), new KernelLog(null))).hasMessageContaining("must lie between 8 MiB and the end of RAM");
        assertThatThrownBy(() -> new Kernel(new Machine(32 * MIB, out), KernelConfig.defaults().withPeer(16 * MIB,
                32 * MIB), new KernelLog(null))).hasMessageContaining("must lie between");
        assertThatThrownBy(() -> new Kernel(new Machine(32 * MIB, out), KernelConfig.defaults().withPeer(16 * MIB + 1,
                4096), new KernelLog(null))).hasMessageContaining("not page aligned");
    }
}
