package dev.kjump.cli;

import dev.kjump.image.Image;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KernelConfig;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.kernel.pm.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kjump demo}: the story in about a screen. Boots the Java kernel, shows its tasks, loads the built-in
 * {@code pingpong} image (embedded in the jar) with KEXEC_PRESERVE_CONTEXT, jumps into it several times — the
 * callee's round counter and the kernel's tasks both advance — shows the integrity line of every jump, and
 * writes the trace picture of the jumps (by default {@code kjump-demo-trace.svg} in the temp directory).
 */
public final class DemoCommand implements Callable<Integer> {
    String variant;
    MachineOptions machine = new MachineOptions();
    Integer jumps;
    int cpus;
    Path trace;

    /** The command's model ({@link CliModel}): its options, bound to the fields above. */
    static CommandSpec spec(DemoCommand c) {
        CliModel m = CliModel.command(c, "demo",
                "Boot the Java kernel and ping-pong with the built-in pingpong image (no files needed).",
                "demo linux: the Java kernel (A) and the built-in Linux 6.1 (B) jump into each other: B boots, jumps",
                "back, A checks its memory, jumps in again and B resumes; the story on stderr, B's console on stdout.");
        m.add(m.positional("variant").index("0").arity("0..1").paramLabel("linux")
                .description("linux: the story with a real Linux peer (about 5 s a boot) instead of pingpong"));
        m.mixin("machine", MachineOptions.spec(c.machine));
        m.add(m.option("jumps", "--jumps").paramLabel("N").converters(new Numbers.AtLeastOne())
                .description("round trips (default: 4; 3 for linux)"));
        m.add(m.option("cpus", "--cpus").paramLabel("N").defaultValue("2").converters(new Numbers.Cpus())
                .description("CPUs of the kernel (default: ${DEFAULT-VALUE})"));
        m.add(m.option("trace", "--trace").paramLabel("FILE").description("where the trace picture goes: .svg or "
                + ".json (default: kjump-demo-trace.svg, or kjump-demo-linux-trace.svg, in the temp directory, "
                + "${sys:java.io.tmpdir})"));
        return m.withStandardHelpOptions();
    }

    @Override
    public Integer call() throws Exception {
        boolean linux = "linux".equals(variant);
        if (variant != null && !linux) {
            System.err.println("kjump demo: unknown demo '" + variant + "' (there is the plain one and 'linux')");
            return Main.EXIT_USAGE;
        }
        int n = jumps != null ? jumps : linux ? 3 : 4;
        if (n < 1 || cpus < 1 || cpus > 64) {
            System.err.println("kjump demo: --jumps must be at least 1 and --cpus 1..64");
            return Main.EXIT_USAGE;
        }
        Path traceFile = trace != null ? trace : Path.of(System.getProperty("java.io.tmpdir"),
                linux ? "kjump-demo-linux-trace.svg" : "kjump-demo-trace.svg");
        TraceFile tracer;
        try {
            tracer = new TraceFile(traceFile);
            OutputFiles.check(java.util.List.of(new OutputFiles.Output("--trace", traceFile, true)), machine.disk);
        } catch (IllegalArgumentException e) {
            System.err.println("kjump demo: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (linux) {
            return linux(n, tracer, traceFile);
        }
        PrintStream out = System.out;
        ByteArrayOutputStream com1 = new ByteArrayOutputStream();
        KernelSession s = new KernelSession(machine.build(com1),
                machine.kernelConfig(KernelConfig.defaults().withCpus(cpus).withLimits(Long.MAX_VALUE,
                        machine.timeoutNanos())), null);
        var k = s.kernel();
        out.println("kjump demo: kexec jump between a Java kernel and a gcc-built image on an emulated i386 PC");
        out.println();
        out.printf("booted: %d MiB RAM, %d CPU(s), paging on (CR3 %08x), %d page(s) owned by the kernel%n",
                k.machine().memory().size() >> 20, k.cpus().count(), k.machine().cpu().cr3(), k.pageAllocator().usedPages());
        k.runTasks(3);
        printTasks(out, k.tasks());
        Image image = Image.parse(embedded("examples/pingpong.elf"), "pingpong.elf (built in)");
        int r = s.load(image, null, true);
        Kimage ki = k.kexecImage();
        out.printf("%nkexec --load-preserve-context pingpong.elf: %s; entry %08x, %d page(s) to swap, control page %08x, swap page %08x%n",
                r == 0 ? "loaded" : Errno.describe(r), ki.start(), ki.pagePairs().size(), ki.controlPage(), ki.swapPage());
        if (r != 0) {
            return Main.EXIT_FAULT;
        }
        int status = Main.EXIT_OK;
        for (int i = 1; i <= n; i++) {
            int before = com1.size();
            long execTime = System.nanoTime();
            KexecResult result = s.exec();
            JumpReport rep = result.report();
            tracer.add(execTime, "pingpong.elf", rep);
            String said = com1.toString(StandardCharsets.ISO_8859_1).substring(before).trim();
            k.runTasks(3);
            out.printf("%nkexec -e #%d: reboot() = %s; the callee said \"%s\"%n", i, Errno.describe(result.result()), said);
            if (rep.outcome() != null) {
                out.printf("  in at %08x, back with re-entry point %08x after %,d instructions; %d page(s) swapped each way%n",
                        rep.startBefore(), rep.outcome().reentry(), rep.outcome().calleeInstructions(),
                        rep.outcome().pagesSwapped());
            }
            if (rep.integrity() != null) {
                out.printf("  integrity %s: %d page(s) checked, %d damaged; round trip %.2f ms; tasks: init counter %d%n",
                        rep.integrity().intact() ? "held" : "BROKEN", rep.integrity().pagesChecked(),
                        rep.integrity().damaged().size(), rep.totalNanos() / 1e6, k.tasks().get(0).value());
            }
            int jumpStatus = ExitStatus.jump(result);
            if (jumpStatus != Main.EXIT_OK) {
                status = jumpStatus;
            }
        }
        out.println();
        printTasks(out, k.tasks());
        tracer.write();
        out.printf("%nthe picture of every jump (PM steps, swap in, callee, swap back): %s%n", traceFile.toAbsolutePath());
        out.printf("%nNext: ./kjump run images/examples/elf/hello.elf --jumps 3   (README.md: writing your own image)%n");
        return status;
    }

    /** {@code demo linux}: {@link LinuxDemo}'s story on stderr, the peer's console on stdout, then the picture. */
    private int linux(int n, TraceFile tracer, Path traceFile) throws IOException {
        PrintStream err = System.err;
        KernelSession s;
        try {
            s = new KernelSession(machine.build(System.out), machine.kernelConfig(KernelConfig.defaults()
                    .withCpus(cpus).withLimits(Long.MAX_VALUE, machine.timeoutNanos())), null);
        } catch (IllegalArgumentException e) {
            err.println("kjump demo: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        int status = LinuxDemo.run(s, n, tracer, err);
        System.out.flush();
        if (tracer.size() > 0) {
            tracer.write();
            err.printf("%nthe picture of every jump (A's PM steps, swap in, B's time inside the jump, swap back): %s%n",
                    traceFile.toAbsolutePath());
        }
        err.printf("%nNext: ./kjump run images/linux/bzImage --initrd images/linux/initramfs.cpio --append "
                + "\"console=ttyS0 no387\" --jumps 3   (README.md: Linux as the Java kernel's peer)%n");
        return status;
    }

    private static void printTasks(PrintStream out, java.util.List<Task> tasks) {
        out.print("tasks:");
        for (Task t : tasks) {
            out.printf("  [%d %s %s, %d steps]", t.pid(), t.name(), t.frozen() ? "frozen" : "running", t.steps());
        }
        out.println();
    }

    static byte[] embedded(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/kjump/images/" + name)) {
            if (in == null) {
                throw new IOException("built-in image " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }
}
