package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kjump.image.ImageException;
import dev.kjump.kernel.kexec.ControlPage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Debian's own i386 kexec-tools (glibc, dynamically linked) jumps back from inside the peer:
 * {@code kexec --load-jump-back-helper --entry=ADDR; kexec -e}. The initramfs is Debian's packages, fetched by
 * {@code images/linux/kexec-tools-initramfs.sh} and never committed, so this runs only where it was built (CI
 * builds it in {@code scripts/linux-kexec-tools.sh}); a fresh machine skips it and needs no network.
 */
class KexecToolsPeerTest {
    private static final Path CPIO = Path.of("images/linux/build/kexec-tools.cpio");

    @Test
    void debiansKexecJumpsBackTwice() throws ImageException {
        assumeTrue(Files.isRegularFile(CPIO), "no " + CPIO + ": run images/linux/kexec-tools-initramfs.sh");
        ByteArrayOutputStream com1 = new ByteArrayOutputStream();
        LinuxPeerTest.Peer p = LinuxPeerTest.Peer.loaded(CPIO, 2, com1);
        String entry = String.format("0x%08x",
                p.session().kernel().kexecImage().controlPage() + ControlPage.HELPER_ENTRY);
        for (int jump = 1; jump <= 2; jump++) {
            p.jumpBack(jump);
        }
        String out = com1.toString(StandardCharsets.US_ASCII);
        assertThat(out).contains(
                "rcS: kexec-tools 2.",
                "rcS: kexec --load-jump-back-helper --entry=" + entry + ": loaded",
                "rcS: kexec -e: jump 1 of 2 back to " + entry,
                "kexec failed: ",
                "rcS: back from jump 1: kexec -e exited 255",
                "rcS: kexec -e: jump 2 of 2 back to " + entry);
        assertThat(out).doesNotContain("rcS: back from jump 2", "Kernel panic", "segfault", "trap ");
    }
}
