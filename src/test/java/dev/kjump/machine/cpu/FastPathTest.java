package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.machine.PhysicalMemory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The TLB fast path for loads and stores ({@link Mmu}, {@link Operands}): once a frame's array is in the TLB, later
 * stores bypass {@link PhysicalMemory}'s write path, so each reason that path exists must still see them — a write
 * log started afterwards, a watch set afterwards, decodes cached on the frame afterwards, a page remapped. Each
 * test first makes the fast path hold the frame (two stores: the first fills it, the second uses it).
 */
class FastPathTest {
    static final int X = 0x50000;

    /** Translated blocks read a fast-path page without a null check once its tag matched (Mmu.tagAt). */
    private static void assertEntriesHavePages(CpuHarness h) {
        assertThat(h.machine.cpu().mmu().fastEntriesHavePages()).as("every fast-path tag has its page").isTrue();
    }

    /** mov dword [addr], imm32 */
    static int[] store(int addr, int v) {
        return CpuHarness.cat(0xC7, 0x05, le32(addr), le32(v));
    }

    @Test
    void aWriteLogStartedAfterTheFastPathFilledStillSeesTheFrameWritten() {
        CpuHarness h = new CpuHarness();
        h.code(store(X, 1), store(X + 4, 2)).runToHlt();
        h.mem.startWriteLog();
        h.code(store(X + 8, 3)).runToHlt();
        PhysicalMemory.WriteLog log = h.mem.stopWriteLog();
        assertThat(log.written().get(X >>> 12)).as("frame written through the fast path is in the log").isTrue();
        assertThat(log.original(X >>> 12)[8]).as("its contents before the write were kept").isZero();
        assertThat(h.read32(X + 8)).isEqualTo(3);
        assertEntriesHavePages(h);
    }

    @Test
    void aWatchSetAfterTheFastPathFilledSeesTheStore() {
        CpuHarness h = new CpuHarness();
        h.code(store(X, 1), store(X + 4, 2)).runToHlt();
        AtomicInteger hits = new AtomicInteger();
        h.mem.watchFrames(new int[] {X >>> 12}, hits::incrementAndGet);
        h.code(store(X + 8, 3)).runToHlt();
        assertThat(hits.get()).isEqualTo(1);
        h.mem.watchFrames(new int[0], null);
        assertEntriesHavePages(h);
    }

    @Test
    void codeRunOnAFrameTheFastPathHeldIsDroppedWhenWrittenAgain() {
        CpuHarness h = new CpuHarness();
        // writes "mov eax, 1; ret" at X, calls it, patches the immediate to 2 with a byte store, calls it again
        h.code(store(X, 0x000001B8), store(X + 4, 0x0000C300),
                0xE8, le32(X - (CpuHarness.CODE + 20 + 5)),              // call X
                0x89, 0xC3,                                              // mov ebx, eax
                0xC6, 0x05, le32(X + 1), 0x02,                           // mov byte [X+1], 2
                0xE8, le32(X - (CpuHarness.CODE + 20 + 5 + 2 + 7 + 5))); // call X
        h.runToHlt();
        assertThat(h.reg(Cpu.EBX)).as("first call").isEqualTo(1);
        assertThat(h.reg(Cpu.EAX)).as("the patched code runs").isEqualTo(2);
        assertEntriesHavePages(h);
    }

    @Test
    void storesFollowARemappedPageAfterInvlpgAndCr3Reload() {
        CpuHarness h = new CpuHarness();
        PhysicalMemory m = h.mem;
        int pd = MmuTest.PD, pt = MmuTest.PT, prw = Mmu.PTE_P | Mmu.PTE_RW;
        m.write32(pd, pt | prw); // 0-4 MiB identity, except linear 0x300000 -> 0x123000
        for (int i = 0; i < 1024; i++) {
            m.write32(pt + 4 * i, i << 12 | prw);
        }
        m.write32(pt + 0x300 * 4, 0x123000 | prw);
        h.code(0xB8, le32(pd), 0x0F, 0x22, 0xD8,                          // mov eax, PD; mov cr3, eax
                0x0F, 0x20, 0xC0, 0x0D, le32(0x80000000), 0x0F, 0x22, 0xC0,  // cr0 |= PG
                store(0x300000, 0x11), store(0x300004, 0x12),                // -> 0x123000 (fills, uses)
                store(pt + 0x300 * 4, 0x124000 | prw),                       // retarget the PTE
                store(0x300008, 0x13),                                       // stale TLB: still 0x123000
                0xB8, le32(0x300000), 0x0F, 0x01, 0x38,                      // invlpg [0x300000]
                store(0x30000C, 0x14), store(0x300010, 0x15),                // -> 0x124000
                store(pt + 0x300 * 4, 0x125000 | prw),
                0x0F, 0x20, 0xD8, 0x0F, 0x22, 0xD8,                          // mov cr3, cr3
                store(0x300014, 0x16),                                       // -> 0x125000
                0x0F, 0x20, 0xC0, 0x25, le32(0x7FFFFFFF), 0x0F, 0x22, 0xC0,  // cr0 &= ~PG
                store(0x300018, 0x17));                                      // -> 0x300000
        h.runToHlt();
        assertThat(new int[] {m.read32(0x123000), m.read32(0x123004), m.read32(0x123008)})
                .containsExactly(0x11, 0x12, 0x13);
        assertThat(m.read32(0x12400C)).isEqualTo(0x14);
        assertThat(m.read32(0x124010)).isEqualTo(0x15);
        assertThat(m.read32(0x125014)).isEqualTo(0x16);
        assertThat(m.read32(0x300018)).isEqualTo(0x17);
        assertThat(m.read32(0x12300C) | m.read32(0x124014) | m.read32(0x125018)).isZero();
        assertEntriesHavePages(h);
    }

    @Test
    void accessesThatCrossAPageTakeBothPages() {
        CpuHarness h = new CpuHarness();
        h.code(store(X, 1), store(X + 0x1000, 2),        // fills both frames
                store(X + 0xFFE, 0x44332211),            // crosses
                0x8B, 0x1D, le32(X + 0xFFD));            // mov ebx, [X+0xFFD]
        h.runToHlt();
        assertThat(h.read32(X + 0xFFC)).isEqualTo(0x22110000);
        assertThat(h.read32(X + 0x1000)).isEqualTo(0x4433);
        assertThat(h.reg(Cpu.EBX)).isEqualTo(0x33221100);
        assertEntriesHavePages(h);
    }
}
