package dev.kjump.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kjump.image.Image;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gdb, in batch mode, against {@code kjump run images/examples/elf/hello.elf --gdb 0 --gdb-wait} run as
 * a subprocess: breakpoint by ELF symbol, registers, memory, stepi, continue to the end. Skipped where gdb is not
 * installed (CI installs it).
 */
class GdbIntegrationTest {
    private static final Path IMAGE = Paths.get("images/examples/elf/hello.elf");
    private static final Pattern PORT = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private static Path gdb() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Paths.get(dir, "gdb");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The command running kjump from this build's classes and dependencies. */
    private static List<String> kjump(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dkjump.translate=" + System.getProperty("kjump.translate", ""),
                "-cp", System.getProperty("java.class.path"), "dev.kjump.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A kjump subprocess serving gdb, with its stderr collected and the port it printed. */
    private record Kjump(Process process, int port, StringBuilder err, Thread errReader) {
        String stderr() {
            synchronized (err) {
                return err.toString();
            }
        }
    }

    /** Starts kjump with {@code args} (stdout into {@code out}) and waits for the port it listens on. */
    private static Kjump startKjump(Path out, String... args) throws Exception {
        Process k = new ProcessBuilder(kjump(args)).redirectOutput(out.toFile()).start();
        StringBuilder err = new StringBuilder();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread errReader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(k.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (err) {
                        err.append(line).append('\n');
                    }
                    Matcher mt = PORT.matcher(line);
                    if (mt.find()) {
                        port.complete(Integer.parseInt(mt.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.complete(-1);
        });
        errReader.setDaemon(true);
        errReader.start();
        int p = port.get(120, TimeUnit.SECONDS);
        assertThat(p).as("kjump printed its gdb port").isPositive();
        return new Kjump(k, p, err, errReader);
    }

    /** Runs gdb in batch mode with {@code commands} (each an -ex) and returns what it printed. */
    private static String gdbBatch(Path gdb, List<String> commands) throws Exception {
        List<String> g = new ArrayList<>(List.of(gdb.toString(), "-batch", "-nx", "-ex", "set pagination off",
                "-ex", "set confirm off", "-ex", "set width 0"));
        for (String c : commands) {
            g.addAll(List.of("-ex", c));
        }
        Process gp = new ProcessBuilder(g).redirectErrorStream(true).start();
        CompletableFuture<String> gout = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(gp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "read failed: " + e;
            }
        });
        boolean done = gp.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            gp.destroyForcibly();
        }
        String o = gout.get(10, TimeUnit.SECONDS);
        assertThat(done).as("gdb finished; its output:%n%s", o).isTrue();
        return o;
    }

    @Test
    void gdbDebugsTheCalleeOfAKexecJump() throws Exception {
        Path gdb = gdb();
        assumeTrue(gdb != null, "gdb is not installed");
        assumeTrue(Files.exists(IMAGE), "run from the project directory");
        long kmain = Image.load(IMAGE).symbol("kmain").orElseThrow();

        // the reference: the same run without a debugger
        Path refOut = tmp.resolve("ref.out");
        Process ref = new ProcessBuilder(kjump("run", IMAGE.toString())).redirectOutput(refOut.toFile())
                .redirectError(tmp.resolve("ref.err").toFile()).start();
        assertThat(ref.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(ref.exitValue()).isZero();
        byte[] expected = Files.readAllBytes(refOut);
        assertThat(new String(expected, StandardCharsets.UTF_8)).contains("hello from a jump-back image (entry 1)");

        Path out = tmp.resolve("debug.out");
        Kjump kj = startKjump(out, "run", IMAGE.toString(), "--gdb", "0", "--gdb-wait");
        Process k = kj.process();
        try {
            List<String> g = new ArrayList<>(List.of("target remote 127.0.0.1:" + kj.port(), "p/x $pc",
                    "symbol-file " + IMAGE, "break kmain", "continue", "info registers", "x/4wx $esp"));
            for (int i = 0; i < 3; i++) {
                g.addAll(List.of("x/2i $pc", "stepi", "p/x $pc"));
            }
            g.addAll(List.of("delete", "continue", "continue"));
            String o = gdbBatch(gdb, g);
            assertThat(k.waitFor(120, TimeUnit.SECONDS)).as("kjump finished; gdb said:%n%s", o).isTrue();
            kj.errReader().join(10_000);

            // stopped at the callee's first instruction: the image's entry
            assertThat(o).contains(String.format("$1 = 0x%x", Image.load(IMAGE).entry()));
            assertThat(o).contains(String.format("Breakpoint 1 at 0x%x", kmain));
            assertThat(o).containsPattern(String.format("Breakpoint 1, 0x0*%x in kmain \\(\\)", kmain));
            assertThat(o).containsPattern(String.format("eip\\s+0x%x\\s+0x%x <kmain>", kmain, kmain));
            Matcher esp = Pattern.compile("esp\\s+0x([0-9a-f]+)").matcher(o);
            assertThat(esp.find()).isTrue();
            assertThat(o).contains("0x" + esp.group(1) + ":\t0x");
            // each stepi lands where the disassembly said the next instruction starts
            Matcher dis = Pattern.compile("=> 0x([0-9a-f]+) <kmain(?:\\+\\d+)?>:[^\\n]*\\n\\s+0x([0-9a-f]+) <kmain\\+\\d+>:"
                    + "[^\\n]*\\n(?:0x[0-9a-f]+ in kmain \\(\\)\\n)?\\$(\\d+) = 0x([0-9a-f]+)").matcher(o);
            int steps = 0;
            long prev = -1;
            while (dis.find()) {
                long at = Long.parseLong(dis.group(1), 16);
                long next = Long.parseLong(dis.group(2), 16);
                long pc = Long.parseLong(dis.group(4), 16);
                assertThat(pc).as("pc after stepi at %x", at).isEqualTo(next);
                if (prev >= 0) {
                    assertThat(at).isEqualTo(prev);
                }
                prev = pc;
                steps++;
            }
            assertThat(steps).as("stepi sequences in:%n%s", o).isEqualTo(3);
            assertThat(o).contains("jumped back to the kernel");
            assertThat(o).contains("exited normally");
            assertThat(o).doesNotContain("Remote connection closed", "Ignoring packet error");

            assertThat(k.exitValue()).isZero();
            assertThat(Files.readAllBytes(out)).as("COM1 output unchanged by debugging").isEqualTo(expected);
            assertThat(kj.stderr()).contains("client connected", "the run is over (exit status 0)")
                    .doesNotContain("Exception");
        } finally {
            k.destroyForcibly();
        }
    }

    /** {@code kjump shell --gdb 0 --gdb-wait}: every {@code kexec -e} stops at the callee's entry for gdb. */
    @Test
    void theShellStopsEveryJumpAtTheCalleesEntry() throws Exception {
        Path gdb = gdb();
        assumeTrue(gdb != null, "gdb is not installed");
        Path pingpong = Path.of("images/examples/elf/pingpong.elf");
        assumeTrue(Files.exists(pingpong), "run from the project directory");
        Path script = tmp.resolve("jumps.kjump");
        Files.writeString(script, "kexec --load-preserve-context " + pingpong + "\nkexec -e\nkexec -e\n");
        Path out = tmp.resolve("shell.out");
        Kjump kj = startKjump(out, "shell", "--gdb", "0", "--gdb-wait", script.toString());
        Process k = kj.process();
        try {
            String o = gdbBatch(gdb, List.of("target remote 127.0.0.1:" + kj.port(), "p/x $pc", "continue",
                    "continue", "p/x $pc", "continue", "continue"));
            assertThat(k.waitFor(120, TimeUnit.SECONDS)).as("the shell finished; gdb said:%n%s", o).isTrue();
            // jump 1 enters at the ELF entry, jump 2 at the re-entry point pingpong handed over
            assertThat(o).as(o).contains("$1 = 0x400000", "$2 = 0x400022", "exited normally");
            assertThat(k.exitValue()).isZero();
            assertThat(Files.readString(out)).contains("pingpong: round 1", "pingpong: round 2");
        } finally {
            k.destroyForcibly();
        }
    }

    /** A write watchpoint: crt0 counts its entries in kjump_entry_count; gdb sees 0 become 1. */
    @Test
    void aWriteWatchpointSeesTheCalleeChangeAVariable() throws Exception {
        Path gdb = gdb();
        assumeTrue(gdb != null, "gdb is not installed");
        assumeTrue(Files.exists(IMAGE), "run from the project directory");
        Kjump kj = startKjump(tmp.resolve("watch.out"), "run", IMAGE.toString(), "--gdb", "0", "--gdb-wait");
        try {
            String o = gdbBatch(gdb, List.of("target remote 127.0.0.1:" + kj.port(), "symbol-file " + IMAGE,
                    "watch *(int*)&kjump_entry_count", "continue", "delete", "continue", "continue"));
            assertThat(kj.process().waitFor(120, TimeUnit.SECONDS)).as(o).isTrue();
            assertThat(o).as(o).contains("Hardware watchpoint 1", "Old value = 0", "New value = 1", "in _start ()",
                    "exited normally");
            assertThat(kj.process().exitValue()).isZero();
        } finally {
            kj.process().destroyForcibly();
        }
    }

    @Test
    void gdbStopsTheBootingLinuxAtStartKernel() throws Exception {
        Path gdb = gdb();
        assumeTrue(gdb != null, "gdb is not installed");
        Path kernel = Paths.get("images/linux/bzImage");
        assumeTrue(Files.exists(kernel), "run from the project directory");
        String startKernel = Files.readAllLines(Paths.get("images/linux/System.map")).stream()
                .filter(l -> l.endsWith(" T start_kernel")).findFirst().orElseThrow().split(" ")[0];
        Kjump kj = startKjump(tmp.resolve("linux.out"), "run", "--bare", kernel.toString(), "--initrd",
                "images/linux/initramfs.cpio", "--append", "console=ttyS0 no387", "--gdb", "0", "--gdb-wait");
        try {
            String o = gdbBatch(gdb, List.of("target remote 127.0.0.1:" + kj.port(), "break *0x" + startKernel,
                    "continue", "info registers eip cs", "x/1i $pc", "delete", "continue", "continue"));
            assertThat(o).as(o).contains("Breakpoint 1, 0x" + startKernel, "eip            0x" + startKernel,
                    "cs             0x60", "push   %ebp");
            assertThat(kj.process().waitFor(120, TimeUnit.SECONDS)).as(o).isTrue();
            assertThat(Files.readString(tmp.resolve("linux.out"))).contains("init: hello from /init");
            assertThat(kj.process().exitValue()).as(kj.stderr()).isZero();
        } finally {
            kj.process().destroyForcibly();
        }
    }

    /** A System.map symbol's address, e.g. {@code c121576b} for {@code start_kernel}. */
    private static long linuxSymbol(String name) throws IOException {
        return Long.parseLong(Files.readAllLines(Paths.get("images/linux/System.map")).stream()
                .filter(l -> l.endsWith(" T " + name)).findFirst().orElseThrow().split(" ")[0], 16);
    }

    /**
     * Linux as the Java kernel's peer, two jumps: --gdb-wait stops at the peer's first instruction of each jump
     * (its purgatory, then the re-entry point it handed over), and breakpoints on peer symbols (System.map + the
     * relocation kjump prints) stop in start_kernel on the first jump and in machine_kexec on the second.
     */
    @Test
    void gdbStopsThePeerAtEachJumpsFirstInstructionAndAtItsSymbols() throws Exception {
        Path gdb = gdb();
        assumeTrue(gdb != null, "gdb is not installed");
        assumeTrue(Files.exists(Paths.get("images/linux/bzImage")), "run from the project directory");
        long delta = 0x3000000; // linked at 0x1000000, loaded at the 64 MiB peer region of 128 MiB: 0x4000000
        long startKernel = linuxSymbol("start_kernel") + delta;
        long machineKexec = linuxSymbol("machine_kexec") + delta;
        Path out = tmp.resolve("peer.out");
        Kjump kj = startKjump(out, "run", "images/linux/bzImage", "--initrd", "images/linux/initramfs.cpio",
                "--append", "console=ttyS0 no387", "--jumps", "2", "--gdb", "0", "--gdb-wait");
        try {
            String o = gdbBatch(gdb, List.of("target remote 127.0.0.1:" + kj.port(), "p/x $pc",
                    String.format("break *0x%x", startKernel), "continue", "info registers eip cs", "x/1i $pc",
                    "delete", "continue", "p/x $pc", "continue", "p/x $pc", "x/1i $pc",
                    String.format("break *0x%x", machineKexec), "continue", "p/x $pc", "delete", "continue",
                    "continue"));
            assertThat(kj.process().waitFor(120, TimeUnit.SECONDS)).as(o).isTrue();
            kj.errReader().join(10_000);
            assertThat(kj.stderr()).contains(String.format("kjump: gdb: the peer runs relocated: a System.map address "
                    + "+ 0x%x is where its code runs (start_kernel %08x: break *0x%08x)", delta, startKernel - delta,
                    startKernel));
            Matcher reentry = Pattern.compile("jump 1: the peer booted and jumped back \\(merged protocol\\) with "
                    + "re-entry point ([0-9a-f]{8})").matcher(kj.stderr());
            assertThat(reentry.find()).as(kj.stderr()).isTrue();
            long re = Long.parseLong(reentry.group(1), 16);
            assertThat(o).as(o).contains("$1 = 0x12000", // jump 1: the purgatory, the kimage's entry
                    String.format("Breakpoint 1, 0x%x in ?? ()", startKernel),
                    String.format("eip            0x%x", startKernel), "cs             0x60", "push   %ebp",
                    "$2 = 0x4f6000", // it jumped back: the kernel's jump-back entry
                    String.format("$3 = 0x%x", re), // jump 2: the re-entry point it handed over
                    "mov    (%esp),%ebp", // relocate_kernel's return path finds kjump's door at 0(%esp)
                    String.format("Breakpoint 2, 0x%x in ?? ()", machineKexec), String.format("$4 = 0x%x", machineKexec),
                    "exited normally");
            assertThat(kj.process().exitValue()).as(kj.stderr()).isZero();
            assertThat(Files.readString(out)).contains("init: back from jump 1: reboot returned 0",
                    "init: jump 2 of 2 back to 0x004f6022");
        } finally {
            kj.process().destroyForcibly();
        }
    }
}
