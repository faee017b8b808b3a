package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kjump run} end to end: stdout is exactly COM1, stderr the kernel's story, exit codes as documented. */
class RunCliTest {
    static final String EX = "images/examples/elf/";

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.ISO_8859_1));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.commandLine().execute(args);
            System.out.flush();
            return new Result(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void theKernelLogOfJumpsAfterTheThirdIsLeftOutUnlessVerbose() {
        Result r = run("run", EX + "pingpong.elf", "--jumps", "6");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.err()).contains("kexec_jump #3: result 0", "log lines of jumps after #3 are left out",
                "6 of 6 jump(s) came back intact").doesNotContain("kexec_jump #4");
        Result v = run("run", EX + "pingpong.elf", "--jumps", "6", "--verbose");
        assertThat(v.err()).contains("kexec_jump #6: result 0").doesNotContain("left out");
    }

    /** kexec --jumps N: the same limiter; its own lines of jumps after the third are left out, then a summary. */
    @Test
    void kexecsLinesOfJumpsAfterTheThirdAreLeftOutUnlessVerbose() {
        Result r = run("kexec", "--load-preserve-context", EX + "pingpong.elf", "--jumps", "6", "--mem", "32M");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).contains("pingpong: round 6");
        assertThat(r.err()).contains("kexec: loaded pingpong.elf", "kexec: jump #3: 5 page(s)",
                "kexec: the lines of jumps after #3 are left out (--verbose prints them all)",
                "kexec: pingpong.elf: 6 of 6 jump(s) came back intact").doesNotContain("jump #4");
        assertThat(r.err().lines()).hasSize(1 + 3 * 2 + 2);
        Result v = run("kexec", "--load-preserve-context", EX + "pingpong.elf", "--jumps", "6", "--mem", "32M",
                "--verbose");
        assertThat(v.err()).contains("kexec: jump #6: 5 page(s)", "6 of 6 jump(s)").doesNotContain("left out");
        Result one = run("kexec", "--load-preserve-context", EX + "pingpong.elf", "--mem", "32M");
        assertThat(one.err()).contains("kexec: jump #1: 5 page(s)").doesNotContain("left out", "jump(s) came back");
    }

    /** What goes wrong is always shown, whatever prints it (println, printf, several lines at once). */
    @Test
    void theLimiterJudgesWholeLinesAndKeepsFailures() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JumpLogLimiter l = new JumpLogLimiter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "NOTE");
        l.println("boot");
        l.jumpStarting(3);
        l.printf("jump 3 µs%nsecond line of 3%n");
        l.jumpStarting(4);
        l.print("jump 4, ");
        l.print("one line in two prints\n");
        l.printf("kexec: exec failed: EFAULT%n");
        l.println("jump 4 again");
        l.println("kexec_jump #4: integrity BROKEN: 1 page(s)");
        l.printf("kexec: warning: the callee overwrote ...%n");
        l.flush();
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly("boot", "jump 3 µs",
                "second line of 3", "NOTE", "kexec: exec failed: EFAULT", "kexec_jump #4: integrity BROKEN: 1 page(s)",
                "kexec: warning: the callee overwrote ...");
    }

    @Test
    void helloComesBackWithStdoutExactlyCom1() {
        Result r = run("run", EX + "hello.elf", "--jumps", "2");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).isEqualTo("hello from a jump-back image (entry 1)\nhello from a jump-back image (entry 2)\n");
        assertThat(r.err()).contains("kexec_jump #1", "integrity held", "2 of 2 jump(s) came back intact");
    }

    @Test
    void pingpongIsResumedWhereItJumpedBack() {
        Result r = run("run", EX + "pingpong.elf64", "--jumps", "3", "--cpus", "3");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).isEqualTo("pingpong: round 1\npingpong: round 2\npingpong: round 3\n");
        assertThat(r.err()).contains("CPU1 is down", "CPU2 is up");
    }

    @Test
    void appendReachesTheImage() {
        Result r = run("run", EX + "args.elf", "--append", "root=/dev/sda  quiet");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).contains("args: cmdline=\"root=/dev/sda  quiet\"", "args: argv[1]=\"quiet\"");
    }

    @Test
    void appendToAnImageWithoutTheSymbolIsRefused() {
        Result r = run("run", EX + "hello.elf", "--append", "x");
        assertThat(r.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("no 'kjump_cmdline' symbol");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void wildWritesAreNamedByTheIntegrityProof(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("r.json");
        Result r = run("run", EX + "wild.elf", "--append", "0x00200000 0x00300000", "--json", json.toString());
        assertThat(r.status()).isEqualTo(Main.EXIT_FAULT);
        assertThat(r.err()).contains("integrity BROKEN: 2 page(s) damaged at [00200000, 00300000]");
        String j = Files.readString(json);
        assertThat(j).contains("\"damaged\": [\"0x00200000\", \"0x00300000\"]", "\"intact\": false",
                "\"name\": \"device_suspend\"");
    }

    @Test
    void scribbleOverwritingAllItsPagesKeepsTheKernelIntact() {
        Result r = run("run", EX + "scribble.elf");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.err()).contains("integrity held");
    }

    @Test
    void aCrashIsContained() {
        Result r = run("run", EX + "crash.elf", "--append", "pf");
        assertThat(r.status()).isEqualTo(Main.EXIT_FAULT);
        assertThat(r.out()).isEqualTo("crash: about to pf\n");
        assertThat(r.err()).contains("EFAULT", "triple fault", "contained: the kernel took the machine back; integrity held");
    }

    @Test
    void anEndlessLoopTimesOutAndIsContained() {
        Result r = run("run", EX + "crash.elf", "--append", "loop", "--timeout", "0.5");
        assertThat(r.status()).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(r.err()).contains("ETIMEDOUT", "crash_loop", "integrity held");
    }

    @Test
    void anEndlessLoopUsesUpItsInstructionBudgetAndExitsFourEverywhere() {
        for (String how : new String[] {"--jumps=1", "--no-preserve"}) {
            Result r = run("run", EX + "crash.elf", "--append", "loop", "--max-instructions", "100000", how);
            assertThat(r.status()).as("run %s", how).isEqualTo(Main.EXIT_TIMEOUT);
            assertThat(r.err()).as("run %s", how).contains("instruction budget of 100000 used up");
        }
        Result bare = run("run", "--bare", "images/elf/bench-O2.elf", "--max-instructions", "1000");
        assertThat(bare.status()).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(bare.err()).contains("instruction budget of 1000 used up");
    }

    @Test
    void badFilesAndBadOptionsExitOneWithOneLine(@TempDir Path tmp) throws Exception {
        Path junk = tmp.resolve("junk.elf");
        Files.writeString(junk, "not an elf");
        Result r = run("run", junk.toString());
        assertThat(r.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("not an ELF file");
        Result m = run("run", EX + "hello.elf", "--mem", "5G");
        assertThat(m.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(m.err()).contains("'5G' is more than 4G").doesNotContain("Usage:");
    }

    @Test
    void bareRunEntersWithoutAKernel() {
        Result r = run("run", "--bare", "images/elf/hello-Os.elf64");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).isEqualTo("hello from a jump-back image\n");
        assertThat(r.err()).contains("returned 0").doesNotContain("kexec");
    }

    @Test
    void noPreserveHandsTheMachineOver() {
        Result r = run("run", "images/elf/hello-O2.mb.elf", "--no-preserve");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).isEqualTo("hello from a jump-back image\n");
        assertThat(r.err()).contains("handed over", "debug-exit port written: value 0");
    }

    @Test
    void aDiskFileBecomesTheKernelsAtaDiskAndSurvivesTheJump(@TempDir Path tmp) throws Exception {
        Path disk = tmp.resolve("disk.img");
        byte[] data = new byte[1 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13);
        }
        Files.write(disk, data);
        Result r = run("run", EX + "hello.elf", "--disk", disk.toString());
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.err()).contains("ata1.00: ATA disk, 2048 sectors (1 MiB): sda", "integrity held");
        assertThat(Files.readAllBytes(disk)).isEqualTo(data);
        Result missing = run("run", EX + "hello.elf", "--disk", tmp.resolve("nope.img").toString());
        assertThat(missing.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(missing.err()).contains("--disk " + tmp.resolve("nope.img") + ": ENOENT");
    }

    @Test
    void mipsSetsTheRateOfVirtualTime() {
        Result r = run("run", "--bare", "images/elf/hello-Os.elf64", "--mips", "250");
        assertThat(r.status()).isEqualTo(Main.EXIT_OK);
        assertThat(r.out()).isEqualTo("hello from a jump-back image\n");
        Result bad = run("run", EX + "hello.elf", "--mips", "3");
        assertThat(bad.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err()).contains("'--mips': '3' does not divide 1000").doesNotContain("Usage:");
    }
}
