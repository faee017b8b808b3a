package dev.kjump.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A shell on a fresh 32 MiB kernel with its stdout (COM1 included) and stderr captured. */
final class ShellFixture {
    static final String PINGPONG = "images/examples/elf/pingpong.elf";
    static final String HELLO = "images/examples/elf/hello.elf";
    static final String ARGS = "images/examples/elf/args.elf";
    static final String CRASH = "images/examples/elf/crash.elf";

    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final Shell shell;

    ShellFixture(Path trace) {
        MachineOptions m = new MachineOptions();
        m.memory = 32L << 20;
        m.timeoutSeconds = 10;
        shell = ShellCommand.open(m, 2, trace, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    ShellFixture() {
        this(null);
    }

    /** Runs a script (lines joined with newlines); returns the exit status. */
    int script(String... lines) throws IOException {
        return ShellCommand.runScript(shell, new StringReader(String.join("\n", lines) + "\n"),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
