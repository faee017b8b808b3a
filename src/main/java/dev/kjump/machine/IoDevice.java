package dev.kjump.machine;

/**
 * A device on the emulated PC's I/O port bus.
 *
 * <p>Ports are absolute port numbers; {@code size} is the access width in bytes (1, 2 or 4). A device only
 * sees the ports it was registered for on the {@link IoBus}. Every device exposes its register state as an
 * immutable {@link DeviceState} value that can be taken and put back: the kernel's device suspend/resume and
 * power-down/power-up save and restore it.
 */
public interface IoDevice {
    /** A short human name, e.g. {@code "uart16550@0x3f8"}. */
    String name();

    /** Reads {@code size} bytes (1, 2 or 4) from {@code port}; the result is zero-extended. */
    int in(int port, int size);

    /** Writes the low {@code size} bytes (1, 2 or 4) of {@code value} to {@code port}. */
    void out(int port, int size, int value);

    /** The device's register state, as a value. */
    DeviceState saveState();

    /** Puts back a state taken by {@link #saveState()} of this same device type. */
    void restoreState(DeviceState state);
}
