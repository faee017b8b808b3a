package dev.kjump.cli;

import dev.kjump.machine.cpu.Cpu;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a callee runs, Ctrl-C (SIGINT) stops the callee instead of killing kjump: the CPU is asked to stop, the
 * kernel takes the machine back as it does for a crash, and the jump returns -EINTR. Outside that window Ctrl-C
 * behaves as usual. Where the JVM does not allow signal handlers, this does nothing.
 */
final class CtrlC implements AutoCloseable {
    private final Signal signal;
    private final SignalHandler previous;

    private CtrlC(Signal signal, SignalHandler previous) {
        this.signal = signal;
        this.previous = previous;
    }

    /** From now until {@link #close()}, Ctrl-C interrupts {@code cpu}. */
    static CtrlC interrupting(Cpu cpu) {
        try {
            Signal sig = new Signal("INT");
            SignalHandler old = Signal.handle(sig, s -> cpu.requestHostStop());
            return new CtrlC(sig, old);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return new CtrlC(null, null);
        }
    }

    @Override
    public void close() {
        if (signal != null) {
            Signal.handle(signal, previous);
        }
    }
}
