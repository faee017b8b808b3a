package dev.kjump.kernel;

import dev.kjump.kernel.kexec.MachineKexec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * What one {@code reboot(LINUX_REBOOT_CMD_KEXEC)} did: every PM step with its start, duration and result, the
 * machine_kexec outcome (how the callee came back, pages swapped each way, instructions), the integrity proof,
 * and the syscall's result.
 *
 * @param number the jump's number since boot (1-based)
 * @param startBefore {@code image->start} before the jump
 * @param result the syscall's result (0 or a negative errno)
 * @param steps the PM steps in the order they ran
 * @param outcome machine_kexec's outcome, or null when the sequence failed before it
 * @param integrity the integrity proof, or null when the callee never ran
 * @param totalNanos wall time of the whole jump (the round trip)
 */
public record JumpReport(int number, int startBefore, int result, List<Step> steps, MachineKexec.Outcome outcome,
                         Integrity.Result integrity, long totalNanos) {

    /**
     * One PM step.
     *
     * @param name the kernel function, e.g. {@code device_suspend}
     * @param startNanos start, relative to the jump's start
     * @param durationNanos how long it took
     * @param result its result (0 or a negative errno)
     */
    public record Step(String name, long startNanos, long durationNanos, int result) {
    }

    /** True when the callee came back (or was taken back), the call succeeded and no page was damaged. */
    public boolean ok() {
        return result == 0 && outcome != null && outcome.kind() == MachineKexec.Kind.JUMPED_BACK
                && integrity != null && integrity.intact() && outcome.problems().isEmpty();
    }

    /** Writes the report to the kernel log. */
    void log(KernelLog log) {
        StringBuilder sb = new StringBuilder();
        for (Step s : steps) {
            sb.append(String.format(" %s%s %.3fms", s.name, s.result != 0 ? "=" + s.result : "", s.durationNanos / 1e6));
        }
        log.printk("kexec_jump #%d: PM steps:%s", number, sb);
        if (outcome != null) {
            log.printk("kexec_jump #%d: callee %s%s after %d instructions (%.3f ms), %d page(s) swapped each way",
                    number, outcome.kind().name().toLowerCase().replace('_', ' '), door(), outcome.calleeInstructions(),
                    outcome.calleeNanos() / 1e6, outcome.pagesSwapped());
        }
        if (integrity != null) {
            log.printk("kexec_jump #%d: integrity %s", number, integrity.summary());
        }
        log.printk("kexec_jump #%d: result %s in %.3f ms", number, Errno.describe(result), totalNanos / 1e6);
    }

    /** How the callee came back, for the log: the door and the re-entry point. */
    private String door() {
        if (outcome.kind() != MachineKexec.Kind.JUMPED_BACK) {
            return "";
        }
        if (outcome.returned()) {
            return " (returned through the helper entry)";
        }
        return String.format(" (%s, re-entry point %08x)", outcome.merged() ? "merged protocol: called the helper "
                + "entry with it at 0(%esp)" : "v8 protocol: %edi", outcome.reentry());
    }

    /** Physical addresses as {@code [00200000, 00300000]}. */
    public static String hexList(List<Long> addrs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < addrs.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(String.format("%08x", addrs.get(i)));
        }
        return sb.append(']').toString();
    }

    /** Collects a report while the jump runs. */
    static final class Builder {
        private final int number;
        private final int startBefore;
        private final long t0 = System.nanoTime();
        private final List<Step> steps = new ArrayList<>();
        private MachineKexec.Outcome outcome;

        Builder(int number, int startBefore) {
            this.number = number;
            this.startBefore = startBefore;
        }

        int step(String name, IntSupplier body) {
            long s = System.nanoTime();
            int r = body.getAsInt();
            steps.add(new Step(name, s - t0, System.nanoTime() - s, r));
            return r;
        }

        void outcome(MachineKexec.Outcome o) {
            this.outcome = o;
        }

        JumpReport finish(int result, Integrity.Result integrity) {
            return new JumpReport(number, startBefore, result, List.copyOf(steps), outcome, integrity,
                    System.nanoTime() - t0);
        }
    }
}
