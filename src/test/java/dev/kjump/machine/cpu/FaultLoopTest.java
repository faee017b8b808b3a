package dev.kjump.machine.cpu;

import dev.kjump.machine.StopReason;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.Machine;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest stuck re-taking the same fault still uses up its budget and its time: here the fetch of the first
 * instruction page-faults (its page is not present) and the #PF handler returns to it, forever.
 */
@Timeout(30)
class FaultLoopTest {
    private static Machine faultLoop() {
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
        PhysicalMemory mem = m.memory();
        int gdt = 0x21000;
        int idt = 0x20000;
        mem.write32(gdt + 0x10, 0x0000FFFF); // flat code at selector 0x10
        mem.write32(gdt + 0x14, 0x00CF9A00);
        int handler = 0x30000;
        mem.write(handler, new byte[] {(byte) 0x83, (byte) 0xC4, 0x04, (byte) 0xCF}, 0, 4); // add $4,%esp; iret
        mem.write32(idt + 14 * 8, (0x10 << 16) | (handler & 0xFFFF)); // #PF: 32-bit interrupt gate
        mem.write32(idt + 14 * 8 + 4, (handler & 0xFFFF0000) | 0x8E00);
        int pd = 0x40000;
        int pt = 0x41000;
        mem.write32(pd, pt | 0x3);
        for (int i = 0; i < 1024; i++) {
            mem.write32(pt + 4 * i, i == 0x10 ? 0 : (i << 12) | 0x3); // identity, but the code page is absent
        }
        Cpu cpu = m.cpu();
        CpuState s = cpu.saveState();
        int[] regs = s.regs();
        regs[Cpu.ESP] = 0x18000;
        cpu.restoreState(new CpuState(regs, 0x10000, 0x2, s.segSelectors(), s.segBases(), s.cr0() | Cpu.CR0_PG, 0, pd,
                0, gdt, 0xFF, idt, 0x7FF));
        return m;
    }

    @Test
    void aFaultLoopRunsOutOfBudget() {
        Machine m = faultLoop();
        StopReason r = m.run(10_000, 0);
        assertThat(r.kind()).isEqualTo(StopReason.Kind.BUDGET);
        assertThat(m.cpu().instructions()).isEqualTo(10_000);
        assertThat(m.cpu().saveState().cr2()).isEqualTo(0x10000);
    }

    @Test
    void aFaultLoopTimesOut() {
        Machine m = faultLoop();
        StopReason r = m.run(Long.MAX_VALUE, 200_000_000L);
        assertThat(r.kind()).isEqualTo(StopReason.Kind.TIMEOUT);
    }
}
