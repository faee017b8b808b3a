package dev.kjump.kernel.pm;

/** The device power-management callbacks a device can be told to fail, for tests. */
public enum PmStep {
    /** {@code device_suspend}'s per-device suspend. */
    SUSPEND,
    /** {@code device_power_down}'s per-device late suspend. */
    POWER_DOWN,
    /** {@code disable_nonboot_cpus} for one CPU. */
    CPU_DOWN
}
