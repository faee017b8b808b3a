package dev.kjump.image;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Host file errors for people: an {@link IOException} as the errno a C program would print, e.g.
 * {@code ENOENT (No such file or directory)}, never a Java class name, and what kind of file a path names
 * ({@code a directory}, {@code a device, FIFO or socket}). Shared by the image loaders and the command line.
 */
public final class HostFiles {
    /** The operating system's reason texts (strerror) and their errno names. */
    private static final Map<String, String> ERRNO_OF_REASON = Map.ofEntries(
            Map.entry("no such file or directory", "ENOENT"),
            Map.entry("permission denied", "EACCES"),
            Map.entry("operation not permitted", "EPERM"),
            Map.entry("is a directory", "EISDIR"),
            Map.entry("not a directory", "ENOTDIR"),
            Map.entry("read-only file system", "EROFS"),
            Map.entry("too many levels of symbolic links", "ELOOP"),
            Map.entry("no space left on device", "ENOSPC"),
            Map.entry("input/output error", "EIO"),
            Map.entry("file name too long", "ENAMETOOLONG"),
            Map.entry("text file busy", "ETXTBSY"),
            Map.entry("resource temporarily unavailable", "EAGAIN"),
            Map.entry("device or resource busy", "EBUSY"),
            Map.entry("no such device or address", "ENXIO"),
            Map.entry("no such device", "ENODEV"));

    private HostFiles() {
    }

    /**
     * What went wrong, as {@code ERRNO (description)} where the errno is known, else the operating system's
     * reason; never the exception's class name.
     *
     * @param e a failed file operation
     * @return e.g. {@code EACCES (Permission denied)}
     */
    public static String errno(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "ENOENT (No such file or directory)";
        }
        if (e instanceof AccessDeniedException) {
            return "EACCES (Permission denied)";
        }
        if (e instanceof NotDirectoryException) {
            return "ENOTDIR (Not a directory)";
        }
        if (e instanceof FileSystemLoopException) {
            return "ELOOP (Too many levels of symbolic links)";
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason == null || reason.isBlank()) {
            return "EIO (Input/output error)";
        }
        String name = ERRNO_OF_REASON.get(reason.trim().toLowerCase(Locale.ROOT));
        return name != null ? name + " (" + reason.trim() + ")" : reason.trim();
    }

    /**
     * What kind of non-regular file {@code path} names, or null for a regular file or a path that does not exist.
     *
     * @return {@code "a directory"}, {@code "a device, FIFO or socket"} or null
     */
    public static String notRegular(Path path) {
        if (!Files.exists(path) || Files.isRegularFile(path)) {
            return null;
        }
        return Files.isDirectory(path) ? "a directory" : "a device, FIFO or socket";
    }

    /**
     * Reads a whole regular file of at most {@code limit} bytes, with one-line errors naming the file.
     *
     * @param path the file
     * @param what what it is, for messages ({@code "image"}, {@code "initrd"})
     * @param limit the largest size accepted
     * @return its bytes
     * @throws ImageException for a missing, unreadable, non-regular or too large file:
     *     {@code PATH: ENOENT (No such file or directory)}, {@code PATH: the image is not a regular file (a
     *     directory)}, ...
     */
    public static byte[] read(Path path, String what, long limit) throws ImageException {
        String kind = notRegular(path);
        if (kind != null) {
            throw new ImageException(path.toString(), "the " + what + " is not a regular file (" + kind + ")");
        }
        try {
            long size = Files.size(path);
            if (size > limit) {
                throw new ImageException(path.toString(), String.format("the %s is too large (%d bytes; at most %d)",
                        what, size, limit));
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ImageException(path.toString(), errno(e), e);
        }
    }
}
