package dev.kjump.cli;

import dev.kjump.kernel.KernelConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kjump shell}: boots the Java kernel and gives a {@code kjump# } prompt (JLine: history in
 * {@code ~/.kjump_history}, line editing, completion of commands, kexec options and file names). When stdin is
 * not a terminal, or a SCRIPT is given, it reads commands line by line without prompts or echo and stops at the
 * first failing command, naming the line on stderr, with that command's exit status.
 */
public final class ShellCommand implements Callable<Integer> {
    Path script;
    MachineOptions machine = new MachineOptions();
    int cpus;
    Path trace;
    GdbOptions gdb = new GdbOptions();

    /** The command's model ({@link CliModel}): its options, bound to the fields above. */
    static CommandSpec spec(ShellCommand c) {
        CliModel m = CliModel.command(c, "shell",
                "Boot the Java kernel and give a prompt with kexec (kexec-tools' options), ps, mem, devices,",
                "cpus, dmesg, x, trace, help, quit. An image's COM1 output goes to stdout as it is produced.",
                "Non-interactive when stdin is not a terminal or SCRIPT is given: no prompt, stops at the first",
                "failing command (its line number on stderr) with that command's exit status.");
        m.unsortedOptions().exitCodes("%nExit status:%n", "0:every command succeeded (or quit)",
                "1:a command was refused: bad usage, missing/bad image (ENOENT, ENOEXEC), kexec_load or reboot errno",
                "2:an image faulted or halted (contained), or integrity broke",
                "3:an image returned a non-zero value", "4:an image ran past --timeout (contained)");
        m.add(m.positional("script").index("0").arity("0..1").paramLabel("SCRIPT")
                .description("read commands from this file"));
        m.mixin("machine", MachineOptions.spec(c.machine));
        m.add(m.option("cpus", "--cpus").paramLabel("N").defaultValue("1").converters(new Numbers.Cpus())
                .description("CPUs of the kernel (default: ${DEFAULT-VALUE})"));
        m.add(m.option("trace", "--trace").paramLabel("FILE").description("write every jump's timeline to FILE: "
                + ".svg (picture) or .json (Chrome/Perfetto trace); `trace on|off` switches it"));
        m.mixin("gdb", GdbOptions.spec(c.gdb));
        return m.withStandardHelpOptions();
    }

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Shell shell;
        try {
            shell = open(machine, cpus, trace, out, err);
        } catch (IllegalArgumentException e) {
            err.println("kjump shell: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        String badGdb = gdb.start(err);
        if (badGdb != null) {
            err.println("kjump shell: " + badGdb);
            return Main.EXIT_USAGE;
        }
        shell.gdb(gdb);
        int status = Main.EXIT_FAULT;
        try {
            status = session(shell, out, err);
            return status;
        } finally {
            out.flush();
            gdb.finish(status);
        }
    }

    private int session(Shell shell, PrintStream out, PrintStream err) throws IOException {
        if (script != null) {
            if (!Files.exists(script)) {
                err.println("kjump shell: " + script + ": ENOENT (No such file or directory)");
                return Main.EXIT_USAGE;
            }
            if (Files.isDirectory(script)) { // a FIFO is fine: a script is read line by line (kjump shell <(...))
                err.println("kjump shell: " + script + ": EISDIR (Is a directory)");
                return Main.EXIT_USAGE;
            }
            try (Reader r = Files.newBufferedReader(script, StandardCharsets.UTF_8)) {
                return runScript(shell, r, err);
            }
        }
        if (System.console() == null) {
            return runScript(shell, new InputStreamReader(System.in, StandardCharsets.UTF_8), err);
        }
        return interactive(shell, out);
    }

    /** Boots a kernel and a shell on it (the one place the shell's machine is built, for tests too). */
    static Shell open(MachineOptions machine, int cpus, Path trace, PrintStream out, PrintStream err) {
        if (trace != null) {
            TraceFile.formatOf(trace);
        }
        OutputFiles.check(List.of(new OutputFiles.Output("--trace", trace, true)), machine.disk);
        Shell shell = new Shell(boot(machine, cpus, out), out, err, trace);
        shell.inputs(machine.disk);
        return shell;
    }

    /**
     * Boots the Java kernel for the shell and {@code kjump kexec}: the kernel log is kept for {@code dmesg} only.
     *
     * @param console where the guest's COM1 bytes go
     * @throws IllegalArgumentException on a bad --cpus or --mem
     */
    static KernelSession boot(MachineOptions machine, int cpus, PrintStream console) {
        if (cpus < 1 || cpus > 64) {
            throw new IllegalArgumentException("--cpus must be 1..64");
        }
        KernelConfig config = machine.kernelConfig(KernelConfig.defaults().withCpus(cpus).withLimits(Long.MAX_VALUE,
                machine.timeoutNanos()));
        return new KernelSession(machine.build(console), config, null);
    }

    /**
     * Runs commands from {@code in}, one per line, until the end, {@code quit}, or the first failure.
     *
     * @return 0, or the failing command's exit status
     */
    static int runScript(Shell shell, Reader in, PrintStream err) throws IOException {
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            int status = shell.execute(line);
            if (status != Main.EXIT_OK) {
                err.printf("kjump shell: line %d failed (exit %d): %s%n", n, status, line.trim());
                return status;
            }
            if (shell.finished()) {
                break;
            }
        }
        return Main.EXIT_OK;
    }

    private static int interactive(Shell shell, PrintStream out) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("kjump")
                    .completer(new ShellCompleter())
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".kjump_history"))
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .build();
            var k = shell.kexec();
            out.printf("kjump shell: the kernel is up. Try: kexec --load-preserve-context "
                    + "images/examples/elf/pingpong.elf, kexec -e, ps, mem. help lists the commands.%n");
            int last = Main.EXIT_OK;
            while (!shell.finished()) {
                String line;
                try {
                    line = reader.readLine("kjump# ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                last = shell.execute(line);
            }
            reader.getHistory().save();
            return k.handedOver() ? last : Main.EXIT_OK;
        }
    }

    /** Completes command names, kexec's options, and file names everywhere else. */
    static final class ShellCompleter implements Completer {
        private final Completer files = new Completers.FileNameCompleter();

        @Override
        public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
            if (line.wordIndex() == 0) {
                for (String c : Shell.COMMANDS.keySet()) {
                    candidates.add(new Candidate(c));
                }
                candidates.add(new Candidate("exit"));
                return;
            }
            String cmd = line.words().get(0);
            String word = line.word();
            if (cmd.equals("kexec") && word.startsWith("-")) {
                for (String o : Shell.KEXEC_OPTIONS) {
                    candidates.add(new Candidate(o, o, null, null, null, null, !o.endsWith("=")));
                }
                return;
            }
            if (cmd.equals("trace") && line.wordIndex() == 1) {
                candidates.add(new Candidate("on"));
                candidates.add(new Candidate("off"));
                return;
            }
            files.complete(reader, line, candidates);
        }
    }
}
