package dev.kjump.image;

import dev.kjump.image.BootParams.E820Entry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A Linux x86 kernel in bzImage format, as the boot protocol ({@code Documentation/x86/boot.rst}) describes it:
 * the real-mode setup code ({@code setup_sects} 512-byte sectors after the boot sector) whose setup header starts
 * at 0x1f1 ("HdrS" at 0x202), followed by the protected-mode code. kjump uses the 32-bit boot protocol: it never
 * runs the setup code, but loads the protected-mode code, builds the zero page ({@link BootParams}) and enters the
 * 32-bit entry point, as kexec-tools and EFI loaders do.
 *
 * <p>{@link #boot} plans the load: the {@link Segment}s to write into guest RAM and the entry state. Instances are
 * immutable.
 */
public final class BzImage {
    /** The oldest boot protocol accepted: 2.06 (Linux 2.6.22), the first with {@code cmdline_size}. */
    public static final int MIN_PROTOCOL = 0x206;
    /** Where the zero page goes (QEMU's real-mode area): 0x10000; the GDT and the command line follow it. */
    public static final int BOOT_PARAMS_ADDR = 0x10000;
    /** The selector of the flat code segment the 32-bit protocol asks for ({@code __BOOT_CS}). */
    public static final int BOOT_CS = 0x10;
    /** The selector of the flat data segment the 32-bit protocol asks for ({@code __BOOT_DS}). */
    public static final int BOOT_DS = 0x18;

    private static final int HEADER_MAGIC = 0x53726448; // "HdrS"
    private static final int SETUP_SECTS = 0x1f1;
    private static final int SYSSIZE = 0x1f4;
    private static final int BOOT_FLAG = 0x1fe;
    private static final int JUMP_END = 0x201;
    private static final int HEADER = 0x202;
    private static final int VERSION = 0x206;
    private static final int KERNEL_VERSION = 0x20e;
    private static final int CODE32_START = 0x214;
    private static final int INITRD_ADDR_MAX = 0x22c;
    private static final int KERNEL_ALIGNMENT = 0x230;
    private static final int RELOCATABLE = 0x234;
    private static final int CMDLINE_SIZE = 0x238;
    private static final int PREF_ADDRESS = 0x258;
    private static final int INIT_SIZE = 0x260;
    private static final int LOW_MEMORY = 0x100000;
    private static final long PAGE = 0x1000;
    /** GDT: null, null, then flat 4 GiB code (0x10) and data (0x18), as the 32-bit protocol's entry needs. */
    private static final long[] GDT = {0, 0, 0x00cf9a000000ffffL, 0x00cf92000000ffffL};

    private final String name;
    private final byte[] header;
    private final byte[] payload;
    private final int protocol;
    private final int setupSects;
    private final int code32Start;
    private final long prefAddress;
    private final int kernelAlignment;
    private final boolean relocatable;
    private final long initSize;
    private final int cmdlineSize;
    private final long initrdAddrMax;
    private final String version;

    /**
     * Where everything goes and how the kernel is entered: the result of {@link #boot}.
     *
     * @param segments what to write into guest RAM, sorted by address: the protected-mode code, the zero page, the
     *     GDT, the command line and the initrd (when given); they do not overlap
     * @param entry the 32-bit entry point (the address the protected-mode code is loaded at), for EIP
     * @param bootParams the zero page's address, for ESI
     * @param gdtBase the GDT's address (entries {@link #BOOT_CS} and {@link #BOOT_DS} flat), for GDTR
     * @param gdtLimit the GDT's limit, for GDTR
     * @param cmdline the command line's address
     * @param initrd the initrd's address, 0 without one
     * @param initrdSize the initrd's size, 0 without one
     * @param decompressAt where the kernel decompresses itself to, and how far ({@code init_size}) it may reach
     * @param decompressEnd the end of that area (exclusive)
     */
    public record Boot(List<Segment> segments, int entry, int bootParams, int gdtBase, int gdtLimit, int cmdline,
                       int initrd, int initrdSize, long decompressAt, long decompressEnd) {
        /** Copies the segment list. */
        public Boot {
            segments = List.copyOf(segments);
        }
    }

    private BzImage(String name, byte[] bytes, int protocol, int setupSects) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.name = name;
        this.protocol = protocol;
        this.setupSects = setupSects;
        this.header = Arrays.copyOfRange(bytes, SETUP_SECTS, HEADER + (bytes[JUMP_END] & 0xFF));
        int offset = (setupSects + 1) * 512;
        this.payload = Arrays.copyOfRange(bytes, offset, bytes.length);
        this.code32Start = b.getInt(CODE32_START);
        this.initrdAddrMax = b.getInt(INITRD_ADDR_MAX) & 0xFFFFFFFFL;
        this.kernelAlignment = b.getInt(KERNEL_ALIGNMENT);
        this.relocatable = bytes[RELOCATABLE] != 0;
        this.cmdlineSize = b.getInt(CMDLINE_SIZE);
        boolean v210 = protocol >= 0x20a;
        this.prefAddress = v210 ? b.getLong(PREF_ADDRESS) : code32Start & 0xFFFFFFFFL;
        this.initSize = v210 ? b.getInt(INIT_SIZE) & 0xFFFFFFFFL : 0;
        this.version = readVersion(bytes, b.getShort(KERNEL_VERSION) & 0xFFFF);
    }

    /**
     * Whether the file at {@code path} starts like a bzImage: "HdrS" at 0x202. Unreadable or short files are not.
     *
     * @param path the file
     * @return true when it carries a setup header (it may still be too old or truncated: {@link #load} says)
     */
    public static boolean isBzImage(Path path) {
        if (!Files.isRegularFile(path)) {
            return false; // a FIFO would block here, a device never end
        }
        byte[] head = new byte[HEADER + 4];
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(head, 0, head.length) == head.length && isBzImage(head);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether {@code bytes} start like a bzImage: "HdrS" at 0x202.
     *
     * @param bytes the file's first bytes (at least 0x206 of them)
     * @return true when the magic is there
     */
    public static boolean isBzImage(byte[] bytes) {
        return bytes.length >= HEADER + 4
                && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(HEADER) == HEADER_MAGIC;
    }

    /**
     * Reads and parses the bzImage at {@code path}.
     *
     * @param path the file
     * @return the kernel
     * @throws ImageException when the file cannot be read or is not a usable bzImage; the message names the file
     */
    public static BzImage load(Path path) throws ImageException {
        return parse(readFile(path, "bzImage"), path.toString());
    }

    /**
     * Parses a bzImage held in memory.
     *
     * @param bytes the whole file (not kept)
     * @param name the name for messages
     * @return the kernel
     * @throws ImageException when the bytes are not a usable bzImage: no setup header, protocol older than 2.06,
     *     not relocatable and not loadable at 0x100000, or truncated
     */
    public static BzImage parse(byte[] bytes, String name) throws ImageException {
        if (bytes.length < 0x264 || !isBzImage(bytes)) {
            throw new ImageException(name, "not a Linux bzImage (no \"HdrS\" setup header at 0x202)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int protocol = b.getShort(VERSION) & 0xFFFF;
        if (protocol < MIN_PROTOCOL) {
            throw new ImageException(name, String.format("boot protocol %d.%02d is too old (kjump needs 2.06 or later)",
                    protocol >> 8, protocol & 0xFF));
        }
        if ((b.getShort(BOOT_FLAG) & 0xFFFF) != 0xAA55) {
            throw new ImageException(name, "not a Linux bzImage (boot_flag at 0x1fe is not 0xAA55)");
        }
        if ((bytes[0x211] & BootParams.LOADED_HIGH) == 0) {
            throw new ImageException(name, "a zImage (loaded low), not a bzImage; kjump boots bzImages only");
        }
        int setupSects = bytes[SETUP_SECTS] & 0xFF;
        if (setupSects == 0) {
            setupSects = 4;
        }
        int headerEnd = HEADER + (bytes[JUMP_END] & 0xFF);
        long payloadOffset = (setupSects + 1) * 512L;
        long sysSize = (b.getInt(SYSSIZE) & 0xFFFFFFFFL) * 16;
        if (headerEnd > payloadOffset || payloadOffset >= bytes.length) {
            throw new ImageException(name, String.format("truncated: %d bytes, but the setup code alone is %d bytes"
                    + " (setup_sects %d)", bytes.length, payloadOffset, setupSects));
        }
        if (payloadOffset + sysSize > bytes.length) {
            throw new ImageException(name, String.format("truncated: %d bytes, but the setup header says %d "
                    + "(setup %d + protected-mode code %d)", bytes.length, payloadOffset + sysSize, payloadOffset,
                    sysSize));
        }
        return new BzImage(name, bytes, protocol, setupSects);
    }

    /**
     * Reads a whole file for the loader (a bzImage or an initrd), with a one-line error.
     *
     * @param path the file
     * @param what what it is, for the message
     * @return its bytes
     * @throws ImageException when it cannot be read ({@code PATH: ENOENT (No such file or directory)}), is not a
     *     regular file, or is 2 GiB or more
     */
    public static byte[] readFile(Path path, String what) throws ImageException {
        return HostFiles.read(path, what, Integer.MAX_VALUE - 16);
    }

    /**
     * Refuses what is not a regular file (a device such as /dev/zero, a FIFO, a directory): reading it whole would
     * never end or block.
     *
     * @throws ImageException naming the file and what it is
     */
    public static void requireRegularFile(Path path, String what) throws ImageException {
        String kind = HostFiles.notRegular(path);
        if (kind != null) {
            throw new ImageException(path.toString(), "the " + what + " is not a regular file (" + kind + ")");
        }
    }

    private static String readVersion(byte[] bytes, int pointer) {
        if (pointer == 0 || pointer + 0x200 >= bytes.length) {
            return "";
        }
        int at = pointer + 0x200;
        int end = at;
        while (end < bytes.length && end - at < 200 && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
    }

    /** The name given to {@link #parse} or the path given to {@link #load}. */
    public String name() {
        return name;
    }

    /** The boot protocol version, e.g. 0x20f for 2.15. */
    public int protocol() {
        return protocol;
    }

    /** The setup code's size in 512-byte sectors ({@code setup_sects}, 0 read as 4). */
    public int setupSects() {
        return setupSects;
    }

    /** Where the protected-mode code starts in the file: {@code (setup_sects + 1) * 512}. */
    public int payloadOffset() {
        return (setupSects + 1) * 512;
    }

    /** The protected-mode code's size in bytes (the rest of the file). */
    public int payloadSize() {
        return payload.length;
    }

    /** {@code code32_start} as the header gives it: the default load address, 0x100000. */
    public int code32Start() {
        return code32Start;
    }

    /** {@code pref_address}: where the kernel runs (and decompresses itself to) by preference. */
    public long prefAddress() {
        return prefAddress;
    }

    /** {@code kernel_alignment}: the alignment a relocatable kernel needs. */
    public int kernelAlignment() {
        return kernelAlignment;
    }

    /** {@code relocatable_kernel}: whether the kernel may be loaded at any aligned address. */
    public boolean relocatable() {
        return relocatable;
    }

    /** {@code init_size}: the memory the kernel needs from where it decompresses itself to; 0 before 2.10. */
    public long initSize() {
        return initSize;
    }

    /** {@code cmdline_size}: the longest command line, without the terminating NUL. */
    public int cmdlineSize() {
        return cmdlineSize;
    }

    /** {@code initrd_addr_max}: the highest address the initrd's last byte may have. */
    public long initrdAddrMax() {
        return initrdAddrMax;
    }

    /** The kernel's version string (from {@code kernel_version}), e.g. {@code "6.1.192 (kjump@kjump) #1 ..."}. */
    public String version() {
        return version;
    }

    /**
     * Plans a boot with QEMU's e820 map for {@code ramSize} bytes of RAM ({@link BootParams#qemuE820}).
     *
     * @see #boot(String, byte[], String, List)
     */
    public Boot boot(long ramSize, String cmdline, byte[] initrd, String initrdName) throws ImageException {
        List<E820Entry> e820;
        try {
            e820 = BootParams.qemuE820(ramSize);
        } catch (IllegalArgumentException e) {
            throw new ImageException(name, "cannot boot with " + (ramSize >> 10) + " KiB of RAM: " + e.getMessage());
        }
        return boot(cmdline, initrd, initrdName, e820);
    }

    /**
     * Plans a boot per the 32-bit boot protocol, using only the usable ({@link BootParams#E820_RAM}) parts of
     * {@code e820}:
     * <ul>
     *   <li>the protected-mode code at 0x100000 (as QEMU and GRUB load it); a relocatable kernel whose RAM does
     *       not include 0x100000 goes to the first address aligned to {@code kernel_alignment} where it fits;</li>
     *   <li>the zero page at {@link #BOOT_PARAMS_ADDR} (or the lowest free usable page above it), then a page with
     *       the GDT and the command line;</li>
     *   <li>the initrd as high as it goes below {@code initrd_addr_max} and the top of usable RAM, page aligned,
     *       as QEMU places it ({@code (top - 1 - size) & ~0xfff}).</li>
     * </ul>
     * Everything, including the area the kernel decompresses itself to ({@code init_size} bytes from
     * {@code pref_address}, or from the aligned load address when that is higher), must lie in usable RAM and not
     * overlap.
     *
     * @param cmdline the kernel command line (at most {@link #cmdlineSize()} bytes in UTF-8)
     * @param initrd the initrd's bytes, or {@code null} for none
     * @param initrdName the initrd's name for messages
     * @param e820 the machine's memory map; it goes into the zero page as given (at most 128 entries)
     * @return the plan
     * @throws ImageException when the command line is too long, or the kernel or initrd does not fit
     */
    public Boot boot(String cmdline, byte[] initrd, String initrdName, List<E820Entry> e820) throws ImageException {
        byte[] text = cmdline.getBytes(StandardCharsets.UTF_8);
        if (text.length > cmdlineSize) {
            throw new ImageException(name, String.format("command line too long: %d bytes, the kernel takes at most %d",
                    text.length, cmdlineSize));
        }
        if (e820.size() > BootParams.E820_MAX) {
            throw new ImageException(name, "e820 map has " + e820.size() + " entries; the zero page holds 128");
        }
        List<E820Entry> usable = new ArrayList<>();
        for (E820Entry e : e820) {
            if (e.type() == BootParams.E820_RAM && e.size() > 0 && e.addr() < (1L << 32)) {
                usable.add(new E820Entry(e.addr(), Math.min(e.end(), 1L << 32) - e.addr(), e.type()));
            }
        }
        usable.sort(Comparator.comparingLong(E820Entry::addr));
        List<long[]> taken = new ArrayList<>();

        // the protected-mode code, and the area it decompresses itself into
        long load = inUsable(usable, LOW_MEMORY, payload.length) ? LOW_MEMORY : -1;
        if (load < 0 && relocatable) {
            load = place(usable, LOW_MEMORY, payload.length, Math.max(kernelAlignment, (int) PAGE), taken);
        }
        if (load < 0) {
            throw new ImageException(name, String.format("no usable RAM for the %d-byte kernel at 0x%x%s",
                    payload.length, LOW_MEMORY, relocatable ? " or above" : " (it is not relocatable)"));
        }
        long target = prefAddress;
        if (relocatable) {
            long aligned = kernelAlignment > 0 ? (load + kernelAlignment - 1) / kernelAlignment * kernelAlignment : load;
            target = Math.max(aligned, prefAddress);
        }
        long targetEnd = target + Math.max(initSize, 0);
        if (initSize > 0 && !inUsable(usable, target, initSize)) {
            throw new ImageException(name, String.format("the kernel decompresses itself to 0x%x-0x%x (init_size "
                    + "%d KiB), which is not all usable RAM (the usable RAM ends at 0x%x); give the machine more memory",
                    target, targetEnd - 1, initSize >> 10, usable.isEmpty() ? 0 : usable.get(usable.size() - 1).end()));
        }
        taken.add(new long[] {load, load + payload.length});
        taken.add(new long[] {target, targetEnd});

        // the zero page, then one or more pages holding the GDT and the command line
        long tail = GDT.length * 8L + text.length + 1;
        long lowSize = PAGE + (tail + PAGE - 1) / PAGE * PAGE;
        long bp = place(usable, BOOT_PARAMS_ADDR, lowSize, PAGE, taken);
        if (bp < 0) {
            throw new ImageException(name, "no usable RAM for the zero page and the command line");
        }
        taken.add(new long[] {bp, bp + lowSize});
        long gdt = bp + PAGE;
        long cmd = gdt + GDT.length * 8L;

        // the initrd: as high as it goes
        long rd = 0;
        if (initrd != null && initrd.length > 0) {
            rd = placeHigh(usable, initrd.length, Math.min(initrdAddrMax, (1L << 32) - 1), taken);
            if (rd < 0) {
                throw new ImageException(initrdName, String.format("initrd of %d bytes does not fit in usable RAM "
                        + "below 0x%x next to the kernel (0x%x-0x%x); give the machine more memory",
                        initrd.length, initrdAddrMax + 1, Math.min(load, target), Math.max(targetEnd,
                                load + payload.length) - 1));
            }
        }

        byte[] bootParams = BootParams.build(header, (int) load, (int) rd, initrd == null ? 0 : initrd.length,
                (int) cmd, e820);
        byte[] tailBytes = new byte[(int) tail];
        ByteBuffer t = ByteBuffer.wrap(tailBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : GDT) {
            t.putLong(d);
        }
        t.put(text);
        List<Segment> segs = new ArrayList<>();
        segs.add(new Segment(bp, bootParams, PAGE));
        segs.add(new Segment(gdt, tailBytes, tailBytes.length));
        segs.add(new Segment(load, payload, payload.length));
        if (rd != 0) {
            segs.add(new Segment(rd, initrd, initrd.length));
        }
        segs.sort(Comparator.comparingLong(Segment::physAddr));
        return new Boot(segs, (int) load, (int) bp, (int) gdt, GDT.length * 8 - 1, (int) cmd, (int) rd,
                initrd == null ? 0 : initrd.length, target, targetEnd);
    }

    private static boolean inUsable(List<E820Entry> usable, long addr, long size) {
        for (E820Entry e : usable) {
            if (addr >= e.addr() && addr + size <= e.end()) {
                return true;
            }
        }
        return false;
    }

    private static boolean free(List<long[]> taken, long addr, long size) {
        for (long[] r : taken) {
            if (addr < r[1] && r[0] < addr + size) {
                return false;
            }
        }
        return true;
    }

    /** The lowest address at or above {@code from}, aligned, where {@code size} bytes fit; -1 if none. */
    private static long place(List<E820Entry> usable, long from, long size, long align, List<long[]> taken) {
        for (E820Entry e : usable) {
            for (long a = (Math.max(e.addr(), from) + align - 1) / align * align; a + size <= e.end(); a += align) {
                if (free(taken, a, size)) {
                    return a;
                }
            }
        }
        return -1;
    }

    /** The highest page-aligned address, as QEMU computes it, where {@code size} bytes end at or below max; -1. */
    private static long placeHigh(List<E820Entry> usable, long size, long max, List<long[]> taken) {
        for (int i = usable.size() - 1; i >= 0; i--) {
            E820Entry e = usable.get(i);
            long top = Math.min(e.end() - 1, max);
            for (long a = (top - size) & ~(PAGE - 1); a >= e.addr() && a >= 0; a -= PAGE) {
                if (free(taken, a, size)) {
                    return a;
                }
                a = lowestBelow(taken, a, size);
            }
        }
        return -1;
    }

    /** Skips below the taken range that {@code [a, a + size)} hits, so placeHigh does not crawl page by page. */
    private static long lowestBelow(List<long[]> taken, long a, long size) {
        long next = a;
        for (long[] r : taken) {
            if (a < r[1] && r[0] < a + size) {
                next = Math.min(next, ((r[0] - size) & ~(PAGE - 1)) + PAGE);
            }
        }
        return next;
    }

    /** A one-line description: name, protocol, version and the protected-mode code's size. */
    @Override
    public String toString() {
        return String.format("BzImage[%s, protocol %d.%02d, %s, %d-byte protected-mode code]", name, protocol >> 8,
                protocol & 0xFF, version, payload.length);
    }
}
