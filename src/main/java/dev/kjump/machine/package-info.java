/**
 * The emulated i386 PC: physical memory, the CPU interpreter and its MMU, the I/O port bus and devices.
 * This layer knows nothing of kexec.
 */
package dev.kjump.machine;
