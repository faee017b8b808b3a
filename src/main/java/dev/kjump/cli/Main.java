package dev.kjump.cli;

import picocli.CommandLine;

/**
 * kjump's command line: the only place that prints for people. Each command builds its picocli model in a
 * {@code spec} method ({@link CliModel}) instead of annotating its fields: picocli's annotations cost ~50 ms of
 * every start (the JDK parses them and spins a proxy class per annotation type).
 */
public final class Main implements Runnable {
    /** Exit status: the image came back normally. */
    public static final int EXIT_OK = 0;
    /** Exit status: bad usage or a bad image file. */
    public static final int EXIT_USAGE = 1;
    /** Exit status: the image faulted, halted, or did not come back. */
    public static final int EXIT_FAULT = 2;
    /** Exit status: the image came back with a non-zero return value. */
    public static final int EXIT_NONZERO = 3;
    /** Exit status: the run timed out or used up its instruction budget. */
    public static final int EXIT_TIMEOUT = 4;
    /** Exit status: the callee was interrupted with Ctrl-C (128 + SIGINT, as shells report it). */
    public static final int EXIT_INTERRUPTED = 130;

    CommandLine.Model.CommandSpec spec;

    /** The top-level command: {@code kjump [-hV] [COMMAND]}. */
    static CommandLine.Model.CommandSpec spec(Main c) {
        return c.spec = CliModel.command(c, "kjump",
                "kexec jump on an emulated i386 PC: run, debug and test jump-back images.")
                .version(new Version()).withStandardHelpOptions();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Entry point. */
    public static void main(String[] args) {
        // numbers print the same in every locale (the kernel log's timestamps, MIPS, sizes), as Linux prints them;
        // with the US format a first String.format also skips loading the JDK's locale data (~15 ms of a short run)
        java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, java.util.Locale.US);
        // no option takes a java.time or java.sql type: picocli need not look their converters up by reflection
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java.time.*,java.sql.*");
        }
        int status;
        try {
            status = commandLine(args.length > 0 ? args[0] : null).execute(args);
        } catch (OutOfMemoryError e) {
            // the last resort (a guest's RAM is checked against the heap up front): one line, not a trace
            System.err.println("kjump: out of Java heap (" + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB); give the JVM more, e.g. KJUMP_JAVA_OPTS=-Xmx" + 2 * (Runtime.getRuntime().maxMemory()
                    >> 20) + "m");
            status = EXIT_FAULT;
        }
        System.exit(status);
    }

    /**
     * The command {@code name} names when it is one of those a run starts with most, each buildable alone (see
     * {@link #commandLine(String)}), else null. A switch, not a map of constructor references: linking those was a
     * few milliseconds of every start.
     */
    private static CommandLine.Model.CommandSpec mainCommand(String name) {
        return switch (name) {
            case "run" -> RunCommand.spec(new RunCommand());
            case "kexec" -> KexecCommand.spec(new KexecCommand());
            case "shell" -> ShellCommand.spec(new ShellCommand());
            case "demo" -> DemoCommand.spec(new DemoCommand());
            case "bench" -> BenchCommand.spec(new BenchCommand());
            default -> null;
        };
    }

    /** The configured command line with every command (tests drive it too). */
    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The configured command line; when {@code first} (the first argument) names one of the main commands, only
     * that command is built: building all of them was most of the start-up of a short {@code kjump run} (about
     * 150 ms of 400, when picocli read them from annotations).
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(spec(new Main()));
        CommandLine.Model.CommandSpec command = first == null ? null : mainCommand(first);
        if (command != null) {
            cl.addSubcommand(command);
        } else {
            for (CommandLine.Model.CommandSpec c : new CommandLine.Model.CommandSpec[] {
                RunCommand.spec(new RunCommand()), KexecCommand.spec(new KexecCommand()),
                ShellCommand.spec(new ShellCommand()), DemoCommand.spec(new DemoCommand()),
                BenchCommand.spec(new BenchCommand()), CompletionCommand.spec(new CompletionCommand()),
                CliModel.helpCommand()}) {
                cl.addSubcommand(c);
            }
        }
        // bad usage is one line: what is wrong, where to look
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine bad = ex.getCommandLine();
            String name = bad.getCommandSpec().qualifiedName();
            String message = String.valueOf(ex.getMessage()).lines().findFirst().orElse("bad usage");
            bad.getErr().println(name + ": " + message + "; see '" + name + " --help'");
            return EXIT_USAGE;
        });
        // a command's machine is closed when the command ends: its disk written back and unlocked (tests and the
        // shell run many commands in one JVM)
        cl.setExecutionStrategy(parse -> {
            try {
                return new CommandLine.RunLast().execute(parse);
            } finally {
                closeMachines(parse);
            }
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("kjump: " + describe(ex));
            return ex instanceof dev.kjump.kernel.KernelOops ? EXIT_FAULT : EXIT_USAGE;
        });
        return cl;
    }

    /** Closes the machines that the {@link MachineOptions} of the parsed commands built. */
    private static void closeMachines(CommandLine.ParseResult parse) {
        for (CommandLine c : parse.asCommandLineList()) {
            for (CommandLine.Model.CommandSpec mixin : c.getCommandSpec().mixins().values()) {
                if (mixin.userObject() instanceof MachineOptions m) {
                    m.close();
                }
            }
        }
    }

    /**
     * An exception that ended a command, for people in one line: a host file error as {@code PATH: ERRNO
     * (description)}, never a Java class name for it.
     */
    static String describe(Exception ex) {
        if (ex instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + dev.kjump.image.HostFiles.errno(f);
        }
        if (ex instanceof java.io.IOException io) {
            return dev.kjump.image.HostFiles.errno(io);
        }
        String m = ex.getMessage();
        return m != null && !m.isBlank() ? m.lines().findFirst().orElse(m)
                : "internal error: " + ex.getClass().getSimpleName();
    }

    /** The version from the jar's manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kjump " + (v != null ? v : "dev")};
        }
    }
}
