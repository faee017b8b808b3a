package dev.kjump.cli;

import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.kexec.MachineKexec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --json} report, streamed: the head when the file is opened, each jump's object as the jump ends,
 * and at {@link #close()} the end of the {@code "jumps"} array, the {@code "summary"} (running totals,
 * {@link JumpTotals}, which the caller keeps) and the exit status. Nothing of a jump is kept once it is written, so a million jumps take
 * the memory of one. The caller closes it in a {@code finally} path, and a JVM shutdown (SIGTERM, a Ctrl-C outside
 * a run) closes it too, so the file is valid JSON however the run ends, short of being killed outright.
 *
 * <pre>{@code
 * {"image": ..., "memoryBytes": ..., "cpus": ...,
 *  "jumps": [{"number": 1, ...}, ...],
 *  "summary": {"jumps": .., "ok": .., "integrity": "held", "roundTripNanos": {"min", "max", "mean", "total"}, ...},
 *  "exitStatus": 0}
 * }</pre>
 * {@code "exitStatus"} is null when the run ended before it had one (an internal failure, a shutdown).
 */
final class JsonReport implements AutoCloseable {
    private final Path path;
    private final Writer out;
    private final Kernel kernel;
    private final boolean peer;
    private final PrintStream err;
    private final JumpTotals totals;
    private final Thread onShutdown;
    private boolean first = true;
    private boolean closed;
    private IOException failure;
    private Integer exitStatus;

    private JsonReport(Path path, Writer out, String image, Kernel kernel, boolean peer, JumpTotals totals,
                       PrintStream err) throws IOException {
        this.path = path;
        this.totals = totals;
        this.out = out;
        this.kernel = kernel;
        this.peer = peer;
        this.err = err;
        out.write("{\n  \"image\": " + str(image) + ",\n");
        out.write("  \"memoryBytes\": " + kernel.machine().memory().size() + ",\n");
        out.write("  \"cpus\": " + kernel.cpus().count() + ",\n");
        out.write("  \"jumps\": [");
        this.onShutdown = new Thread(this::close, "kjump-json-report");
    }

    /**
     * Opens {@code path} (truncating it) and writes the report's head.
     *
     * @param image the image's name
     * @param peer the callee is a Linux peer: a jump that does not come back also gets {@code "lastConsoleLine"},
     *     what the peer said last on COM1 ({@link PeerLoad#lastWords})
     * @param totals the run's totals, which the caller keeps: the summary is written from them
     * @param err where a write error is reported (once, one line); the run goes on without the report
     */
    static JsonReport open(Path path, String image, Kernel kernel, boolean peer, JumpTotals totals, PrintStream err)
            throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path), StandardCharsets.UTF_8),
                1 << 16);
        JsonReport r = new JsonReport(path, w, image, kernel, peer, totals, err);
        try {
            Runtime.getRuntime().addShutdownHook(r.onShutdown);
        } catch (IllegalStateException e) {
            // already shutting down: the caller's finally path closes it
        }
        return r;
    }

    Path path() {
        return path;
    }

    /** Writes one jump's object (the caller counts it in the totals). */
    synchronized void add(JumpReport r) {
        if (closed || failure != null) {
            return;
        }
        try {
            out.write(first ? "\n" : ",\n");
            out.write(jump(r));
            first = false;
        } catch (IOException e) {
            failed(e);
        }
    }

    /** The run's exit status, written at {@link #close()}. */
    synchronized void exitStatus(int status) {
        exitStatus = status;
    }

    /**
     * Ends the array, writes the summary and the exit status, and closes the file; again: nothing. A write error
     * is reported on the error stream (once), not thrown.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(onShutdown);
        } catch (IllegalStateException e) {
            // this is the shutdown
        }
        try {
            if (failure == null) {
                out.write(first ? "],\n" : "\n  ],\n");
                out.write("  \"summary\": " + totals.json() + ",\n");
                out.write("  \"exitStatus\": " + exitStatus + "\n}\n");
            }
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failed(e);
            }
        }
    }

    private void failed(IOException e) {
        failure = e;
        if (err != null) {
            err.println("kjump: cannot write the JSON report " + path + ": " + e.getMessage()
                    + "; the run goes on without it");
        }
    }

    private String jump(JumpReport r) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("    {");
        sb.append("\"number\": ").append(r.number());
        sb.append(", \"result\": ").append(r.result());
        sb.append(", \"errno\": ").append(r.result() < 0 ? str(Errno.of(r.result()).name()) : "null");
        sb.append(", \"ok\": ").append(r.ok());
        sb.append(", \"startBefore\": ").append(str(String.format("0x%08x", r.startBefore())));
        sb.append(", \"totalNanos\": ").append(r.totalNanos());
        sb.append(",\n      \"steps\": [");
        for (int j = 0; j < r.steps().size(); j++) {
            JumpReport.Step s = r.steps().get(j);
            sb.append(j == 0 ? "" : ", ").append("{\"name\": ").append(str(s.name())).append(", \"startNanos\": ")
                    .append(s.startNanos()).append(", \"durationNanos\": ").append(s.durationNanos())
                    .append(", \"result\": ").append(s.result()).append('}');
        }
        sb.append("]");
        if (r.outcome() != null) {
            var o = r.outcome();
            sb.append(",\n      \"callee\": {\"outcome\": ").append(str(o.kind().name()))
                    .append(", \"returned\": ").append(o.returned())
                    .append(", \"eax\": ").append(o.eax() & 0xFFFFFFFFL)
                    .append(", \"reentry\": ").append(str(String.format("0x%08x", o.reentry())))
                    .append(", \"instructions\": ").append(o.calleeInstructions())
                    .append(", \"nanos\": ").append(o.calleeNanos())
                    .append(", \"stop\": ").append(str(o.stop().message()))
                    .append(", \"pagesSwapped\": ").append(o.pagesSwapped())
                    .append(", \"bytesSwapped\": ").append(o.pagesSwapped() * 4096L)
                    .append(", \"swapInNanos\": ").append(o.swapInNanos())
                    .append(", \"swapBackNanos\": ").append(o.swapBackNanos())
                    .append(", \"problems\": [");
            for (int j = 0; j < o.problems().size(); j++) {
                sb.append(j == 0 ? "" : ", ").append(str(o.problems().get(j)));
            }
            sb.append("]");
            if (peer && o.kind() != MachineKexec.Kind.JUMPED_BACK) {
                // the jump that did not come back ends the run: what the peer said last is on COM1 now
                sb.append(", \"lastConsoleLine\": ").append(str(PeerLoad.lastWords(kernel.machine())));
            }
            sb.append('}');
        }
        if (r.integrity() != null) {
            var g = r.integrity();
            sb.append(",\n      \"integrity\": {\"intact\": ").append(g.intact())
                    .append(", \"pagesChecked\": ").append(g.pagesChecked())
                    .append(", \"destinationPages\": ").append(g.destinationPages())
                    .append(", \"damaged\": [");
            for (int j = 0; j < g.damaged().size(); j++) {
                sb.append(j == 0 ? "" : ", ").append(str(String.format("0x%08x", g.damaged().get(j))));
            }
            sb.append("]}");
        }
        return sb.append('}').toString();
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
