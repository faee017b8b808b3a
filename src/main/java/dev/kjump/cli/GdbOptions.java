package dev.kjump.cli;

import dev.kjump.gdb.GdbStub;
import dev.kjump.machine.Machine;
import java.io.IOException;
import java.io.PrintStream;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --gdb PORT} and {@code --gdb-wait}, shared by {@code run}, {@code kexec} and {@code shell}: a GDB remote
 * stub that takes over the machine's runs, and with {@code --gdb-wait} stops at the callee's first instruction
 * (after the kernel's swap) on each jump until gdb continues.
 */
public final class GdbOptions {
    Integer port;
    boolean waitAtEntry;

    /** These options' model ({@link CliModel}), to mix into a command's: bound to the fields above. */
    static CommandSpec spec(GdbOptions o) {
        CliModel m = CliModel.mixin(o);
        m.add(m.option("port", "--gdb").paramLabel("PORT").converters(new Numbers.Port())
                .description("serve the GDB remote protocol on 127.0.0.1:PORT to debug the image (0: a free port, "
                        + "printed on stderr)"));
        m.add(m.option("waitAtEntry", "--gdb-wait")
                .description("with --gdb: stop at the image's entry, after the kernel's swap, until gdb continues"));
        return m.spec();
    }

    private GdbStub stub;

    /**
     * Checks the options and starts listening when {@code --gdb} was given.
     *
     * @return null, or a one-line error for the user
     */
    String start(PrintStream log) {
        if (port == null) {
            return waitAtEntry ? "--gdb-wait needs --gdb PORT" : null;
        }
        if (port < 0 || port > 65535) {
            return "--gdb: not a port: " + port;
        }
        try {
            stub = GdbStub.listen(port, log);
        } catch (IOException e) {
            return String.format("--gdb: cannot listen on 127.0.0.1:%d: %s", port, e.getMessage());
        }
        return null;
    }

    /** True when a stub is serving. */
    boolean active() {
        return stub != null;
    }

    /** The stub takes over {@code m}'s runs. */
    void attach(Machine m) {
        if (stub != null) {
            stub.attach(m);
        }
    }

    /** Before a jump into code entered at {@code entry}: with --gdb-wait, stop there. */
    void beforeJump(long entry) {
        if (stub != null && waitAtEntry) {
            stub.waitAtEntry((int) entry);
        }
    }

    /** The run is over: gdb gets the exit packet and the port is released. */
    void finish(int status) {
        if (stub != null) {
            stub.finish(status);
            stub = null;
        }
    }
}
