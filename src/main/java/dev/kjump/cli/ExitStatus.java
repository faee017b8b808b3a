package dev.kjump.cli;

import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KexecResult;
import dev.kjump.machine.StopReason;

/**
 * The one place that turns how a run ended into kjump's exit status, for every command that runs an image
 * ({@code run}, {@code run --bare}, {@code kexec}, the shell's {@code kexec -e}, {@code demo}, {@code bench}): the
 * table in README.md, with the values in {@link Main}.
 *
 * <ul>
 *   <li>0: the image came back (returned 0, or jumped back) and the kernel's memory was intact;</li>
 *   <li>1: the kernel refused: {@code reboot} returned an errno without running the image (EPERM, EINVAL,
 *       EBUSY, ENOSYS, or a PM step's errno);</li>
 *   <li>2: the image did not come back (triple fault, HLT, debug exit, emulator error), or the integrity check
 *       failed, or the kernel had to repair what a callee that came back damaged;</li>
 *   <li>3: the image returned a non-zero value;</li>
 *   <li>4: the wall-clock timeout or the instruction budget ran out;</li>
 *   <li>130: the callee was interrupted (Ctrl-C).</li>
 * </ul>
 *
 * <p>Precedence within one jump: integrity broken (damage the kernel could not undo) is 2 whatever else happened;
 * otherwise a callee that did not come back is reported by how it was stopped (4, 130, 2); a callee that came back
 * is 2 when the kernel repaired damage on the way back, else 3 for a non-zero return, else 0.
 */
final class ExitStatus {
    private ExitStatus() {
    }

    /**
     * A callee's run that the machine stopped before it came back: {@code TIMEOUT} and {@code BUDGET} are 4,
     * {@code INTERRUPTED} is 130, everything else (triple fault, HLT, reset, debug exit, emulator error, and the kinds
     * that do not end a run by themselves when seen here: host entry, breakpoint, watchpoint) is 2.
     */
    static int stopped(StopReason.Kind kind) {
        return switch (kind) {
            case TIMEOUT, BUDGET -> Main.EXIT_TIMEOUT;
            case INTERRUPTED -> Main.EXIT_INTERRUPTED;
            case HOST_ENTRY, HALT, RESET, DEBUG_EXIT, TRIPLE_FAULT, BREAKPOINT, WATCHPOINT, EMULATOR_ERROR ->
                    Main.EXIT_FAULT;
        };
    }

    /**
     * An image the kernel handed the machine over to (loaded without KEXEC_PRESERVE_CONTEXT): it owns the machine
     * and is not expected back, so HLT, a reset (i8042 0xFE, as Linux's {@code reboot}) and the debug-exit port are
     * how it finishes (0); otherwise as {@link #stopped}.
     */
    static int handedOver(StopReason.Kind kind) {
        return switch (kind) {
            case HALT, RESET, DEBUG_EXIT -> Main.EXIT_OK;
            default -> stopped(kind);
        };
    }

    /**
     * {@code reboot(LINUX_REBOOT_CMD_KEXEC)}'s result alone: 0 is 0; -ETIMEDOUT 4; -EINTR 130; -EFAULT (the
     * callee did not come back, the kernel took the machine back) 2; any other errno (the kernel refused) 1.
     */
    static int reboot(int result) {
        if (result == 0) {
            return Main.EXIT_OK;
        }
        return switch (Errno.of(result)) {
            case ETIMEDOUT -> Main.EXIT_TIMEOUT;
            case EINTR -> Main.EXIT_INTERRUPTED;
            case EFAULT -> Main.EXIT_FAULT;
            default -> Main.EXIT_USAGE;
        };
    }

    /** One {@code reboot(LINUX_REBOOT_CMD_KEXEC)} with preserve_context, from its result and report. */
    static int jump(KexecResult r) {
        JumpReport rep = r.report();
        if (rep != null && rep.integrity() != null && !rep.integrity().intact()) {
            return Main.EXIT_FAULT;
        }
        if (r.result() != 0 || rep == null || rep.outcome() == null) {
            return reboot(r.result());
        }
        if (!rep.outcome().problems().isEmpty()) {
            return Main.EXIT_FAULT;
        }
        return rep.outcome().returned() && rep.outcome().eax() != 0 ? Main.EXIT_NONZERO : Main.EXIT_OK;
    }

    /** A run on a bare machine ({@code run --bare}): a return is 0 or 3 by its value, a jump back 0. */
    static int bare(DirectRun.Result r) {
        return switch (r.outcome()) {
            case RETURNED -> r.returnValue() == 0 ? Main.EXIT_OK : Main.EXIT_NONZERO;
            case JUMPED_BACK -> Main.EXIT_OK;
            case STOPPED -> stopped(r.stop().kind());
        };
    }
}
