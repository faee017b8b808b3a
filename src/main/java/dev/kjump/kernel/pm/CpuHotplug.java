package dev.kjump.kernel.pm;

import dev.kjump.kernel.KernelLog;
import java.util.BitSet;

/**
 * CPU hotplug for the PM path: {@code disable_nonboot_cpus} takes every CPU but the boot CPU offline and
 * {@code enable_nonboot_cpus} brings back those it took. The non-boot CPUs are bookkeeping only (they run
 * nothing), but the sequence, its failure and its unwinding are the kernel's.
 */
public final class CpuHotplug {
    private final int count;
    private final BitSet online = new BitSet();
    private final BitSet frozen = new BitSet();
    private final BitSet failing = new BitSet();
    private final KernelLog log;

    /** @param count number of CPUs (at least 1) @param log the kernel log */
    public CpuHotplug(int count, KernelLog log) {
        if (count < 1 || count > 64) {
            throw new IllegalArgumentException("CPU count must be 1..64: " + count);
        }
        this.count = count;
        this.log = log;
        online.set(0, count);
    }

    public int count() {
        return count;
    }

    public synchronized boolean isOnline(int cpu) {
        return online.get(cpu);
    }

    public synchronized int onlineCount() {
        return online.cardinality();
    }

    /** For tests: make taking {@code cpu} down fail. */
    public synchronized void failOn(int cpu, boolean fail) {
        failing.set(cpu, fail);
    }

    /** {@code disable_nonboot_cpus}: 0, or -EBUSY after bringing back the CPUs already taken down. */
    public synchronized int disableNonbootCpus() {
        frozen.clear();
        for (int cpu = 1; cpu < count; cpu++) {
            if (!online.get(cpu)) {
                continue;
            }
            if (failing.get(cpu)) {
                log.printk("Error taking CPU%d down: %d", cpu, -16);
                enableNonbootCpus();
                return -16;
            }
            online.clear(cpu);
            frozen.set(cpu);
            log.printk("CPU%d is down", cpu);
        }
        return 0;
    }

    /** {@code enable_nonboot_cpus}. */
    public synchronized void enableNonbootCpus() {
        for (int cpu = frozen.nextSetBit(0); cpu >= 0; cpu = frozen.nextSetBit(cpu + 1)) {
            online.set(cpu);
            log.printk("CPU%d is up", cpu);
        }
        frozen.clear();
    }
}
