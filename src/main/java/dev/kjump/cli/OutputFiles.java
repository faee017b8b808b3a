package dev.kjump.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The check every command makes of the files it will write ({@code --json}, {@code --trace}, the shell's
 * {@code trace on FILE}) before the machine starts: the directory must exist (kjump creates none), the file must
 * be a regular file that can be written (or one that can be created there), it must not be one of the inputs
 * (the image, {@code --initrd}, {@code --disk}, the script; compared as the same file on disk), and no two outputs
 * may be the same file. A writable character device is accepted too, as a sink: {@code /dev/null} (any number of
 * outputs may go there), a terminal; an output whose tail is rewritten (a trace) only on a device that can seek,
 * such as {@code /dev/null}. FIFOs, sockets and block devices are refused.
 */
final class OutputFiles {
    /**
     * An output: the option that names it and its path (null: not asked for).
     *
     * @param rewritesTail the file is not written front to back only: its tail is rewritten after every jump (a
     *     trace), so a device must be able to seek
     */
    record Output(String option, Path path, boolean rewritesTail) {
        /** An output written front to back (a report). */
        Output(String option, Path path) {
            this(option, path, false);
        }
    }

    private OutputFiles() {
    }

    /**
     * Checks {@code outputs} against each other and against {@code inputs} (null entries are skipped).
     *
     * @throws IllegalArgumentException naming the first problem in one line, e.g.
     *     {@code --json /proc/x: cannot be written: ENOENT (No such file or directory)}
     */
    static void check(List<Output> outputs, Path... inputs) {
        List<Output> seen = new ArrayList<>();
        for (Output o : outputs) {
            if (o.path() == null) {
                continue;
            }
            String what = o.option() + " " + o.path();
            if (isCharacterDevice(o.path())) {
                probeDevice(o, what);
                continue;
            }
            Path abs = o.path().toAbsolutePath().normalize();
            for (Output s : seen) {
                if (abs.equals(s.path().toAbsolutePath().normalize()) || sameFile(o.path(), s.path())) {
                    throw new IllegalArgumentException(what + ": the same file as " + s.option());
                }
            }
            seen.add(o);
            for (Path in : inputs) {
                if (in != null && sameFile(o.path(), in)) {
                    throw new IllegalArgumentException(what + ": is an input (" + in + "); kjump does not write over "
                            + "its inputs");
                }
            }
            Path dir = abs.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException(what + ": no directory " + dir + " (kjump creates none)");
            }
            if (Files.isDirectory(o.path())) {
                throw new IllegalArgumentException(what + ": EISDIR (Is a directory)");
            }
            if (Files.exists(o.path()) && !Files.isRegularFile(o.path())) {
                throw new IllegalArgumentException(what + ": neither a regular file nor a character device (a FIFO or "
                        + "a socket?)");
            }
            probe(o.path(), what);
        }
    }

    /** Opens the file for writing without changing it; a file that did not exist is created and removed again. */
    private static void probe(Path p, String what) {
        boolean existed = Files.exists(p);
        try {
            Files.newByteChannel(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                    .close();
            if (!existed) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot be written: " + reason(e));
        }
    }

    /** A writable character device; one that must seek ({@link Output#rewritesTail}) is asked to. */
    private static void probeDevice(Output o, String what) {
        try (FileChannel ch = FileChannel.open(o.path(), StandardOpenOption.WRITE)) {
            if (o.rewritesTail()) {
                ch.position(0);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": " + (o.rewritesTail() ? "a device kjump cannot write a trace to "
                    + "(it rewrites the trace's end after every jump): " : "cannot be written: ") + reason(e));
        }
    }

    /** True for a character device ({@code /dev/null}, a terminal), following links. */
    static boolean isCharacterDevice(Path p) {
        try {
            return Files.exists(p) && ((Integer) Files.getAttribute(p, "unix:mode") & S_IFMT) == S_IFCHR;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static final int S_IFMT = 0170000, S_IFCHR = 0020000;

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "EACCES (Permission denied)";
        }
        if (e instanceof NoSuchFileException) {
            return "ENOENT (No such file or directory)";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
