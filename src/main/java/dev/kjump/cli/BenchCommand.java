package dev.kjump.cli;

import dev.kjump.image.BzImage;
import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kjump bench IMAGE}: runs an image several times on a fresh machine each time and prints instructions
 * executed, MIPS and, when {@code qemu-system-i386} is installed, the wall-time ratio kjump/QEMU on the same
 * program (its multiboot variant {@code NAME.mb.elf}) measured in the same run. A Linux bzImage is booted to its
 * restart instead ({@link LinuxBench}).
 */
public final class BenchCommand implements Callable<Integer> {
    Path imagePath;
    MachineOptions machine = new MachineOptions();
    int runs;
    int warmup;
    boolean noQemu;
    Path initrd;
    String append;
    int jumps;

    /** The command's model ({@link CliModel}): its options, bound to the fields above. */
    static CommandSpec spec(BenchCommand c) {
        CliModel m = CliModel.command(c, "bench",
                "Run an image repeatedly and report instructions, MIPS and the kjump/QEMU time ratio.",
                "QEMU runs the image's multiboot variant (IMAGE with .mb.elf) when qemu-system-i386 is on the PATH;",
                "its start-up cost is measured with an empty multiboot image and reported separately.");
        m.add(m.positional("imagePath").index("0").paramLabel("IMAGE").description("the image to run"));
        m.mixin("machine", MachineOptions.spec(c.machine));
        m.add(m.option("runs", "--runs").defaultValue("5").converters(new Numbers.AtLeastOne())
                .description("measured runs (default: ${DEFAULT-VALUE})"));
        m.add(m.option("warmup", "--warmup").defaultValue("2").converters(new Numbers.NonNegative())
                .description("unmeasured warm-up runs (default: ${DEFAULT-VALUE})"));
        m.add(m.option("noQemu", "--no-qemu").description("do not run QEMU even when it is installed"));
        m.add(m.option("initrd", "--initrd").paramLabel("FILE")
                .description("for a Linux bzImage: the initrd to boot with"));
        m.add(m.option("append", "--append").paramLabel("TEXT").description("for a Linux bzImage: its command line"));
        m.add(m.option("jumps", "--jumps").paramLabel("N").defaultValue("0").converters(new Numbers.NonNegative())
                .description("instead: measure N kexec round trips through the Java kernel (IMAGE loaded with "
                        + "preserve-context) and swap_pages throughput against System.arraycopy of the same bytes"));
        return m.withStandardHelpOptions();
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (runs < 1 || warmup < 0 || jumps < 0) {
            err.println("kjump bench: --runs must be at least 1, --warmup and --jumps at least 0");
            return Main.EXIT_USAGE;
        }
        if (BzImage.isBzImage(imagePath)) {
            return LinuxBench.run(imagePath, initrd, append, machine, runs, warmup, noQemu, out, err);
        }
        if (initrd != null || append != null) {
            err.println("kjump bench: --initrd and --append are for a Linux bzImage; " + imagePath + " is not one");
            return Main.EXIT_USAGE;
        }
        Image image;
        try {
            image = Image.load(imagePath);
        } catch (ImageException e) {
            err.println("kjump bench: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (jumps > 0) {
            return KexecBench.run(image, machine, jumps, out, err);
        }
        Integer asked = machine.translationThreshold();
        int threshold = asked != null && asked >= 0 ? asked : dev.kjump.machine.cpu.Cpu.DEFAULT_TRANSLATION_THRESHOLD;
        Measured interp = measure(image, -1, err);
        if (interp.failure != null) {
            return interp.failure;
        }
        Measured trans = measure(image, threshold, err);
        if (trans.failure != null) {
            return trans.failure;
        }
        if (!Arrays.equals(interp.transcript, trans.transcript) || interp.instructions != trans.instructions) {
            err.println("kjump bench: the translator and the interpreter differ (COM1 output or instruction count): "
                    + "please report it with the image");
            return Main.EXIT_FAULT;
        }
        long instructions = trans.instructions;
        byte[] transcript = trans.transcript;
        double ki = median(interp.secs);
        double kj = median(trans.secs);
        out.printf("image         %s%n", imagePath);
        out.printf("instructions  %d%n", instructions);
        out.printf("interpreter   median %.4f s of %d runs (min %.4f, max %.4f) = %.1f MIPS (--translate off)%n", ki,
                runs, min(interp.secs), max(interp.secs), instructions / ki / 1e6);
        out.printf("translator    median %.4f s of %d runs (min %.4f, max %.4f) = %.1f MIPS (--translate %d: %d blocks "
                + "of %d instructions, %d of them remade with slow-path calls, %.1f ms translating per run)%n", kj, runs,
                min(trans.secs), max(trans.secs), instructions / kj / 1e6, threshold, trans.stats[0], trans.stats[1],
                trans.stats[3], trans.stats[2] / 1e6);
        out.printf("speed-up      translator/interpreter %.2fx%n", ki / kj);
        // kjump and QEMU as whole processes, run by run in turn (timeInterleaved)
        String qemu = noQemu ? null : findOnPath("qemu-system-i386");
        Path mb = qemu == null ? null : multibootVariant(imagePath);
        Path baseline = null;
        List<Timed> jobs = new java.util.ArrayList<>();
        jobs.add(kjumpProcess(List.of(imagePath.toString(), "--mem", Long.toString(machine.memory), "--translate",
                Integer.toString(threshold)), transcript));
        if (mb != null) {
            baseline = Files.createTempFile("kjump-qemu-baseline", ".mb.elf");
            try (InputStream in = BenchCommand.class.getResourceAsStream("/dev/kjump/images/hello-O2.mb.elf")) {
                if (in == null) {
                    throw new IOException("embedded baseline image missing from the jar");
                }
                Files.copy(in, baseline, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path b = baseline;
            jobs.add(() -> runQemu(qemu, mb, transcript));
            jobs.add(() -> runQemu(qemu, b, null));
        }
        double[][] t;
        try {
            t = timeInterleaved(jobs, runs, err);
        } finally {
            if (baseline != null) {
                Files.deleteIfExists(baseline);
            }
        }
        double whole = t[0] == null ? -1 : median(t[0]);
        if (whole > 0) {
            out.printf("kjump process median %.4f s per 'kjump run IMAGE' of %d runs (JVM start, kernel boot, "
                    + "the jump)%n", whole, runs);
        }
        if (noQemu) {
            return Main.EXIT_OK;
        }
        if (qemu == null) {
            out.println("qemu          not installed (qemu-system-i386 not on PATH): no ratio");
            return Main.EXIT_OK;
        }
        if (mb == null) {
            out.println("qemu          no multiboot variant (" + imagePath.getFileName() + " -> *.mb.elf) next to the image: no ratio");
            return Main.EXIT_OK;
        }
        if (t[1] == null || t[2] == null) {
            return Main.EXIT_FAULT;
        }
        double qm = median(t[1]);
        double bm = median(t[2]);
        double net = Math.max(qm - bm, 1e-4);
        out.printf("qemu          median %.4f s per process of %d runs (%s)%n", qm, runs, mb.getFileName());
        out.printf("qemu start-up median %.4f s (empty multiboot image) -> %.4f s net = %.1f MIPS%n", bm, net,
                instructions / net / 1e6);
        out.printf("ratio         kjump/qemu %.2fx (the run in a warm JVM vs QEMU's process), %.2fx (net of QEMU "
                + "start-up)%n", kj / qm, kj / net);
        if (whole > 0) {
            out.printf("ratio         kjump/qemu %.2fx (whole process against whole process)%n", whole / qm);
        }
        return Main.EXIT_OK;
    }

    /** The runs of one configuration: times, what the guest printed, its instruction count, translator figures. */
    private static final class Measured {
        double[] secs;
        byte[] transcript;
        long instructions = -1;
        long[] stats = new long[3];
        Integer failure;
    }

    /** Runs the image {@code warmup + runs} times with translation at {@code threshold} (-1: off). */
    private Measured measure(Image image, int threshold, PrintStream err) {
        Measured me = new Measured();
        me.secs = new double[runs];
        for (int i = -warmup; i < runs; i++) {
            ByteArrayOutputStream com1 = new ByteArrayOutputStream();
            Machine m = machine.build(com1);
            m.cpu().setTranslation(threshold);
            long t0 = System.nanoTime();
            DirectRun.Result r;
            try {
                r = DirectRun.run(m, image, Long.MAX_VALUE, machine.timeoutNanos());
            } catch (ImageException e) {
                err.println("kjump bench: " + e.getMessage());
                me.failure = Main.EXIT_USAGE;
                return me;
            }
            long t1 = System.nanoTime();
            if (!r.cameBack()) {
                err.println("kjump bench: the image did not come back: " + r.stop().message());
                me.failure = ExitStatus.bare(r);
                return me;
            }
            if (me.transcript == null) {
                me.transcript = com1.toByteArray();
                me.instructions = r.instructions();
            } else if (!Arrays.equals(me.transcript, com1.toByteArray()) || me.instructions != r.instructions()) {
                err.println("kjump bench: runs differ (COM1 output or instruction count): the machine is not deterministic");
                me.failure = Main.EXIT_FAULT;
                return me;
            }
            if (i >= 0) {
                me.secs[i] = (t1 - t0) / 1e9;
                me.stats = m.cpu().translationStats();
            }
            if (isTty()) {
                err.printf("\rkjump bench: %s run %d/%d", threshold < 0 ? "interpreter" : "translator", i + warmup + 1,
                        runs + warmup);
            }
        }
        if (isTty()) {
            err.println();
        }
        return me;
    }

    /** One run of something timed as a whole process: its wall time in seconds; an IOException says what failed. */
    interface Timed {
        double time() throws IOException, InterruptedException;
    }

    /**
     * {@code kjump run ARGS} as a whole process — the JVM this bench runs in, with its options (the launcher's) and
     * class path, so JVM start-up, class loading and the JIT's warm-up are all in the figure; null when this JVM's
     * binary is unknown. A run whose stdout (the guest's COM1) is not {@code transcript} fails.
     */
    static Timed kjumpProcess(List<String> runArgs, byte[] transcript) {
        java.util.Optional<String> javaBin = ProcessHandle.current().info().command();
        if (javaBin.isEmpty()) {
            return null;
        }
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(javaBin.get());
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Dkjump.translate") && !a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run"));
        cmd.addAll(runArgs);
        return () -> {
            byte[][] out = new byte[1][];
            double secs = timeProcess(cmd, 600, "'kjump run " + String.join(" ", runArgs) + "'", out);
            if (!Arrays.equals(out[0], transcript)) {
                throw new IOException("'kjump run' as a process printed something else; no whole-process figure");
            }
            return secs;
        };
    }

    /**
     * Times each job (null: none) {@code runs} times, one run of each in turn, so that a slower or faster phase of
     * this host (a shared machine's speed drifts by tens of percent within a minute) weighs on kjump and QEMU alike.
     * A job whose run fails is said on {@code err} and not run again: its times are null, as a null job's.
     */
    static double[][] timeInterleaved(List<Timed> jobs, int runs, PrintStream err) throws InterruptedException {
        double[][] t = new double[jobs.size()][];
        for (int k = 0; k < t.length; k++) {
            t[k] = jobs.get(k) == null ? null : new double[runs];
        }
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < t.length; k++) {
                if (t[k] == null) {
                    continue;
                }
                try {
                    t[k][i] = jobs.get(k).time();
                } catch (IOException e) {
                    err.println("kjump bench: " + e.getMessage());
                    t[k] = null;
                }
            }
        }
        return t;
    }

    private static double runQemu(String qemu, Path image, byte[] expected) throws IOException, InterruptedException {
        List<String> cmd = List.of(qemu, "-kernel", image.toString(), "-display", "none", "-serial", "stdio", "-monitor",
                "none", "-no-reboot", "-m", "128", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
        byte[][] out = new byte[1][];
        double secs = timeProcess(cmd, 120, image.toString(), out);
        if (expected != null && !Arrays.equals(out[0], expected)) {
            throw new IOException("qemu's COM1 output for " + image + " differs from kjump's: the comparison is void");
        }
        return secs;
    }

    /**
     * Runs {@code cmd} (QEMU, or kjump itself; stdin empty, stderr dropped) and returns its wall time as a whole
     * process in seconds; its stdout (COM1) goes into {@code out[0]}.
     *
     * @throws IOException when it does not finish within {@code limitSeconds}
     */
    static double timeProcess(List<String> cmd, int limitSeconds, String what, byte[][] out)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        Process p = pb.start();
        out[0] = p.getInputStream().readAllBytes();
        if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + " did not finish within " + limitSeconds + " s");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static Path multibootVariant(Path image) {
        String n = image.getFileName().toString();
        if (n.endsWith(".mb.elf")) {
            return image;
        }
        String base = n.endsWith(".elf64") ? n.substring(0, n.length() - 6) : n.endsWith(".elf") ? n.substring(0, n.length() - 4) : n;
        Path mb = image.resolveSibling(base + ".mb.elf");
        return Files.isRegularFile(mb) ? mb : null;
    }

    static String findOnPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static boolean isTty() {
        return System.console() != null;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
