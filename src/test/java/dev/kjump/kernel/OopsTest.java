package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kjump.kernel.kexec.KexecSegment;
import org.junit.jupiter.api.Test;

/** A callee that wrecks the kernel's own page directory makes the kernel oops: a clear error, never a hang. */
class OopsTest {
    @Test
    void aCalleeThatUnmapsTheKernelMakesItOops() {
        KernelFixture f = new KernelFixture();
        // movl $0, 0x105c00 (the page directory entry that maps PAGE_OFFSET); ret
        byte[] code = {(byte) 0xC7, 0x05, 0x00, 0x5C, 0x10, 0x00, 0, 0, 0, 0, (byte) 0xC3};
        assertThat(f.load(0x400000, KernelFixture.PRESERVE, KexecSegment.of(code, 0x400000, 4096))).isZero();
        // the jump itself completes (nothing on its way back lies under that entry), and the proof names the page
        assertThat(f.exec()).isZero();
        assertThat(f.kernel().lastJump().integrity().damaged()).containsExactly(0x105000L);
        // the next thing that touches low kernel memory oopses
        assertThatThrownBy(() -> f.kernel().runTasks(1)).isInstanceOf(KernelOops.class)
                .hasMessageContaining("kernel oops").hasMessageContaining("page fault at c0");
        assertThat(f.kernel().alive()).isFalse();
        assertThat(f.dmesg()).anyMatch(l -> l.contains("BUG: unable to handle kernel paging request"));
        assertThatThrownBy(() -> f.kernel().runTasks(1)).isInstanceOf(IllegalStateException.class);
    }
}
