package dev.kjump.machine;

import java.util.Map;

/**
 * A device's saved register state: an immutable value (devices implement it with records).
 */
public interface DeviceState {
    /** The registers by name, for people (shell {@code devices}, logs); insertion-ordered. */
    Map<String, Long> registers();
}
