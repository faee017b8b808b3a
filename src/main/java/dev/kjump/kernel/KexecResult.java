package dev.kjump.kernel;

/**
 * What {@code kernel_kexec} (kernel/sys.c of the seed, reached through {@code reboot(LINUX_REBOOT_CMD_KEXEC)})
 * did, as one value: the result the syscall returns and the report of the jump it made, if it made one.
 * {@link Kernel#reboot} returns only the first, as the syscall does; {@link Kernel#rebootKexec} returns both.
 *
 * @param result the syscall's result: 0, or a negative errno (EPERM, EINVAL, EBUSY, ENOSYS when the kernel
 *     refused; EBUSY or a device's errno when {@code kexec_jump}'s PM sequence failed; EFAULT, ETIMEDOUT, EINTR
 *     when the callee did not come back and the kernel took the machine back)
 * @param report what {@code kexec_jump} did (its {@link JumpReport#result()} equals {@code result}); null when
 *     the kernel refused before {@code kexec_jump}
 */
public record KexecResult(int result, JumpReport report) {
    /** A refusal before any jump: {@code result} and no report. */
    static KexecResult refused(int result) {
        return new KexecResult(result, null);
    }

    /** True when {@code kexec_jump} ran (the report says how far it got). */
    public boolean jumped() {
        return report != null;
    }
}
