package dev.kjump.kernel;

/**
 * Thrown by {@code reboot(LINUX_REBOOT_CMD_KEXEC)} for an image loaded without KEXEC_PRESERVE_CONTEXT: the
 * call does not return, the machine now belongs to the image. Carries the report of what the image did until
 * the machine stopped.
 */
public final class KernelHandedOver extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient JumpReport report;

    KernelHandedOver(JumpReport report) {
        super("the kernel handed the machine over to the kexec'd image (no preserve_context)");
        this.report = report;
    }

    /** What happened after the hand-over. */
    public JumpReport report() {
        return report;
    }
}
