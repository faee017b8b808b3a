package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.image.ImageException;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KernelConfig;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.ControlPage;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed Linux as the Java kernel's peer: it boots in the peer region, its /init jumps back through the
 * merged protocol's door, the kernel proves its memory intact, jumps in again and Linux's reboot() returns 0.
 */
class LinuxPeerTest {
    private static final long MIB = 1L << 20;

    /** A Java kernel on 128 MiB with the peer region 64M@64M, the committed Linux loaded with {@code initrd}. */
    record Peer(KernelSession session, PeerLoad.Loaded load) {
        static Peer loaded(Path initrd, int jumps, ByteArrayOutputStream com1) throws ImageException {
            KernelConfig cfg = KernelConfig.defaults().withPeer(64 * MIB, 64 * MIB);
            KernelSession s = new KernelSession(new Machine(128 * MIB, com1), cfg, null);
            PeerLoad.Loaded l = PeerLoad.plan(cfg, Path.of("images/linux/bzImage"), initrd,
                    PeerLoad.withJumps("console=ttyS0 no387", jumps));
            assertThat(PeerLoad.load(s.kernel(), l, null)).isZero();
            return new Peer(s, l);
        }

        /** kexec -e, and the jump's report once it came back intact through the merged door. */
        JumpReport jumpBack(int jump) {
            KexecResult r = session.exec();
            assertThat(r.result()).as("jump %d", jump).isZero();
            JumpReport rep = r.report();
            assertThat(rep.ok()).as("jump %d came back intact", jump).isTrue();
            assertThat(rep.outcome().merged()).as("through the merged door").isTrue();
            assertThat(rep.integrity().destinationPages()).isEqualTo(rep.outcome().pagesSwapped());
            return rep;
        }
    }

    @Test
    void twoRoundTripsThroughTheMergedDoor() throws ImageException {
        ByteArrayOutputStream com1 = new ByteArrayOutputStream();
        Peer p = Peer.loaded(Path.of("images/linux/initramfs.cpio"), 2, com1);
        KernelSession s = p.session();
        PeerLoad.Loaded l = p.load();
        int door = s.kernel().kexecImage().controlPage() + ControlPage.HELPER_ENTRY;
        int reentry = 0;
        for (int jump = 1; jump <= 2; jump++) {
            JumpReport rep = p.jumpBack(jump);
            assertThat(rep.integrity().pagesChecked()).isGreaterThan(rep.integrity().destinationPages());
            if (jump == 1) {
                assertThat(rep.startBefore()).as("the first jump boots: the purgatory").isEqualTo((int) l.plan().entry());
                reentry = rep.outcome().reentry();
                assertThat(reentry & 0xFFFFFFFFL).as("the peer's re-entry point is in its region")
                        .isBetween(64 * MIB, 128 * MIB);
            } else {
                assertThat(rep.startBefore()).as("later jumps resume the peer").isEqualTo(reentry);
            }
            assertThat(s.kernel().kexecImage().start()).isEqualTo(rep.outcome().reentry());
        }
        String out = com1.toString(StandardCharsets.US_ASCII);
        String entry = String.format("0x%08x", door);
        assertThat(out).contains(
                "init: /proc/cmdline: console=ttyS0 no387 kjump.jumps=2 kexec_jump_back_entry=" + entry,
                "init: jump 1 of 2 back to " + entry,
                "init: back from jump 1: reboot returned 0",
                "init: jump 2 of 2 back to " + entry);
        assertThat(out).doesNotContain("init: back from jump 2", "Kernel panic");
    }

    @Test
    void jumpsAreAppendedUnlessGiven() {
        assertThat(PeerLoad.withJumps("console=ttyS0", 3)).isEqualTo("console=ttyS0 kjump.jumps=3");
        assertThat(PeerLoad.withJumps("", 1)).isEqualTo("kjump.jumps=1");
        assertThat(PeerLoad.withJumps("kjump.jumps=5 quiet", 3)).isEqualTo("kjump.jumps=5 quiet");
    }
}
