package dev.kjump.kernel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's log (printk and dmesg). Every message is kept; while the console is suspended
 * ({@code suspend_console}) messages are held back from the console and emitted when it resumes, as Linux does.
 */
public final class KernelLog {
    private final List<String> lines = new ArrayList<>();
    private final PrintStream console;
    private final long bootNanos = System.nanoTime();
    private boolean suspended;
    private int emitted;

    /** @param console where messages go when the console is not suspended (null: nowhere) */
    public KernelLog(PrintStream console) {
        this.console = console;
    }

    /** printk: formats, timestamps and logs a message. */
    public synchronized void printk(String format, Object... args) {
        double t = (System.nanoTime() - bootNanos) / 1e9;
        lines.add(String.format("[%12.6f] %s", t, String.format(format, args)));
        flush();
    }

    /** All messages so far (dmesg). */
    public synchronized List<String> dmesg() {
        return List.copyOf(lines);
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
        if (suspended) {
            return;
        }
        while (emitted < lines.size()) {
            String l = lines.get(emitted++);
            if (console != null) {
                console.println(l);
            }
        }
    }
}
