package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.image.ElfWriter;
import java.nio.charset.StandardCharsets;
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

    // ---- finding 9: numbers

    @Test
    void memorySizesAreParsedStrictly() {
        refused("kjump run: Invalid value for option '--mem': '17179869188G' is more than 4G", "run", HELLO, "--mem",
                "17179869188G");
        refused("'99999999999999999999999K' is more than 4G", "run", HELLO, "--mem", "99999999999999999999999K");
        refused("'5G' is more than 4G", "run", HELLO, "--mem", "5G");
        refused("'0' is no memory", "run", HELLO, "--mem", "0");
        refused("not a size: '-4K'", "run", HELLO, "--mem", "-4K");
        refused("not a size: '0x1000'", "run", HELLO, "--mem", "0x1000");
        refused("'6K' is not a multiple of 4 KiB", "run", HELLO, "--mem", "6K");
        refused("'4097' is not a multiple of 4 KiB", "kexec", "-l", HELLO, "--mem", "4097");
        refused("; see 'kjump run --help'", "run", HELLO, "--peer-mem", "1M", "--mem", "1.5G");
        MachineOptions.SizeConverter c = new MachineOptions.SizeConverter();
        assertThat(c.convert("4G")).isEqualTo(1L << 32);
        assertThat(c.convert("4GiB")).isEqualTo(1L << 32);
        assertThat(c.convert("4194304k")).isEqualTo(1L << 32);
        assertThat(c.convert("0004K")).isEqualTo(4096L);
        assertThat(c.convert("128mb")).isEqualTo(128L << 20);
    }

    @Test
    void timeoutsAreNumbersOfSecondsAndZeroIsNone() {
        for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "0x10", "1f", "1d", " 1", ""}) {
            refused("Invalid value for option '--timeout': '" + bad + "' is not a number of seconds", "run", HELLO,
                    "--timeout", bad);
        }
        refused("'-1' is negative", "run", HELLO, "--timeout", "-1");
        refused("'-0.5' is negative", "kexec", "-l", HELLO, "--timeout", "-0.5");
        refused("'1e-12' is below one nanosecond", "run", HELLO, "--timeout", "1e-12");
        refused("'1e300' is too long", "run", HELLO, "--timeout", "1e300");
        Numbers.Seconds s = new Numbers.Seconds();
        MachineOptions m = new MachineOptions();
        for (String[] c : new String[][] {{"0", "0"}, {"0.0", "0"}, {"60", "60000000000"}, {"1e-9", "1"},
            {"1.4e-9", "1"}, {"1.6e-9", "2"}, {".5", "500000000"}, {"2.5E1", "25000000000"}}) {
            m.timeoutSeconds = s.convert(c[0]);
            assertThat(m.timeoutNanos()).as("--timeout %s", c[0]).isEqualTo(Long.parseLong(c[1]));
        }
        m.timeoutSeconds = s.convert("9223372036");
        assertThat(m.timeoutNanos()).isPositive();
    }

    @Test
    void countsPortsAndRatesAreInRange() {
        refused("kjump run: Invalid value for option '--max-instructions': '-1' is out of range (at least 1); "
                + "see 'kjump run --help'", "run", HELLO, "--max-instructions", "-1");
        refused("'0' is out of range (at least 1)", "run", HELLO, "--max-instructions", "0");
        refused("'99999999999999999999' is out of range", "run", HELLO, "--max-instructions", "99999999999999999999");
        refused("'-1' is out of range (at least 1)", "run", HELLO, "--jumps", "-1");
        refused("'0' is out of range (at least 1)", "kexec", "-l", HELLO, "--jumps", "0");
        refused("'0' is out of range (at least 1)", "demo", "--jumps", "0");
        refused("'0' is out of range (1 to 64)", "run", HELLO, "--cpus", "0");
        refused("'65' is out of range (1 to 64)", "shell", "--cpus", "65");
        refused("'0x2' is not a whole number", "run", HELLO, "--jumps", "0x2");
        refused("'70000' is out of range (a TCP port", "run", HELLO, "--gdb", "70000");
        refused("'-1' is out of range (a TCP port", "kexec", "-l", HELLO, "--gdb", "-1");
        refused("'3' does not divide 1000", "run", HELLO, "--mips", "3");
        refused("'0' is out of range (N must divide 1000", "run", HELLO, "--mips", "0");
        refused("'0' is out of range (at least 1)", "bench", HELLO, "--runs", "0");
        refused("'-1' is out of range (0 or more)", "bench", HELLO, "--warmup", "-1");
        refused("'-1' is out of range (0 or more)", "bench", HELLO, "--jumps", "-1");
        refused("kjump run: Unknown option: '--frob'; see 'kjump run --help'", "run", HELLO, "--frob");
    }

    // ---- finding 7: --disk is locked; FILE,ro is read-only

    static final String ATA = "images/elf/ata-O2.elf";

    @Test
    void aDiskInUseIsRefusedWithOneLine() throws Exception {
        Path disk = ConformanceTest.writeAtaDisk(tmp.resolve("disk.img"));
        byte[] before = Files.readAllBytes(disk);
        try (dev.kjump.machine.AtaDisk other = new dev.kjump.machine.AtaDisk(disk)) { // another kjump's machine
            refused("kjump run: --disk " + disk + ": in use by another kjump (locked)", "run", ATA, "--disk",
                    disk.toString());
            refused("kexec: --disk " + disk + ": in use by another kjump (locked)", "kexec", "-l", ATA, "--disk",
                    disk.toString());
            refused("kjump shell: --disk " + disk + ": in use by another kjump (locked)", "shell", "--disk",
                    disk + ",ro", tmp.resolve("none.kjump").toString());
        }
        assertThat(Files.readAllBytes(disk)).isEqualTo(before);
    }

    @Test
    void aCommandReleasesItsDiskSoRepeatedRunsInOneJvmDoNotMeetTheirOwnLock() throws Exception {
        Path disk = ConformanceTest.writeAtaDisk(tmp.resolve("disk.img"));
        for (int i = 0; i < 2; i++) {
            assertThat(RunCliTest.run("run", HELLO, "--disk", disk.toString()).status()).isZero();
        }
        assertThat(RunCliTest.run("run", "--bare", "images/elf/hello-O2.elf", "--disk", disk.toString()).status())
                .isZero();
        RunCliTest.Result bench = RunCliTest.run("bench", "images/elf/hello-O2.elf", "--runs", "3", "--warmup", "1",
                "--no-qemu", "--disk", disk.toString());
        assertThat(bench.status()).as(bench.err()).isZero();
        Path script = Files.writeString(tmp.resolve("s.kjump"), "kexec --load-preserve-context " + HELLO
                + "\nkexec -e\n");
        assertThat(RunCliTest.run("shell", "--disk", disk.toString(), script.toString()).status()).isZero();
        assertThat(RunCliTest.run("kexec", "--load-preserve-context", HELLO, "--disk", disk.toString()).status())
                .isZero();
        try (dev.kjump.machine.AtaDisk free = new dev.kjump.machine.AtaDisk(disk)) {
            assertThat(free.capacitySectors()).as("unlocked after the commands").isEqualTo(2048);
        }
    }

    @Test
    void aReadOnlyDiskRefusesTheGuestsWritesAndKeepsTheFile() throws Exception {
        Path disk = ConformanceTest.writeAtaDisk(tmp.resolve("disk.img"));
        byte[] before = Files.readAllBytes(disk);
        RunCliTest.Result ro = RunCliTest.run("run", ATA, "--disk", disk + ",ro");
        assertThat(ro.out()).contains("read sector 0: fnv=ebe393c5 pattern=ok", "ata: write: err=1 drq=0",
                "flush cache: err=0 drq=0");
        assertThat(ro.status()).as("the image counts its failed writes").isEqualTo(Main.EXIT_NONZERO);
        assertThat(Files.readAllBytes(disk)).isEqualTo(before);
        RunCliTest.Result rw = RunCliTest.run("run", ATA, "--disk", disk + ",rw");
        assertThat(rw.out()).contains("write done: err=0 drq=0").doesNotContain("ata: write: err=1");
        assertThat(Files.readAllBytes(disk)).isNotEqualTo(before);
        Path odd = Files.copy(disk, tmp.resolve("odd,ro"));
        assertThat(RunCliTest.run("run", ATA, "--disk", odd + ",rw").out()).as("a name ending in ,ro")
                .contains("write done: err=0 drq=0");
    }

    // ---- finding 10: --mem against the Java heap

    @Test
    void guestRamThatCannotFitTheHeapIsRefusedNamingTheXmx() {
        long gib = 1L << 30;
        assertThat(MachineOptions.heapNeeded(4 * gib)).isEqualTo(4192L << 20);
        assertThat(MachineOptions.heapRefusal(4 * gib, 2 * gib)).isEqualTo("--mem 4 GiB needs a Java heap of 4192 MiB, "
                + "this JVM has 2048 MiB: run with KJUMP_JAVA_OPTS=-Xmx5056m");
        assertThat(MachineOptions.heapRefusal(4 * gib, 4192L << 20)).isNull();
        assertThat(MachineOptions.heapRefusal(128L << 20, 256L << 20)).as("the default --mem fits a small JVM").isNull();
        assertThat(MachineOptions.heapRefusal(gib, Long.MAX_VALUE)).isNull();
        for (long ram = 16L << 20; ram <= 4 * gib; ram += 12L << 20) {
            // the suggested -Xmx passes the check even where a collector reports 89% of -Xmx (ParallelGC)
            assertThat(MachineOptions.suggestedXmxMiB(ram) * 89 / 100 << 20).isGreaterThanOrEqualTo(
                    MachineOptions.heapNeeded(ram));
        }
    }

    @Test
    void aJvmWithTooSmallAHeapRefusesBeforeTheMachineStarts() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", HELLO, "--mem", "1G").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(Main.EXIT_USAGE);
        assertThat(out.lines()).singleElement().asString().startsWith("kjump run: --mem 1 GiB needs a Java heap of "
                + "1096 MiB, this JVM has ").endsWith(" MiB: run with KJUMP_JAVA_OPTS=-Xmx1536m");
    }

    /** The launcher's block that sizes the heap from {@code --mem}, run by sh with {@code args}: its -Xmx or "". */
    private static String launcherHeap(String... args) throws Exception {
        String script = Files.readString(Path.of("kjump"));
        int begin = script.indexOf("# (heap from --mem: begin");
        int end = script.indexOf("# (heap from --mem: end)");
        assertThat(begin).isPositive();
        assertThat(end).isGreaterThan(begin);
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("sh", "-c",
                script.substring(begin, end) + "printf '%s' \"$heap\"", "kjump"));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("KJUMP_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return out;
    }

    @Test
    void theLauncherSizesTheHeapFromMemAsKjumpWouldAskFor() throws Exception {
        for (String mem : new String[] {"1G", "1536M", "2G", "3g", "4G", "4GiB", "4194304K", "4294967296"}) {
            long ram = new MachineOptions.SizeConverter().convert(mem);
            assertThat(launcherHeap("run", HELLO, "--mem", mem)).as("--mem %s", mem)
                    .isEqualTo("-Xmx" + MachineOptions.suggestedXmxMiB(ram) + "m");
        }
        assertThat(launcherHeap("run", HELLO, "--mem=2G")).isEqualTo("-Xmx2688m");
        for (String small : new String[] {"128M", "512M", "5G", "x", "-1G", "17179869188G"}) {
            assertThat(launcherHeap("run", HELLO, "--mem", small)).as("--mem %s: the JVM's default heap", small)
                    .isEmpty();
        }
        assertThat(launcherHeap("run", HELLO)).isEmpty();
    }
}
