package dev.kjump.kernel;

import dev.kjump.machine.cpu.PageFaultException;

/**
 * The kernel itself faulted (a page fault in kernel mode: an oops) — in kjump only after a callee damaged the
 * kernel's page tables or other structures beyond what the way back can repair. The kernel is dead afterwards
 * ({@link Kernel#alive()} is false); the report of the jump that did it, if any, is in {@link Kernel#jumps()}.
 */
public final class KernelOops extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KernelOops(String what, PageFaultException cause) {
        super("kernel oops: " + what + ": " + cause.getMessage(), cause);
    }
}
