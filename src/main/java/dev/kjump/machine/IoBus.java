package dev.kjump.machine;

import java.util.ArrayList;
import java.util.List;

/**
 * The PC's 64 KiB I/O port space. Unclaimed ports read as all-ones and ignore writes, as on a PC.
 */
public final class IoBus {
    private final IoDevice[] byPort = new IoDevice[0x10000];
    private final List<IoDevice> devices = new ArrayList<>();

    /** Claims ports {@code first .. first+count-1} for {@code device}. */
    public void register(int first, int count, IoDevice device) {
        if (first < 0 || count <= 0 || first + count > 0x10000) {
            throw new IllegalArgumentException("port range out of bounds: 0x" + Integer.toHexString(first) + "+" + count);
        }
        for (int p = first; p < first + count; p++) {
            if (byPort[p] != null && byPort[p] != device) {
                throw new IllegalArgumentException("port 0x" + Integer.toHexString(p) + " already claimed by " + byPort[p].name());
            }
        }
        for (int p = first; p < first + count; p++) {
            byPort[p] = device;
        }
        if (!devices.contains(device)) {
            devices.add(device);
        }
    }

    /** The registered devices, in registration order. */
    public List<IoDevice> devices() {
        return List.copyOf(devices);
    }

    /** Port input of {@code size} bytes (1, 2, 4). */
    public int in(int port, int size) {
        IoDevice d = byPort[port & 0xFFFF];
        if (d == null) {
            return size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFFFFFF;
        }
        return d.in(port & 0xFFFF, size);
    }

    /** Port output of {@code size} bytes (1, 2, 4). */
    public void out(int port, int size, int value) {
        IoDevice d = byPort[port & 0xFFFF];
        if (d != null) {
            d.out(port & 0xFFFF, size, value);
        }
    }
}
