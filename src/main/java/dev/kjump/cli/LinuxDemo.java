package dev.kjump.cli;

import dev.kjump.image.BzImage;
import dev.kjump.image.ImageException;
import dev.kjump.image.SystemMap;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.ControlPage;
import dev.kjump.kernel.kexec.MachineKexec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code kjump demo linux}: the story with the committed Linux 6.1 (embedded in the jar): the Java kernel
 * (A) loads it as its peer (B) with {@code kexec_load(KEXEC_PRESERVE_CONTEXT)}; B boots, its /init jumps back, A
 * proves its memory intact and jumps in again, B resumes ({@code reboot()} returns 0 in its /init) and jumps back,
 * N times. The narration goes to {@code story} (stderr), B's console (COM1) to stdout.
 */
final class LinuxDemo {
    /** The command line: B's console on COM1, no x87 (the PC has none); {@code kjump.jumps=N} is appended. */
    static final String APPEND = "console=ttyS0 no387";

    private LinuxDemo() {
    }

    /**
     * Tells the story on {@code story} with {@code jumps} round trips, B's console going to the machine's COM1
     * (the session's); records every jump in {@code tracer}.
     *
     * @return the exit status
     */
    static int run(KernelSession s, int jumps, TraceFile tracer, PrintStream story) throws IOException {
        Kernel k = s.kernel();
        var cfg = k.config();
        story.println("kjump demo linux: kexec jump between a Java kernel (A) and an unmodified Linux 6.1 (B) on an "
                + "emulated i386 PC");
        story.printf("A: booted: %d MiB RAM, %d CPU(s), paging on (CR3 %08x), %d page(s) owned by the kernel; the "
                + "peer region %08x-%08x (%d MiB) is left to B%n", k.machine().memory().size() >> 20, k.cpus().count(),
                k.machine().cpu().cr3(), k.pageAllocator().usedPages(), cfg.peerStart(),
                cfg.peerStart() + cfg.peerSize() - 1, cfg.peerSize() >> 20);
        k.runTasks(3);
        PeerLoad.Loaded l;
        Optional<SystemMap> map;
        try {
            BzImage bz = BzImage.parse(DemoCommand.embedded("linux/bzImage"), "bzImage (built in)");
            l = PeerLoad.plan(cfg, "bzImage", bz, DemoCommand.embedded("linux/initramfs.cpio"),
                    "initramfs.cpio (built in)", PeerLoad.withJumps(APPEND, jumps));
            map = Optional.of(SystemMap.parse(new String(DemoCommand.embedded("linux/System.map"),
                    StandardCharsets.ISO_8859_1), "System.map (built in)"));
        } catch (ImageException e) {
            story.println("kjump demo: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        int r = PeerLoad.load(k, l, null);
        if (r != 0) {
            story.println("kjump demo: kexec_load failed: " + Errno.describe(r));
            return Main.EXIT_FAULT;
        }
        var b = l.plan().boot();
        long door = k.kexecImage().controlPage() + ControlPage.HELPER_ENTRY;
        story.printf("A: kexec_load(KEXEC_PRESERVE_CONTEXT) of B, Linux %s: kernel at %08x (runs relocated by +0x%x), "
                + "boot_params at %08x, initrd at %08x, purgatory (entry) at %08x; B's command line gets "
                + "kexec_jump_back_entry=0x%08x, A's door%n", l.kernel().version().split(" ")[0], b.entry(), l.delta(),
                b.bootParams(), b.initrd(), l.plan().entry(), door);
        var symbols = PeerLoad.symbols(map, l);
        int status = Main.EXIT_OK;
        for (int i = 1; i <= jumps; i++) {
            boolean boot = i == 1;
            story.printf("%nA: jump %d of %d: freeze tasks, suspend devices, swap B's pages in and call %s%n", i,
                    jumps, boot ? String.format("its purgatory at %08x: B boots (its console follows on stdout)",
                            l.plan().entry()) : String.format("B's re-entry point %08x: B resumes",
                            k.kexecStart().orElse(0L)));
            System.out.flush();
            long execTime = System.nanoTime();
            KexecResult result;
            try (CtrlC c = CtrlC.interrupting(k.machine().cpu());
                 Progress p = Progress.start("jump " + i + ": B running", () -> k.machine().cpu().instructions())) {
                result = s.exec();
            }
            System.out.flush();
            JumpReport rep = result.report();
            if (rep != null) {
                tracer.add(execTime, "bzImage", rep, l.plan().entry());
            }
            MachineKexec.Outcome o = rep == null ? null : rep.outcome();
            if (result.result() != 0 || o == null || o.kind() != MachineKexec.Kind.JUMPED_BACK) {
                story.printf("A: jump %d: reboot(LINUX_REBOOT_CMD_KEXEC) returned %s%s%n", i,
                        Errno.describe(result.result()), o == null ? "" : PeerLoad.lastConsoleLine(k.machine()));
                if (o != null) {
                    RunCommand.describeStop(story, symbols, o.stop());
                    story.printf("A: contained: the kernel took the machine back; integrity %s%n",
                            rep.integrity() != null && rep.integrity().intact() ? "held" : "BROKEN");
                }
                status = ExitStatus.jump(result);
                break;
            }
            story.printf("B: %s jumped back to A's door %08x (its relocate_kernel: call *%%edx, re-entry point "
                    + "%08x%s at 0(%%esp)) after %,d instructions, %.2f s%n", boot ? "booted, and its /init"
                    : "resumed: reboot() returned 0 in its /init, which", door, o.reentry(),
                    symbols.apply(o.reentry() & 0xFFFFFFFFL).map(x -> " (" + x + ")").orElse(""),
                    o.calleeInstructions(), o.calleeNanos() / 1e9);
            var g = rep.integrity();
            if (g == null) {
                story.printf("A: jump %d: integrity not checked%n", i);
                return Main.EXIT_FAULT;
            }
            story.printf("A: swapped %d page(s) back, resumed devices and tasks; integrity %s: %d page(s) checked "
                    + "(%d of B's), %d damaged%s; round trip %.2f s%n", o.pagesSwapped(), g.intact() ? "held"
                    : "BROKEN", g.pagesChecked(), g.destinationPages(), g.damaged().size(), boot
                    ? " across B's whole boot" : "", rep.totalNanos() / 1e9);
            k.runTasks(3);
            story.printf("A: its tasks ran on: init counter %d%n", k.tasks().get(0).value());
            int jumpStatus = ExitStatus.jump(result);
            if (jumpStatus != Main.EXIT_OK) {
                status = jumpStatus;
                break;
            }
        }
        return status;
    }
}
