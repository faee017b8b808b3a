package dev.kjump.kernel.pm;

import dev.kjump.machine.DeviceState;
import dev.kjump.machine.IoDevice;
import java.util.EnumSet;
import java.util.Set;

/**
 * A device registered with the kernel's power management: its suspend/resume and power_down/power_up save
 * and restore the device's registers, so whatever a kexec'd image does to the hardware is undone on the way
 * back. Any callback can be told to fail, for tests.
 */
public final class PmDevice {
    /** Where a device stands in the PM sequence. */
    public enum State { ON, SUSPENDED, POWERED_DOWN }

    private final String name;
    private final IoDevice device;
    private final Set<PmStep> failing = EnumSet.noneOf(PmStep.class);
    private State state = State.ON;
    private DeviceState suspended;
    private DeviceState poweredDown;

    /** @param name the device's name @param device the hardware */
    public PmDevice(String name, IoDevice device) {
        this.name = name;
        this.device = device;
    }

    public String name() {
        return name;
    }

    public IoDevice device() {
        return device;
    }

    public synchronized State state() {
        return state;
    }

    /** The register state saved by the last suspend, or null. */
    public synchronized DeviceState savedState() {
        return suspended;
    }

    /** For tests: make {@code step} fail (true) or succeed again (false). */
    public synchronized void failOn(PmStep step, boolean fail) {
        if (fail) {
            failing.add(step);
        } else {
            failing.remove(step);
        }
    }

    synchronized int suspend() {
        if (failing.contains(PmStep.SUSPEND)) {
            return -5;
        }
        suspended = device.saveState();
        state = State.SUSPENDED;
        return 0;
    }

    synchronized void resume() {
        device.restoreState(suspended);
        state = State.ON;
    }

    synchronized int powerDown() {
        if (failing.contains(PmStep.POWER_DOWN)) {
            return -5;
        }
        poweredDown = device.saveState();
        state = State.POWERED_DOWN;
        return 0;
    }

    synchronized void powerUp() {
        device.restoreState(poweredDown);
        state = State.SUSPENDED;
    }
}
