package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, finding 6: every output file is checked before the machine starts; one line, exit 1, nothing ran. */
class OutputFilesTest {
    @TempDir
    Path tmp;

    /** One line on stderr, exit 1, no COM1 byte and no jump: the machine never started. */
    private static void refused(RunCliTest.Result r, String... says) {
        assertThat(r.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains(says).doesNotContain("kexec_jump", "Exception");
    }

    @Test
    void aJsonReportUnderProcIsRefusedBeforeTheRun() {
        Path trace = tmp.resolve("t.svg");
        refused(RunCliTest.run("run", ShellFixture.HELLO, "--json", "/proc/x", "--trace", trace.toString()),
                "kjump run: --json /proc/x: cannot be written");
        assertThat(trace).doesNotExist();
    }

    @Test
    void noDirectoryIsCreated() {
        Path dir = tmp.resolve("no/such/dir");
        refused(RunCliTest.run("run", ShellFixture.HELLO, "--trace", dir.resolve("x.svg").toString()),
                "--trace " + dir.resolve("x.svg"), "no directory " + dir);
        assertThat(tmp.resolve("no")).doesNotExist();
        refused(RunCliTest.run("kexec", "--load-preserve-context", ShellFixture.PINGPONG, "--json",
                dir.resolve("r.json").toString()), "kexec: --json ");
        refused(RunCliTest.run("shell", "--trace", dir.resolve("x.json").toString()), "kjump shell: --trace ");
        refused(RunCliTest.run("demo", "--trace", dir.resolve("x.json").toString()), "kjump demo: --trace ");
        assertThat(tmp.resolve("no")).doesNotExist();
    }

    @Test
    void theImageIsNeverWrittenOver() throws Exception {
        Path image = tmp.resolve("x.elf");
        Files.copy(Path.of(ShellFixture.PINGPONG), image);
        byte[] before = Files.readAllBytes(image);
        refused(RunCliTest.run("run", image.toString(), "--json", image.toString()),
                "kjump run: --json " + image + ": is an input");
        // another spelling of the same file
        Path other = tmp.resolve("./sub/../x.elf");
        Files.createDirectories(tmp.resolve("sub"));
        refused(RunCliTest.run("kexec", "--load-preserve-context", image.toString(), "--json", other.toString()),
                "kexec: --json " + other + ": is an input");
        refused(RunCliTest.run("run", ShellFixture.PINGPONG, "--disk", image.toString(), "--json", image.toString()),
                "is an input");
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void aDirectoryOrOneFileTwiceIsRefused() {
        refused(RunCliTest.run("run", ShellFixture.HELLO, "--json", tmp.toString()), "--json " + tmp + ": EISDIR");
        Path same = tmp.resolve("a.json");
        refused(RunCliTest.run("kexec", "-l", ShellFixture.HELLO, "--json", same.toString(), "--trace",
                same.toString()), "kexec: --trace " + same + ": the same file as --json");
        assertThat(same).doesNotExist();
    }

    @Test
    void theShellsTraceOnIsCheckedToo() throws Exception {
        Path disk = tmp.resolve("disk.img");
        Files.write(disk, new byte[512 * 16]);
        MachineOptions m = new MachineOptions();
        m.memory = 16 << 20;
        m.disk = disk;
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Shell shell = ShellCommand.open(m, 1, null, new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true));
        assertThat(shell.execute("trace on " + tmp.resolve("none/t.svg"))).isEqualTo(Main.EXIT_USAGE);
        Path dir = Files.createDirectory(tmp.resolve("d.svg"));
        assertThat(shell.execute("trace on " + dir)).isEqualTo(Main.EXIT_USAGE);
        Path svg = tmp.resolve("disk.svg");
        Files.createSymbolicLink(svg, disk);
        assertThat(shell.execute("trace on " + svg)).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("trace: trace on " + tmp.resolve("none/t.svg") + ": no directory",
                "trace: trace on " + dir + ": EISDIR", "trace: trace on " + svg + ": is an input");
        assertThat(shell.execute("trace")).isZero();
        assertThat(out.toString()).contains("trace: off");
        m.close(); // the disk's lock, as Main does when a command ends
        assertThat(Files.readAllBytes(disk)).isEqualTo(new byte[512 * 16]);
    }

    /** {@code --json /dev/null} and {@code --trace /dev/null}: a character device is a sink, even for both outputs. */
    @Test
    void devNullIsASinkForEveryOutput() throws Exception {
        Path nul = Path.of("/dev/null");
        org.junit.jupiter.api.Assumptions.assumeTrue(OutputFiles.isCharacterDevice(nul));
        RunCliTest.Result r = RunCliTest.run("run", ShellFixture.PINGPONG, "--jumps", "2", "--json", "/dev/null",
                "--trace", "/dev/null");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("2 of 2 jump(s) came back intact", "trace of 2 jump(s) written to /dev/null");
        RunCliTest.Result k = RunCliTest.run("kexec", "--load-preserve-context", ShellFixture.PINGPONG, "--json",
                "/dev/null", "--trace", "/dev/null");
        assertThat(k.status()).as(k.err()).isZero();
        ShellFixture f = new ShellFixture();
        assertThat(f.script("trace on /dev/null", "kexec --load-preserve-context " + ShellFixture.PINGPONG, "kexec -e",
                "trace off")).as(f.err()).isZero();
        assertThat(f.out()).contains("trace: off; 1 jump(s) written to /dev/null");
    }

    /** A FIFO would block the run (or lose the file); it is refused in one line, as before. */
    @Test
    void aFifoIsRefused() throws Exception {
        Path fifo = tmp.resolve("f.json");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0);
        refused(RunCliTest.run("run", ShellFixture.HELLO, "--json", fifo.toString()),
                "--json " + fifo + ": neither a regular file nor a character device");
    }

    /**
     * The shell: {@code kexec -l} of the file a trace is going to is refused (the one check, {@link OutputFiles}),
     * and {@code trace on} the loaded image is refused too; the image is never written over.
     */
    @Test
    void theShellsTraceAndItsLoadsAreCheckedAgainstEachOther() throws Exception {
        Path image = tmp.resolve("p.json"); // an image whose name could be a trace's
        Files.copy(Path.of(ShellFixture.PINGPONG), image);
        byte[] before = Files.readAllBytes(image);
        ShellFixture f = new ShellFixture();
        assertThat(f.shell.execute("trace on " + image)).isZero();
        assertThat(f.shell.execute("kexec --load-preserve-context " + image)).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).contains("kexec: trace " + image + ": is an input", "the load is refused");
        assertThat(f.shell.session().kernel().kexecLoaded()).isFalse();
        assertThat(f.script("trace on " + tmp.resolve("other.json"), "kexec --load-preserve-context " + image,
                "kexec -e")).as(f.err()).isZero();
        assertThat(f.shell.execute("trace on " + image)).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).contains("trace: trace on " + image + ": is an input");
        assertThat(f.shell.execute("kexec -e")).isZero();
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }
}
