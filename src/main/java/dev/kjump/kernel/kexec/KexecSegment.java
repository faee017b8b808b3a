package dev.kjump.kernel.kexec;

/**
 * {@code struct kexec_segment} as user space passes it to {@code kexec_load}: {@code buf}/{@code bufsz} in the
 * caller's memory, {@code mem}/{@code memsz} the physical destination. {@code bufsz} larger than the bytes
 * actually in {@code buf} is a fault reading user memory (EFAULT), as on Linux.
 *
 * @param buf the caller's buffer (null: a bad user pointer)
 * @param bufsz bytes to copy from {@code buf}
 * @param mem physical destination, page aligned
 * @param memsz destination size, page aligned; bytes past {@code bufsz} are zero
 */
public record KexecSegment(byte[] buf, long bufsz, long mem, long memsz) {
    /** A segment whose buffer is exactly {@code data}. */
    public static KexecSegment of(byte[] data, long mem, long memsz) {
        return new KexecSegment(data, data.length, mem, memsz);
    }
}
