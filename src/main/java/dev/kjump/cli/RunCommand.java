package dev.kjump.cli;

import dev.kjump.image.BzImage;
import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.image.SystemMap;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KernelConfig;
import dev.kjump.kernel.KernelHandedOver;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kjump run IMAGE}: boots the Java kernel, loads IMAGE with {@code kexec_load} (preserve-context unless
 * {@code --no-preserve}) and jumps into it with {@code reboot(LINUX_REBOOT_CMD_KEXEC)} N times, the kernel
 * running its tasks between jumps.
 */
public final class RunCommand implements Callable<Integer> {
    Path imagePath;
    MachineOptions machine = new MachineOptions();
    int jumps;
    boolean verbose;

    /** The kernel log's way to stderr for the runs with a kernel. */
    private JumpLogLimiter kernelConsole;

    String append;
    Path initrd;
    boolean noPreserve;
    Path json;
    int cpus;
    long maxInstructions;
    Path trace;
    boolean bare;
    GdbOptions gdb = new GdbOptions();

    /** The command's model ({@link CliModel}): its options, bound to the fields above. */
    static CommandSpec spec(RunCommand c) {
        CliModel m = CliModel.command(c, "run",
                "Boot the Java kernel, load a jump-back image (ELF32 or ELF64) with kexec_load and jump into it",
                "with reboot(LINUX_REBOOT_CMD_KEXEC). stdout carries exactly the image's COM1 bytes; the kernel log",
                "(PM steps, pages swapped, integrity, timings) goes to stderr.");
        m.exitCodes("%nExit status:%n", "0:every jump came back and the kernel's memory was intact",
                "1:bad usage, bad image file, or kexec_load refused the image",
                "2:the image faulted or halted (contained: the kernel survived), or integrity broke",
                "3:the image returned a non-zero value",
                "4:the image ran past --timeout or --max-instructions (contained)",
                "130:Ctrl-C stopped the image (contained)");
        m.add(m.positional("imagePath").index("0").paramLabel("IMAGE")
                .description("the image: an ELF32 or ELF64 executable, or a Linux bzImage (with --bare)"));
        m.mixin("machine", MachineOptions.spec(c.machine));
        m.add(m.option("jumps", "--jumps").paramLabel("N").defaultValue("1").converters(new Numbers.AtLeastOne())
                .description("jump N times (default: ${DEFAULT-VALUE})"));
        m.add(m.option("verbose", "--verbose").description("print the kernel's log lines of every jump (by default "
                + "those after the third are left out; dmesg and the summary still have them)"));
        m.add(m.option("append", "--append").paramLabel("TEXT")
                .description("command line for the image, written into its kjump_cmdline[] symbol; for a bzImage, "
                        + "the kernel command line"));
        m.add(m.option("initrd", "--initrd").paramLabel("FILE")
                .description("for a bzImage: the initrd (initramfs) to load"));
        m.add(m.option("noPreserve", "--no-preserve")
                .description("load without KEXEC_PRESERVE_CONTEXT: the kernel hands the machine over"));
        m.add(m.option("json", "--json").paramLabel("FILE").description("write a machine-readable report"));
        m.add(m.option("cpus", "--cpus").paramLabel("N").defaultValue("1").converters(new Numbers.Cpus())
                .description("CPUs of the kernel (default: ${DEFAULT-VALUE})"));
        m.add(m.option("maxInstructions", "--max-instructions").paramLabel("N").defaultValue("" + Long.MAX_VALUE)
                .converters(new Numbers.Instructions()).description("stop a callee run after N instructions"));
        m.add(m.option("trace", "--trace").paramLabel("FILE")
                .description("write every jump's timeline to FILE: .svg (a picture) or .json (Chrome/Perfetto trace)"));
        m.add(m.option("bare", "--bare")
                .description("no kernel: enter the image directly on a bare machine (one run)"));
        m.mixin("gdb", GdbOptions.spec(c.gdb));
        return m.withStandardHelpOptions();
    }

    @Override
    public Integer call() throws IOException {
        String bad = gdb.start(System.err);
        if (bad != null) {
            System.err.println("kjump run: " + bad);
            return Main.EXIT_USAGE;
        }
        int status = Main.EXIT_FAULT;
        try {
            status = execute();
            return status;
        } finally {
            System.out.flush();
            gdb.finish(status);
        }
    }

    private Integer execute() throws IOException {
        PrintStream err = System.err;
        try {
            OutputFiles.check(List.of(new OutputFiles.Output("--json", json),
                            new OutputFiles.Output("--trace", trace, true)),
                    imagePath, initrd, machine.disk);
        } catch (IllegalArgumentException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (BzImage.isBzImage(imagePath)) {
            return runLinux(err);
        }
        if (initrd != null) {
            err.println("kjump run: --initrd is for a Linux bzImage; " + imagePath + " is not one");
            return Main.EXIT_USAGE;
        }
        Image image;
        try {
            image = Image.load(imagePath);
        } catch (ImageException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (badJumpOptions(err)) {
            return Main.EXIT_USAGE;
        }
        if (trace != null) {
            if (bare) {
                err.println("kjump run: --trace traces the kernel's jumps; --bare has none");
                return Main.EXIT_USAGE;
            }
        }
        if (bare) {
            return runBare(image, err);
        }
        KernelSession session;
        try {
            KernelConfig config = machine.kernelConfig(KernelConfig.defaults().withCpus(cpus).withLimits(maxInstructions,
                    machine.timeoutNanos()));
            kernelConsole = JumpLogLimiter.kernelLog(err, verbose);
            session = new KernelSession(machine.build(System.out), config, kernelConsole);
        } catch (IllegalArgumentException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        gdb.attach(session.kernel().machine());
        int r;
        try {
            r = session.load(image, append, !noPreserve);
        } catch (ImageException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (r != 0) {
            err.println("kjump run: kexec_load failed: " + session.describeLoad(r));
            return Main.EXIT_USAGE;
        }
        return jumps(session, image.name(), image::symbolAt, -1, err);
    }

    /** Says what is wrong with --jumps, --cpus or --trace (one line) and returns true, or returns false. */
    private boolean badJumpOptions(PrintStream err) {
        if (jumps < 1 || cpus < 1 || cpus > 64) {
            err.println("kjump run: --jumps must be at least 1 and --cpus 1..64");
            return true;
        }
        if (trace != null) {
            try {
                TraceFile.formatOf(trace);
            } catch (IllegalArgumentException e) {
                err.println("kjump run: " + e.getMessage());
                return true;
            }
        }
        return false;
    }

    /**
     * The jumps: {@code reboot(LINUX_REBOOT_CMD_KEXEC)} {@code --jumps} times with the kernel's tasks running
     * between them, a report per jump, the summary, the JSON report and the trace; the exit status. Each jump's
     * report goes to the JSON report and the trace as the jump ends and is then dropped: the run keeps only running
     * totals ({@link JumpTotals}), so its memory does not grow with the jumps.
     *
     * @param name the loaded image's name
     * @param symbols names for a stop's EIP
     * @param peerEntry for a Linux peer, the kimage's entry (its purgatory): each jump also says whether the peer
     *     booted or resumed; -1 otherwise
     */
    private int jumps(KernelSession session, String name, LongFunction<Optional<String>> symbols, long peerEntry,
                      PrintStream err) {
        session.kernel().runTasks(2);
        JumpTotals totals = new JumpTotals();
        JsonReport report;
        try {
            report = json == null ? null : JsonReport.open(json, name, session.kernel(), peerEntry >= 0, totals, err);
        } catch (IOException e) {
            err.println("kjump run: --json " + json + ": cannot be written: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        TraceFile traced = trace == null ? null : new TraceFile(trace);
        try {
            int status = jumps(session, name, symbols, peerEntry, err, totals, report, traced);
            if (report != null) {
                report.exitStatus(status);
            }
            return status;
        } finally {
            if (report != null) {
                report.close(); // valid JSON however the run ended
            }
            traceWritten(traced, err);
        }
    }

    private int jumps(KernelSession session, String name, LongFunction<Optional<String>> symbols, long peerEntry,
                      PrintStream err, JumpTotals totals, JsonReport report, TraceFile traced) {
        int status = Main.EXIT_OK;
        // Ctrl-C stops the run at any point: a running callee is contained, between jumps the loop ends here
        try (CtrlC all = CtrlC.interrupting(session.kernel().machine().cpu())) {
            for (int i = 0; i < jumps; i++) {
                if (all.interrupted()) {
                    err.printf("kjump: interrupted (Ctrl-C) after %d jump(s)%n", i);
                    status = Main.EXIT_INTERRUPTED;
                    break;
                }
                long execTime = System.nanoTime();
                if (kernelConsole != null) {
                    kernelConsole.jumpStarting(i + 1);
                }
                KexecResult res;
                try (CtrlC c = CtrlC.interrupting(session.kernel().machine().cpu());
                     Progress p = Progress.start("jump " + (i + 1) + ": " + name + " running",
                        () -> session.kernel().machine().cpu().instructions())) {
                    gdb.beforeJump(session.kernel().kexecStart().orElseThrow());
                    res = session.exec();
                } catch (KernelHandedOver h) {
                    System.out.flush();
                    JumpReport rep = h.report();
                    record(rep, totals, report, traced, execTime, name, peerEntry, err);
                    StopReason s = rep.outcome().stop();
                    err.printf("kjump: the machine was handed over to %s (no preserve_context); it stopped: %s%n",
                            name, s.message());
                    return ExitStatus.handedOver(s.kind());
                }
                System.out.flush();
                int result = res.result();
                JumpReport rep = res.report();
                if (rep != null) {
                    record(rep, totals, report, traced, execTime, name, peerEntry, err);
                }
                int jumpStatus = ExitStatus.jump(res);
                if (result != 0) {
                    boolean notBack = rep != null && rep.outcome() != null
                            && rep.outcome().kind() != MachineKexec.Kind.JUMPED_BACK;
                    err.printf("kjump: jump %d: reboot(LINUX_REBOOT_CMD_KEXEC) returned %s%s%n", i + 1,
                            Errno.describe(result), notBack && peerEntry >= 0
                                    ? PeerLoad.lastConsoleLine(session.kernel().machine()) : "");
                    if (notBack) {
                        describeStop(err, symbols, rep.outcome().stop());
                        err.printf("kjump: contained: the kernel took the machine back; integrity %s%n",
                                rep.integrity() != null && rep.integrity().intact() ? "held" : "BROKEN");
                    }
                    status = jumpStatus;
                    break;
                }
                if (peerEntry >= 0) {
                    PeerLoad.report(err, i + 1, rep, peerEntry);
                }
                if (rep.integrity() != null && !rep.integrity().intact()) {
                    err.printf("kjump: jump %d: integrity BROKEN: %d page(s) damaged at %s%n", i + 1,
                            rep.integrity().damaged().size(), JumpReport.hexList(rep.integrity().damaged()));
                }
                if (jumpStatus == Main.EXIT_NONZERO && status == Main.EXIT_OK) {
                    err.printf("kjump: jump %d: %s returned %d (0x%x)%n", i + 1, name, rep.outcome().eax(),
                            rep.outcome().eax());
                }
                if (status == Main.EXIT_OK || jumpStatus == Main.EXIT_FAULT) {
                    status = jumpStatus; // a non-zero return stays the status unless a later jump fails
                }
                session.kernel().runTasks(2);
                if (status == Main.EXIT_FAULT) {
                    break;
                }
            }
            if (all.interrupted() && status == Main.EXIT_OK) {
                err.printf("kjump: interrupted (Ctrl-C) after %d jump(s)%n", totals.jumps());
                status = Main.EXIT_INTERRUPTED;
            }
        }
        err.println("kjump: " + totals.line(name));
        return status;
    }

    /** A jump's report into the totals, the JSON report and the trace; nothing keeps it afterwards. */
    private static void record(JumpReport rep, JumpTotals totals, JsonReport report, TraceFile traced, long execTime,
                               String name, long peerEntry, PrintStream err) {
        totals.add(rep);
        if (report != null) {
            report.add(rep);
        }
        trace(traced, execTime, name, rep, peerEntry, err);
    }

    /** Adds a jump to the trace and writes it: the file is complete after every jump. */
    private static void trace(TraceFile t, long execTime, String name, JumpReport rep, long peerEntry,
                              PrintStream err) {
        if (t == null) {
            return;
        }
        t.add(execTime, Path.of(name).getFileName().toString(), rep, peerEntry);
        try {
            t.write();
        } catch (IOException e) {
            err.println("kjump: cannot write the trace " + t.path() + ": " + e.getMessage());
        }
    }

    private static void traceWritten(TraceFile t, PrintStream err) {
        if (t != null) {
            err.println("kjump: trace of " + t.size() + " jump(s) written to " + t.path().toAbsolutePath());
        }
    }

    static void describeStop(PrintStream err, Image image, StopReason s) {
        describeStop(err, image::symbolAt, s);
    }

    static void describeStop(PrintStream err, LongFunction<Optional<String>> symbols, StopReason s) {
        String where = symbols.apply(s.eip() & 0xFFFFFFFFL).map(x -> " (" + x + ")").orElse("");
        err.printf("kjump:   %s%n", s.message());
        err.printf("kjump:   eip %08x%s, instruction bytes: %s%n", s.eip(), where,
                s.bytesHex().isEmpty() ? "(unreadable)" : s.bytesHex());
    }

    private int runBare(Image image, PrintStream err) {
        Machine m;
        try {
            m = machine.build(System.out);
        } catch (IllegalArgumentException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        gdb.attach(m);
        gdb.beforeJump(image.entry());
        DirectRun.Result r;
        try {
            r = DirectRun.run(m, image, maxInstructions, machine.timeoutNanos());
        } catch (ImageException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        System.out.flush();
        StopReason s = r.stop();
        switch (r.outcome()) {
            case RETURNED -> {
                for (String v : r.protocolViolations()) {
                    err.println("kjump: warning: jump-back protocol: " + v);
                }
                err.printf("kjump: %s returned %d (0x%x) after %d instructions%n", image.name(), r.returnValue(),
                        r.returnValue(), r.instructions());
                return ExitStatus.bare(r);
            }
            case JUMPED_BACK -> {
                err.printf("kjump: %s jumped back with re-entry point %08x after %d instructions%n", image.name(),
                        r.reentry(), r.instructions());
                return ExitStatus.bare(r);
            }
            default -> {
                err.printf("kjump: %s did not come back%n", image.name());
                describeStop(err, image, s);
                err.printf("kjump:   %s%n", r.exitState());
                return ExitStatus.bare(r);
            }
        }
    }

    /**
     * {@code run BZIMAGE [--initrd FILE] [--append TEXT] [--jumps N]}: the Java kernel loads the Linux kernel into
     * its peer region as kexec-tools would ({@link PeerLoad}) with {@code kjump.jumps=N} appended (unless the text
     * has one), and jumps N times: the peer boots, its /init jumps back, and each later jump resumes it.
     */
    private int runPeer(PrintStream err) throws IOException {
        if (noPreserve) {
            err.println("kjump run: --no-preserve with a bzImage: the kernel would hand the machine over for good; "
                    + "boot it with --bare instead");
            return Main.EXIT_USAGE;
        }
        if (badJumpOptions(err)) {
            return Main.EXIT_USAGE;
        }
        String cmdline = PeerLoad.withJumps(append == null ? "" : append, jumps);
        KernelSession session;
        PeerLoad.Loaded loaded;
        try {
            KernelConfig config = machine.kernelConfig(KernelConfig.defaults().withCpus(cpus).withLimits(maxInstructions,
                    machine.timeoutNanos()));
            loaded = PeerLoad.plan(config, imagePath, initrd, cmdline);
            kernelConsole = JumpLogLimiter.kernelLog(err, verbose);
            session = new KernelSession(machine.build(System.out), config, kernelConsole);
        } catch (ImageException | IllegalArgumentException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        gdb.attach(session.kernel().machine());
        int r = PeerLoad.load(session.kernel(), loaded, err);
        if (r != 0) {
            err.println("kjump run: kexec_load failed: " + Errno.describe(r));
            return Main.EXIT_USAGE;
        }
        Optional<SystemMap> map = SystemMap.besides(imagePath);
        if (gdb.active()) {
            err.println("kjump: gdb: " + PeerLoad.gdbHint(map, loaded));
        }
        return jumps(session, loaded.name(), PeerLoad.symbols(map, loaded), loaded.plan().entry(), err);
    }

    /**
     * {@code run --bare BZIMAGE [--initrd FILE] [--append TEXT]}: boots a Linux kernel on a bare machine per the
     * 32-bit boot protocol and runs it until the machine stops; stdout carries COM1 (the kernel's console).
     */
    private int runLinux(PrintStream err) throws IOException {
        if (!bare) {
            return runPeer(err);
        }
        if (trace != null) {
            err.println("kjump run: --trace traces the kernel's jumps; --bare has none");
            return Main.EXIT_USAGE;
        }
        BzImage kernel;
        byte[] rd = null;
        Machine m;
        BzImage.Boot boot;
        try {
            kernel = BzImage.load(imagePath);
            if (initrd != null) {
                rd = BzImage.readFile(initrd, "initrd");
            }
            m = machine.build(System.out);
            boot = kernel.boot(m.memory().size(), append == null ? "" : append, rd,
                    initrd == null ? "" : initrd.toString());
        } catch (ImageException | IllegalArgumentException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        err.printf("kjump: booting Linux %s: protected-mode code at %08x, boot_params at %08x, %s%n",
                kernel.version().isEmpty() ? "" : kernel.version().split(" ")[0], boot.entry(), boot.bootParams(),
                boot.initrd() == 0 ? "no initrd" : String.format("initrd at %08x (%d bytes)", boot.initrd(),
                        boot.initrdSize()));
        gdb.attach(m);
        gdb.beforeJump(boot.entry());
        DirectRun.Result r;
        try (CtrlC c = CtrlC.interrupting(m.cpu())) {
            r = DirectRun.boot(m, boot, imagePath.toString(), maxInstructions, machine.timeoutNanos());
        } catch (ImageException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        System.out.flush();
        StopReason s = r.stop();
        Optional<SystemMap> map = SystemMap.besides(imagePath);
        err.printf("kjump: %s stopped after %d instructions%n", imagePath, r.instructions());
        describeStop(err, a -> map.flatMap(x -> x.symbolAt(a)), s);
        err.printf("kjump:   %s%n", r.exitState());
        return ExitStatus.handedOver(s.kind());
    }
}
