package dev.kjump.cli;

import dev.kjump.machine.cpu.Cpu;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a command runs the machine, Ctrl-C (SIGINT) stops the callee instead of killing kjump: the CPU is asked
 * to stop (a callee running is contained by the kernel, its jump returns -EINTR), and {@link #interrupted()} tells
 * a loop of jumps to stop between jumps too, with its usual summary. Windows nest (a whole run of jumps, and one
 * {@code kexec -e} inside it): a Ctrl-C marks every open window. Outside them Ctrl-C behaves as usual. Where the
 * JVM does not allow signal handlers, this does nothing.
 */
final class CtrlC implements AutoCloseable {
    private static volatile CtrlC innermost;

    private final Signal signal;
    private final SignalHandler previous;
    private final CtrlC outer;
    private final Cpu cpu;
    private volatile boolean interrupted;

    private CtrlC(Signal signal, SignalHandler previous, CtrlC outer, Cpu cpu) {
        this.signal = signal;
        this.previous = previous;
        this.outer = outer;
        this.cpu = cpu;
    }

    /** From now until {@link #close()}, Ctrl-C interrupts {@code cpu} and marks this window interrupted. */
    static CtrlC interrupting(Cpu cpu) {
        try {
            Signal sig = new Signal("INT");
            CtrlC[] self = new CtrlC[1];
            SignalHandler old = Signal.handle(sig, s -> self[0].fire());
            self[0] = new CtrlC(sig, old, innermost, cpu);
            innermost = self[0];
            return self[0];
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return new CtrlC(null, null, null, cpu);
        }
    }

    private void fire() {
        for (CtrlC c = this; c != null; c = c.outer) {
            c.interrupted = true;
        }
        cpu.requestHostStop();
    }

    /** True once Ctrl-C was pressed while this window was open. */
    boolean interrupted() {
        return interrupted;
    }

    @Override
    public void close() {
        if (signal != null) {
            Signal.handle(signal, previous);
            innermost = outer;
            if (interrupted && outer == null) {
                cpu.cancelHostStop(); // a request no run took must not stop the next command (the shell's)
            }
        }
    }
}
