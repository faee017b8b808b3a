package dev.kjump.kernel.pm;

import dev.kjump.kernel.KernelLog;
import java.util.ArrayList;
import java.util.List;

/**
 * Device power management: {@code device_suspend}, {@code device_resume}, {@code device_power_down},
 * {@code device_power_up} over the registered devices, in registration order going down and in reverse going
 * up; a failing device unwinds the devices already done.
 */
public final class DevicePm {
    private final List<PmDevice> devices = new ArrayList<>();
    private final KernelLog log;

    /** @param log the kernel log */
    public DevicePm(KernelLog log) {
        this.log = log;
    }

    /** Registers a device. */
    public void register(PmDevice d) {
        devices.add(d);
    }

    /** The registered devices. */
    public List<PmDevice> devices() {
        return List.copyOf(devices);
    }

    /** {@code device_suspend(PMSG_FREEZE)}: 0, or the failing device's error after resuming the others. */
    public int deviceSuspend() {
        for (int i = 0; i < devices.size(); i++) {
            PmDevice d = devices.get(i);
            int err = d.suspend();
            if (err != 0) {
                log.printk("PM: Device %s failed to suspend: error %d", d.name(), err);
                for (int j = i - 1; j >= 0; j--) {
                    devices.get(j).resume();
                }
                return err;
            }
        }
        return 0;
    }

    /** {@code device_resume}. */
    public void deviceResume() {
        for (int i = devices.size() - 1; i >= 0; i--) {
            devices.get(i).resume();
        }
    }

    /** {@code device_power_down(PMSG_FREEZE)}: 0, or the failing device's error after powering the others up. */
    public int devicePowerDown() {
        for (int i = 0; i < devices.size(); i++) {
            PmDevice d = devices.get(i);
            int err = d.powerDown();
            if (err != 0) {
                log.printk("PM: Device %s failed to power down: error %d", d.name(), err);
                for (int j = i - 1; j >= 0; j--) {
                    devices.get(j).powerUp();
                }
                return err;
            }
        }
        return 0;
    }

    /** {@code device_power_up}. */
    public void devicePowerUp() {
        for (int i = devices.size() - 1; i >= 0; i--) {
            devices.get(i).powerUp();
        }
    }
}
