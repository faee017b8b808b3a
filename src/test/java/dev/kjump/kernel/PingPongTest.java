package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Two kernels ping-ponging: 1000 round trips, the integrity proof held on every one. */
class PingPongTest {
    private static final int ROUNDS = 1000;

    @Test
    void thousandRoundTrips() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        byte[] disk = k.ramdisk().read(0, k.ramdisk().pageCount() * 4096);
        assertThat(f.load("pingpong.elf")).isZero();
        int used = f.usedPages();
        long t0 = System.nanoTime();
        long callee = 0, swap = 0;
        for (int i = 1; i <= ROUNDS; i++) {
            int r = f.exec();
            if (r != 0) {
                throw new AssertionError("round " + i + ": " + Errno.describe(r));
            }
            JumpReport j = k.lastJump();
            assertThat(j.number()).isEqualTo(i);
            assertThat(j.ok()).as("jump %d", j.number()).isTrue();
            assertThat(j.integrity().damaged()).isEmpty();
            callee += j.outcome().calleeNanos();
            swap += j.outcome().swapInNanos() + j.outcome().swapBackNanos();
        }
        long total = System.nanoTime() - t0;
        StringBuilder want = new StringBuilder();
        for (int i = 1; i <= ROUNDS; i++) {
            want.append("pingpong: round ").append(i).append('\n');
        }
        assertThat(f.transcript()).isEqualTo(want.toString());
        assertThat(k.jumpCount()).isEqualTo(ROUNDS);
        // the kernel keeps only the last reports: its memory does not grow with the jumps
        assertThat(k.jumps()).hasSize(Kernel.JUMP_HISTORY).last().isSameAs(k.lastJump());
        assertThat(k.jumps().get(0).number()).isEqualTo(ROUNDS - Kernel.JUMP_HISTORY + 1);
        assertThat(f.image().start()).isEqualTo(0x400022);
        assertThat(f.usedPages()).isEqualTo(used);
        assertThat(k.ramdisk().read(0, disk.length)).isEqualTo(disk);
        System.out.printf("PingPongTest: %d round trips in %.1f ms, %.3f ms per round trip"
                + " (callee %.3f ms, swap_pages %.3f ms, %d page(s) each way)%n", ROUNDS, total / 1e6,
                total / 1e6 / ROUNDS, callee / 1e6 / ROUNDS, swap / 1e6 / ROUNDS,
                k.lastJump().outcome().pagesSwapped());
    }
}
