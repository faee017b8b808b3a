package dev.kjump.image;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One piece of memory to load: the unit a {@code kexec_load} takes, i.e. the kernel's {@code struct kexec_segment}
 * ({@code buf}/{@code bufsz} are {@link #data()}, {@code mem}/{@code memsz} are {@link #physAddr()} and
 * {@link #memSize()}).
 *
 * <p>The segment covers physical memory {@code [physAddr, physAddr + memSize)}. The first {@code data.length} bytes
 * (the ELF {@code p_filesz}) come from {@link #data()}; the rest, up to {@code memSize}, are zero (like {@code .bss}).
 *
 * @param physAddr physical address of the first byte
 * @param data     the bytes stored in the file; the constructor copies it, and {@link #data()} returns that copy
 *                 without copying again, so callers must not modify it
 * @param memSize  size in memory, at least {@code data.length}
 */
public record Segment(long physAddr, byte[] data, long memSize) {

    /**
     * Checks and copies the arguments.
     *
     * @throws IllegalArgumentException if {@code physAddr} is negative, {@code memSize < data.length} or the end
     *                                  overflows
     */
    public Segment {
        if (physAddr < 0) {
            throw new IllegalArgumentException("negative physical address: " + physAddr);
        }
        data = data.clone();
        if (memSize < data.length) {
            throw new IllegalArgumentException("memSize " + memSize + " < data length " + data.length);
        }
        if (physAddr + memSize < 0) {
            throw new IllegalArgumentException("segment end overflows: 0x" + Long.toHexString(physAddr)
                    + " + 0x" + Long.toHexString(memSize));
        }
    }

    /**
     * The exclusive end address, {@code physAddr + memSize}.
     *
     * @return the first physical address after this segment
     */
    public long end() {
        return physAddr + memSize;
    }

    /**
     * Compares address, size and contents.
     *
     * @param o the other object
     * @return whether {@code o} is a segment with the same address, memory size and data bytes
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && s.physAddr == physAddr && s.memSize == memSize && Arrays.equals(s.data, data);
    }

    /**
     * A hash of address, size and contents, consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return (Long.hashCode(physAddr) * 31 + Long.hashCode(memSize)) * 31 + Arrays.hashCode(data);
    }

    /**
     * A short description: the address range, file size and the first few data bytes in hex.
     *
     * @return the description
     */
    @Override
    public String toString() {
        int shown = Math.min(data.length, 8);
        return "Segment[0x" + Long.toHexString(physAddr) + "-0x" + Long.toHexString(end())
                + ", filesz=0x" + Integer.toHexString(data.length)
                + ", data=" + HexFormat.of().formatHex(data, 0, shown) + (shown < data.length ? "..." : "") + "]";
    }
}
