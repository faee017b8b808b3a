package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sys_reboot's checks and kernel_kexec's errno results. */
class RebootTest {
    private KernelFixture f;
    private Kernel k;

    @BeforeEach
    void boot() {
        f = new KernelFixture();
        k = f.kernel();
    }

    private int reboot(Credentials c, int m1, int m2, int cmd) {
        return k.reboot(c, m1, m2, cmd);
    }

    /** Nothing ran: no jump, no COM1 byte, the image and its entry untouched. */
    private void assertNoJump(int jumpsBefore, int start) {
        assertThat(k.jumps()).hasSize(jumpsBefore);
        assertThat(f.transcript()).isEmpty();
        if (f.image() != null) {
            assertThat(f.image().start()).isEqualTo(start);
        }
        assertThat(k.tasks()).noneMatch(dev.kjump.kernel.pm.Task::frozen);
        assertThat(k.kexec().kexecLock.get()).isZero();
    }

    @Test
    void withoutCapSysBootEperm() {
        assertThat(f.load("hello.elf")).isZero();
        int start = f.image().start();
        assertThat(reboot(Credentials.USER, Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2,
                Kernel.LINUX_REBOOT_CMD_KEXEC)).isEqualTo(Errno.EPERM.negative());
        assertThat(reboot(Credentials.USER, 0, 0, Kernel.LINUX_REBOOT_CMD_KEXEC))
                .as("the capability is checked before the magic").isEqualTo(Errno.EPERM.negative());
        assertThat(reboot(Credentials.USER, Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2,
                Kernel.LINUX_REBOOT_CMD_CAD_ON)).isEqualTo(Errno.EPERM.negative());
        assertThat(k.ctrlAltDel()).isFalse();
        assertNoJump(0, start);
    }

    @Test
    void badMagicEinvalAndAllFourMagic2Accepted() {
        assertThat(f.load("hello.elf")).isZero();
        int start = f.image().start();
        int[][] bad = {{0, Kernel.LINUX_REBOOT_MAGIC2}, {Kernel.LINUX_REBOOT_MAGIC1 + 1, Kernel.LINUX_REBOOT_MAGIC2},
            {Kernel.LINUX_REBOOT_MAGIC1, 0}, {Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2 + 1},
            {Kernel.LINUX_REBOOT_MAGIC2, Kernel.LINUX_REBOOT_MAGIC1}};
        for (int[] m : bad) {
            assertThat(reboot(Credentials.ROOT, m[0], m[1], Kernel.LINUX_REBOOT_CMD_KEXEC))
                    .as("magic %08x %08x", m[0], m[1]).isEqualTo(Errno.EINVAL.negative());
        }
        assertNoJump(0, start);
        int n = 0;
        for (int m2 : new int[] {Kernel.LINUX_REBOOT_MAGIC2, Kernel.LINUX_REBOOT_MAGIC2A, Kernel.LINUX_REBOOT_MAGIC2B,
            Kernel.LINUX_REBOOT_MAGIC2C}) {
            assertThat(reboot(Credentials.ROOT, Kernel.LINUX_REBOOT_MAGIC1, m2, Kernel.LINUX_REBOOT_CMD_KEXEC))
                    .as("magic2 %d", m2).isZero();
            n++;
            assertThat(k.jumps()).hasSize(n);
            assertThat(k.lastJump().ok()).isTrue();
        }
        assertThat(f.transcript()).isEqualTo("hello from a jump-back image (entry 1)\n"
                + "hello from a jump-back image (entry 2)\nhello from a jump-back image (entry 3)\n"
                + "hello from a jump-back image (entry 4)\n");
    }

    @Test
    void noImageEinval() {
        assertThat(f.exec()).isEqualTo(Errno.EINVAL.negative());
        assertNoJump(0, 0);
        // and after an unload
        assertThat(f.load("hello.elf")).isZero();
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, 0)).isZero();
        assertThat(f.exec()).isEqualTo(Errno.EINVAL.negative());
        assertNoJump(0, 0);
    }

    @Test
    void unknownCommandEinval() {
        assertThat(f.load("hello.elf")).isZero();
        assertThat(reboot(Credentials.ROOT, Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2, 0x12345678))
                .isEqualTo(Errno.EINVAL.negative());
        assertNoJump(0, f.image().start());
    }

    @Test
    void withoutConfigKexecEnosys() {
        f = new KernelFixture(KernelConfig.defaults().withKexec(false, false));
        k = f.kernel();
        assertThat(f.exec()).isEqualTo(Errno.ENOSYS.negative());
        assertNoJump(0, 0);
    }

    @Test
    void kexecLockHeldEbusy() {
        assertThat(f.load("hello.elf")).isZero();
        int start = f.image().start();
        k.kexec().kexecLock.set(1);
        try {
            assertThat(f.exec()).isEqualTo(Errno.EBUSY.negative());
            assertThat(k.kexec().kexecLock.get()).as("not released by the loser").isOne();
            assertThat(k.jumps()).isEmpty();
            assertThat(f.transcript()).isEmpty();
        } finally {
            k.kexec().kexecLock.set(0);
        }
        assertNoJump(0, start);
        assertThat(f.exec()).isZero();
        assertThat(f.transcript()).isEqualTo("hello from a jump-back image (entry 1)\n");
    }

    @Test
    void ctrlAltDel() {
        assertThat(k.ctrlAltDel()).isFalse();
        assertThat(reboot(Credentials.ROOT, Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2A,
                Kernel.LINUX_REBOOT_CMD_CAD_ON)).isZero();
        assertThat(k.ctrlAltDel()).isTrue();
        assertThat(reboot(Credentials.ROOT, Kernel.LINUX_REBOOT_MAGIC1, 0, Kernel.LINUX_REBOOT_CMD_CAD_OFF))
                .isEqualTo(Errno.EINVAL.negative());
        assertThat(k.ctrlAltDel()).isTrue();
        assertThat(reboot(Credentials.ROOT, Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2C,
                Kernel.LINUX_REBOOT_CMD_CAD_OFF)).isZero();
        assertThat(k.ctrlAltDel()).isFalse();
        assertThat(k.jumps()).isEmpty();
    }

    @Test
    void rebootKexecReturnsTheResultWithTheJumpsReport() {
        assertThat(k.kexecLoaded()).isFalse();
        assertThat(k.kexecStart()).isEmpty();
        KexecResult none = k.rebootKexec(Credentials.ROOT);
        assertThat(none.result()).isEqualTo(Errno.EINVAL.negative());
        assertThat(none.jumped()).isFalse();
        assertThat(k.rebootKexec(Credentials.USER)).isEqualTo(new KexecResult(Errno.EPERM.negative(), null));

        assertThat(f.load("hello.elf")).isZero();
        assertThat(k.kexecLoaded()).isTrue();
        assertThat(k.kexecImage()).isSameAs(f.image());
        assertThat(k.kexecStart()).hasValue(f.image().start() & 0xFFFFFFFFL);
        KexecResult r = k.rebootKexec(Credentials.ROOT);
        assertThat(r.result()).isZero();
        assertThat(r.jumped()).isTrue();
        assertThat(r.report()).isSameAs(k.lastJump());
        assertThat(r.report().result()).isZero();
        assertThat(r.report().ok()).isTrue();
        assertThat(f.transcript()).isEqualTo("hello from a jump-back image (entry 1)\n");

        k.kexec().kexecLock.set(1);
        try {
            assertThat(k.rebootKexec(Credentials.ROOT)).isEqualTo(new KexecResult(Errno.EBUSY.negative(), null));
        } finally {
            k.kexec().kexecLock.set(0);
        }
        assertThat(k.jumps()).hasSize(1);
    }
}
