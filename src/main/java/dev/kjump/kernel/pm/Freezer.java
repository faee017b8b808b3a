package dev.kjump.kernel.pm;

import dev.kjump.kernel.KernelLog;
import java.util.ArrayList;
import java.util.List;

/** The process freezer: {@code freeze_processes} and {@code thaw_processes} over the kernel's tasks. */
public final class Freezer {
    private final List<Task> tasks;
    private final KernelLog log;

    /** @param tasks the kernel's task list (live) @param log the kernel log */
    public Freezer(List<Task> tasks, KernelLog log) {
        this.tasks = tasks;
        this.log = log;
    }

    /**
     * {@code freeze_processes}: freezes every task; when one refuses, thaws those already frozen and fails.
     *
     * @return 0, or -EBUSY when a task could not be frozen
     */
    public int freezeProcesses() {
        List<Task> done = new ArrayList<>();
        for (Task t : tasks) {
            if (t.refusesFreeze()) {
                log.printk("Freezing of tasks failed: %s (pid %d) refusing to freeze", t.name(), t.pid());
                for (Task d : done) {
                    d.setFrozen(false);
                }
                return -16;
            }
            t.setFrozen(true);
            done.add(t);
        }
        log.printk("Freezing user space processes ... (elapsed 0.00 seconds) done (%d tasks).", tasks.size());
        return 0;
    }

    /** {@code thaw_processes}. */
    public void thawProcesses() {
        for (Task t : tasks) {
            t.setFrozen(false);
        }
        log.printk("Restarting tasks ... done.");
    }
}
