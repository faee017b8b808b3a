package dev.kjump.machine.cpu;

import dev.kjump.machine.PhysicalMemory;
import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The paging unit on its own (4 KiB and 4 MiB pages, A/D bits, write protection, TLB behaviour, probe) and
 * through the CPU (paging switched on and off, MOV CR3 and INVLPG).
 */
class MmuTest {
    static final int PD = 0x20000, PT = 0x21000;
    static final int P = Mmu.PTE_P, RW = Mmu.PTE_RW, A = Mmu.PTE_A, D = Mmu.PTE_D, PS = Mmu.PDE_PS;

    PhysicalMemory mem;
    Mmu mmu;

    @BeforeEach
    void setUp() {
        mem = new PhysicalMemory(32L << 20);
        mmu = new Mmu(mem, new CpuFault());
        mmu.cr3 = PD;
        mmu.paging = true;
    }

    /** Maps linear {@code lin} to physical {@code phys} with a 4 KiB PTE in the table at {@link #PT}. */
    void map4k(int lin, int phys, int pteFlags) {
        mem.write32(PD + (lin >>> 22) * 4, PT | P | RW);
        mem.write32(PT + ((lin >>> 12) & 0x3FF) * 4, phys | pteFlags);
    }

    int pde(int lin) {
        return mem.read32(PD + (lin >>> 22) * 4);
    }

    int pte(int lin) {
        return mem.read32(PT + ((lin >>> 12) & 0x3FF) * 4);
    }

    CpuFault fault(Runnable access) {
        return catchThrowableOfType(CpuFault.class, access::run);
    }

    @Test
    void pagingOffIsIdentity() {
        mmu.paging = false;
        assertThat(mmu.read(0xFEDCBA98)).isEqualTo(0xFEDCBA98);
        assertThat(mmu.write(0x1234)).isEqualTo(0x1234);
        assertThat(mmu.probe(0xFFFFFFFF)).isEqualTo(0xFFFFFFFFL);
        assertThat(mmu.walks()).isZero();
    }

    @Test
    void fourKilobytePagesMapAnywhere() {
        map4k(0x00400000, 0x00123000, P | RW);
        map4k(0x004FF000, 0x00001000, P);
        assertThat(mmu.read(0x00400ABC)).isEqualTo(0x00123ABC);
        assertThat(mmu.fetch(0x00400FFF)).isEqualTo(0x00123FFF);
        assertThat(mmu.read(0x004FF010)).isEqualTo(0x00001010);
        assertThat(mmu.probe(0x00400001)).isEqualTo(0x00123001L);
    }

    @Test
    void walkSetsAccessedThenDirty() {
        map4k(0x00400000, 0x00123000, P | RW);
        mmu.read(0x00400000);
        assertThat(pde(0x00400000) & (A | D)).isEqualTo(A);
        assertThat(pte(0x00400000) & (A | D)).as("read: accessed, not dirty").isEqualTo(A);
        long walks = mmu.walks();
        mmu.read(0x00400004);
        assertThat(mmu.walks()).as("TLB hit").isEqualTo(walks);
        mmu.write(0x00400008); // the read filled the TLB with D clear: the write must walk and set D
        assertThat(mmu.walks()).isEqualTo(walks + 1);
        assertThat(pte(0x00400000) & (A | D)).isEqualTo(A | D);
        assertThat(pde(0x00400000) & D).as("a PDE pointing at a table gets no D bit").isZero();
        mmu.write(0x0040000C);
        assertThat(mmu.walks()).as("write hit once dirty").isEqualTo(walks + 1);
    }

    @Test
    void firstAccessAsWriteSetsBothBits() {
        map4k(0x00400000, 0x00123000, P | RW);
        mmu.write(0x00400000);
        assertThat(pte(0x00400000) & (A | D)).isEqualTo(A | D);
    }

    @Test
    void fourMegabytePagesWithPse() {
        mmu.pse = true;
        mem.write32(PD + 2 * 4, 0x01C00000 | PS | P | RW);
        assertThat(mmu.read(0x008ABCDE)).isEqualTo(0x01C00000 + 0xABCDE);
        assertThat(pde(0x00800000) & (A | D)).isEqualTo(A);
        mmu.write(0x00BFFFFC);
        assertThat(pde(0x00800000) & (A | D)).isEqualTo(A | D);
        assertThat(mmu.probe(0x00812345)).isEqualTo(0x01C12345L);
    }

    @Test
    void psBitIsIgnoredWithoutCr4Pse() {
        mmu.pse = false;
        mem.write32(PD + 2 * 4, 0x01C00000 | PS | P | RW); // now a page-table pointer to zeroed memory
        CpuFault f = fault(() -> mmu.read(0x00801000));
        assertThat(f.vector).isEqualTo(Cpu.V_PF);
        assertThat(f.errorCode).isZero();
        mem.write32(0x01C00000 + 4, 0x00555000 | P);
        assertThat(mmu.read(0x00801234)).isEqualTo(0x00555234);
    }

    @Test
    void notPresentFaultsCarryCr2AndErrorCode() {
        map4k(0x00400000, 0x00123000, RW); // PTE not present
        CpuFault r = fault(() -> mmu.read(0x00400123));
        assertThat(r.vector).isEqualTo(Cpu.V_PF);
        assertThat(r.hasErrorCode).isTrue();
        assertThat(r.errorCode).isEqualTo(0);
        assertThat(mmu.cr2).isEqualTo(0x00400123);
        CpuFault w = fault(() -> mmu.write(0x00400456));
        assertThat(w.errorCode).isEqualTo(2);
        assertThat(mmu.cr2).isEqualTo(0x00400456);
        CpuFault pd = fault(() -> mmu.fetch(0x00C00000)); // PDE not present
        assertThat(pd.errorCode).isEqualTo(0);
        assertThat(mmu.cr2).isEqualTo(0x00C00000);
        assertThat(pte(0x00400000) & A).as("no accessed bit on a not-present entry").isZero();
    }

    @Test
    void writeProtectHonoursReadOnlyEntries() {
        map4k(0x00400000, 0x00123000, P);
        mmu.writeProtect = true;
        assertThat(mmu.read(0x00400010)).isEqualTo(0x00123010);
        CpuFault f = fault(() -> mmu.write(0x00400010));
        assertThat(f.errorCode).as("present | write").isEqualTo(3);
        assertThat(mmu.cr2).isEqualTo(0x00400010);
        assertThat(pte(0x00400000) & D).isZero();

        mmu.writeProtect = false;
        mmu.flush();
        assertThat(mmu.write(0x00400010)).as("ring 0 without WP writes anyway").isEqualTo(0x00123010);
        assertThat(pte(0x00400000) & D).isEqualTo(D);
    }

    @Test
    void readOnlyPdeProtectsTheWholeTable() {
        mem.write32(PD + 4, PT | P); // PDE read-only
        mem.write32(PT, 0x00123000 | P | RW);
        mmu.writeProtect = true;
        assertThat(fault(() -> mmu.write(0x00400000)).errorCode).isEqualTo(3);
        mmu.pse = true;
        mem.write32(PD + 8, 0x01C00000 | PS | P); // read-only 4 MiB page
        assertThat(fault(() -> mmu.write(0x00800000)).errorCode).isEqualTo(3);
    }

    @Test
    void tlbKeepsStaleTranslationsUntilInvlpgOrFlush() {
        map4k(0x00400000, 0x00123000, P | RW);
        map4k(0x00401000, 0x00124000, P | RW);
        assertThat(mmu.read(0x00400000)).isEqualTo(0x00123000);
        assertThat(mmu.read(0x00401000)).isEqualTo(0x00124000);
        map4k(0x00400000, 0x00200000, P | RW);
        map4k(0x00401000, 0x00201000, P | RW);
        assertThat(mmu.read(0x00400000)).as("stale: no INVLPG yet").isEqualTo(0x00123000);
        mmu.invlpg(0x00400FFF);
        assertThat(mmu.read(0x00400000)).isEqualTo(0x00200000);
        assertThat(mmu.read(0x00401000)).as("INVLPG drops only its page").isEqualTo(0x00124000);
        mmu.flush(); // what a CR3 write does
        assertThat(mmu.read(0x00401000)).isEqualTo(0x00201000);
    }

    @Test
    void invlpgOfALargePageDropsIt() {
        mmu.pse = true;
        mem.write32(PD + 8, 0x01C00000 | PS | P | RW);
        assertThat(mmu.read(0x00812000)).isEqualTo(0x01C12000);
        mem.write32(PD + 8, 0x01000000 | PS | P | RW);
        assertThat(mmu.read(0x00812000)).isEqualTo(0x01C12000);
        mmu.invlpg(0x00800000); // another 4 KiB of the same large page
        assertThat(mmu.read(0x00812000)).isEqualTo(0x01012000);
    }

    @Test
    void probeHasNoSideEffects() {
        map4k(0x00400000, 0x00123000, P | RW);
        int pdeBefore = pde(0x00400000);
        int pteBefore = pte(0x00400000);
        mmu.cr2 = 0x1111;
        assertThat(mmu.probe(0x00400321)).isEqualTo(0x00123321L);
        assertThat(mmu.probe(0x00401000)).as("not mapped").isEqualTo(-1L);
        assertThat(mmu.probe(0x00C00000)).isEqualTo(-1L);
        assertThat(pde(0x00400000)).isEqualTo(pdeBefore);
        assertThat(pte(0x00400000)).isEqualTo(pteBefore);
        assertThat(mmu.cr2).isEqualTo(0x1111);
        assertThat(mmu.walks()).isZero();
        mmu.read(0x00400000);
        assertThat(mmu.walks()).as("probe filled no TLB entry").isEqualTo(1);
    }

    // ------------------------------------------------------------------ through the CPU

    @Test
    void pagingSwitchedOnAndOffWhileRunning() {
        CpuHarness h = new CpuHarness();
        PhysicalMemory m = h.mem;
        m.write32(PD, PT | P | RW); // 0-4 MiB identity, except linear 0x300000 -> phys 0x123000
        for (int i = 0; i < 1024; i++) {
            m.write32(PT + 4 * i, i << 12 | P | RW);
        }
        m.write32(PT + 0x300 * 4, 0x123000 | P | RW);
        m.write32(0x123000, 0xAAAA);
        m.write32(0x300000, 0xBBBB);
        m.write32(0x124000, 0xCCCC);
        h.code(0xB8, le32(PD), 0x0F, 0x22, 0xD8,                       // mov eax, PD; mov cr3, eax
                0x0F, 0x20, 0xC0, 0x0D, le32(0x80000000), 0x0F, 0x22, 0xC0, // cr0 |= PG
                0x8B, 0x1D, le32(0x300000),                             // mov ebx, [0x300000]  (phys 0x123000)
                0xC7, 0x05, le32(PT + 0x300 * 4), le32(0x124000 | P | RW), // retarget the PTE
                0x8B, 0x0D, le32(0x300000),                             // mov ecx, [0x300000]  (stale TLB)
                0xB8, le32(0x300000), 0x0F, 0x01, 0x38,                 // mov eax, 0x300000; invlpg [eax]
                0x8B, 0x15, le32(0x300000),                             // mov edx, [0x300000]  (phys 0x124000)
                0x0F, 0x20, 0xC0, 0x25, le32(0x7FFFFFFF), 0x0F, 0x22, 0xC0, // cr0 &= ~PG
                0x8B, 0x35, le32(0x300000));                            // mov esi, [0x300000]  (phys 0x300000)
        h.runToHlt();
        assertThat(h.reg(Cpu.EBX)).isEqualTo(0xAAAA);
        assertThat(h.reg(Cpu.ECX)).isEqualTo(0xAAAA);
        assertThat(h.reg(Cpu.EDX)).isEqualTo(0xCCCC);
        assertThat(h.reg(Cpu.ESI)).isEqualTo(0xBBBB);
        assertThat(h.cpu.cr0() & Cpu.CR0_PG).isZero();
        assertThat(h.mem.read32(PT + 0x10 * 4) & A).as("code page accessed by fetches").isEqualTo(A);
    }

    @Test
    void cr3ReloadFlushesTheTlb() {
        CpuHarness h = new CpuHarness();
        PhysicalMemory m = h.mem;
        m.write32(PD, PT | P | RW);
        for (int i = 0; i < 1024; i++) {
            m.write32(PT + 4 * i, i << 12 | P | RW);
        }
        m.write32(0x300000, 0x1);
        m.write32(0x123000, 0x2);
        int[] on = cat(0xB8, le32(PD), 0x0F, 0x22, 0xD8, 0x0F, 0x20, 0xC0, 0x0D, le32(0x80000000), 0x0F, 0x22,
                0xC0);
        h.code(on, 0x8B, 0x1D, le32(0x300000),                         // mov ebx, [0x300000]
                0xC7, 0x05, le32(PT + 0x300 * 4), le32(0x123000 | P | RW),
                0x0F, 0x20, 0xD8, 0x0F, 0x22, 0xD8,                     // mov eax, cr3; mov cr3, eax
                0x8B, 0x0D, le32(0x300000));                            // mov ecx, [0x300000]
        h.runToHlt();
        assertThat(h.reg(Cpu.EBX)).isEqualTo(1);
        assertThat(h.reg(Cpu.ECX)).isEqualTo(2);
        assertThat(h.cpu.cr3()).isEqualTo(PD);
    }
}
