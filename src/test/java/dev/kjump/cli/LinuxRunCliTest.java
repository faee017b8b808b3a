package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.cli.RunCliTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code kjump run --bare BZIMAGE --initrd FILE --append TEXT}: the committed Linux 6.1 boots to its {@code /init},
 * whose lines are checked, and its console matches QEMU's transcript ({@code images/linux/expected/qemu-boot.txt},
 * recorded with 1 ns per instruction, as {@code --mips 1000} runs) but for the one line that reports host-side
 * timing ratios; and what the CLI accepts and refuses.
 */
class LinuxRunCliTest {
    static final String KERNEL = "images/linux/bzImage";
    static final String INITRD = "images/linux/initramfs.cpio";

    static void oneLine(Result r, String what) {
        assertThat(r.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains(what).doesNotContain("Exception", "\tat ", "Usage:");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theKernelIsEnteredPerThe32BitBootProtocol() {
        Result r = RunCliTest.run("run", "--bare", KERNEL, "--initrd", INITRD, "--append", "console=ttyS0 no387",
                "--max-instructions", "50");
        assertThat(r.status()).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(r.err()).contains("kjump: booting Linux 6.1.", "protected-mode code at 00100000",
                "boot_params at 00010000", "initrd at 07fdd000 (10240 bytes)", "stopped after 50 instructions");
    }

    /** The console lines, without the one whose numbers depend on how virtual time was spent (sched_clock). */
    static List<String> comparable(String console) {
        return console.lines().filter(l -> !l.startsWith("sched_clock: Marking stable")).toList();
    }

    @Test
    void theCommittedLinuxBootsToInitAsUnderQemuAndRestarts() throws IOException {
        Result r = RunCliTest.run("run", "--bare", "--mips", "1000", KERNEL, "--initrd", INITRD, "--append",
                "console=ttyS0 no387");
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out().lines()).contains("Run /init as init process", "init: hello from /init", "init: pid 1",
                "init: /proc/cmdline: console=ttyS0 no387", "init: restarting", "reboot: machine restart");
        assertThat(r.err()).contains("the guest reset the machine (i8042 0xFE)", "native_machine_emergency_restart");
        String qemu = Files.readString(Path.of("images/linux/expected/qemu-boot.txt"));
        assertThat(comparable(r.out())).isEqualTo(comparable(qemu));
    }

    @Test
    void initrdIsForABzImageOnly() {
        oneLine(RunCliTest.run("run", "--bare", "images/examples/elf/hello.elf", "--initrd", INITRD),
                "kjump run: --initrd is for a Linux bzImage; images/examples/elf/hello.elf is not one");
    }

    @Test
    void withoutBareLinuxIsTheJavaKernelsPeerAndMakesThreeRoundTrips() {
        Result r = RunCliTest.run("run", KERNEL, "--initrd", INITRD, "--append", "console=ttyS0 no387", "--jumps", "3");
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_OK);
        // the peer's lines (COM1): it booted once, then each reboot(LINUX_REBOOT_CMD_KEXEC) returned 0 in /init
        assertThat(r.out().lines()).containsSubsequence("Run /init as init process",
                "init: /proc/cmdline: console=ttyS0 no387 kjump.jumps=3 kexec_jump_back_entry=0x004f6022",
                "init: jump 1 of 3 back to 0x004f6022", "init: back from jump 1: reboot returned 0",
                "init: jump 2 of 3 back to 0x004f6022", "init: back from jump 2: reboot returned 0",
                "init: jump 3 of 3 back to 0x004f6022");
        assertThat(r.out()).doesNotContain("back from jump 3");
        assertThat(r.out().lines().filter(l -> l.startsWith("Linux version"))).as("booted once").hasSize(1);
        // the Java kernel's lines (stderr): booted, then resumed twice, each with its integrity proof
        assertThat(r.err().lines()).anyMatch(l -> l.startsWith(
                "kjump: jump 1: the peer booted and jumped back (merged protocol) with re-entry point "));
        assertThat(r.err().lines()).anyMatch(l -> l.startsWith("kjump: jump 2: the peer resumed and jumped back"));
        assertThat(r.err().lines()).anyMatch(l -> l.startsWith("kjump: jump 3: the peer resumed and jumped back"));
        assertThat(r.err()).contains("bzImage: 3 of 3 jump(s) came back intact").doesNotContain("BROKEN", "Exception");
        assertThat(r.err().lines().filter(l -> l.startsWith("kjump: jump ")
                && l.contains("integrity held: 1939 page(s) checked (924 destination), 0 damaged"))).hasSize(3);
    }

    @Test
    void benchBootsTheKernelTwiceToTheSameRestart() {
        Result r = RunCliTest.run("bench", KERNEL, "--initrd", INITRD, "--append", "console=ttyS0 no387", "--runs", "2",
                "--warmup", "0", "--no-qemu");
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).containsPattern("instructions  2\\d{7} \\(32-bit entry to the restart\\)")
                .contains("per boot of 2", "qemu          not run (--no-qemu)")
                // the same boot as a whole process printed the same console (else no figure)
                .contains("per 'kjump run --bare' of 2");
        oneLine(RunCliTest.run("bench", "images/elf/hello-O2.elf", "--initrd", INITRD),
                "kjump bench: --initrd and --append are for a Linux bzImage; images/elf/hello-O2.elf is not one");
    }

    @Test
    void devicesAndFifosAreRefusedBeforeAnythingIsRead() throws Exception {
        oneLine(RunCliTest.run("run", "/dev/zero"), "kjump run: /dev/zero: the image is not a regular file");
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--initrd", "/dev/urandom"),
                "/dev/urandom: the initrd is not a regular file");
        Path fifo = Files.createTempDirectory("kjump-fifo").resolve("image");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (mk.waitFor() == 0) { // a FIFO would block a reader for ever
            oneLine(RunCliTest.run("run", fifo.toString()), "the image is not a regular file (a device, FIFO or socket)");
        }
        Files.deleteIfExists(fifo);
    }

    @Test
    void aPeerNeedsAPeerRegion() {
        oneLine(RunCliTest.run("run", KERNEL, "--mem", "32M"), "the kernel has no peer region to run a Linux kernel in");
        oneLine(RunCliTest.run("run", KERNEL, "--peer-mem", "2M"), "give the peer region more memory (--peer-mem)");
        oneLine(RunCliTest.run("run", KERNEL, "--no-preserve"), "boot it with --bare instead");
    }

    @Test
    void badLinuxInputExitsOneWithOneLine() {
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--append", "x".repeat(3000)),
                "command line too long: 3000 bytes, the kernel takes at most 2047");
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--initrd", "no/such.cpio"), "kjump run: no/such.cpio: ENOENT (No such file or directory)");
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--mem", "16M"), "give the machine more memory");
    }

    /** A peer with no init panics (Linux's VFS panic); the error line quotes it. */
    private static final String NO_INIT = "console=ttyS0 no387 rdinit=/nonexistent";

    @Test
    void aPeerThatPanicsAndSpinsRunsOutOfBudgetAndTheErrorLineQuotesItsPanic() throws IOException {
        Path json = Files.createTempFile("kjump-panic", ".json");
        Path svg = Files.createTempFile("kjump-panic", ".svg");
        Result r = RunCliTest.run("run", KERNEL, "--initrd", INITRD, "--append", NO_INIT, "--max-instructions",
                "40000000", "--json", json.toString(), "--trace", svg.toString());
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(r.out()).contains("Kernel panic - not syncing: VFS: Unable to mount root fs");
        assertThat(r.err().lines()).contains("kjump: jump 1: reboot(LINUX_REBOOT_CMD_KEXEC) returned ETIMEDOUT "
                + "(Connection timed out); the peer panicked: \"Kernel panic - not syncing: VFS: Unable to mount root fs "
                + "on unknown-block(0,0)\"", "kjump: contained: the kernel took the machine back; integrity held");
        assertThat(Files.readString(json)).contains("\"lastConsoleLine\": \"Kernel panic - not syncing: VFS: Unable "
                + "to mount root fs on unknown-block(0,0)\"");
        assertThat(Files.readString(svg)).contains("the peer booted, timed out, 40,000,000 insns", ">peer booted<",
                "peer: booted: entered at its purgatory 0x00012000");
        Files.delete(json);
        Files.delete(svg);
    }

    @Test
    void aPeerThatPanicsAndRestartsIsContainedAndQuotedByTheKexecCommand() {
        Result r = RunCliTest.run("kexec", "--load-preserve-context", KERNEL, "--initrd=" + INITRD,
                "--append=" + NO_INIT + " panic=-1");
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_FAULT);
        assertThat(r.err().lines()).contains("kexec: exec failed: EFAULT (bzImage did not come back: the guest reset "
                + "the machine (i8042 0xFE), eip c401cad9; the kernel took the machine back); the peer panicked: "
                + "\"Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\"");
        assertThat(r.err()).contains("integrity held").doesNotContain("Exception");
    }

    @Test
    void aPeerStoppedBeforeItPrintedIsQuotedAsSilent() {
        Result r = RunCliTest.run("run", KERNEL, "--initrd", INITRD, "--append", "console=ttyS0 no387",
                "--max-instructions", "100000");
        assertThat(r.status()).as(r.err()).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("returned ETIMEDOUT (Connection timed out); the peer printed nothing on its "
                + "console\n", "integrity held");
    }
}
