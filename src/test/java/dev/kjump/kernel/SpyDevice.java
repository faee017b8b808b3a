package dev.kjump.kernel;

import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.DeviceState;
import dev.kjump.machine.IoDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test device for the kernel's device PM: it owns no ports, and every time the kernel saves its registers
 * (suspend, power_down) it records what the rest of the kernel looked like at that moment; restores are counted
 * and checked to give back the state that was saved.
 */
final class SpyDevice implements IoDevice {
    /** The kernel as the device saw it when its state was saved. */
    record Seen(boolean allTasksFrozen, boolean consoleSuspended, int cpusOnline, boolean irqsEnabled) {
    }

    /** The device's "registers": a generation number, so a wrong restore shows. */
    record State(int generation) implements DeviceState {
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("generation", (long) generation);
            return m;
        }
    }

    private final String name;
    private Kernel kernel;
    final List<Seen> saves = new ArrayList<>();
    final List<Integer> restores = new ArrayList<>();
    int generation;

    SpyDevice(String name) {
        this.name = name;
    }

    /** Lets the device look at the kernel when it is saved. */
    SpyDevice watch(Kernel k) {
        this.kernel = k;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int in(int port, int size) {
        return 0;
    }

    @Override
    public void out(int port, int size, int value) {
    }

    @Override
    public synchronized DeviceState saveState() {
        if (kernel != null) {
            saves.add(new Seen(kernel.tasks().stream().allMatch(Task::frozen), kernel.log().consoleSuspended(),
                    kernel.cpus().onlineCount(), kernel.irqsEnabled()));
        } else {
            saves.add(null);
        }
        // the hardware drifts once saved: only a restore brings the saved registers back
        return new State(generation++);
    }

    @Override
    public synchronized void restoreState(DeviceState state) {
        restores.add(((State) state).generation());
        generation = ((State) state).generation();
    }
}
