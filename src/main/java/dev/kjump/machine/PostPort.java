package dev.kjump.machine;

import java.util.Map;

/**
 * Port 0x80, the POST diagnostic port (QEMU's {@code ioport80}): writes are ignored (Linux's {@code outb_p} and
 * {@code io_delay} write it to pause), reads give 0xFF. It holds no state.
 */
public final class PostPort implements IoDevice {
    /** The port. */
    public static final int PORT = 0x80;

    /** Registers port 0x80 on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(PORT, 1, this);
    }

    @Override
    public String name() {
        return "post@0x80";
    }

    @Override
    public int in(int port, int size) {
        return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFFFFFF;
    }

    @Override
    public void out(int port, int size, int value) {
        // a POST code or an I/O delay: nothing to do
    }

    @Override
    public DeviceState saveState() {
        return State.NONE;
    }

    @Override
    public void restoreState(DeviceState state) {
        if (state != State.NONE) {
            throw new IllegalArgumentException("not a PostPort state: " + state);
        }
    }

    /** The port's (empty) state. */
    public enum State implements DeviceState {
        /** The only state. */
        NONE;

        @Override
        public Map<String, Long> registers() {
            return Map.of();
        }
    }
}
