package dev.kjump.cli;

import dev.kjump.image.BzImage;
import dev.kjump.image.ImageException;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code kjump bench BZIMAGE [--initrd FILE] [--append TEXT]}: boots a Linux kernel on a bare machine several times
 * (a fresh machine each time) until it restarts, checks every boot printed the same console and ran the same
 * number of instructions, and reports the boot's instructions, time and MIPS; with {@code qemu-system-i386}
 * installed, the same boot under QEMU (whole process: {@code -cpu pentium2,-apic -icount shift=0,sleep=off}, as
 * {@code images/linux/qemu-boot.sh}) and the ratio, measured in the same run.
 */
final class LinuxBench {
    private LinuxBench() {
    }

    static int run(Path kernelPath, Path initrd, String append, MachineOptions machine, int runs, int warmup,
            boolean noQemu, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        BzImage kernel;
        byte[] rd = null;
        try {
            kernel = BzImage.load(kernelPath);
            if (initrd != null) {
                rd = BzImage.readFile(initrd, "initrd");
            }
        } catch (ImageException e) {
            err.println("kjump bench: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        String cmdline = append == null ? "" : append;
        long instructions = -1;
        byte[] transcript = null;
        long memory = 0;
        double[] secs = new double[runs];
        long[] firstStats = null;
        for (int i = -warmup; i < runs; i++) {
            ByteArrayOutputStream com1 = new ByteArrayOutputStream();
            Machine m = machine.build(com1);
            memory = m.memory().size();
            BzImage.Boot boot;
            try {
                boot = kernel.boot(memory, cmdline, rd, initrd == null ? "" : initrd.toString());
            } catch (ImageException e) {
                err.println("kjump bench: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            long t0 = System.nanoTime();
            DirectRun.Result r;
            try {
                r = DirectRun.boot(m, boot, kernelPath.toString(), Long.MAX_VALUE, machine.timeoutNanos());
            } catch (ImageException e) {
                err.println("kjump bench: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            long t1 = System.nanoTime();
            if (r.stop().kind() != StopReason.Kind.RESET) {
                err.println("kjump bench: the kernel did not boot to its restart: " + r.stop().message());
                return ExitStatus.handedOver(r.stop().kind());
            }
            if (transcript == null) {
                transcript = com1.toByteArray();
                instructions = r.instructions();
                firstStats = m.cpu().translationStats();
            } else if (!Arrays.equals(transcript, com1.toByteArray()) || instructions != r.instructions()) {
                err.println("kjump bench: boots differ (console or instruction count): the machine is not deterministic");
                return Main.EXIT_FAULT;
            }
            if (i >= 0) {
                secs[i] = (t1 - t0) / 1e9;
            }
        }
        double kj = BenchCommand.median(secs);
        out.printf("kernel        %s%s%n", kernelPath, initrd == null ? "" : " --initrd " + initrd);
        out.printf("instructions  %d (32-bit entry to the restart)%n", instructions);
        out.printf("kjump         median %.4f s per boot of %d (min %.4f, max %.4f; in one JVM, after %d warm-up) = %.1f MIPS%n",
                kj, runs, BenchCommand.min(secs), BenchCommand.max(secs), warmup, instructions / kj / 1e6);
        if (firstStats != null && firstStats[0] > 0) {
            out.printf("translator    %d blocks of %d instructions, %d of them remade with slow-path calls, %.1f ms "
                    + "translating (the first boot)%n", firstStats[0], firstStats[1], firstStats[3], firstStats[2] / 1e6);
        }
        // the same boot as a whole process: `kjump run --bare`, the JVM's start and warm-up included
        List<String> runArgs = new ArrayList<>(List.of("--bare", kernelPath.toString(), "--mem", Long.toString(memory),
                "--append", cmdline));
        if (initrd != null) {
            runArgs.addAll(List.of("--initrd", initrd.toString()));
        }
        if (machine.translate != null) {
            runArgs.addAll(List.of("--translate", machine.translate));
        }
        // kjump and QEMU as whole processes, run by run in turn (BenchCommand.timeInterleaved)
        String qemu = noQemu ? null : BenchCommand.findOnPath("qemu-system-i386");
        List<BenchCommand.Timed> jobs = new ArrayList<>();
        jobs.add(BenchCommand.kjumpProcess(runArgs, transcript));
        if (qemu != null) {
            List<String> cmd = new ArrayList<>(List.of(qemu, "-cpu", "pentium2,-apic", "-m", Long.toString(memory >> 20),
                    "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot", "-icount",
                    "shift=0,sleep=off", "-kernel", kernelPath.toString(), "-append", cmdline));
            if (initrd != null) {
                cmd.addAll(List.of("-initrd", initrd.toString()));
            }
            byte[][] console = new byte[1][];
            jobs.add(() -> BenchCommand.timeProcess(cmd, 300, "qemu's boot of " + kernelPath, console));
        }
        double[][] t = BenchCommand.timeInterleaved(jobs, runs, err);
        double[] whole = t[0];
        double kw = whole == null ? -1 : BenchCommand.median(whole);
        if (whole != null) {
            out.printf("kjump process median %.4f s per 'kjump run --bare' of %d (min %.4f, max %.4f): JVM start and "
                    + "warm-up included%n", kw, runs, BenchCommand.min(whole), BenchCommand.max(whole));
        }
        if (qemu == null) {
            out.println(noQemu ? "qemu          not run (--no-qemu)" : "qemu          not installed: no ratio");
            return Main.EXIT_OK;
        }
        double[] q = t[1];
        if (q == null) {
            return Main.EXIT_FAULT;
        }
        double qm = BenchCommand.median(q);
        out.printf("qemu          median %.4f s per boot, whole process, of %d (min %.4f, max %.4f)%n", qm, runs,
                BenchCommand.min(q), BenchCommand.max(q));
        out.printf("ratio         kjump/qemu %.2fx (kjump's boot in a warm JVM against QEMU's whole process)%n", kj / qm);
        if (kw > 0) {
            out.printf("ratio         kjump/qemu %.2fx (whole process against whole process)%n", kw / qm);
        }
        return Main.EXIT_OK;
    }
}
