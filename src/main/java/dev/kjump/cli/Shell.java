package dev.kjump.cli;

import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The commands of {@code kjump shell}, one line at a time: {@code kexec} (kexec-tools' options), {@code ps},
 * {@code mem}, {@code devices}, {@code cpus}, {@code dmesg}, {@code x}, {@code trace}, {@code help},
 * {@code quit}. Output goes to {@code out}, errors to {@code err} as one line each; {@link #execute} returns the
 * command's exit status (the table in {@link Main}). Independent of the terminal, so tests drive it directly.
 */
final class Shell {
    /** The commands and what they do, for help and completion. */
    static final Map<String, String> COMMANDS = new java.util.LinkedHashMap<>();

    static {
        COMMANDS.put("kexec", "kexec [-l|--load-preserve-context] IMAGE | --load-jump-back-helper --entry=ADDR | -e | -u"
                + "   (kexec -h: all options)");
        COMMANDS.put("ps", "ps                  the kernel's tasks: running or frozen");
        COMMANDS.put("mem", "mem                 RAM, the kernel's pages, the loaded kimage (segments, source/"
                + "destination pages, control and swap page)");
        COMMANDS.put("devices", "devices             each device, its PM state and registers");
        COMMANDS.put("cpus", "cpus                CPUs online/offline, interrupts, the boot CPU's registers");
        COMMANDS.put("dmesg", "dmesg               the kernel log");
        COMMANDS.put("x", "x ADDR [N]          hex dump of N bytes (default 64) of guest physical memory");
        COMMANDS.put("trace", "trace on [FILE]|off record the following jumps to FILE (.svg or .json); trace: state");
        COMMANDS.put("help", "help                this list");
        COMMANDS.put("quit", "quit                leave the shell (also: exit, Ctrl-D)");
    }

    /** kexec-tools' option names, for completion. */
    static final List<String> KEXEC_OPTIONS = List.of("-l", "--load", "--load-preserve-context",
            "--load-jump-back-helper", "--entry=", "--append=", "--command-line=", "--mem-min=", "--mem-max=", "-e",
            "--exec", "-u", "--unload", "-h", "--help");

    /** The shell's {@code kexec}: kexec-tools' options plus -h. */
    static final class ShellKexec {
        KexecArgs args = new KexecArgs();
        boolean help;

        /** The command's model ({@link CliModel}): its options, bound to the fields above. */
        static CommandSpec spec(ShellKexec c) {
            CliModel m = CliModel.command(c, "kexec",
                    "Load an image into the kernel, jump into it, or unload it (kexec-tools' option names).");
            m.unsortedOptions().usage().width(100).footer("",
                    "kexec -l IMAGE; kexec -e            load, then hand the machine over (no way back)",
                    "kexec --load-preserve-context IMAGE; kexec -e   jump in and come back; kexec -e again resumes it",
                    "kexec IMAGE                         load and execute at once");
            m.mixin("args", KexecArgs.spec(c.args));
            m.add(m.option("help", "-h", "--help").usageHelp(true).description("this help"));
            return m.spec();
        }
    }

    private final KernelSession session;
    private final KexecTool tool;
    private final PrintStream out;
    private final PrintStream err;
    private final Path defaultTrace;
    private boolean finished;
    private Path[] inputs = {};

    /**
     * @param trace {@code --trace FILE}: tracing starts on, to this file (null: off until {@code trace on FILE})
     * @throws IllegalArgumentException when the trace file's extension is not .json or .svg
     */
    Shell(KernelSession session, PrintStream out, PrintStream err, Path trace) {
        this.session = session;
        this.out = out;
        this.err = err;
        this.defaultTrace = trace;
        this.tool = new KexecTool(session, out, err);
        if (trace != null) {
            tool.trace(new TraceFile(trace));
        }
    }

    /** The files the session reads (the disk): {@code trace on FILE} refuses them, and the loaded image's. */
    void inputs(Path... files) {
        inputs = files.clone();
    }

    /** The files the session reads: the disk, and the loaded image and initrd ({@code kexec -l} checks a trace). */
    private Path[] readFiles() {
        List<Path> all = new java.util.ArrayList<>(java.util.Arrays.asList(inputs));
        if (tool.loaded() != null) {
            all.addAll(tool.loaded().files());
        }
        return all.toArray(new Path[0]);
    }

    /** True after {@code quit}, or once the kernel is gone (a hand-over). */
    boolean finished() {
        return finished;
    }

    KexecTool kexec() {
        return tool;
    }

    /** With --gdb: the stub debugs every jump the shell makes. */
    void gdb(GdbOptions g) {
        tool.gdb(g);
    }

    KernelSession session() {
        return session;
    }

    /** Runs one line; blank lines and comments succeed. */
    int execute(String line) {
        List<String> w;
        try {
            w = ShellWords.split(line);
        } catch (IllegalArgumentException e) {
            err.println("kjump: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (w.isEmpty()) {
            return Main.EXIT_OK;
        }
        String cmd = w.get(0);
        List<String> args = w.subList(1, w.size());
        if (tool.handedOver() && !cmd.equals("quit") && !cmd.equals("exit") && !cmd.equals("help")) {
            err.println(cmd + ": the kernel is gone (kexec -e handed the machine over)");
            return Main.EXIT_FAULT;
        }
        try {
            return switch (cmd) {
                case "kexec" -> kexec(args);
                case "ps" -> noArgs(cmd, args) ? ps() : Main.EXIT_USAGE;
                case "mem" -> noArgs(cmd, args) ? mem() : Main.EXIT_USAGE;
                case "devices" -> noArgs(cmd, args) ? devices() : Main.EXIT_USAGE;
                case "cpus" -> noArgs(cmd, args) ? cpus() : Main.EXIT_USAGE;
                case "dmesg" -> noArgs(cmd, args) ? dmesg() : Main.EXIT_USAGE;
                case "x" -> x(args);
                case "trace" -> trace(args);
                case "help", "?" -> help();
                case "quit", "exit" -> {
                    finished = true;
                    yield Main.EXIT_OK;
                }
                default -> {
                    err.println(cmd + ": unknown command (help lists them)");
                    yield Main.EXIT_USAGE;
                }
            };
        } catch (dev.kjump.kernel.KernelOops e) {
            err.println(cmd + ": " + e.getMessage() + "; the kernel is dead, the shell ends");
            finished = true;
            return Main.EXIT_FAULT;
        } catch (RuntimeException e) {
            // never a stack trace: one line, and the shell goes on
            err.println(cmd + ": internal error: " + e);
            return Main.EXIT_FAULT;
        } finally {
            out.flush();
        }
    }

    private boolean noArgs(String cmd, List<String> args) {
        if (!args.isEmpty()) {
            err.println(cmd + ": takes no arguments");
            return false;
        }
        return true;
    }

    private int kexec(List<String> args) {
        ShellKexec k = new ShellKexec();
        CommandLine cl = new CommandLine(ShellKexec.spec(k));
        try {
            cl.parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            err.println("kexec: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        if (k.help) {
            cl.usage(out);
            return Main.EXIT_OK;
        }
        int r = tool.run(k.args);
        if (tool.handedOver()) {
            finished = true;
        }
        return r;
    }

    private int ps() {
        out.printf("%5s  %-10s %-8s %7s %10s%n", "PID", "NAME", "STATE", "STEPS", "VALUE");
        for (Task t : session.kernel().tasks()) {
            out.printf("%5d  %-10s %-8s %7d %10d%n", t.pid(), t.name(), t.frozen() ? "frozen" : "running", t.steps(),
                    Integer.toUnsignedLong(t.value()));
        }
        return Main.EXIT_OK;
    }

    private int mem() {
        Kernel k = session.kernel();
        var pa = k.pageAllocator();
        long ram = k.machine().memory().size();
        out.printf("RAM       %d MiB (%d pages of 4 KiB), %d in low memory%n", ram >> 20, pa.totalPages(), pa.lowmemPages());
        out.printf("kernel    %d page(s) in use (kernel image from 00100000, page directory %08x, task blocks, "
                + "RAM disk, kexec), %d free%n", pa.usedPages(), k.machine().cpu().cr3(), pa.totalPages() - pa.usedPages());
        out.printf("ramdisk   %d page(s) from %08x, %d byte(s) used%n", k.ramdisk().pageCount(),
                k.ramdisk().pageCount() > 0 ? k.ramdisk().pagePhys(0) : 0, k.ramdisk().used());
        Kimage ki = k.kexecImage();
        if (ki == null) {
            out.println("kimage    none loaded");
            return Main.EXIT_OK;
        }
        KexecTool.Loaded l = tool.loaded();
        out.printf("kimage    %s: start %08x%s, %d segment(s)%n", l != null ? l.name() : "(loaded)", ki.start(),
                ki.preserveContext() ? ", preserve_context" : "", ki.nrSegments());
        for (int i = 0; i < ki.nrSegments(); i++) {
            long m = ki.segmentMem(i);
            long sz = ki.segmentMemsz(i);
            out.printf("  segment %d: destination %08x-%08x (memsz 0x%x, bufsz 0x%x)%n", i, m, sz == 0 ? m : m + sz - 1,
                    sz, ki.segmentBufsz(i));
        }
        out.printf("  control page %08x, swap page %08x, indirection page(s) %s%n", ki.controlPage(), ki.swapPage(),
                JumpReport.hexList(ki.indirectionPages().stream().map(pfn -> (long) pfn << 12).toList()));
        List<long[]> pairs = ki.pagePairs();
        out.printf("  %d source page(s) -> destination, in runs:%n", pairs.size());
        int i = 0;
        while (i < pairs.size()) {
            int j = i + 1;
            while (j < pairs.size() && pairs.get(j)[0] == pairs.get(j - 1)[0] + 4096
                    && pairs.get(j)[1] == pairs.get(j - 1)[1] + 4096) {
                j++;
            }
            long[] a = pairs.get(i);
            long[] b = pairs.get(j - 1);
            out.printf("    source %08x-%08x -> destination %08x-%08x (%d page(s))%n", a[1], b[1] + 4095, a[0], b[0] + 4095,
                    j - i);
            i = j;
        }
        return Main.EXIT_OK;
    }

    private int devices() {
        for (PmDevice d : session.kernel().devices().devices()) {
            StringBuilder regs = new StringBuilder();
            for (Map.Entry<String, Long> e : d.device().saveState().registers().entrySet()) {
                regs.append(' ').append(e.getKey()).append('=').append(Long.toHexString(e.getValue()));
            }
            out.printf("%-28s %-12s%s%n", d.name(), d.state().name().toLowerCase(), regs);
        }
        return Main.EXIT_OK;
    }

    private int cpus() {
        Kernel k = session.kernel();
        for (int i = 0; i < k.cpus().count(); i++) {
            out.printf("cpu%d  %s%s%n", i, k.cpus().isOnline(i) ? "online" : "offline", i == 0 ? " (boot CPU)" : "");
        }
        CpuState s = k.machine().cpu().saveState();
        out.printf("boot CPU: eip %08x esp %08x eflags %08x cr0 %08x cr3 %08x cr4 %08x; interrupts %s; %,d instruction(s) "
                + "executed so far%n", s.eip(), s.reg(Cpu.ESP), s.eflags(), s.cr0(), s.cr3(), s.cr4(),
                k.irqsEnabled() ? "on" : "off", k.machine().cpu().instructions());
        return Main.EXIT_OK;
    }

    private int dmesg() {
        for (String l : session.kernel().log().dmesg()) {
            out.println(l);
        }
        return Main.EXIT_OK;
    }

    private int x(List<String> args) {
        if (args.isEmpty() || args.size() > 2) {
            err.println("x: usage: x ADDR [N]");
            return Main.EXIT_USAGE;
        }
        long addr;
        long n;
        try {
            addr = KexecArgs.address("x", args.get(0));
            n = args.size() > 1 ? KexecArgs.address("x", args.get(1)) : 64;
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return Main.EXIT_USAGE;
        }
        long ram = session.kernel().machine().memory().size();
        if (n < 1 || n > (1 << 20)) {
            err.println("x: N must be 1..1048576");
            return Main.EXIT_USAGE;
        }
        if (addr + n > ram) {
            err.printf("x: EFAULT (%08x..%08x is beyond RAM, which ends at %08x)%n", addr, addr + n - 1, ram - 1);
            return Main.EXIT_USAGE;
        }
        byte[] b = new byte[(int) n];
        session.kernel().machine().memory().read((int) addr, b, 0, b.length);
        for (int off = 0; off < b.length; off += 16) {
            StringBuilder hex = new StringBuilder();
            StringBuilder asc = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                if (off + i < b.length) {
                    int v = b[off + i] & 0xFF;
                    hex.append(String.format("%02x ", v));
                    asc.append(v >= 0x20 && v < 0x7F ? (char) v : '.');
                } else {
                    hex.append("   ");
                }
                if (i == 7) {
                    hex.append(' ');
                }
            }
            out.printf("%08x  %s |%s|%n", addr + off, hex, asc);
        }
        return Main.EXIT_OK;
    }

    private int trace(List<String> args) {
        TraceFile t = tool.trace();
        if (args.isEmpty()) {
            out.println(t == null ? "trace: off" : "trace: on, " + t.size() + " jump(s) recorded in " + t.path());
            return Main.EXIT_OK;
        }
        switch (args.get(0)) {
            case "on" -> {
                if (args.size() > 2) {
                    err.println("trace: usage: trace on [FILE.svg|FILE.json]");
                    return Main.EXIT_USAGE;
                }
                Path p = args.size() == 2 ? Path.of(args.get(1)) : t != null ? t.path() : defaultTrace;
                if (p == null) {
                    err.println("trace: no file: trace on FILE.svg or trace on FILE.json (or start the shell with --trace)");
                    return Main.EXIT_USAGE;
                }
                if (t != null && p.equals(t.path())) {
                    out.println("trace: on, " + p);
                    return Main.EXIT_OK;
                }
                try {
                    t = new TraceFile(p);
                    OutputFiles.check(List.of(new OutputFiles.Output("trace on", p, true)), readFiles());
                } catch (IllegalArgumentException e) {
                    err.println("trace: " + e.getMessage());
                    return Main.EXIT_USAGE;
                }
                tool.trace(t);
                out.println("trace: on, the following jumps go to " + p);
                return Main.EXIT_OK;
            }
            case "off" -> {
                if (args.size() != 1) {
                    err.println("trace: usage: trace off");
                    return Main.EXIT_USAGE;
                }
                if (t == null) {
                    out.println("trace: off");
                    return Main.EXIT_OK;
                }
                tool.trace(null);
                try {
                    t.write();
                } catch (IOException e) {
                    err.println("trace: cannot write " + t.path() + ": " + e.getMessage());
                    return Main.EXIT_USAGE;
                }
                out.println("trace: off; " + t.size() + " jump(s) written to " + t.path());
                return Main.EXIT_OK;
            }
            default -> {
                err.println("trace: usage: trace on [FILE] | trace off");
                return Main.EXIT_USAGE;
            }
        }
    }

    private int help() {
        out.println("commands:");
        for (String h : COMMANDS.values()) {
            out.println("  " + h);
        }
        out.println("An image's COM1 output appears as it is produced. Numbers: 0x hex, leading 0 octal, else decimal.");
        return Main.EXIT_OK;
    }
}
