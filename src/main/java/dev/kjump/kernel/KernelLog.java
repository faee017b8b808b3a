package dev.kjump.kernel;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The kernel's log (printk and dmesg): a ring of the last {@value #RING_LINES} messages, as Linux's log_buf keeps the
 * newest messages and drops the oldest, so the log stays bounded however many jumps run. While the console is
 * suspended ({@code suspend_console}) messages are held back from the console and emitted when it resumes, as Linux
 * does (those the ring dropped meanwhile are lost, as there).
 */
public final class KernelLog {
    /** How many messages the ring keeps. */
    public static final int RING_LINES = 4096;

    private final ArrayDeque<String> ring = new ArrayDeque<>();
    private final PrintStream console;
    private final long bootNanos = System.nanoTime();
    private boolean suspended;
    /** The newest messages not yet emitted to the console (held back while suspended). */
    private int pending;
    private long dropped;

    /** @param console where messages go when the console is not suspended (null: nowhere) */
    public KernelLog(PrintStream console) {
        this.console = console;
    }

    /** printk: formats, timestamps and logs a message. */
    public synchronized void printk(String format, Object... args) {
        double t = (System.nanoTime() - bootNanos) / 1e9;
        ring.addLast(String.format("[%12.6f] %s", t, String.format(format, args)));
        pending++;
        if (ring.size() > RING_LINES) {
            ring.removeFirst();
            dropped++;
            pending = Math.min(pending, ring.size());
        }
        flush();
    }

    /** The messages the ring holds, oldest first (dmesg). */
    public synchronized List<String> dmesg() {
        return List.copyOf(ring);
    }

    /** How many messages the ring has dropped to stay bounded. */
    public synchronized long dropped() {
        return dropped;
    }

    /** suspend_console: hold messages back from the console. */
    public synchronized void suspendConsole() {
        suspended = true;
    }

    /** resume_console: emit what was held back, and go on emitting. */
    public synchronized void resumeConsole() {
        suspended = false;
        flush();
    }

    /** True while the console is suspended. */
    public synchronized boolean consoleSuspended() {
        return suspended;
    }

    private void flush() {
        if (suspended || pending == 0) {
            return;
        }
        if (console != null) {
            List<String> out = new ArrayList<>(pending);
            Iterator<String> newestFirst = ring.descendingIterator();
            for (int i = 0; i < pending; i++) {
                out.add(newestFirst.next());
            }
            for (int i = out.size() - 1; i >= 0; i--) {
                console.println(out.get(i));
            }
        }
        pending = 0;
    }
}
