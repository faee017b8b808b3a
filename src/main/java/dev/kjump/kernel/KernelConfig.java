package dev.kjump.kernel;

/**
 * The kernel's configuration.
 *
 * @param kexec CONFIG_KEXEC: without it kexec_load and reboot(KEXEC) return ENOSYS
 * @param kexecJump CONFIG_KEXEC_JUMP: without it KEXEC_PRESERVE_CONTEXT is an invalid flag (EINVAL)
 * @param cpus number of CPUs (the boot CPU plus non-boot CPUs that go offline for a jump)
 * @param ramdiskPages size of the RAM disk in 4 KiB pages
 * @param maxInstructions instruction limit of one callee run
 * @param timeoutNanos wall-clock limit of one callee run (0: none)
 * @param peerStart the first byte of the peer region: RAM the kernel never allocates, left to a second kernel
 *     it jumps into (page aligned; 0 with {@code peerSize} 0: none)
 * @param peerSize the peer region's size in bytes (page aligned; 0: none)
 */
public record KernelConfig(boolean kexec, boolean kexecJump, int cpus, int ramdiskPages, long maxInstructions,
                           long timeoutNanos, long peerStart, long peerSize) {
    /** CONFIG_KEXEC and CONFIG_KEXEC_JUMP on, 1 CPU, a 1000-page RAM disk, 60 s per callee run, no peer region. */
    public static KernelConfig defaults() {
        return new KernelConfig(true, true, 1, 1000, Long.MAX_VALUE, 60_000_000_000L, 0, 0);
    }

    public KernelConfig withCpus(int n) {
        return new KernelConfig(kexec, kexecJump, n, ramdiskPages, maxInstructions, timeoutNanos, peerStart, peerSize);
    }

    public KernelConfig withKexec(boolean on, boolean jump) {
        return new KernelConfig(on, jump, cpus, ramdiskPages, maxInstructions, timeoutNanos, peerStart, peerSize);
    }

    public KernelConfig withLimits(long instructions, long nanos) {
        return new KernelConfig(kexec, kexecJump, cpus, ramdiskPages, instructions, nanos, peerStart, peerSize);
    }

    public KernelConfig withRamdiskPages(int n) {
        return new KernelConfig(kexec, kexecJump, cpus, n, maxInstructions, timeoutNanos, peerStart, peerSize);
    }

    /** The peer region {@code [start, start + size)}; size 0: none. */
    public KernelConfig withPeer(long start, long size) {
        return new KernelConfig(kexec, kexecJump, cpus, ramdiskPages, maxInstructions, timeoutNanos, start, size);
    }

    /** True when a peer region is set. */
    public boolean hasPeer() {
        return peerSize > 0;
    }
}
