package dev.kjump.cli;

import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KernelConfig;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.kernel.kexec.SwapPages;
import dev.kjump.machine.PhysicalMemory;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code kjump bench IMAGE --jumps N}: kexec round trips through the Java kernel, and swap_pages throughput
 * against a plain {@code System.arraycopy} of the same bytes, measured in the same run.
 */
final class KexecBench {
    private KexecBench() {
    }

    static int run(Image image, MachineOptions machine, int jumps, PrintStream out, PrintStream err) throws ImageException {
        KernelSession s = new KernelSession(machine.build(OutputStream.nullOutputStream()),
                machine.kernelConfig(KernelConfig.defaults().withLimits(Long.MAX_VALUE, machine.timeoutNanos())), null);
        int r = s.load(image, null, true);
        if (r != 0) {
            err.println("kjump bench: kexec_load failed: " + Errno.describe(r));
            return Main.EXIT_USAGE;
        }
        int warm = Math.min(jumps, 200);
        for (int i = 0; i < warm; i++) {
            KexecResult res = s.exec();
            if (res.result() != 0) {
                err.println("kjump bench: a warm-up jump failed: " + res.report());
                return ExitStatus.jump(res);
            }
        }
        long[] total = new long[jumps];
        Map<String, long[]> steps = new LinkedHashMap<>();
        long calleeInstr = 0;
        for (int i = 0; i < jumps; i++) {
            KexecResult res = s.exec();
            JumpReport rep = res.report();
            if (res.result() != 0 || !rep.ok()) {
                err.println("kjump bench: jump " + (i + 1) + " failed: " + Errno.describe(res.result()));
                return ExitStatus.jump(res); // never 0 here: the call failed, or the kernel found damage
            }
            total[i] = rep.totalNanos();
            calleeInstr += rep.outcome().calleeInstructions();
            for (JumpReport.Step st : rep.steps()) {
                steps.computeIfAbsent(st.name(), k -> new long[jumps])[i] = st.durationNanos();
            }
        }
        Kimage ki = s.kernel().kexecImage();
        int pages = ki.pagePairs().size();
        out.printf("image          %s (%d page(s) swapped each way)%n", image.name(), pages);
        out.printf("round trips    %d (after %d warm-up): median %.1f us, min %.1f us, p90 %.1f us%n", jumps, warm,
                pct(total, 50) / 1e3, pct(total, 0) / 1e3, pct(total, 90) / 1e3);
        out.printf("callee         %.0f instructions per jump on average%n", (double) calleeInstr / jumps);
        out.println("median per step:");
        for (Map.Entry<String, long[]> e : steps.entrySet()) {
            out.printf("  %-24s %9.1f us%n", e.getKey(), pct(e.getValue(), 50) / 1e3);
        }

        // swap_pages over this image's list vs System.arraycopy of the same bytes (3 page copies per pair)
        PhysicalMemory mem = s.kernel().machine().memory();
        int head = ki.head();
        int swap = ki.swapPage();
        int reps = Math.max(50, 200_000 / Math.max(pages, 1));
        byte[] a = new byte[pages * PhysicalMemory.PAGE_SIZE];
        byte[] b = new byte[pages * PhysicalMemory.PAGE_SIZE];
        Arrays.fill(a, (byte) 0x5A);
        long bestSwap = Long.MAX_VALUE;
        long bestCopy = Long.MAX_VALUE;
        for (int round = 0; round < 7; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                SwapPages.swap(mem, head, swap);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                System.arraycopy(a, 0, b, 0, a.length);
                System.arraycopy(b, 0, a, 0, a.length);
                System.arraycopy(a, 0, b, 0, a.length);
            }
            long t2 = System.nanoTime();
            bestSwap = Math.min(bestSwap, t1 - t0);
            bestCopy = Math.min(bestCopy, t2 - t1);
        }
        if (reps % 2 == 1) {
            SwapPages.swap(mem, head, swap); // leave memory as it was
        }
        double bytes = 3.0 * pages * PhysicalMemory.PAGE_SIZE * reps;
        out.printf("swap_pages     %.2f GB/s of page copies (%d pages x 3 copies, best of 7 x %d)%n",
                bytes / bestSwap, pages, reps);
        out.printf("arraycopy      %.2f GB/s for the same bytes%n", bytes / bestCopy);
        out.printf("ratio          swap_pages/arraycopy time %.2fx%n", (double) bestSwap / bestCopy);
        return Main.EXIT_OK;
    }

    private static double pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        int i = Math.min(s.length - 1, (int) Math.round(p / 100.0 * (s.length - 1)));
        return s[i];
    }

}
