package dev.kjump.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kjump kexec}: kexec-tools' command line, one shot. Boots a fresh kernel, loads the image as the options
 * say, executes it ({@code -e} is implied: a fresh kernel that exited without jumping would have done nothing),
 * reports, and exits. stdout carries exactly the image's COM1 bytes; kexec's lines go to stderr.
 */
public final class KexecCommand implements Callable<Integer> {
    GdbOptions gdb = new GdbOptions();
    KexecArgs kexec = new KexecArgs();
    MachineOptions machine = new MachineOptions();
    int cpus;
    int jumps;
    Path trace;
    Path json;
    boolean verbose;

    /** The command's model ({@link CliModel}): its options, bound to the fields above. */
    static CommandSpec spec(KexecCommand c) {
        CliModel m = CliModel.command(c, "kexec",
                "kexec-tools' options on a freshly booted Java kernel, one shot: load the image, execute it",
                "(-e is implied), report, exit. stdout carries exactly the image's COM1 bytes; kexec's report goes to",
                "stderr. Example: kjump kexec --load-preserve-context images/examples/elf/pingpong.elf --jumps 3");
        m.unsortedOptions().exitCodes("%nExit status:%n",
                "0:every jump came back (or the handed-over image halted) and integrity held",
                "1:bad usage, or the load or exec was refused (ENOENT, ENOEXEC, EINVAL, EBUSY, ...)",
                "2:the image faulted or halted (contained: the kernel survived), or integrity broke",
                "3:the image returned a non-zero value", "4:the image ran past --timeout (contained)");
        m.mixin("gdb", GdbOptions.spec(c.gdb));
        m.mixin("kexec", KexecArgs.spec(c.kexec));
        m.mixin("machine", MachineOptions.spec(c.machine));
        m.add(m.option("cpus", "--cpus").paramLabel("N").defaultValue("1").converters(new Numbers.Cpus())
                .description("CPUs of the kernel (default: ${DEFAULT-VALUE})"));
        m.add(m.option("jumps", "--jumps").paramLabel("N").defaultValue("1").converters(new Numbers.AtLeastOne())
                .description("execute N times (preserve-context images; default: ${DEFAULT-VALUE})"));
        m.add(m.option("trace", "--trace").paramLabel("FILE")
                .description("write every jump's timeline to FILE: .svg or .json"));
        m.add(m.option("json", "--json").paramLabel("FILE")
                .description("write a machine-readable report (as run --json)"));
        m.add(m.option("verbose", "--verbose").description("print kexec's lines for every jump (by default those "
                + "after the third are left out; the summary at the end counts every jump)"));
        return m.withStandardHelpOptions();
    }

    @Override
    public Integer call() throws IOException {
        PrintStream err = System.err;
        if (kexec.unload) {
            err.println("kexec: -u makes no sense one shot (nothing is loaded in a fresh kernel); use kjump shell");
            return Main.EXIT_USAGE;
        }
        if (jumps < 1) {
            err.println("kexec: --jumps must be at least 1");
            return Main.EXIT_USAGE;
        }
        if (!kexec.load && !kexec.loadPreserveContext && !kexec.loadJumpBackHelper && kexec.image == null) {
            err.println("kexec: give an image: -l IMAGE, --load-preserve-context IMAGE, --load-jump-back-helper "
                    + "--entry=ADDR, or IMAGE");
            return Main.EXIT_USAGE;
        }
        KernelSession session;
        try {
            if (trace != null) {
                TraceFile.formatOf(trace);
            }
            OutputFiles.check(List.of(new OutputFiles.Output("--json", json),
                            new OutputFiles.Output("--trace", trace, true)),
                    kexec.image == null ? null : Path.of(kexec.image), kexec.initrd == null ? null : Path.of(kexec.initrd),
                    machine.disk);
            session = ShellCommand.boot(machine, cpus, System.out);
        } catch (IllegalArgumentException e) {
            err.println("kexec: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        // kexec's lines of jumps after the first few are left out (failures always shown), as run does
        JumpLogLimiter shown = new JumpLogLimiter(err, verbose, "kexec: the lines of jumps after #" + JumpLogLimiter.KEEP
                + " are left out (--verbose prints them all); the summary at the end counts every jump");
        KexecTool tool = new KexecTool(session, shown, err);
        if (trace != null) {
            tool.trace(new TraceFile(trace));
        }
        String badGdb = gdb.start(err);
        if (badGdb != null) {
            err.println("kexec: " + badGdb);
            return Main.EXIT_USAGE;
        }
        tool.gdb(gdb);
        try {
            return loadAndExec(tool, session, shown, err);
        } finally {
            System.out.flush();
            gdb.finish(lastStatus);
        }
    }

    private int lastStatus = Main.EXIT_FAULT;

    private int loadAndExec(KexecTool tool, KernelSession session, JumpLogLimiter shown, PrintStream err) {
        boolean exec = kexec.exec;
        kexec.exec = false;
        if (kexec.image != null && !kexec.load && !kexec.loadPreserveContext) {
            kexec.load = true; // IMAGE alone: kexec-tools loads and executes it
        }
        int status = tool.run(kexec);
        kexec.exec = exec;
        String name = tool.loaded() != null ? tool.loaded().name() : String.valueOf(kexec.image);
        JsonReport report = null;
        if (json != null) {
            try {
                report = JsonReport.open(json, name, session.kernel(), tool.loaded() != null && tool.loaded().peer(),
                        tool.totals(), err);
            } catch (IOException e) {
                err.println("kexec: --json " + json + ": cannot be written: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            tool.json(report);
        }
        try {
            status = execs(tool, session, shown, err, status);
            if (jumps > 1 && tool.totals().jumps() > 0) {
                err.println("kexec: " + tool.totals().line(name));
            }
            if (report != null) {
                report.exitStatus(status);
            }
        } finally {
            shown.flush();
            if (report != null) {
                report.close(); // valid JSON however the run ended
            }
        }
        if (trace != null && status != Main.EXIT_USAGE) {
            err.println("kexec: trace written to " + trace.toAbsolutePath());
        }
        lastStatus = status;
        return status;
    }

    /** The {@code --jumps} executions; Ctrl-C stops them at any point (a running callee is contained). */
    private int execs(KexecTool tool, KernelSession session, JumpLogLimiter shown, PrintStream err, int status) {
        try (CtrlC all = CtrlC.interrupting(session.kernel().machine().cpu())) {
            int done = 0;
            for (; done < jumps && status == Main.EXIT_OK && !tool.handedOver() && !all.interrupted(); done++) {
                shown.jumpStarting(done + 1);
                status = tool.exec();
            }
            if (all.interrupted() && status == Main.EXIT_OK) {
                err.printf("kexec: interrupted (Ctrl-C) after %d jump(s)%n", done);
                status = Main.EXIT_INTERRUPTED;
            }
        }
        return status;
    }
}
