package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.image.ElfWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "Hostile and careless use": what a careless or hostile user gets from the command line is one line
 * naming the problem and exit 1, never a Java class name or a silent default.
 */
class HostileUseTest {
    static final String HELLO = "images/examples/elf/hello.elf";

    @TempDir
    Path tmp;

    /**
     * {@code kjump ARGS} refused with exit 1 and, besides the kernel's log lines, exactly one line on stderr, which
     * contains {@code expected}.
     */
    static RunCliTest.Result refused(String expected, String... args) {
        RunCliTest.Result r = RunCliTest.run(args);
        assertThat(r.status()).as("exit status of %s", String.join(" ", args)).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().lines().filter(l -> !l.matches("\\[ *[0-9]+\\.[0-9]+\\] .*")))
                .as("stderr of %s", String.join(" ", args)).singleElement().asString()
                .contains(expected).doesNotContainPattern("java\\.|Exception|\\bat [a-z]+\\.");
        assertThat(r.out()).isEmpty();
        return r;
    }

    // ---- finding 8: misleading errors

    @Test
    void aDiskThatIsADirectoryOrADeviceSaysWhatItIs() throws Exception {
        refused("kjump run: --disk " + tmp + ": EISDIR (Is a directory)", "run", HELLO, "--disk", tmp.toString());
        refused("kjump run: --disk /dev/null: not a regular file (a device, FIFO or socket)", "run", HELLO,
                "--disk", "/dev/null");
        refused("kjump run: --disk " + tmp.resolve("none.img") + ": ENOENT (No such file or directory)", "run", HELLO,
                "--disk", tmp.resolve("none.img").toString());
        Path empty = Files.createFile(tmp.resolve("empty.img"));
        refused("--disk " + empty + ": empty", "run", HELLO, "--disk", empty.toString());
    }

    @Test
    void imageReadErrorsAreErrnosNotJavaClassNames() {
        refused("kjump run: no/such.elf: ENOENT (No such file or directory)", "run", "no/such.elf");
        refused("kjump run: no/such.elf: ENOENT (No such file or directory)", "run", "--bare", "no/such.elf");
        refused("kjump bench: no/such.elf: ENOENT (No such file or directory)", "bench", "no/such.elf", "--no-qemu");
        refused("kjump run: " + tmp + ": the image is not a regular file (a directory)", "run", tmp.toString());
        refused("kjump shell: " + tmp + ": EISDIR (Is a directory)", "shell", tmp.toString());
    }

    @Test
    void eaddrnotavailFromRunNamesTheSegment() throws Exception {
        Path high = tmp.resolve("high.elf");
        Files.write(high, ElfWriter.elf(32).entry(0x0100_0000L).load(0x0100_0000L, new byte[] {(byte) 0xc3}).bytes());
        refused("kjump run: kexec_load failed: EADDRNOTAVAIL (Cannot assign requested address): segment "
                + "01000000-01000fff lies beyond RAM (16 MiB); give more --mem", "run", high.toString(), "--mem", "16M");
        RunCliTest.Result shell = RunCliTest.run("kexec", "-l", high.toString(), "--mem", "16M");
        assertThat(shell.err()).contains("kexec: load failed: EADDRNOTAVAIL (segment 01000000-01000fff lies beyond "
                + "RAM (16 MiB); give more --mem)");
    }

    @Test
    void tooLittleMemoryNamesTheKernelsMinimumInSensibleUnits() {
        refused("kjump run: --mem 4 KiB: the kernel needs at least 16 MiB of RAM (only run --bare takes less)",
                "run", HELLO, "--mem", "4K");
        refused("kjump run: --mem 8 MiB: the kernel needs at least 16 MiB of RAM", "run", HELLO, "--mem", "8M");
        refused("kexec: --mem 1020 KiB: the kernel needs at least 16 MiB of RAM", "kexec", "-l", HELLO, "--mem", "1020K");
        assertThat(RunCliTest.run("run", "--bare", "images/elf/hello-O2.elf", "--mem", "8M").status()).isZero();
    }
}
