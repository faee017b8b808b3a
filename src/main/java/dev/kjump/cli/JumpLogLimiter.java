package dev.kjump.cli;

import java.io.PrintStream;

/**
 * The kernel log's way to stderr during a run of many jumps: every line of the boot and of the first
 * {@value #KEEP} jumps, then, unless the user asked for all of them ({@code --verbose}), only the lines that say
 * something went wrong (integrity BROKEN, an oops, a failure), with one line saying so. The kernel's own log (its
 * ring, {@code dmesg}) is unaffected; the run's summary still counts every jump.
 */
final class JumpLogLimiter extends PrintStream {
    /** Jumps whose kernel log lines all go to stderr. */
    static final int KEEP = 3;

    private final PrintStream err;
    private final boolean all;
    private int jump;
    private boolean said;

    /** @param err where the lines go; @param all keep every line (--verbose) */
    JumpLogLimiter(PrintStream err, boolean all) {
        super(err, true);
        this.err = err;
        this.all = all;
    }

    /** Jump {@code n} (from 1) is about to start. */
    void jumpStarting(int n) {
        jump = n;
    }

    @Override
    public void println(String line) {
        if (all || jump <= KEEP || line.contains("BROKEN") || line.contains("Oops") || line.contains("failed")) {
            err.println(line);
            return;
        }
        if (!said) {
            said = true;
            err.printf("kjump: the kernel's log lines of jumps after #%d are left out (dmesg keeps its ring; --verbose "
                    + "prints them all); the summary counts every jump%n", KEEP);
        }
    }
}
