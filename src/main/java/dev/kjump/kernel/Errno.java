package dev.kjump.kernel;

/**
 * The Linux errno values kjump's syscalls return (negated, as the kernel returns them), with their names.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENOMEM(12, "Cannot allocate memory"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EINVAL(22, "Invalid argument"),
    ENOSYS(38, "Function not implemented"),
    EADDRNOTAVAIL(99, "Cannot assign requested address"),
    ETIMEDOUT(110, "Connection timed out");

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The positive errno number. */
    public int number() {
        return number;
    }

    /** The kernel's return value for this error: {@code -number}. */
    public int negative() {
        return -number;
    }

    /** strerror's text. */
    public String description() {
        return description;
    }

    /** The errno of a negative syscall result, e.g. {@code -16} → {@link #EBUSY}. */
    public static Errno of(int negativeResult) {
        for (Errno e : values()) {
            if (e.number == -negativeResult) {
                return e;
            }
        }
        throw new IllegalArgumentException("not a known errno result: " + negativeResult);
    }

    /** A syscall result for people: {@code "0"} or e.g. {@code "EBUSY (Device or resource busy)"}. */
    public static String describe(int result) {
        if (result >= 0) {
            return Integer.toString(result);
        }
        Errno e = of(result);
        return e.name() + " (" + e.description + ")";
    }
}
