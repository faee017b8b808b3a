package dev.kjump.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kjump kexec}: kexec-tools' command line, one shot. Boots a fresh kernel, loads the image as the options
 * say, executes it ({@code -e} is implied: a fresh kernel that exited without jumping would have done nothing),
 * reports, and exits. stdout carries exactly the image's COM1 bytes; kexec's lines go to stderr.
 */
@Command(name = "kexec", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"kexec-tools' options on a freshly booted Java kernel, one shot: load the image, execute it",
            "(-e is implied), report, exit. stdout carries exactly the image's COM1 bytes; kexec's report goes to",
            "stderr. Example: kjump kexec --load-preserve-context images/examples/elf/pingpong.elf --jumps 3"},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every jump came back (or the handed-over image halted) and integrity held",
            "1:bad usage, or the load or exec was refused (ENOENT, ENOEXEC, EINVAL, EBUSY, ...)",
            "2:the image faulted or halted (contained: the kernel survived), or integrity broke",
            "3:the image returned a non-zero value", "4:the image ran past --timeout (contained)"})
public final class KexecCommand implements Callable<Integer> {
    @Mixin
    GdbOptions gdb;

    @Mixin
    KexecArgs kexec;

    @Mixin
    MachineOptions machine;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "1", converter = Numbers.Cpus.class,
            description = "CPUs of the kernel (default: ${DEFAULT-VALUE})")
    int cpus;

    @Option(names = "--jumps", paramLabel = "N", defaultValue = "1", converter = Numbers.AtLeastOne.class,
            description = "execute N times (preserve-context images; default: ${DEFAULT-VALUE})")
    int jumps;

    @Option(names = "--trace", paramLabel = "FILE", description = "write every jump's timeline to FILE: .svg or .json")
    Path trace;

    @Option(names = "--json", paramLabel = "FILE", description = "write a machine-readable report (as run --json)")
    Path json;

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
            OutputFiles.check(List.of(new OutputFiles.Output("--json", json), new OutputFiles.Output("--trace", trace)),
                    kexec.image == null ? null : Path.of(kexec.image), kexec.initrd == null ? null : Path.of(kexec.initrd),
                    machine.disk);
            session = ShellCommand.boot(machine, cpus, System.out);
        } catch (IllegalArgumentException e) {
            err.println("kexec: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        KexecTool tool = new KexecTool(session, err, err);
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
            return loadAndExec(tool, session, err);
        } finally {
            System.out.flush();
            gdb.finish(lastStatus);
        }
    }

    private int lastStatus = Main.EXIT_FAULT;

    private int loadAndExec(KexecTool tool, KernelSession session, PrintStream err) throws java.io.IOException {
        boolean exec = kexec.exec;
        kexec.exec = false;
        if (kexec.image != null && !kexec.load && !kexec.loadPreserveContext) {
            kexec.load = true; // IMAGE alone: kexec-tools loads and executes it
        }
        int status = tool.run(kexec);
        kexec.exec = exec;
        // Ctrl-C stops the jumps at any point: a running callee is contained, between jumps the loop ends
        try (CtrlC all = CtrlC.interrupting(session.kernel().machine().cpu())) {
            int done = 0;
            for (; done < jumps && status == Main.EXIT_OK && !tool.handedOver() && !all.interrupted(); done++) {
                status = tool.exec();
            }
            if (all.interrupted() && status == Main.EXIT_OK) {
                err.printf("kexec: interrupted (Ctrl-C) after %d jump(s)%n", done);
                status = Main.EXIT_INTERRUPTED;
            }
        }
        if (json != null) {
            String name = tool.loaded() != null ? tool.loaded().name() : String.valueOf(kexec.image);
            Files.writeString(json, JsonReport.of(name, tool.reports(), session.kernel(),
                    tool.loaded() != null && tool.loaded().peer()));
        }
        if (trace != null && status != Main.EXIT_USAGE) {
            err.println("kexec: trace written to " + trace.toAbsolutePath());
        }
        lastStatus = status;
        return status;
    }
}
