package dev.kjump.image;

import dev.kjump.image.BootParams.E820Entry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What kexec-tools' bzImage loader ({@code kexec/arch/i386/kexec-bzImage.c}) does for {@code kexec -l BZIMAGE}:
 * the segments a first kernel hands {@code kexec_load} to boot a relocatable Linux as its peer, with the entry
 * point. The peer gets only the peer region (RAM the first kernel never allocates) and what Linux needs below
 * 1 MiB:
 * <ul>
 *   <li>the e820 map {@link #peerE820}: usable {@code 0..0x9fc00} (Linux needs sub-1 MiB RAM for its real-mode
 *       trampoline and keeps the first 64 KiB for the BIOS; kjump's kernel never uses RAM below 1 MiB), the EBDA
 *       and the BIOS area reserved as QEMU reports them, and the peer region usable;</li>
 *   <li>the protected-mode kernel in the peer region at the first address aligned to {@code kernel_alignment}
 *       (the relocatable kernel runs there), the segment's {@code memsz} covering the {@code init_size} bytes it
 *       decompresses itself into, so that the whole area is the kimage's;</li>
 *   <li>{@code boot_params} (the zero page) at 0x10000 and a page with the command line after it, as
 *       {@link BzImage#boot} plans them, the initrd at the top of the peer region;</li>
 *   <li>the purgatory ({@code src/main/asm/purgatory.S}), one page after the command line: the kimage's entry. It
 *       appends {@code " kexec_jump_back_entry=0x%08x"} (the first kernel's re-entry point, 0(%esp) at its entry)
 *       to the command line, loads a GDT with flat {@code __BOOT_CS}/{@code __BOOT_DS} and enters the kernel with
 *       {@code %esi} = boot_params.</li>
 * </ul>
 * Every segment is page aligned in {@code mem} and {@code memsz}, as {@code kexec_load} demands.
 */
public final class BzImageKexec {
    /** The purgatory's size. */
    public static final int PURGATORY_SIZE = 0x200;
    /** Offsets of the purgatory's fields: {@code entry32_eip}, {@code entry32_esi}, {@code cmdline_end}, and the
     * {@code jump_back_entry} it stores at run time. */
    public static final int ENTRY32_EIP = 0x100, ENTRY32_ESI = 0x104, CMDLINE_END = 0x108, JUMP_BACK_ENTRY = 0x10c;
    /** What the purgatory appends, at most: {@code " kexec_jump_back_entry=0x"}, eight digits and the NUL. */
    public static final int APPENDED = " kexec_jump_back_entry=0x".length() + 8 + 1;

    private static final long PAGE = 0x1000;
    private static final long LOW_END = 0x9f000;
    private static final byte[] PURGATORY = loadPurgatory();

    /**
     * The plan.
     *
     * @param segments the kexec segments, sorted by address, page aligned
     * @param entry the kimage's entry: the purgatory
     * @param boot where {@link BzImage#boot} put the kernel, the zero page, the command line and the initrd
     * @param e820 the peer's memory map
     */
    public record Load(List<Segment> segments, long entry, BzImage.Boot boot, List<E820Entry> e820) {
        /** Copies the lists. */
        public Load {
            segments = List.copyOf(segments);
            e820 = List.copyOf(e820);
        }
    }

    private BzImageKexec() {
    }

    private static byte[] loadPurgatory() {
        try (InputStream in = BzImageKexec.class.getResourceAsStream("/dev/kjump/image/purgatory.bin")) {
            if (in == null) {
                throw new IllegalStateException("purgatory.bin is missing from the classpath");
            }
            byte[] b = in.readAllBytes();
            if (b.length != PURGATORY_SIZE) {
                throw new IllegalStateException("purgatory.bin must be " + PURGATORY_SIZE + " bytes, is " + b.length);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The purgatory's bytes as assembled (its fields zero). */
    public static byte[] purgatory() {
        return PURGATORY.clone();
    }

    /**
     * The peer's e820 map: low RAM as QEMU reports it ({@code 0..0x9fc00} usable, the EBDA at 0x9fc00 and the BIOS at
     * 0xf0000 reserved), then the peer region usable; nothing else exists for the peer.
     */
    public static List<E820Entry> peerE820(long peerStart, long peerSize) {
        return List.of(
                new E820Entry(0, 0x9fc00, BootParams.E820_RAM),
                new E820Entry(0x9fc00, 0x400, BootParams.E820_RESERVED),
                new E820Entry(0xf0000, 0x10000, BootParams.E820_RESERVED),
                new E820Entry(peerStart, peerSize, BootParams.E820_RAM));
    }

    /**
     * Plans the load of {@code kernel} into the peer region {@code [peerStart, peerStart + peerSize)}.
     *
     * @param cmdline the command line (the purgatory appends the jump-back entry to it)
     * @param initrd the initrd's bytes, or null
     * @throws ImageException when the kernel is not relocatable, the command line leaves no room for the
     *     jump-back entry, or the kernel, its decompression area or the initrd does not fit in the peer region
     */
    public static Load load(BzImage kernel, String cmdline, byte[] initrd, String initrdName, long peerStart,
                            long peerSize) throws ImageException {
        if (peerSize <= 0) {
            throw new ImageException(kernel.name(), "there is no peer region to load it into (--peer-mem)");
        }
        if (peerStart < 0x100000) {
            throw new ImageException(kernel.name(), String.format("the peer region 0x%x must start at or above 1 MiB",
                    peerStart));
        }
        if (!kernel.relocatable()) {
            throw new ImageException(kernel.name(), "the kernel is not relocatable (CONFIG_RELOCATABLE): it cannot run "
                    + "in the peer region");
        }
        int room = kernel.cmdlineSize() - cmdline.getBytes(StandardCharsets.UTF_8).length;
        if (room < APPENDED - 1) {
            throw new ImageException(kernel.name(), String.format("command line too long: the kernel takes %d bytes and "
                    + "the jump-back entry needs %d of them", kernel.cmdlineSize(), APPENDED - 1));
        }
        List<E820Entry> e820 = peerE820(peerStart, peerSize);
        BzImage.Boot boot;
        try {
            boot = kernel.boot(cmdline, initrd, initrdName, e820);
        } catch (ImageException e) {
            throw new ImageException(e.source(), e.problem().replace("give the machine more memory",
                    "give the peer region more memory (--peer-mem)"));
        }
        List<Segment> segs = new ArrayList<>();
        long lowEnd = 0;
        for (Segment s : boot.segments()) {
            long start = s.physAddr();
            long end = s.end();
            if (start == boot.entry()) {
                // the protected-mode kernel: memsz covers the area it decompresses itself into (init_size)
                end = Math.max(end, boot.decompressEnd());
            }
            if (boot.cmdline() >= start && boot.cmdline() < end) {
                end = Math.max(end, boot.cmdline() + cmdline.getBytes(StandardCharsets.UTF_8).length + APPENDED);
            }
            end = (end + PAGE - 1) & ~(PAGE - 1);
            segs.add(new Segment(start, s.data(), end - start));
            if (start < 0x100000) {
                lowEnd = Math.max(lowEnd, end);
            }
        }
        long purgatory = lowEnd;
        if (purgatory + PAGE > LOW_END) {
            throw new ImageException(kernel.name(), "no room below 640 KiB for the purgatory");
        }
        byte[] stub = purgatory();
        ByteBuffer b = ByteBuffer.wrap(stub).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(ENTRY32_EIP, boot.entry());
        b.putInt(ENTRY32_ESI, boot.bootParams());
        b.putInt(CMDLINE_END, boot.cmdline() + cmdline.getBytes(StandardCharsets.UTF_8).length);
        segs.add(new Segment(purgatory, stub, PAGE));
        segs.sort(Comparator.comparingLong(Segment::physAddr));
        return new Load(segs, purgatory, boot, e820);
    }
}
