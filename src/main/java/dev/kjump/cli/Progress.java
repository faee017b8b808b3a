package dev.kjump.cli;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * A progress line on stderr for long work (a long-running callee, a large swap): after a second it shows the
 * elapsed time and the instructions executed so far, rewritten in place four times a second, and erased when the
 * work ends. Only when stderr is a terminal ({@link System#console()} is not null); silent otherwise, so scripts
 * and pipes see nothing.
 */
final class Progress implements AutoCloseable {
    private static final long DELAY_MS = 1000, PERIOD_MS = 250;

    private final Thread thread;
    private final PrintStream err;
    private volatile boolean done;
    private volatile boolean shown;

    private Progress(String what, LongSupplier instructions, PrintStream err) {
        this.err = err;
        long t0 = System.nanoTime();
        long i0 = instructions.getAsLong();
        this.thread = new Thread(() -> {
            try {
                Thread.sleep(DELAY_MS);
                while (!done) {
                    double s = (System.nanoTime() - t0) / 1e9;
                    long n = instructions.getAsLong() - i0;
                    synchronized (this) {
                        if (done) {
                            break;
                        }
                        err.printf("\r\033[K%s: %.1f s, %,d instructions", what, s, n);
                        err.flush();
                        shown = true;
                    }
                    Thread.sleep(PERIOD_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kjump-progress");
        thread.setDaemon(true);
    }

    /** Starts a progress line for {@code what}, or a no-op when stderr is not a terminal. */
    static Progress start(String what, LongSupplier instructions) {
        Progress p = new Progress(what, instructions, System.err);
        if (System.console() != null) {
            p.thread.start();
        } else {
            p.done = true;
        }
        return p;
    }

    @Override
    public void close() {
        synchronized (this) {
            done = true;
            if (shown) {
                err.print("\r\033[K");
                err.flush();
            }
        }
        thread.interrupt();
    }
}
