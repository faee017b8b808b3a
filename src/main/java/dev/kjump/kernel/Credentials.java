package dev.kjump.kernel;

/**
 * Who makes a syscall.
 *
 * @param uid the user id
 * @param capSysBoot whether the caller holds CAP_SYS_BOOT
 */
public record Credentials(int uid, boolean capSysBoot) {
    /** root, with CAP_SYS_BOOT. */
    public static final Credentials ROOT = new Credentials(0, true);
    /** An ordinary user without CAP_SYS_BOOT. */
    public static final Credentials USER = new Credentials(1000, false);
}
