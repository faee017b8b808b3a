/**
 * The emulated i386 PC: physical memory, the I/O port bus and devices, and {@link dev.kjump.machine.Machine},
 * which wires them to the CPU ({@link dev.kjump.machine.cpu}) and owns the run loop.
 * This layer knows nothing of kexec.
 */
package dev.kjump.machine;
