package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kexec-tools' bzImage loader on the committed Linux: the segments it hands kexec_load. */
class BzImageKexecTest {
    private static final long MIB = 1L << 20;

    private static BzImage linux() throws ImageException {
        return BzImage.load(Path.of("images/linux/bzImage"));
    }

    @Test
    void segmentsArePageAlignedAndTheKernelRunsInThePeerRegion() throws ImageException {
        BzImage k = linux();
        byte[] rd = new byte[10240];
        BzImageKexec.Load l = BzImageKexec.load(k, "console=ttyS0", rd, "rd", 64 * MIB, 64 * MIB);
        List<Segment> s = l.segments();
        assertThat(s).hasSize(5);
        for (Segment seg : s) {
            assertThat(seg.physAddr() % 4096).as("mem of %s", seg).isZero();
            assertThat(seg.memSize() % 4096).as("memsz of %s", seg).isZero();
            boolean low = seg.end() <= 0x9fc00;
            boolean peer = seg.physAddr() >= 64 * MIB && seg.end() <= 128 * MIB;
            assertThat(low || peer).as("%s lies in low RAM or the peer region", seg).isTrue();
        }
        Segment kernel = s.stream().filter(x -> x.physAddr() == 64 * MIB).findFirst().orElseThrow();
        assertThat(kernel.memSize()).as("memsz covers init_size").isGreaterThanOrEqualTo(k.initSize());
        assertThat(l.boot().entry()).isEqualTo((int) (64 * MIB));
        assertThat(l.boot().initrd()).isEqualTo((int) (128 * MIB - 3 * 4096));
        assertThat(l.e820()).extracting(BootParams.E820Entry::toString).containsExactly(
                "[mem 0x0000000000000000-0x000000000009fbff] usable",
                "[mem 0x000000000009fc00-0x000000000009ffff] reserved",
                "[mem 0x00000000000f0000-0x00000000000fffff] reserved",
                "[mem 0x0000000004000000-0x0000000007ffffff] usable");
        // the zero page carries that map, the command line pointer and the initrd
        Segment zp = s.stream().filter(x -> x.physAddr() == l.boot().bootParams()).findFirst().orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(zp.data()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.get(BootParams.E820_ENTRIES)).isEqualTo((byte) 4);
        assertThat(b.getInt(BootParams.CMD_LINE_PTR)).isEqualTo(l.boot().cmdline());
        assertThat(b.getInt(BootParams.RAMDISK_IMAGE)).isEqualTo(l.boot().initrd());
        // the purgatory is the entry, its fields filled, room after the command line for what it appends
        Segment pg = s.stream().filter(x -> x.physAddr() == l.entry()).findFirst().orElseThrow();
        ByteBuffer p = ByteBuffer.wrap(pg.data()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(p.getInt(BzImageKexec.ENTRY32_EIP)).isEqualTo(l.boot().entry());
        assertThat(p.getInt(BzImageKexec.ENTRY32_ESI)).isEqualTo(l.boot().bootParams());
        int end = l.boot().cmdline() + "console=ttyS0".length();
        assertThat(p.getInt(BzImageKexec.CMDLINE_END)).isEqualTo(end);
        Segment cmd = s.stream().filter(x -> x.physAddr() <= l.boot().cmdline() && x.end() > l.boot().cmdline())
                .findFirst().orElseThrow();
        assertThat(cmd.end()).isGreaterThanOrEqualTo(end + BzImageKexec.APPENDED);
        assertThat(new String(cmd.data(), (int) (l.boot().cmdline() - cmd.physAddr()), "console=ttyS0".length(),
                StandardCharsets.US_ASCII)).isEqualTo("console=ttyS0");
    }

    @Test
    void thePurgatoryIsCommittedRealCode() {
        byte[] p = BzImageKexec.purgatory();
        assertThat(p).hasSize(BzImageKexec.PURGATORY_SIZE);
        assertThat(p[0]).as("cld").isEqualTo((byte) 0xfc);
        assertThat(new String(p, 0x110, 25, StandardCharsets.US_ASCII)).isEqualTo(" kexec_jump_back_entry=0x");
    }

    @Test
    void refusals() throws ImageException {
        BzImage k = linux();
        assertThatThrownBy(() -> BzImageKexec.load(k, "", null, "", 0, 0))
                .hasMessageContaining("there is no peer region");
        assertThatThrownBy(() -> BzImageKexec.load(k, "x".repeat(2030), null, "", 64 * MIB, 64 * MIB))
                .hasMessageContaining("the jump-back entry needs 33");
        assertThatThrownBy(() -> BzImageKexec.load(k, "", null, "", 64 * MIB, 2 * MIB))
                .hasMessageContaining("give the peer region more memory (--peer-mem)");
    }
}
