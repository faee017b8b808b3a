package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.CpuHarness.CODE;
import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le16;
import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.machine.StopReason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rings 0 and 3 as Linux uses them: a GDT with kernel and user code/data, a 32-bit TSS with ESP0/SS0 and an
 * I/O permission bitmap, an IDT whose INT 0x80 gate has DPL 3. A ring-0 prologue loads them and IRETs to user
 * code at {@link #USER}; each vector's handler is a HLT, so a run stops in the handler with the frame on the
 * ring-0 stack.
 */
class PrivilegeTest {
    static final int GDT = 0x1000, GDTR = 0x1100, IDTR = 0x1108, IDT = 0x2000, HANDLERS = 0x3000, TSS = 0x5000;
    static final int USER = 0x20000, USER_STACK = 0x70000, KERNEL_STACK = 0x80000;
    static final int KCS = 0x08, KDS = 0x10, UCS = 0x1B, UDS = 0x23, TR = 0x28;

    CpuHarness h;

    static int handler(int vector) {
        return HANDLERS + vector * 16;
    }

    @BeforeEach
    void tables() {
        h = new CpuHarness();
        descriptor(KCS, 0x00CF9A00);
        descriptor(KDS, 0x00CF9200);
        descriptor(UCS & ~3, 0x00CFFA00);
        descriptor(UDS & ~3, 0x00CFF200);
        int tssLimit = 0x68 + 0x2000; // the bitmap covers every port, plus the terminating byte
        h.mem.write32(GDT + TR, (TSS & 0xFFFF) << 16 | (tssLimit & 0xFFFF));
        h.mem.write32(GDT + TR + 4, (TSS >>> 16 & 0xFF) | 0x8900 | (tssLimit & 0xF0000) | (TSS & 0xFF000000));
        h.mem.write16(GDTR, 0x2F);
        h.mem.write32(GDTR + 2, GDT);
        h.mem.write16(IDTR, 0x7FF);
        h.mem.write32(IDTR + 2, IDT);
        for (int v = 0; v < 256; v++) {
            gate(v, v == 0x80 ? 3 : 0);
            h.mem.write8(handler(v), 0xF4); // hlt
        }
        h.mem.write32(TSS + 4, KERNEL_STACK);
        h.mem.write32(TSS + 8, KDS);
        h.mem.write16(TSS + 0x66, 0x68);
        h.mem.fill(TSS + 0x68, 0x2001, 0xFF);
        h.mem.write8(TSS + 0x68 + (0x80 >>> 3), 0xFE); // port 0x80 allowed in ring 3
    }

    void descriptor(int selector, int hi) {
        h.mem.write32(GDT + selector, 0x0000FFFF);
        h.mem.write32(GDT + selector + 4, hi);
    }

    /** A 32-bit trap gate to {@link #handler(int)} in the kernel code segment with DPL {@code dpl}. */
    void gate(int v, int dpl) {
        int target = handler(v);
        h.mem.write32(IDT + v * 8, KCS << 16 | (target & 0xFFFF));
        h.mem.write32(IDT + v * 8 + 4, (target & 0xFFFF0000) | 0x8F00 | dpl << 13);
    }

    /** The ring-0 prologue (tables, TR, IRET to ring 3 with {@code userEflags}), then {@code user} at USER. */
    void program(int userEflags, Object... user) {
        h.load(USER, user);
        h.code(0x0F, 0x01, 0x15, le32(GDTR),        // lgdt [GDTR]
                0x0F, 0x01, 0x1D, le32(IDTR),        // lidt [IDTR]
                0xEA, le32(CODE + 21), le16(KCS),    // ljmp KCS:next
                0x66, 0xB8, le16(KDS),               // mov ax, KDS
                0x8E, 0xD8, 0x8E, 0xD0,              // mov ds, ax; mov ss, ax
                0x66, 0xB8, le16(TR),                // mov ax, TR
                0x0F, 0x00, 0xD8,                    // ltr ax
                0x68, le32(UDS),                     // push UDS
                0x68, le32(USER_STACK),              // push USER_STACK
                0x68, le32(userEflags),              // push eflags
                0x68, le32(UCS),                     // push UCS
                0x68, le32(USER),                    // push USER
                0xCF);                               // iret
    }

    void runIntoHandler(int v) {
        StopReason s = h.run();
        assertThat(s.kind()).as(s.message()).isEqualTo(StopReason.Kind.HALT);
        assertThat(s.eip()).as("stopped in the handler of vector %d; %s", v, h.cpu.saveState())
                .isEqualTo(handler(v) + 1);
        assertThat(h.cpu.cpl()).isZero();
    }

    int frame(int i) {
        return h.read32(h.reg(Cpu.ESP) + 4 * i);
    }

    @Test
    void int80FromRing3SwitchesToTheTssStackAndPushesTheUserStack() {
        program(0x202, 0xB8, le32(42),  // mov eax, 42
                0xCD, 0x80);           // int 0x80
        runIntoHandler(0x80);
        assertThat(h.reg(Cpu.ESP)).as("ESP0 minus EIP, CS, EFLAGS, ESP, SS").isEqualTo(KERNEL_STACK - 20);
        assertThat(frame(0)).as("return EIP").isEqualTo(USER + 7);
        assertThat(frame(1)).as("user CS").isEqualTo(UCS);
        assertThat(frame(2) & 0x202).isEqualTo(0x202);
        assertThat(frame(3)).as("user ESP").isEqualTo(USER_STACK);
        assertThat(frame(4)).as("user SS").isEqualTo(UDS);
        assertThat(h.cpu.segment(Cpu.SS)).isEqualTo(KDS);
        assertThat(h.cpu.segment(Cpu.CS)).isEqualTo(KCS);
        assertThat(h.reg(Cpu.EAX)).isEqualTo(42);
    }

    @Test
    void iretReturnsToRing3AndHltThereIsAGeneralProtectionFault() {
        h.load(handler(0x80), 0xB8, le32(7), // mov eax, 7
                0xCF);                       // iret
        program(0x202, 0xCD, 0x80,   // int 0x80
                0x89, 0xC3,          // mov ebx, eax
                0xF4);               // hlt: privileged
        runIntoHandler(Cpu.V_GP);
        assertThat(h.reg(Cpu.EBX)).as("ring 3 ran on after the IRET").isEqualTo(7);
        assertThat(frame(0)).as("error code").isZero();
        assertThat(frame(1)).as("EIP of the HLT").isEqualTo(USER + 4);
        assertThat(frame(2)).isEqualTo(UCS);
        assertThat(frame(4)).as("user ESP back as it was").isEqualTo(USER_STACK);
    }

    @Test
    void cliInRing3WithIopl0IsAGeneralProtectionFaultButNotWithIopl3() {
        program(0x202, 0xFA); // cli
        runIntoHandler(Cpu.V_GP);
        assertThat(frame(1)).isEqualTo(USER);

        tables();
        program(0x3202, 0xFA, 0xCD, 0x80); // IOPL 3: cli; int 0x80
        runIntoHandler(0x80);
        assertThat(frame(2) & Cpu.IF).as("cli took effect in ring 3").isZero();
    }

    @Test
    void portIoInRing3FollowsTheTssBitmap() {
        program(0x202, 0xE4, 0x80,  // in al, 0x80: allowed by the bitmap
                0xE4, 0x81);        // in al, 0x81: denied
        runIntoHandler(Cpu.V_GP);
        assertThat(frame(1)).as("the second IN faulted").isEqualTo(USER + 2);
    }

    @Test
    void softwareInterruptThroughADpl0GateFaultsWithTheGateInTheErrorCode() {
        program(0x202, 0xCD, 0x0E); // int 14: gate DPL 0
        runIntoHandler(Cpu.V_GP);
        assertThat(frame(0)).as("IDT index 14, IDT bit").isEqualTo(14 * 8 + 2);
    }

    @Test
    void userAccessToASupervisorPageFaultsWithTheUserBit() {
        // identity-map 0-4 MiB with user pages, except the page at 0x40000 (supervisor only)
        int pd = 0x60000, pt = 0x61000;
        h.mem.write32(pd, pt | 0x7);
        for (int i = 0; i < 1024; i++) {
            h.mem.write32(pt + 4 * i, i << 12 | (i == 0x40 ? 0x3 : 0x7));
        }
        h.load(USER, 0xA1, le32(0x40000)); // mov eax, [0x40000]
        h.code(0x0F, 0x01, 0x15, le32(GDTR), 0x0F, 0x01, 0x1D, le32(IDTR),
                0xEA, le32(CODE + 21), le16(KCS),
                0x66, 0xB8, le16(KDS), 0x8E, 0xD8, 0x8E, 0xD0,
                0x66, 0xB8, le16(TR), 0x0F, 0x00, 0xD8,
                0xB8, le32(pd), 0x0F, 0x22, 0xD8,             // mov eax, pd; mov cr3, eax
                0x0F, 0x20, 0xC0, 0x0D, le32(0x80000000),     // mov eax, cr0; or eax, PG
                0x0F, 0x22, 0xC0,                             // mov cr0, eax
                0x68, le32(UDS), 0x68, le32(USER_STACK), 0x68, le32(0x202), 0x68, le32(UCS), 0x68, le32(USER),
                0xCF);
        runIntoHandler(Cpu.V_PF);
        assertThat(frame(0)).as("P | U, a read").isEqualTo(0x5);
        assertThat(h.cpu.saveState().cr2()).isEqualTo(0x40000);
        assertThat(frame(1)).isEqualTo(USER);
    }

    @Test
    void loadingAKernelDataSegmentInRing3Faults() {
        program(0x202, 0x66, 0xB8, le16(KDS), // mov ax, KDS
                0x8E, 0xD8);                 // mov ds, ax: DPL 0 < CPL 3
        runIntoHandler(Cpu.V_GP);
        assertThat(frame(0)).isEqualTo(KDS);
    }

    @Test
    void iretToRing3NullsDataSegmentsTheUserMayNotUse() {
        program(0x202, 0xCD, 0x80); // int 0x80 straight away
        // DS was KDS (DPL 0) in the prologue: the IRET to ring 3 nulled it
        runIntoHandler(0x80);
        assertThat(h.cpu.segment(Cpu.DS)).isZero();
    }
}
