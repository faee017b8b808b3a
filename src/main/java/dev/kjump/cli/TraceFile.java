package dev.kjump.cli;

import dev.kjump.kernel.JumpReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --trace FILE}: collects the jumps and writes their timeline; the extension picks the format,
 * {@code .json} (Chrome/Perfetto trace events) or {@code .svg} (a picture for a browser). The file is rewritten
 * after every recorded jump, so it is complete whenever the program stops.
 */
final class TraceFile {
    /** The formats. */
    enum Format { JSON, SVG }

    private final Path path;
    private final Format format;
    private final List<TraceModel.Jump> jumps = new ArrayList<>();

    /** @throws IllegalArgumentException when the extension is neither .json nor .svg */
    TraceFile(Path path) {
        this.path = path;
        this.format = formatOf(path);
    }

    /** The format for {@code path}'s extension. */
    static Format formatOf(Path path) {
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".json")) {
            return Format.JSON;
        }
        if (n.endsWith(".svg")) {
            return Format.SVG;
        }
        throw new IllegalArgumentException("--trace " + path + ": the file name must end in .json (Perfetto/Chrome "
                + "trace) or .svg (picture)");
    }

    Path path() {
        return path;
    }

    int size() {
        return jumps.size();
    }

    /** Adds a jump; {@code execNanos} is {@link System#nanoTime()} when it was asked for. */
    void add(long execNanos, String image, JumpReport report) {
        add(execNanos, image, report, -1);
    }

    /** Adds a jump into a Linux peer whose kimage entry (purgatory) is {@code peerEntry} (-1: not a peer). */
    void add(long execNanos, String image, JumpReport report, long peerEntry) {
        jumps.add(new TraceModel.Jump(execNanos, image, report, peerEntry));
    }

    /** Writes every jump recorded so far. */
    void write() throws IOException {
        TraceModel model = new TraceModel(jumps);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(path, format == Format.JSON ? PerfettoTrace.of(model) : SvgTrace.of(model));
    }
}
