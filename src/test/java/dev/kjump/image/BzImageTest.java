package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kjump.image.BootParams.E820Entry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Linux boot protocol loader: the committed bzImage's zero page and placements, and bad input. */
class BzImageTest {
    static final Path KERNEL = Path.of("images/linux/bzImage");
    static final Path INITRD = Path.of("images/linux/initramfs.cpio");
    static final long MIB = 1L << 20;

    static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Segment at(BzImage.Boot boot, long addr) {
        return boot.segments().stream().filter(s -> s.physAddr() == addr).findFirst().orElseThrow();
    }

    @Test
    void theCommittedKernelsSetupHeaderIsRead() throws Exception {
        BzImage k = BzImage.load(KERNEL);
        assertThat(BzImage.isBzImage(KERNEL)).isTrue();
        assertThat(k.protocol()).isGreaterThanOrEqualTo(0x20f);
        assertThat(k.version()).startsWith("6.1.").contains("kjump@kjump");
        assertThat(k.relocatable()).isTrue();
        assertThat(k.kernelAlignment()).isEqualTo(0x200000);
        assertThat(k.prefAddress()).isEqualTo(0x1000000);
        assertThat(k.code32Start()).isEqualTo(0x100000);
        assertThat(k.cmdlineSize()).isEqualTo(2047);
        assertThat(k.initrdAddrMax()).isEqualTo(0x7fffffff);
        assertThat(k.initSize()).isBetween(2 * MIB, 16 * MIB);
        assertThat((long) k.payloadOffset() + k.payloadSize()).isEqualTo(Files.size(KERNEL));
    }

    @Test
    void bootParamsAndPlacementsAreWhatTheBootProtocolAsks() throws Exception {
        byte[] file = Files.readAllBytes(KERNEL);
        byte[] rd = Files.readAllBytes(INITRD);
        BzImage k = BzImage.parse(file, "bzImage");
        BzImage.Boot boot = k.boot(128 * MIB, "console=ttyS0 no387", rd, "initramfs.cpio");

        assertThat(boot.entry()).isEqualTo(0x100000);
        assertThat(boot.bootParams()).isEqualTo(BzImage.BOOT_PARAMS_ADDR);
        assertThat(boot.decompressAt()).isEqualTo(0x1000000);
        // as QEMU -m 128 places it: (0x7fe0000 - 1 - size) & ~0xfff; Linux prints "RAMDISK: [mem 0x07fdd000-...]"
        assertThat(boot.initrd()).isEqualTo((0x7fe0000 - 1 - rd.length) & ~0xfff);
        assertThat(boot.initrdSize()).isEqualTo(rd.length);

        // the protected-mode code is the file after the setup sectors, at the entry
        Segment code = at(boot, 0x100000);
        assertThat(code.data()).isEqualTo(Arrays.copyOfRange(file, k.payloadOffset(), file.length));
        assertThat(at(boot, boot.initrd()).data()).isEqualTo(rd);

        byte[] bp = at(boot, boot.bootParams()).data();
        assertThat(bp).hasSize(4096);
        ByteBuffer b = le(bp);
        int hdrEnd = 0x202 + (file[0x201] & 0xFF);
        // zero before the header, the header copied (but for the loader's fields), zero after it but for e820
        assertThat(Arrays.copyOfRange(bp, 0, BootParams.E820_ENTRIES)).containsOnly(0);
        assertThat(new String(bp, 0x202, 4, StandardCharsets.ISO_8859_1)).isEqualTo("HdrS");
        byte[] expected = Arrays.copyOfRange(file, 0x1f1, hdrEnd);
        byte[] copied = Arrays.copyOfRange(bp, 0x1f1, hdrEnd);
        for (int off : new int[] {0x210, 0x211, 0x214, 0x218, 0x21c, 0x224, 0x228}) {
            int w = off == 0x210 || off == 0x211 ? 1 : off == 0x224 ? 2 : 4;
            Arrays.fill(expected, off - 0x1f1, off - 0x1f1 + w, (byte) 0);
            Arrays.fill(copied, off - 0x1f1, off - 0x1f1 + w, (byte) 0);
        }
        assertThat(copied).isEqualTo(expected);
        assertThat(bp[0x210] & 0xFF).isEqualTo(0xFF);
        assertThat(bp[0x211] & BootParams.LOADED_HIGH).isEqualTo(BootParams.LOADED_HIGH);
        assertThat(bp[0x211] & BootParams.CAN_USE_HEAP).isZero();
        assertThat(b.getInt(0x214)).isEqualTo(0x100000);
        assertThat(b.getInt(0x218)).isEqualTo(boot.initrd());
        assertThat(b.getInt(0x21c)).isEqualTo(rd.length);
        assertThat(b.getInt(0x228)).isEqualTo(boot.cmdline());

        // QEMU's e820 for -m 128
        assertThat(bp[0x1e8]).isEqualTo((byte) 6);
        long[][] e820 = {{0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0xf0000, 0x10000, 2}, {0x100000, 0x7ee0000, 1},
            {0x7fe0000, 0x20000, 2}, {0xfffc0000L, 0x40000, 2}};
        for (int i = 0; i < e820.length; i++) {
            assertThat(b.getLong(0x2d0 + 20 * i)).isEqualTo(e820[i][0]);
            assertThat(b.getLong(0x2d0 + 20 * i + 8)).isEqualTo(e820[i][1]);
            assertThat(b.getInt(0x2d0 + 20 * i + 16)).isEqualTo((int) e820[i][2]);
        }
        assertThat(Arrays.copyOfRange(bp, 0x2d0 + 20 * 6, 4096)).containsOnly(0);

        // the GDT (flat __BOOT_CS and __BOOT_DS) and the NUL-terminated command line follow the zero page
        byte[] tail = at(boot, boot.gdtBase()).data();
        assertThat(boot.gdtLimit()).isEqualTo(31);
        assertThat(le(tail).getLong(0x10)).isEqualTo(0x00cf9a000000ffffL);
        assertThat(le(tail).getLong(0x18)).isEqualTo(0x00cf92000000ffffL);
        int off = boot.cmdline() - boot.gdtBase();
        assertThat(new String(tail, off, tail.length - off, StandardCharsets.ISO_8859_1))
                .isEqualTo("console=ttyS0 no387\0");

        // sorted, no overlaps, and clear of where the kernel decompresses itself to
        List<Segment> segs = boot.segments();
        for (int i = 1; i < segs.size(); i++) {
            assertThat(segs.get(i).physAddr()).isGreaterThanOrEqualTo(segs.get(i - 1).end());
        }
        for (Segment s : segs) {
            assertThat(s.end() <= boot.decompressAt() || s.physAddr() >= boot.decompressEnd()).isTrue();
        }
    }

    @Test
    void noInitrdAndAnOwnE820Map() throws Exception {
        BzImage k = BzImage.load(KERNEL);
        List<E820Entry> map = List.of(new E820Entry(0x100000, 63 * MIB, BootParams.E820_RAM),
                new E820Entry(0, 0x9f000, BootParams.E820_RAM));
        BzImage.Boot boot = k.boot("", null, "", map);
        assertThat(boot.initrd()).isZero();
        byte[] bp = at(boot, boot.bootParams()).data();
        assertThat(le(bp).getInt(0x218)).isZero();
        assertThat(le(bp).getInt(0x21c)).isZero();
        assertThat(bp[0x1e8]).isEqualTo((byte) 2);
        assertThat(le(bp).getLong(0x2d0)).isEqualTo(0x100000); // as given
    }

    @Test
    void aRelocatableKernelGoesToAnAlignedAddressWhenItsRamHasNoLowMegabyte() throws Exception {
        BzImage k = BzImage.load(KERNEL);
        List<E820Entry> map = List.of(new E820Entry(0x3000000, 32 * MIB, BootParams.E820_RAM));
        BzImage.Boot boot = k.boot("x", new byte[5000], "rd", map);
        assertThat(boot.entry()).isEqualTo(0x3000000);
        assertThat(boot.decompressAt()).isEqualTo(0x3000000);
        assertThat(boot.bootParams()).isGreaterThanOrEqualTo(0x3000000);
        assertThat(boot.initrd()).isEqualTo((0x5000000 - 1 - 5000) & ~0xfff);
    }

    static byte[] header(int protocol) throws Exception {
        byte[] b = Arrays.copyOf(Files.readAllBytes(KERNEL), 0x2000 + 0x400);
        ByteBuffer h = le(b);
        h.put(0x1f1, (byte) 0); // setup_sects 0 means 4
        h.putInt(0x1f4, 0x40); // 1 KiB of protected-mode code
        h.putShort(0x206, (short) protocol);
        h.putShort(0x20e, (short) 0);
        return Arrays.copyOf(b, 5 * 512 + 0x400);
    }

    @Test
    void aSyntheticMinimalHeaderWithZeroSetupSectsMeansFour() throws Exception {
        BzImage k = BzImage.parse(header(0x206), "tiny");
        assertThat(k.setupSects()).isEqualTo(4);
        assertThat(k.payloadOffset()).isEqualTo(0xa00);
        assertThat(k.payloadSize()).isEqualTo(0x400);
        assertThat(k.initSize()).isZero(); // before 2.10
        assertThat(k.prefAddress()).isEqualTo(0x100000);
        assertThat(k.version()).isEmpty();
    }

    @Test
    void badInputIsOneClearLine() throws Exception {
        assertThatThrownBy(() -> BzImage.parse(new byte[100], "short"))
                .isInstanceOf(ImageException.class).hasMessage("short: not a Linux bzImage (no \"HdrS\" setup header at 0x202)");
        byte[] elf = Files.readAllBytes(Path.of("images/examples/elf/hello.elf"));
        assertThat(BzImage.isBzImage(elf)).isFalse();
        assertThat(BzImage.isBzImage(Path.of("images/examples/elf/hello.elf"))).isFalse();
        assertThat(BzImage.isBzImage(Path.of("no/such/file"))).isFalse();
        assertThatThrownBy(() -> BzImage.parse(elf, "hello.elf")).hasMessageContaining("not a Linux bzImage");
        assertThatThrownBy(() -> BzImage.parse(header(0x205), "old"))
                .hasMessage("old: boot protocol 2.05 is too old (kjump needs 2.06 or later)");
        byte[] noFlag = header(0x206);
        noFlag[0x1fe] = 0;
        assertThatThrownBy(() -> BzImage.parse(noFlag, "f")).hasMessageContaining("boot_flag");
        byte[] zimage = header(0x206);
        zimage[0x211] = 0;
        assertThatThrownBy(() -> BzImage.parse(zimage, "z")).hasMessageContaining("zImage");
        byte[] file = Files.readAllBytes(KERNEL);
        assertThatThrownBy(() -> BzImage.parse(Arrays.copyOf(file, file.length - 100), "cut"))
                .hasMessageStartingWith("cut: truncated: ");
        assertThatThrownBy(() -> BzImage.parse(Arrays.copyOf(file, 0x300), "cut"))
                .hasMessageStartingWith("cut: truncated: ").hasMessageContaining("setup code");
        assertThatThrownBy(() -> BzImage.load(Path.of("no/such/bzImage")))
                .hasMessage("no/such/bzImage: ENOENT (No such file or directory)");

        BzImage k = BzImage.parse(file, "bzImage");
        assertThatThrownBy(() -> k.boot(128 * MIB, "x".repeat(2048), null, ""))
                .hasMessage("bzImage: command line too long: 2048 bytes, the kernel takes at most 2047");
        assertThat(k.boot(128 * MIB, "x".repeat(2047), null, "").cmdline()).isPositive();
        assertThatThrownBy(() -> k.boot(16 * MIB, "", null, ""))
                .hasMessageContaining("decompresses itself to 0x1000000").hasMessageContaining("more memory");
        assertThatThrownBy(() -> k.boot(40 * MIB, "", new byte[(int) (24 * MIB)], "big.cpio"))
                .hasMessageStartingWith("big.cpio: initrd of 25165824 bytes does not fit");
        assertThatThrownBy(() -> k.boot(1 * MIB, "", null, "")).hasMessageContaining("cannot boot with 1024 KiB");
        assertThat(k.boot(40 * MIB, "", new byte[(int) (8 * MIB)], "ok.cpio").initrd()).isPositive();
    }
}
