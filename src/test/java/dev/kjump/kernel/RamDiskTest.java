package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The RAM disk a kernel boots with: its documented fill, through the kernel's own page tables. */
class RamDiskTest {
    @Test
    void everyPageHoldsItsFillPatternAtBoot() {
        Kernel k = new KernelFixture().kernel();
        RamDisk disk = k.ramdisk();
        byte[] all = disk.read(0, disk.pageCount() * 4096);
        for (int i = 0; i < disk.pageCount(); i++) {
            for (int j = 0; j < 4096; j++) {
                if (all[i * 4096 + j] != (byte) (i * 31 + j * 7)) {
                    throw new AssertionError(String.format("page %d byte %d: %02x, expected %02x", i, j,
                            all[i * 4096 + j] & 0xFF, (i * 31 + j * 7) & 0xFF));
                }
            }
        }
        assertThat(disk.pageCount()).isGreaterThan(1);
        assertThat(disk.used()).isZero();
    }
}
