package dev.kjump.machine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The i8042 keyboard controller at ports 0x60 (data) and 0x64 (status/command), as far as an operating system
 * needs it on a machine without a keyboard or mouse (QEMU's {@code i8042}, hw/input/pckbd.c, with nothing behind
 * it). What matters is the reset line: command 0xFE (any of 0xF0-0xFE with bit 0 clear pulses output port bit 0,
 * the CPU reset) and a write of the output port (0xD1) with bit 0 clear reset the machine, through the callback
 * given to the constructor. Linux's {@code reboot} waits for the input buffer to empty and writes 0xFE to 0x64.
 *
 * <p>Status (0x64): bit 0 output buffer full, bit 2 system flag (set by the self test), bit 3 last write was a
 * command, bit 4 keyboard not inhibited; the input buffer (bit 1) is always empty, commands take no time.
 * Commands with a reply (0x20 read command byte, 0xAA self test: 0x55, 0xA9 and 0xAB interface tests: 0x00, 0xC0
 * input port: 0x80, 0xD0 output port, 0xE0 test inputs: 0x00) put it in the output buffer, read from 0x60, and
 * raise IRQ 1 when command byte bit 0 asks; 0x60 and 0xD1 take the next data byte as the command byte or output
 * port, 0xD2 as a byte for the output buffer; 0xA7/0xA8 and 0xAD/0xAE set and clear the command byte's disable
 * bits; 0xDD/0xDF set output port bit 1 (A20: not modelled, the machine's A20 is always on). Data written with no
 * command pending would go to the keyboard: there is none, so it is dropped. Reading 0x60 with nothing new gives
 * the last byte again.
 *
 * <p>Power-on: command byte 0x03 (keyboard and mouse interrupts enabled), status 0x18, output port 0xCF.
 */
public final class I8042 implements IoDevice {
    /** The data port. */
    public static final int DATA = 0x60;
    /** The status (read) and command (write) port. */
    public static final int COMMAND = 0x64;

    private static final int STAT_OBF = 0x01;
    private static final int STAT_SELFTEST = 0x04;
    private static final int STAT_CMD = 0x08;
    private static final int STAT_UNLOCKED = 0x10;
    private static final int MODE_KBD_INT = 0x01;
    private static final int MODE_DISABLE_KBD = 0x10;
    private static final int MODE_DISABLE_MOUSE = 0x20;
    private static final int OUT_RESET = 0x01;
    private static final int OUT_A20 = 0x02;

    private final IrqLine irq;
    private final Runnable onReset;
    private int status = STAT_CMD | STAT_UNLOCKED;
    private int mode = 0x03;
    private int outport = 0xCF;
    private int data;
    private int pendingCommand;

    /**
     * @param irq where IRQ 1 goes
     * @param onReset runs when the guest pulses the reset line (the machine stops)
     */
    public I8042(IrqLine irq, Runnable onReset) {
        this.irq = irq;
        this.onReset = onReset;
    }

    /** Registers ports 0x60 and 0x64 on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(DATA, 1, this);
        bus.register(COMMAND, 1, this);
    }

    @Override
    public String name() {
        return "i8042@0x60";
    }

    @Override
    public int in(int port, int size) {
        if (port == COMMAND) {
            return status;
        }
        status &= ~STAT_OBF;
        irq.setIrq(1, false);
        return data;
    }

    @Override
    public void out(int port, int size, int value) {
        int v = value & 0xFF;
        if (port == COMMAND) {
            status |= STAT_CMD;
            command(v);
            return;
        }
        status &= ~STAT_CMD;
        int cmd = pendingCommand;
        pendingCommand = 0;
        switch (cmd) {
            case 0x60 -> mode = v;
            case 0xD1 -> writeOutport(v);
            case 0xD2 -> reply(v);
            default -> { } // to the keyboard or mouse: there is none
        }
    }

    private void command(int v) {
        if ((v & 0xF0) == 0xF0) {
            if ((v & 1) == 0) {
                onReset.run();
            }
            return;
        }
        switch (v) {
            case 0x20 -> reply(mode);
            case 0x60, 0xD1, 0xD2, 0xD3, 0xD4 -> pendingCommand = v;
            case 0xA7 -> mode |= MODE_DISABLE_MOUSE;
            case 0xA8 -> mode &= ~MODE_DISABLE_MOUSE;
            case 0xA9, 0xAB, 0xE0 -> reply(0x00);
            case 0xAA -> {
                status |= STAT_SELFTEST;
                reply(0x55);
            }
            case 0xAD -> mode |= MODE_DISABLE_KBD;
            case 0xAE -> mode &= ~MODE_DISABLE_KBD;
            case 0xC0 -> reply(0x80);
            case 0xD0 -> reply(outport);
            case 0xDD -> outport &= ~OUT_A20;
            case 0xDF -> outport |= OUT_A20;
            default -> { } // unknown: ignored
        }
    }

    private void writeOutport(int v) {
        outport = v;
        if ((v & OUT_RESET) == 0) {
            onReset.run();
        }
    }

    private void reply(int v) {
        data = v;
        status |= STAT_OBF;
        if ((mode & MODE_KBD_INT) != 0) {
            irq.setIrq(1, true);
        }
    }

    @Override
    public State saveState() {
        return new State(status, mode, outport, data, pendingCommand);
    }

    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("not an I8042 state: " + state);
        }
        status = s.status();
        mode = s.mode();
        outport = s.outport();
        data = s.data();
        pendingCommand = s.pendingCommand();
    }

    /**
     * The controller's saved state.
     *
     * @param status the status register
     * @param mode the command byte
     * @param outport the output port
     * @param data the output buffer
     * @param pendingCommand the command waiting for its data byte, or 0
     */
    public record State(int status, int mode, int outport, int data, int pendingCommand) implements DeviceState {
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            r.put("status", (long) status);
            r.put("mode", (long) mode);
            r.put("outport", (long) outport);
            r.put("data", (long) data);
            return r;
        }
    }
}
