package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Physical memory: lazy pages, the all-ones hole beyond RAM, access widths and alignment, bulk operations. */
class PhysicalMemoryTest {
    static final int PAGE = PhysicalMemory.PAGE_SIZE;

    final PhysicalMemory mem = new PhysicalMemory(64 * PAGE);
    final int end = 64 * PAGE;

    @Test
    void untouchedRamReadsZeroAndAllocatesNothing() {
        assertThat(mem.read8(0)).isZero();
        assertThat(mem.read16(0x1FFF)).isZero();
        assertThat(mem.read32(0x2FFE)).isZero();
        byte[] b = {1, 2, 3};
        mem.read(0x5000, b, 0, 3);
        assertThat(b).containsOnly(0);
        assertThat(mem.samePage(3, 4)).isTrue();
        mem.fill(0x6000, PAGE, 0);
        assertThat(mem.allocatedPages()).isZero();
        assertThat(mem.pageFingerprint(7)).isEqualTo(new PhysicalMemory(PAGE).pageFingerprint(0));
    }

    @Test
    void outsideRamReadsAllOnesAndDropsWrites() {
        assertThat(mem.inRam(end - 1)).isTrue();
        assertThat(mem.inRam(end)).isFalse();
        assertThat(mem.inRam(0xFFFFFFFF)).isFalse();
        mem.write8(end, 1);
        mem.write16(end + 10, 1);
        mem.write32(0xFEE00000, 1);
        mem.write(end + 0x100, new byte[] {1, 2}, 0, 2);
        mem.fill(end, 100, 7);
        assertThat(mem.allocatedPages()).isZero();
        assertThat(mem.read8(end)).isEqualTo(0xFF);
        assertThat(mem.read16(end + 10)).isEqualTo(0xFFFF);
        assertThat(mem.read32(0xFEE00000)).isEqualTo(-1);
        byte[] b = new byte[4];
        mem.read(end - 2, b, 0, 4);
        assertThat(b).containsExactly(0, 0, 0xFF, 0xFF);
        assertThat(mem.read32(end - 2)).as("straddling the end of RAM").isEqualTo(0xFFFF0000);
    }

    @Test
    void unalignedAndPageCrossingAccessesAreLittleEndian() {
        mem.write32(PAGE - 2, 0x11223344);
        assertThat(mem.read8(PAGE - 2)).isEqualTo(0x44);
        assertThat(mem.read8(PAGE + 1)).isEqualTo(0x11);
        assertThat(mem.read16(PAGE - 1)).isEqualTo(0x2233);
        assertThat(mem.read32(PAGE - 2)).isEqualTo(0x11223344);
        assertThat(mem.read32(PAGE - 3)).isEqualTo(0x22334400);
        mem.write16(2 * PAGE - 1, 0xABCD);
        assertThat(mem.read8(2 * PAGE - 1)).isEqualTo(0xCD);
        assertThat(mem.read8(2 * PAGE)).isEqualTo(0xAB);
        mem.write32(0x3001, 0xCAFEBABE);
        assertThat(mem.read32(0x3001)).isEqualTo(0xCAFEBABE);
        assertThat(mem.read16(0x3003)).isEqualTo(0xCAFE);
        assertThat(mem.allocatedPages()).isEqualTo(4);
    }

    @Test
    void bulkReadWriteAcrossPages() {
        byte[] src = new byte[3 * PAGE + 100];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i * 7 + 3);
        }
        mem.write(0x1F80, src, 0, src.length);
        byte[] back = new byte[src.length + 8];
        mem.read(0x1F80, back, 4, src.length);
        assertThat(java.util.Arrays.copyOfRange(back, 4, 4 + src.length)).isEqualTo(src);
        assertThat(mem.read8(0x1F80 + 5)).isEqualTo(src[5] & 0xFF);
        assertThat(mem.read8(0x1F7F)).isZero();
        assertThat(mem.allocatedPages()).as("pages 1-4").isEqualTo(4);
    }

    @Test
    void fillWritesTheByteOverPages() {
        mem.fill(0x0FF0, 0x30, 0xA5);
        assertThat(mem.read8(0x0FEF)).isZero();
        assertThat(mem.read32(0x0FF0)).isEqualTo(0xA5A5A5A5);
        assertThat(mem.read32(0x101C)).isEqualTo(0xA5A5A5A5);
        assertThat(mem.read8(0x1020)).isZero();
        mem.fill(0x0FF0, 0x30, 0);
        assertThat(mem.read32(0x0FF0)).isZero();
        assertThat(mem.read32(0x101C)).isZero();
    }

    @Test
    void copyPageSamePageAndFingerprint() {
        mem.write32(5 * PAGE + 100, 0x12345678);
        assertThat(mem.samePage(5, 6)).isFalse();
        long before = mem.pageFingerprint(6);
        mem.copyPage(5, 6);
        assertThat(mem.read32(6 * PAGE + 100)).isEqualTo(0x12345678);
        assertThat(mem.samePage(5, 6)).isTrue();
        assertThat(mem.pageFingerprint(6)).isEqualTo(mem.pageFingerprint(5)).isNotEqualTo(before);
        mem.write8(6 * PAGE, 1);
        assertThat(mem.samePage(5, 6)).isFalse();
        assertThat(mem.pageFingerprint(6)).isNotEqualTo(mem.pageFingerprint(5));

        mem.copyPage(9, 6); // an untouched source zeroes the destination
        assertThat(mem.read32(6 * PAGE + 100)).isZero();
        assertThat(mem.samePage(6, 9)).isTrue();
        assertThat(mem.pageFingerprint(6)).isEqualTo(mem.pageFingerprint(9));
        mem.write8(10 * PAGE + 5, 0); // allocated but zero: same as untouched
        assertThat(mem.samePage(10, 11)).isTrue();
        assertThat(mem.samePage(11, 10)).isTrue();

        assertThatThrownBy(() -> mem.copyPage(64, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mem.samePage(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mem.pageFingerprint(64)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fourGigabytesCostNothingUntilTouched() {
        PhysicalMemory big = new PhysicalMemory(PhysicalMemory.MAX_SIZE);
        assertThat(big.size()).isEqualTo(1L << 32);
        assertThat(big.pageCount()).isEqualTo(1 << 20);
        assertThat(big.allocatedPages()).isZero();
        assertThat(big.inRam(0xFFFFFFFF)).isTrue();
        assertThat(big.read32(0xFFFFFFFC)).isZero();
        big.write32(0xFFFFFFFC, 0xDEADBEEF);
        big.write8(0x12345678, 1);
        assertThat(big.read32(0xFFFFFFFC)).isEqualTo(0xDEADBEEF);
        assertThat(big.allocatedPages()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -4096, 4095, 4097, 3 * 4096 + 1, (1L << 32) + 4096, Long.MAX_VALUE})
    void invalidSizesAreRejected(long size) {
        assertThatThrownBy(() -> new PhysicalMemory(size)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void smallestMemoryIsOnePage() {
        PhysicalMemory one = new PhysicalMemory(PAGE);
        one.write32(PAGE - 2, 0x01020304);
        assertThat(one.read16(PAGE - 2)).isEqualTo(0x0304);
        assertThat(one.read32(PAGE - 2)).isEqualTo(0xFFFF0304);
    }

    // ------------------------------------------------------------------ property: a byte-array model

    record Access(int kind, int addr, int value) { }

    @Provide
    Arbitrary<List<Access>> accesses() {
        Arbitrary<Access> one = Combinators.combine(Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(3 * PAGE - 64, 3 * PAGE + 64), Arbitraries.integers()).as(Access::new);
        return one.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 300)
    void behavesLikeAByteArray(@ForAll("accesses") List<Access> ops) {
        PhysicalMemory m = new PhysicalMemory(4 * PAGE);
        byte[] model = new byte[4 * PAGE];
        for (Access a : ops) {
            int x = a.addr();
            switch (a.kind()) {
                case 0 -> {
                    m.write8(x, a.value());
                    model[x] = (byte) a.value();
                }
                case 1 -> {
                    m.write16(x, a.value());
                    model[x] = (byte) a.value();
                    model[x + 1] = (byte) (a.value() >>> 8);
                }
                case 2 -> {
                    m.write32(x, a.value());
                    for (int i = 0; i < 4; i++) {
                        model[x + i] = (byte) (a.value() >>> (8 * i));
                    }
                }
                case 3 -> {
                    int n = a.value() & 15;
                    m.fill(x, n, a.value() >>> 8);
                    java.util.Arrays.fill(model, x, x + n, (byte) (a.value() >>> 8));
                }
                case 4 -> assertThat(m.read8(x)).isEqualTo(model[x] & 0xFF);
                case 5 -> assertThat(m.read16(x)).isEqualTo((model[x] & 0xFF) | (model[x + 1] & 0xFF) << 8);
                default -> {
                    int v = 0;
                    for (int i = 3; i >= 0; i--) {
                        v = v << 8 | (model[x + i] & 0xFF);
                    }
                    assertThat(m.read32(x)).as("read32 at %x", x).isEqualTo(v);
                }
            }
        }
        byte[] all = new byte[model.length];
        m.read(0, all, 0, all.length);
        assertThat(all).isEqualTo(model);
        assertThat(m.allocatedPages()).isLessThanOrEqualTo(2);
    }

    @Test
    void aWriteLogKeepsTheOriginalsOfTheFramesItWasAskedForOnly() {
        PhysicalMemory m = new PhysicalMemory(16 * 4096);
        m.write32(1 * 4096, 0x11111111);
        m.write32(2 * 4096, 0x22222222);
        java.util.BitSet keep = new java.util.BitSet();
        keep.set(1);
        m.startWriteLog(keep);
        m.write32(1 * 4096, 0xAAAAAAAA);
        m.write32(2 * 4096, 0xBBBBBBBB);
        PhysicalMemory.WriteLog log = m.stopWriteLog();
        assertThat(log.written().stream().toArray()).containsExactly(1, 2);
        assertThat(log.original(1)[0]).isEqualTo((byte) 0x11);
        assertThat(log.original(3)).as("never written: zero").containsOnly(0);
        assertThatThrownBy(() -> log.original(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not kept");
    }
}
