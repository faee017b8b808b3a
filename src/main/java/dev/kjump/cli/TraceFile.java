package dev.kjump.cli;

import dev.kjump.kernel.JumpReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * {@code --trace FILE}: writes the jumps' timeline as they happen; the extension picks the format, {@code .json}
 * (Chrome/Perfetto trace events) or {@code .svg} (a picture for a browser). Each {@link #write} appends the jumps
 * added since the last one and rewrites only the file's tail (and the SVG's fixed-width height), so the file is
 * complete and valid after every write and the cost of a trace is linear in its jumps; nothing is kept in memory
 * but the jumps not written yet.
 */
final class TraceFile {
    /** The formats. */
    enum Format { JSON, SVG }

    private final Path path;
    private final Format format;
    private final StringBuilder pending = new StringBuilder();
    private int count;
    private long origin;
    /** Bytes of head and jumps in the file; -1 before the first write. */
    private long written = -1;
    /** SVG: where the next jump's summary line goes. */
    private int y = SvgTrace.FIRST_Y;

    /** @throws IllegalArgumentException when the extension is neither .json nor .svg */
    TraceFile(Path path) {
        this.path = path;
        this.format = formatOf(path);
    }

    /** The format for {@code path}'s extension; a character device without one ({@code /dev/null}) gets JSON. */
    static Format formatOf(Path path) {
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".json")) {
            return Format.JSON;
        }
        if (n.endsWith(".svg")) {
            return Format.SVG;
        }
        if (OutputFiles.isCharacterDevice(path)) {
            return Format.JSON;
        }
        throw new IllegalArgumentException("--trace " + path + ": the file name must end in .json (Perfetto/Chrome "
                + "trace) or .svg (picture)");
    }

    Path path() {
        return path;
    }

    int size() {
        return count;
    }

    /** Adds a jump; {@code execNanos} is {@link System#nanoTime()} when it was asked for. */
    void add(long execNanos, String image, JumpReport report) {
        add(execNanos, image, report, -1);
    }

    /** Adds a jump into a Linux peer whose kimage entry (purgatory) is {@code peerEntry} (-1: not a peer). */
    void add(long execNanos, String image, JumpReport report, long peerEntry) {
        TraceModel.Jump j = new TraceModel.Jump(execNanos, image, report, peerEntry);
        if (count == 0) {
            origin = execNanos;
        }
        List<TraceModel.Span> spans = TraceModel.spans(count, j, execNanos - origin);
        if (format == Format.JSON) {
            PerfettoTrace.events(spans, pending);
        } else {
            y = SvgTrace.jump(count, j, spans, y, pending);
        }
        count++;
    }

    /**
     * Appends the jumps added since the last write and the tail: afterwards the file holds every jump added so far
     * (a fresh file, truncated, on the first write). Creates no directories.
     */
    void write() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            String head = format == Format.JSON ? PerfettoTrace.HEAD : SvgTrace.head(SvgTrace.height(y));
            if (written < 0) {
                ch.truncate(0);
                written = 0;
                pending.insert(0, head);
            } else if (format == Format.SVG) {
                writeAt(ch, 0, head); // the same length: only the height changes
            }
            written += writeAt(ch, written, pending.toString());
            pending.setLength(0);
            long end = written + writeAt(ch, written, format == Format.JSON ? PerfettoTrace.TAIL : SvgTrace.tail(count, y));
            ch.truncate(end);
        }
    }

    private static int writeAt(FileChannel ch, long position, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        int n = b.remaining();
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
        return n;
    }
}
