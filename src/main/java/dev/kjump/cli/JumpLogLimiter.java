package dev.kjump.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The per-jump lines of a run of many jumps on their way to stderr: the kernel log during {@code run --jumps N},
 * kexec's report lines during {@code kexec --jumps N}. Every line up to and including the first {@value #KEEP}
 * jumps goes through; after that, unless the user asked for all of them ({@code --verbose}), only the lines that
 * say something went wrong (integrity BROKEN, an oops, a failure, a warning), and one note, once, saying the
 * rest are left out. The run's summary still counts every jump; the kernel's own log (its ring, {@code dmesg}) is
 * unaffected. Whatever prints to it ({@code println}, {@code printf}, ...) is judged a whole line at a time.
 */
final class JumpLogLimiter extends PrintStream {
    /** Jumps whose lines all go to stderr. */
    static final int KEEP = 3;

    private final Lines lines;

    /**
     * @param err where the lines go
     * @param all keep every line ({@code --verbose})
     * @param note the line printed once when the first line is left out
     */
    JumpLogLimiter(PrintStream err, boolean all, String note) {
        this(new Lines(err, all, note));
    }

    private JumpLogLimiter(Lines lines) {
        super(lines, true, StandardCharsets.UTF_8);
        this.lines = lines;
    }

    /** For {@code run}: the kernel log's note. */
    static JumpLogLimiter kernelLog(PrintStream err, boolean all) {
        return new JumpLogLimiter(err, all, "kjump: the kernel's log lines of jumps after #" + KEEP + " are left out "
                + "(dmesg keeps its ring; --verbose prints them all); the summary counts every jump");
    }

    /** Jump {@code n} (from 1) is about to start. */
    void jumpStarting(int n) {
        flush();
        lines.jump = n;
    }

    /** Cuts what is written into lines and passes or drops each. */
    private static final class Lines extends OutputStream {
        private final PrintStream err;
        private final boolean all;
        private final String note;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private volatile int jump;
        private boolean said;

        Lines(PrintStream err, boolean all, String note) {
            this.err = err;
            this.all = all;
            this.note = note;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    emit();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            if (line.size() > 0) {
                emit();
            }
            err.flush();
        }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (all || jump <= KEEP || s.contains("BROKEN") || s.contains("Oops") || s.contains("failed")
                    || s.contains("warning")) {
                err.println(s);
                return;
            }
            if (!said) {
                said = true;
                err.println(note);
            }
        }
    }
}
