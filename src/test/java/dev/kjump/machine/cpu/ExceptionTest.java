package dev.kjump.machine.cpu;

import dev.kjump.machine.StopReason;
import static dev.kjump.machine.cpu.CpuHarness.CODE;
import static dev.kjump.machine.cpu.CpuHarness.STACK_TOP;
import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le16;
import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exception and interrupt delivery through a real GDT and IDT in guest memory: pushed EIP/CS/EFLAGS and
 * error codes, IRET, IF handling of interrupt and trap gates, #PF with CR2 and its error code, and the
 * escalation to #DF and to a triple fault.
 *
 * <p>Every test runs a guest prologue that loads the GDT (flat code 0x08, flat data 0x10) and the IDT with
 * LGDT/LIDT, far-jumps into CS 0x08 and loads the data segments, then its own body. Each vector's handler
 * is HLT at {@link #handler(int)} unless the test writes another one, so a test stops in the handler and
 * inspects the frame on the stack.
 */
class ExceptionTest {
    static final int GDT = 0x1000, GDTR = 0x1100, IDTR = 0x1108, IDT = 0x2000, HANDLERS = 0x3000;
    static final int PD = 0x20000, PT = 0x21000;
    static final int IF = Cpu.IF;

    CpuHarness h;
    /** Where the test body starts (right after the prologue). */
    int body;

    static int handler(int vector) {
        return HANDLERS + vector * 16;
    }

    @BeforeEach
    void tables() {
        h = new CpuHarness();
        h.mem.write32(GDT + 8, 0x0000FFFF);
        h.mem.write32(GDT + 12, 0x00CF9A00); // code: base 0, limit 4G, execute/read, present
        h.mem.write32(GDT + 16, 0x0000FFFF);
        h.mem.write32(GDT + 20, 0x00CF9200); // data: base 0, limit 4G, read/write, present
        h.mem.write16(GDTR, 0x17);
        h.mem.write32(GDTR + 2, GDT);
        h.mem.write16(IDTR, 0x7FF);
        h.mem.write32(IDTR + 2, IDT);
        for (int v = 0; v < 256; v++) {
            gate(v, false, true);
            h.mem.write8(handler(v), 0xF4); // hlt
        }
    }

    /** Writes IDT entry {@code v}: a 32-bit interrupt (or trap) gate to {@link #handler(int)} in CS 0x08. */
    void gate(int v, boolean trap, boolean present) {
        int target = handler(v);
        h.mem.write32(IDT + v * 8, 0x08 << 16 | (target & 0xFFFF));
        h.mem.write32(IDT + v * 8 + 4, (target & 0xFFFF0000) | (present ? 0x8000 : 0) | (trap ? 0x0F00 : 0x0E00));
    }

    /** Sets the guest code: the descriptor-table prologue followed by {@code bodyBytes} and HLT. */
    void program(Object... bodyParts) {
        int[] bodyBytes = cat(bodyParts);
        int[] head = cat(0x0F, 0x01, 0x15, le32(GDTR), // lgdt [GDTR]
                0x0F, 0x01, 0x1D, le32(IDTR));           // lidt [IDTR]
        int afterJump = CODE + head.length + 7;
        int[] prologue = cat(head, 0xEA, le32(afterJump), le16(0x08), // ljmp 0x08:afterJump
                0x66, 0xB8, le16(0x10),                   // mov ax, 0x10
                0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0,       // mov ds, ax; mov es, ax; mov ss, ax
                0x8E, 0xE0, 0x8E, 0xE8);                  // mov fs, ax; mov gs, ax
        body = CODE + prologue.length;
        h.code(cat(prologue, bodyBytes));
    }

    /** Runs and expects to stop at the HLT of vector {@code v}'s handler. */
    void runIntoHandler(int v) {
        StopReason s = h.run();
        assertThat(s.kind()).as(s.message()).isEqualTo(StopReason.Kind.HALT);
        assertThat(s.eip()).as("stopped in the handler of vector %d; %s", v, h.cpu.saveState())
                .isEqualTo(handler(v) + 1);
        assertThat(h.cpu.segment(Cpu.CS)).isEqualTo(0x08);
    }

    int stack(int index) {
        return h.read32(h.reg(Cpu.ESP) + 4 * index);
    }

    /** Asserts the interrupt frame: [error code,] EIP, CS 0x08, EFLAGS. */
    void assertFrame(Integer errorCode, int eip, int eflagsMask, int eflags) {
        int i = 0;
        if (errorCode != null) {
            assertThat(h.reg(Cpu.ESP)).isEqualTo(STACK_TOP - 16);
            assertThat(stack(i++)).as("error code").isEqualTo(errorCode);
        } else {
            assertThat(h.reg(Cpu.ESP)).as("no error code pushed").isEqualTo(STACK_TOP - 12);
        }
        assertThat(stack(i++)).as("pushed EIP").isEqualTo(eip);
        assertThat(stack(i++)).as("pushed CS").isEqualTo(0x08);
        assertThat(stack(i) & eflagsMask).as("pushed EFLAGS").isEqualTo(eflags);
    }

    @Test
    void prologueLoadsTheDescriptorTables() {
        program();
        h.runToHlt();
        CpuState st = h.cpu.saveState();
        assertThat(st.gdtBase()).isEqualTo(GDT);
        assertThat(st.gdtLimit()).isEqualTo(0x17);
        assertThat(st.idtBase()).isEqualTo(IDT);
        assertThat(st.idtLimit()).isEqualTo(0x7FF);
        assertThat(st.segSelectors()).containsExactly(0x10, 0x08, 0x10, 0x10, 0x10, 0x10);
        assertThat(h.read32(GDT + 12) & 0x100).as("accessed bit set on load").isNotZero();
    }

    @Test
    void segmentLoadsFillTheDescriptorCache() {
        // selector 0x18: byte-granular read/write data, base 0x50000, limit 0x1234, DPL 3, 32-bit
        h.mem.write32(GDT + 24, 0x00001234);
        h.mem.write32(GDT + 28, 0x0040F205);
        h.mem.write16(GDTR, 0x1F);
        program(0x66, 0xB8, le16(0x18), // mov ax, 0x18
                0x8E, 0xE0);             // mov fs, ax
        h.runToHlt();
        CpuState st = h.cpu.saveState();
        assertThat(st.segBases()[Cpu.FS]).isEqualTo(0x50000);
        assertThat(st.segLimits()[Cpu.FS]).as("byte granular").isEqualTo(0x1234);
        assertThat(st.segAttributes()[Cpu.FS]).as("type (accessed now), S, DPL 3, P, D/B").isEqualTo(0x40F3);
        assertThat(st.segLimits()[Cpu.CS]).as("4 KiB granular: 4 GiB").isEqualTo(0xFFFFFFFF);
        assertThat(st.segAttributes()[Cpu.CS]).isEqualTo(0xC09B);
        assertThat(st.segAttributes()[Cpu.DS]).isEqualTo(0xC093);
        h.cpu.restoreState(st);
        assertThat(h.cpu.saveState()).as("the cache survives a snapshot").isEqualTo(st);
    }

    @Test
    void divideErrorPushesTheFaultingEipAndClearsIf() {
        program(0x31, 0xC9,  // xor ecx, ecx
                0xF7, 0xF1); // div ecx
        h.flags(0x202);
        runIntoHandler(Cpu.V_DE);
        // flags of xor ecx,ecx: ZF PF; IF was set
        assertFrame(null, body + 2, 0xFFF, 0x202 | Cpu.ZF | Cpu.PF);
        assertThat(h.eflags() & IF).as("interrupt gate clears IF").isZero();
    }

    @Test
    void iretReturnsFromTheHandler() {
        h.load(handler(Cpu.V_DE), 0x83, 0x04, 0x24, 0x02, // add dword [esp], 2 (skip the div)
                0xCF);                                       // iret
        program(0x31, 0xC9,                 // xor ecx, ecx
                0xF7, 0xF1,                 // div ecx
                0xBB, le32(0x1234));        // mov ebx, 0x1234
        h.flags(0x202);
        h.runToHlt();
        assertThat(h.reg(Cpu.EBX)).isEqualTo(0x1234);
        assertThat(h.reg(Cpu.ESP)).isEqualTo(STACK_TOP);
        assertThat(h.eflags() & (IF | Cpu.ZF)).as("EFLAGS restored by IRET").isEqualTo(IF | Cpu.ZF);
    }

    @Test
    void invalidOpcodeHasNoErrorCode() {
        program(0x90, 0x0F, 0x0B); // nop; ud2
        runIntoHandler(Cpu.V_UD);
        assertFrame(null, body + 1, 0, 0);
    }

    @Test
    void generalProtectionCarriesTheSelector() {
        program(0x66, 0xB8, le16(0x50), // mov ax, 0x50 (beyond the GDT limit)
                0x8E, 0xD8);            // mov ds, ax
        runIntoHandler(Cpu.V_GP);
        assertFrame(0x50, body + 4, 0, 0);
        assertThat(h.cpu.segment(Cpu.DS)).isEqualTo(0x10);
    }

    @Test
    void intNPushesTheNextEip() {
        program(0xCD, 0x40); // int 0x40
        h.flags(0x202);
        runIntoHandler(0x40);
        assertFrame(null, body + 2, IF, IF);
        assertThat(h.eflags() & IF).isZero();
    }

    @Test
    void int3PushesTheNextEip() {
        program(0x90, 0xCC); // nop; int3
        runIntoHandler(Cpu.V_BP);
        assertFrame(null, body + 2, 0, 0);
    }

    @Test
    void trapGateKeepsIf() {
        gate(0x41, true, true);
        program(0xFB, 0xCD, 0x41); // sti; int 0x41
        runIntoHandler(0x41);
        assertFrame(null, body + 3, IF, IF);
        assertThat(h.eflags() & IF).as("trap gate leaves IF").isEqualTo(IF);
    }

    @Test
    void iretReturnsFromASoftwareInterrupt() {
        h.load(handler(0x42), 0xB9, le32(0x77), 0xCF); // mov ecx, 0x77; iret
        program(0xCD, 0x42,          // int 0x42
                0xBB, le32(7));      // mov ebx, 7
        h.runToHlt();
        assertThat(h.reg(Cpu.ECX)).isEqualTo(0x77);
        assertThat(h.reg(Cpu.EBX)).isEqualTo(7);
        assertThat(h.reg(Cpu.ESP)).isEqualTo(STACK_TOP);
    }

    @Test
    void faultWhileDeliveringAnIntNIsAFaultOnTheIntInstruction() {
        gate(0x43, false, false);
        program(0x90, 0xCD, 0x43); // nop; int 0x43 (gate not present)
        runIntoHandler(Cpu.V_NP);
        // software interrupt: EXT=0, IDT bit set
        assertFrame(0x43 * 8 + 2, body + 1, 0, 0);
    }

    @Test
    void intBeyondTheIdtLimitIsGeneralProtection() {
        h.mem.write16(IDTR, 0x50 * 8 - 1); // vectors 0..0x4F only
        program(0xCD, 0x50); // int 0x50
        runIntoHandler(Cpu.V_GP);
        assertFrame(0x50 * 8 + 2, body, 0, 0);
    }

    @Test
    void benignThenContributoryIsDeliveredSerially() {
        gate(Cpu.V_UD, false, false);
        program(0x0F, 0x0B); // ud2, #UD gate not present -> #NP(EXT)
        runIntoHandler(Cpu.V_NP);
        assertFrame(Cpu.V_UD * 8 + 2 + 1, body, 0, 0);
    }

    @Test
    void contributoryDuringContributoryDeliveryIsADoubleFault() {
        gate(Cpu.V_GP, false, false);
        program(0x66, 0xB8, le16(0x50), 0x8E, 0xD8); // mov ax, 0x50; mov ds, ax -> #GP, its gate missing -> #NP
        runIntoHandler(Cpu.V_DF);
        assertFrame(0, body + 4, 0, 0);
    }

    @Test
    void faultDeliveringADoubleFaultIsATripleFault() {
        gate(Cpu.V_GP, false, false);
        gate(Cpu.V_DF, false, false);
        program(0x66, 0xB8, le16(0x50), 0x8E, 0xD8);
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.TRIPLE_FAULT);
        assertThat(s.value()).as("first vector").isEqualTo(Cpu.V_GP);
        assertThat(s.eip()).isEqualTo(body + 4);
        assertThat(s.instructionBytes()).startsWith((byte) 0x8E, (byte) 0xD8);
        assertThat(s.message()).contains("#GP");
        assertThat(h.reg(Cpu.ESP)).as("stack pointer as before the fault").isEqualTo(STACK_TOP);
    }

    // ------------------------------------------------------------------ page faults

    /** Identity-maps 0-4 MiB with 4 KiB pages; 0x300000 not present, 0x301000 read-only. */
    void pageTables() {
        h.mem.write32(PD, PT | 0x3);
        for (int i = 0; i < 1024; i++) {
            h.mem.write32(PT + 4 * i, i << 12 | 0x3);
        }
        h.mem.write32(PT + 4 * 0x300, 0x300000 | 0x2);
        h.mem.write32(PT + 4 * 0x301, 0x301000 | 0x1);
    }

    /** mov eax, PD; mov cr3, eax; mov eax, cr0; or eax, cr0Bits; mov cr0, eax. */
    static int[] pagingOn(int cr0Bits) {
        return cat(0xB8, le32(PD), 0x0F, 0x22, 0xD8, 0x0F, 0x20, 0xC0, 0x0D, le32(cr0Bits), 0x0F, 0x22, 0xC0);
    }

    void pageFault(int[] access, int addr, int wpBits, int errorCode) {
        pageTables();
        h.load(handler(Cpu.V_PF), 0x0F, 0x20, 0xD0, 0xF4); // mov eax, cr2; hlt
        int[] on = pagingOn(wpBits);
        program(cat(on, access));
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(s.eip()).as(s.message()).isEqualTo(handler(Cpu.V_PF) + 4);
        assertThat(h.reg(Cpu.EAX)).as("CR2 read by the handler").isEqualTo(addr);
        assertThat(h.cpu.saveState().cr2()).isEqualTo(addr);
        assertFrame(errorCode, body + on.length, 0, 0);
    }

    @Test
    void pageFaultOnNotPresentRead() {
        pageFault(cat(0x8B, 0x1D, le32(0x300010)), 0x300010, 0x80000000, 0); // mov ebx, [0x300010]
    }

    @Test
    void pageFaultOnNotPresentWrite() {
        pageFault(cat(0x89, 0x1D, le32(0x300ffe)), 0x300ffe, 0x80000000, 2); // mov [0x300ffe], ebx
    }

    @Test
    void pageFaultOnWriteToReadOnlyWithWp() {
        pageFault(cat(0xC7, 0x05, le32(0x301004), le32(5)), 0x301004, 0x80010000, 3); // mov dword [0x301004], 5
    }

    @Test
    void writeToReadOnlyWithoutWpSucceeds() {
        pageTables();
        program(cat(pagingOn(0x80000000), 0xC7, 0x05, le32(0x301004), le32(5)));
        h.runToHlt();
        assertThat(h.read32(0x301004)).isEqualTo(5);
    }

    @Test
    void pageFaultThenNotPresentGateIsADoubleFault() {
        pageTables();
        gate(Cpu.V_PF, false, false);
        int[] on = pagingOn(0x80000000);
        program(cat(on, 0x8B, 0x1D, le32(0x300000)));
        runIntoHandler(Cpu.V_DF);
        assertFrame(0, body + on.length, 0, 0);
    }

    @Test
    void pageFaultWithAnUnmappedStackIsATripleFault() {
        pageTables();
        int[] on = pagingOn(0x80000000);
        program(cat(on, 0xBC, le32(0x301000), // mov esp, 0x301000 (pushes go to the not-present 0x300000 page)
                0x8B, 0x1D, le32(0x300000)));
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.TRIPLE_FAULT);
        assertThat(s.value()).isEqualTo(Cpu.V_PF);
        assertThat(s.eip()).isEqualTo(body + on.length + 5);
        assertThat(h.reg(Cpu.ESP)).isEqualTo(0x301000);
    }
}
