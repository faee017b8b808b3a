package dev.kjump.machine;

import dev.kjump.machine.cpu.Cpu;

/**
 * Why the CPU stopped running. Every stop hands the caller the CPU state back (see {@link Machine#cpu()}).
 *
 * @param kind what happened
 * @param eip the EIP at the stop: the host entry or breakpoint reached, the instruction after HLT, the faulting
 *     instruction of a triple fault, the next instruction otherwise
 * @param physAddress for {@link Kind#HOST_ENTRY} and {@link Kind#BREAKPOINT}, the physical address reached;
 *     otherwise 0
 * @param value for {@link Kind#DEBUG_EXIT}, the value written to the port (QEMU's exit status is
 *     {@code (value << 1) | 1}); for {@link Kind#TRIPLE_FAULT}, the vector of the first exception
 * @param instructionBytes the bytes at {@code eip} (up to 15; fewer where not readable), for reports
 * @param message a one-line description for people
 */
public record StopReason(Kind kind, int eip, long physAddress, int value, byte[] instructionBytes, String message) {

    /** The stop conditions. */
    public enum Kind {
        /** The CPU reached a physical address the caller registered (a jump-back entry, say). */
        HOST_ENTRY,
        /** HLT executed (with IF=0, or with no interrupt source to wake it). */
        HALT,
        /** The guest wrote to the isa-debug-exit port. */
        DEBUG_EXIT,
        /** Exception delivery failed even as a double fault: a PC would reset. */
        TRIPLE_FAULT,
        /** The guest reset the machine (i8042 0xFE: the keyboard controller pulsed the CPU's reset line). */
        RESET,
        /** The instruction budget of this run was used up. */
        BUDGET,
        /** A debugger breakpoint (see {@link Cpu#setBreakpoints}): EIP is at it, the instruction not executed. */
        BREAKPOINT,
        /** A write hit a frame a debugger watches ({@link PhysicalMemory#watchFrames}); EIP is after the write. */
        WATCHPOINT,
        /** The host asked the machine to stop (debugger interrupt, Ctrl-C). */
        INTERRUPTED,
        /** The run's wall-clock time limit passed. */
        TIMEOUT,
        /**
         * The emulator itself failed while executing the instruction at {@code eip} (a kjump bug or a host I/O
         * error in a device): the machine stops cleanly instead of the error reaching the host program.
         */
        EMULATOR_ERROR
    }

    /** The instruction bytes as hex, e.g. {@code "0f 0b"}. */
    public String bytesHex() {
        StringBuilder sb = new StringBuilder();
        for (byte b : instructionBytes) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    /** QEMU's isa-debug-exit process exit status for {@link Kind#DEBUG_EXIT}. */
    public int qemuExitStatus() {
        return (value << 1) | 1;
    }
}
