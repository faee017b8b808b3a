package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.cli.RunCliTest.Result;
import org.junit.jupiter.api.Test;

/**
 * {@code kjump run --bare BZIMAGE --initrd FILE --append TEXT}: what the CLI accepts and refuses. Booting the
 * committed kernel to its {@code /init} needs the CPU's rings, interrupts and the PIC/PIT; until then only its first
 * instructions are run here.
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

    @Test
    void initrdIsForABzImageOnly() {
        oneLine(RunCliTest.run("run", "--bare", "images/examples/elf/hello.elf", "--initrd", INITRD),
                "kjump run: --initrd is for a Linux bzImage; images/examples/elf/hello.elf is not one");
    }

    @Test
    void aBzImageNeedsBareForNow() {
        oneLine(RunCliTest.run("run", KERNEL), "is a Linux bzImage: boot it with --bare");
    }

    @Test
    void badLinuxInputExitsOneWithOneLine() {
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--append", "x".repeat(3000)),
                "command line too long: 3000 bytes, the kernel takes at most 2047");
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--initrd", "no/such.cpio"), "kjump run: no/such.cpio: cannot read initrd: no such file");
        oneLine(RunCliTest.run("run", "--bare", KERNEL, "--mem", "16M"), "give the machine more memory");
    }
}
