/**
 * Kexec images: reads ELF32 and ELF64 i386 executables (including the ELF64 "jump-back" container form made by
 * {@code objcopy -O elf64-x86-64}) into the segments a {@code kexec_load} takes, with the entry point and symbols.
 */
package dev.kjump.image;
