package dev.kjump.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The Linux x86 zero page ({@code struct boot_params}, {@code Documentation/x86/zero-page.rst}) as the 32-bit boot
 * protocol wants it: 4 KiB, zeroed, the bzImage's setup header copied in at 0x1f1, then the loader's fields
 * ({@code type_of_loader}, {@code loadflags}, {@code code32_start}, {@code ramdisk_image/size},
 * {@code cmd_line_ptr}) and the e820 map. {@link BzImage#boot} builds one; the offsets are public for tests and
 * for reading a zero page back out of guest memory.
 */
public final class BootParams {
    /** Size of {@code struct boot_params}. */
    public static final int SIZE = 4096;
    /** {@code e820_entries} (u8). */
    public static final int E820_ENTRIES = 0x1e8;
    /** {@code hdr}: the setup header starts here (and at the same offset in the bzImage). */
    public static final int HDR = 0x1f1;
    /** {@code hdr.type_of_loader} (u8). */
    public static final int TYPE_OF_LOADER = 0x210;
    /** {@code hdr.loadflags} (u8). */
    public static final int LOADFLAGS = 0x211;
    /** {@code hdr.code32_start} (u32). */
    public static final int CODE32_START = 0x214;
    /** {@code hdr.ramdisk_image} (u32). */
    public static final int RAMDISK_IMAGE = 0x218;
    /** {@code hdr.ramdisk_size} (u32). */
    public static final int RAMDISK_SIZE = 0x21c;
    /** {@code hdr.heap_end_ptr} (u16). */
    public static final int HEAP_END_PTR = 0x224;
    /** {@code hdr.cmd_line_ptr} (u32). */
    public static final int CMD_LINE_PTR = 0x228;
    /** {@code e820_table}: up to {@link #E820_MAX} entries of 20 bytes (u64 addr, u64 size, u32 type). */
    public static final int E820_TABLE = 0x2d0;
    /** {@code E820_MAX_ENTRIES_ZEROPAGE}. */
    public static final int E820_MAX = 128;

    /** {@code type_of_loader} 0xFF: "a boot loader without an assigned ID" (boot.rst). */
    public static final int LOADER_UNDEFINED = 0xFF;
    /** {@code loadflags} bit 0: the protected-mode code is loaded at 0x100000. */
    public static final int LOADED_HIGH = 0x01;
    /** {@code loadflags} bit 7: {@code heap_end_ptr} is valid (real-mode setup code only). */
    public static final int CAN_USE_HEAP = 0x80;

    /** e820 type: usable RAM. */
    public static final int E820_RAM = 1;
    /** e820 type: reserved. */
    public static final int E820_RESERVED = 2;

    /**
     * One e820 map entry.
     *
     * @param addr the first byte
     * @param size the length in bytes
     * @param type {@link #E820_RAM}, {@link #E820_RESERVED}, ...
     */
    public record E820Entry(long addr, long size, int type) {
        /**
         * Checks the entry.
         *
         * @throws IllegalArgumentException for a negative address or size
         */
        public E820Entry {
            if (addr < 0 || size < 0) {
                throw new IllegalArgumentException("bad e820 entry " + addr + "+" + size);
            }
        }

        /** The exclusive end, {@code addr + size}. */
        public long end() {
            return addr + size;
        }

        /** As Linux prints it: {@code [mem 0x...-0x...] usable}. */
        @Override
        public String toString() {
            return String.format("[mem 0x%016x-0x%016x] %s", addr, end() - 1,
                    type == E820_RAM ? "usable" : type == E820_RESERVED ? "reserved" : "type " + type);
        }
    }

    private BootParams() {
    }

    /**
     * The e820 map QEMU's SeaBIOS reports to Linux for a {@code pc} machine with {@code ramSize} bytes of RAM
     * (below 4 GiB, at least 2 MiB) and no KVM, so that a kernel booted by kjump prints the same
     * {@code BIOS-e820:} lines as under {@code qemu-system-i386 -m N}: 0..0x9fbff usable (the EBDA at 0x9fc00
     * reserved), the BIOS at 0xf0000..0xfffff reserved, 0x100000 up to the last 128 KiB usable (SeaBIOS keeps
     * those for its tables), the flash at 0xfffc0000 reserved. kjump has no BIOS: the reserved parts are plain RAM
     * (or nothing) that the kernel leaves alone.
     *
     * @param ramSize the machine's RAM in bytes
     * @return the map, sorted by address
     * @throws IllegalArgumentException when the RAM is under 2 MiB or 4 GiB or more
     */
    public static List<E820Entry> qemuE820(long ramSize) {
        if (ramSize < (2L << 20) || ramSize >= (1L << 32)) {
            throw new IllegalArgumentException("RAM size must be 2 MiB .. 4 GiB: " + ramSize);
        }
        long top = ramSize - 0x20000;
        return List.of(
                new E820Entry(0, 0x9fc00, E820_RAM),
                new E820Entry(0x9fc00, 0x400, E820_RESERVED),
                new E820Entry(0xf0000, 0x10000, E820_RESERVED),
                new E820Entry(0x100000, top - 0x100000, E820_RAM),
                new E820Entry(top, 0x20000, E820_RESERVED),
                new E820Entry(0xfffc0000L, 0x40000, E820_RESERVED));
    }

    /**
     * Builds a zero page.
     *
     * @param header the bzImage's setup header: the image bytes from {@link #HDR} to its end (0x202 + the byte
     *     at 0x201)
     * @param code32Start where the protected-mode code is loaded (and entered)
     * @param ramdiskImage the initrd's address, 0 for none
     * @param ramdiskSize the initrd's size, 0 for none
     * @param cmdLinePtr the command line's address
     * @param e820 the memory map, at most {@link #E820_MAX} entries
     * @return the 4 KiB page
     */
    static byte[] build(byte[] header, int code32Start, int ramdiskImage, int ramdiskSize, int cmdLinePtr,
                        List<E820Entry> e820) {
        byte[] page = new byte[SIZE];
        System.arraycopy(header, 0, page, HDR, header.length);
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        b.put(TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        // the protected-mode code is high; there is no real-mode setup code running, so no heap for it
        b.put(LOADFLAGS, (byte) ((page[LOADFLAGS] | LOADED_HIGH) & ~CAN_USE_HEAP));
        b.putShort(HEAP_END_PTR, (short) 0);
        b.putInt(CODE32_START, code32Start);
        b.putInt(RAMDISK_IMAGE, ramdiskImage);
        b.putInt(RAMDISK_SIZE, ramdiskSize);
        b.putInt(CMD_LINE_PTR, cmdLinePtr);
        b.put(E820_ENTRIES, (byte) e820.size());
        for (int i = 0; i < e820.size(); i++) {
            E820Entry e = e820.get(i);
            b.putLong(E820_TABLE + 20 * i, e.addr());
            b.putLong(E820_TABLE + 20 * i + 8, e.size());
            b.putInt(E820_TABLE + 20 * i + 16, e.type());
        }
        return page;
    }
}
