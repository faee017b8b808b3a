package dev.kjump.machine.cpu;

import dev.kjump.machine.StopReason;
import static dev.kjump.machine.cpu.CpuHarness.CODE;
import static dev.kjump.machine.cpu.CpuHarness.DATA;
import static dev.kjump.machine.cpu.CpuHarness.STACK_TOP;
import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le16;
import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder and the instructions gcc output and kernel stubs use: prefixes, ModRM/SIB addressing, string
 * instructions, stack frames, exchange and compare-exchange, sign/zero extension, 16-bit forms, loops, calls,
 * flag transfers, invalid encodings (#UD, never a Java exception), and self-modifying code.
 */
class DecoderTest {
    static final int EAX = Cpu.EAX, ECX = Cpu.ECX, EDX = Cpu.EDX, EBX = Cpu.EBX, ESP = Cpu.ESP, EBP = Cpu.EBP,
            ESI = Cpu.ESI, EDI = Cpu.EDI;

    final CpuHarness h = new CpuHarness();

    /** Gives segment register {@code seg} a hidden base of {@code base} (as a descriptor load would). */
    void segmentBase(int seg, int base) {
        CpuState s = h.cpu.saveState();
        int[] bases = s.segBases();
        bases[seg] = base;
        h.cpu.restoreState(new CpuState(s.regs(), s.eip(), s.eflags(), s.segSelectors(), bases, s.cr0(), s.cr2(),
                s.cr3(), s.cr4(), s.gdtBase(), s.gdtLimit(), s.idtBase(), s.idtLimit()));
    }

    byte[] bytes(int addr, int n) {
        byte[] b = new byte[n];
        h.mem.read(addr, b, 0, n);
        return b;
    }

    // ------------------------------------------------------------------ prefixes

    @Test
    void operandSizePrefixSelects16BitForms() {
        h.code(0x66, 0xB8, le16(0x1234),   // mov ax, 0x1234
                0x66, 0x83, 0xC0, 0xFF,     // add ax, -1
                0x66, 0x05, le16(0x0010),  // add ax, 0x10
                0x66, 0xC7, 0x03, le16(0xBEEF), // mov word [ebx], 0xbeef
                0x66, 0x50,                 // push ax
                0x66, 0x5A)                 // pop dx
                .set(EAX, 0xAAAA0000).set(EBX, DATA).set(EDX, 0x55550000).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0xAAAA1243);
        assertThat(h.mem.read32(DATA)).isEqualTo(0xBEEF);
        assertThat(h.reg(EDX)).isEqualTo(0x55551243);
        assertThat(h.reg(ESP)).isEqualTo(STACK_TOP);
    }

    @Test
    void repMovsbForwardAndBackward() {
        byte[] src = "hello, string ops".getBytes(StandardCharsets.US_ASCII);
        h.mem.write(DATA, src, 0, src.length);
        h.code(0xF3, 0xA4) // rep movsb
                .set(ESI, DATA).set(EDI, DATA + 0x100).set(ECX, src.length).runToHlt();
        assertThat(bytes(DATA + 0x100, src.length)).isEqualTo(src);
        assertThat(h.reg(ECX)).isZero();
        assertThat(h.reg(ESI)).isEqualTo(DATA + src.length);
        assertThat(h.reg(EDI)).isEqualTo(DATA + 0x100 + src.length);

        // DF=1: copies from the end down (memmove of an overlapping region upwards)
        h.code(0xFD, 0xF3, 0xA4, 0xFC) // std; rep movsb; cld
                .set(ESI, DATA + src.length - 1).set(EDI, DATA + src.length + 1).set(ECX, src.length).runToHlt();
        assertThat(bytes(DATA + 2, src.length)).isEqualTo(src);
        assertThat(h.reg(ESI)).isEqualTo(DATA - 1);
        assertThat(h.reg(EDI)).isEqualTo(DATA + 1);
    }

    @Test
    void repStosdAndRepMovsdWithDirectionFlag() {
        h.code(0xF3, 0xAB) // rep stosd
                .set(EAX, 0x11223344).set(EDI, DATA).set(ECX, 4).runToHlt();
        for (int i = 0; i < 4; i++) {
            assertThat(h.mem.read32(DATA + 4 * i)).isEqualTo(0x11223344);
        }
        assertThat(h.mem.read32(DATA + 16)).isZero();
        h.code(0xFD, 0x66, 0xF3, 0xAB) // std; rep stosw
                .set(EAX, 0x5566).set(EDI, DATA + 0x102).set(ECX, 2).runToHlt();
        assertThat(h.mem.read32(DATA + 0x100)).isEqualTo(0x55665566);
        assertThat(h.reg(EDI)).isEqualTo(DATA + 0xFE);
    }

    @Test
    void repeCmpsbStopsAtTheFirstDifference() {
        h.mem.write(DATA, "abcdef".getBytes(StandardCharsets.US_ASCII), 0, 6);
        h.mem.write(DATA + 0x100, "abcXef".getBytes(StandardCharsets.US_ASCII), 0, 6);
        h.code(0xF3, 0xA6) // repe cmpsb
                .set(ESI, DATA).set(EDI, DATA + 0x100).set(ECX, 6).runToHlt();
        assertThat(h.reg(ECX)).isEqualTo(2);
        assertThat(h.reg(ESI)).isEqualTo(DATA + 4);
        assertThat(h.eflags() & Cpu.ZF).isZero();
        assertThat(h.eflags() & Cpu.CF).as("'d' < 'X' is false: no borrow").isZero();
    }

    @Test
    void repneScasbFindsTheByte() {
        h.mem.write(DATA, "find the zero\0rest".getBytes(StandardCharsets.US_ASCII), 0, 18);
        h.code(0xF2, 0xAE) // repne scasb (strlen)
                .set(EAX, 0).set(EDI, DATA).set(ECX, -1).runToHlt();
        assertThat(h.reg(EDI)).isEqualTo(DATA + 14);
        assertThat(~h.reg(ECX) - 1).as("strlen").isEqualTo(13);
        assertThat(h.eflags() & Cpu.ZF).isEqualTo(Cpu.ZF);
    }

    @Test
    void lodsWithDirectionFlag() {
        h.mem.write32(DATA, 0x04030201);
        h.code(0xFD, 0xAC, 0xAC, 0xFC) // std; lodsb; lodsb; cld
                .set(ESI, DATA + 3).set(EAX, 0xFFFFFF00).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0xFFFFFF03);
        assertThat(h.reg(ESI)).isEqualTo(DATA + 1);
        h.code(0xF3, 0xAD).set(ESI, DATA).set(ECX, 1).runToHlt(); // rep lodsd
        assertThat(h.reg(EAX)).isEqualTo(0x04030201);
        assertThat(h.reg(ECX)).isZero();
    }

    @Test
    void segmentOverridesAddTheSegmentBase() {
        h.mem.write32(0x50000 + 0x10, 0xF5F5F5F5);
        h.mem.write32(0x10, 0xD5D5D5D5);
        h.mem.write(0x50000 + 0x20, "fs!".getBytes(StandardCharsets.US_ASCII), 0, 3);
        h.code(0x64, 0x8B, 0x03,             // mov eax, fs:[ebx]
                0x8B, 0x2B,                   // mov ebp, [ebx] (DS, base 0)
                0x64, 0xA1, le32(0x14),       // mov eax, fs:[0x14] (moffs form)
                0x64, 0x8D, 0x53, 0x04,       // lea edx, fs:[ebx+4] (offset only)
                0x64, 0xF3, 0xA4)             // rep movsb fs:[esi] -> es:[edi]
                .set(EBX, 0x10).set(ESI, 0x20).set(EDI, DATA).set(ECX, 3);
        h.mem.write32(0x50000 + 0x14, 0x600D600D);
        segmentBase(Cpu.FS, 0x50000);
        h.runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0x600D600D);
        assertThat(h.reg(EBP)).isEqualTo(0xD5D5D5D5);
        assertThat(h.reg(ECX)).isZero();
        assertThat(h.reg(EDX)).isEqualTo(0x14);
        assertThat(bytes(DATA, 3)).isEqualTo("fs!".getBytes(StandardCharsets.US_ASCII));
        h.code(0x64, 0x8B, 0x03, 0x8B, 0x0B).set(EBX, 0x10).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0xF5F5F5F5);
        assertThat(h.reg(ECX)).isEqualTo(0xD5D5D5D5);
    }

    // ------------------------------------------------------------------ addressing

    @Test
    void modrmAndSibForms() {
        for (int i = 0; i < 64; i++) {
            h.mem.write32(DATA + 4 * i, 0x1000 + i);
        }
        h.code(0x8B, 0x43, 0xFC,                    // mov eax, [ebx-4]           disp8
                0x8B, 0x8B, le32(0x40),             // mov ecx, [ebx+0x40]        disp32
                0x8B, 0x14, 0xB5, le32(DATA),      // mov edx, [esi*4+DATA]      SIB, no base, disp32
                0x8B, 0x7C, 0xB3, 0x08,            // mov edi, [ebx+esi*4+8]     SIB, scaled index, disp8
                0x8B, 0x2D, le32(DATA + 8),         // mov ebp, [DATA+8]          disp32 only
                0x8B, 0x04, 0x33)                   // mov eax, [ebx+esi]         SIB, scale 1
                .set(EBX, DATA + 0x20).set(ESI, 3).runToHlt();
        assertThat(h.reg(ECX)).isEqualTo(0x1000 + 0x18);
        assertThat(h.reg(EDX)).isEqualTo(0x1000 + 3);
        assertThat(h.reg(EDI)).isEqualTo(0x1000 + 8 + 3 + 2);
        assertThat(h.reg(EBP)).isEqualTo(0x1000 + 2);
        assertThat(h.mem.read32(DATA + 0x23)).isEqualTo(h.reg(EAX));
        h.code(0x8B, 0x43, 0xFC).set(EBX, DATA + 0x20).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0x1000 + 7);
    }

    @Test
    void espAndEbpBasesUseSs() {
        segmentBase(Cpu.SS, 0x100000);
        h.mem.write32(0x100000 + DATA + 4, 0x55);
        h.mem.write32(DATA + 4, 0xDD);
        h.mem.write32(0x100000 + DATA + 8, 0x66);
        h.code(0x8B, 0x45, 0x04,         // mov eax, [ebp+4]  (SS)
                0x8B, 0x4C, 0x24, 0x08,   // mov ecx, [esp+8]  (SS)
                0x8B, 0x53, 0x04,         // mov edx, [ebx+4]  (DS)
                0x8B, 0x74, 0x1D, 0x04,   // mov esi, [ebp+ebx+4] (base EBP: SS)
                0x8B, 0x7C, 0x2B, 0x04)   // mov edi, [ebx+ebp+4] (base EBX: DS)
                .set(EBP, DATA).set(ESP, DATA).set(EBX, DATA).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0x55);
        assertThat(h.reg(ECX)).isEqualTo(0x66);
        assertThat(h.reg(EDX)).isEqualTo(0xDD);
        h.code(0x8B, 0x74, 0x1D, 0x04, 0x8B, 0x7C, 0x2B, 0x04).set(EBP, DATA).set(EBX, 0).runToHlt();
        assertThat(h.reg(ESI)).isEqualTo(0x55);
        assertThat(h.reg(EDI)).isEqualTo(0xDD);
    }

    @Test
    void leaComputesOffsetsWithoutTouchingFlagsOrMemory() {
        h.code(0x8D, 0x74, 0x26, 0x00,      // lea esi, [esi+0] (gcc's 4-byte nop)
                0x8D, 0x04, 0x8B,           // lea eax, [ebx+ecx*4]
                0x8D, 0x54, 0x49, 0xFD,     // lea edx, [ecx+ecx*2-3]
                0x8D, 0x3C, 0x8D, le32(0x100)) // lea edi, [ecx*4+0x100]
                .set(ESI, 0xFFFFF000).set(EBX, 0x10).set(ECX, 5).flags(0x8D5 | 0x2).runToHlt();
        assertThat(h.reg(ESI)).isEqualTo(0xFFFFF000);
        assertThat(h.reg(EAX)).isEqualTo(0x24);
        assertThat(h.reg(EDX)).isEqualTo(12);
        assertThat(h.reg(EDI)).isEqualTo(0x114);
        assertThat(h.eflags() & 0x8D5).isEqualTo(0x8D5);
    }

    @Test
    void multiByteNops() {
        h.code(0x90,
                0x66, 0x90,
                0x0F, 0x1F, 0x00,
                0x0F, 0x1F, 0x40, 0x00,
                0x0F, 0x1F, 0x44, 0x00, 0x00,
                0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00,
                0x0F, 0x1F, 0x80, le32(0),
                0x0F, 0x1F, 0x84, 0x00, le32(0),
                0x66, 0x0F, 0x1F, 0x84, 0x00, le32(0),
                0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, le32(0),
                0x8D, 0xB6, le32(0),               // lea esi, [esi+0] (6-byte)
                0x8D, 0xBC, 0x27, le32(0))         // lea edi, [edi+0] (7-byte)
                .set(EAX, 0x12345678).set(ESI, 7).set(EDI, 9).runToHlt(); // runToHlt checks every length
        assertThat(h.reg(EAX)).isEqualTo(0x12345678);
        assertThat(h.reg(ESI)).isEqualTo(7);
        assertThat(h.reg(EDI)).isEqualTo(9);
        assertThat(h.cpu.instructions()).isEqualTo(13);
    }

    // ------------------------------------------------------------------ stack frames and exchange

    @Test
    void enterAndLeave() {
        h.code(0xC8, le16(0x10), 0x00,  // enter 16, 0
                0x89, 0xE8,              // mov eax, ebp
                0x89, 0xE1,              // mov ecx, esp
                0xC9)                     // leave
                .set(EBP, 0xEB0).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(STACK_TOP - 4);
        assertThat(h.reg(ECX)).isEqualTo(STACK_TOP - 4 - 16);
        assertThat(h.mem.read32(STACK_TOP - 4)).isEqualTo(0xEB0);
        assertThat(h.reg(EBP)).isEqualTo(0xEB0);
        assertThat(h.reg(ESP)).isEqualTo(STACK_TOP);
    }

    @Test
    void enterWithNestingLevel() {
        int outerFrame = STACK_TOP - 0x100;
        h.mem.write32(outerFrame - 4, 0xD15C1);
        h.code(0xC8, le16(8), 0x02) // enter 8, 2
                .set(EBP, outerFrame).runToHlt();
        int frame = STACK_TOP - 4;
        assertThat(h.mem.read32(STACK_TOP - 4)).as("old ebp").isEqualTo(outerFrame);
        assertThat(h.mem.read32(STACK_TOP - 8)).as("display from outer frame").isEqualTo(0xD15C1);
        assertThat(h.mem.read32(STACK_TOP - 12)).as("frame pointer").isEqualTo(frame);
        assertThat(h.reg(EBP)).isEqualTo(frame);
        assertThat(h.reg(ESP)).isEqualTo(STACK_TOP - 12 - 8);
    }

    @Test
    void pushaPopa() {
        h.code(0x60,                  // pusha
                0x31, 0xC0, 0x31, 0xC9, 0x31, 0xD2, 0x31, 0xDB, 0x31, 0xED, 0x31, 0xF6, 0x31, 0xFF, // zero all
                0x61)                 // popa
                .set(EAX, 1).set(ECX, 2).set(EDX, 3).set(EBX, 4).set(EBP, 6).set(ESI, 7).set(EDI, 8);
        h.run(1);
        int sp = h.reg(ESP);
        assertThat(sp).isEqualTo(STACK_TOP - 32);
        int[] expect = {8, 7, 6, STACK_TOP, 4, 3, 2, 1};
        for (int i = 0; i < 8; i++) {
            assertThat(h.mem.read32(sp + 4 * i)).as("slot %d", i).isEqualTo(expect[i]);
        }
        h.mem.write32(sp + 12, 0x1234); // POPA ignores the saved ESP
        h.runToHlt();
        assertThat(new int[] {h.reg(EAX), h.reg(ECX), h.reg(EDX), h.reg(EBX), h.reg(ESP), h.reg(EBP), h.reg(ESI),
            h.reg(EDI)}).containsExactly(1, 2, 3, 4, STACK_TOP, 6, 7, 8);
    }

    @Test
    void xchgForms() {
        h.mem.write32(DATA, 0xAAAA);
        h.code(0x87, 0xCB,   // xchg ebx, ecx
                0x92,        // xchg eax, edx
                0x87, 0x06,  // xchg [esi], eax
                0x86, 0xE0)  // xchg al, ah
                .set(EAX, 0x1122).set(ECX, 2).set(EDX, 0x3344).set(EBX, 4).set(ESI, DATA).runToHlt();
        assertThat(h.reg(EBX)).isEqualTo(2);
        assertThat(h.reg(ECX)).isEqualTo(4);
        assertThat(h.reg(EDX)).isEqualTo(0x1122);
        assertThat(h.mem.read32(DATA)).isEqualTo(0x3344);
        assertThat(h.reg(EAX)).isEqualTo(0xAAAA);
    }

    @Test
    void cmpxchgEqualAndNotEqual() {
        h.mem.write32(DATA, 5);
        h.code(0xF0, 0x0F, 0xB1, 0x0E) // lock cmpxchg [esi], ecx
                .set(EAX, 5).set(ECX, 9).set(ESI, DATA).runToHlt();
        assertThat(h.mem.read32(DATA)).isEqualTo(9);
        assertThat(h.eflags() & Cpu.ZF).isEqualTo(Cpu.ZF);
        assertThat(h.reg(EAX)).isEqualTo(5);
        h.code(0x0F, 0xB1, 0x0E).set(EAX, 5).set(ECX, 7).runToHlt();
        assertThat(h.mem.read32(DATA)).isEqualTo(9);
        assertThat(h.eflags() & Cpu.ZF).isZero();
        assertThat(h.reg(EAX)).as("accumulator loaded with the destination").isEqualTo(9);
        assertThat(h.eflags() & Cpu.CF).as("flags of cmp eax(5), dest(9)").isEqualTo(Cpu.CF);
        h.code(0x0F, 0xB0, 0xCA).set(EAX, 0x1233).set(EDX, 0x33).set(ECX, 0x77).runToHlt(); // cmpxchg dl, cl
        assertThat(h.reg(EDX)).isEqualTo(0x77);
        assertThat(h.reg(EAX)).isEqualTo(0x1233);
    }

    @Test
    void xadd() {
        h.mem.write32(DATA, 40);
        h.code(0xF0, 0x0F, 0xC1, 0x0E) // lock xadd [esi], ecx
                .set(ECX, 2).set(ESI, DATA).runToHlt();
        assertThat(h.mem.read32(DATA)).isEqualTo(42);
        assertThat(h.reg(ECX)).isEqualTo(40);
        h.code(0x0F, 0xC1, 0xC8).set(EAX, 0xFFFFFFFF).set(ECX, 1).runToHlt(); // xadd eax, ecx
        assertThat(h.reg(EAX)).isZero();
        assertThat(h.reg(ECX)).isEqualTo(-1);
        assertThat(h.eflags() & (Cpu.ZF | Cpu.CF)).isEqualTo(Cpu.ZF | Cpu.CF);
    }

    @Test
    void cmpxchg8b() {
        h.mem.write32(DATA, 0x11111111);
        h.mem.write32(DATA + 4, 0x22222222);
        h.code(0x0F, 0xC7, 0x0E) // cmpxchg8b [esi]
                .set(EAX, 0x11111111).set(EDX, 0x22222222).set(EBX, 0x33).set(ECX, 0x44).set(ESI, DATA).runToHlt();
        assertThat(h.mem.read32(DATA)).isEqualTo(0x33);
        assertThat(h.mem.read32(DATA + 4)).isEqualTo(0x44);
        assertThat(h.eflags() & Cpu.ZF).isEqualTo(Cpu.ZF);
        h.code(0x0F, 0xC7, 0x0E).set(EAX, 0).set(EDX, 0).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0x33);
        assertThat(h.reg(EDX)).isEqualTo(0x44);
        assertThat(h.eflags() & Cpu.ZF).isZero();
    }

    @Test
    void movzxMovsx() {
        h.mem.write32(DATA, 0x8000FF80);
        h.code(0x0F, 0xB6, 0xC1,      // movzx eax, cl
                0x0F, 0xBE, 0xD1,     // movsx edx, cl
                0x0F, 0xB7, 0x1E,     // movzx ebx, word [esi]
                0x0F, 0xBF, 0x3E,     // movsx edi, word [esi]
                0x66, 0x0F, 0xBE, 0xE9) // movsx bp, cl
                .set(ECX, 0x1234_5690).set(ESI, DATA).set(EBP, 0xAAAA0000).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(0x90);
        assertThat(h.reg(EDX)).isEqualTo(0xFFFFFF90);
        assertThat(h.reg(EBX)).isEqualTo(0xFF80);
        assertThat(h.reg(EDI)).isEqualTo(0xFFFFFF80);
        assertThat(h.reg(EBP)).isEqualTo(0xAAAAFF90);
    }

    // ------------------------------------------------------------------ control transfer

    @Test
    void loopAndJecxz() {
        h.code(0xB9, le32(5),      // mov ecx, 5
                0x31, 0xC0,        // xor eax, eax
                0x40,              // l: inc eax
                0xE2, 0xFD,        // loop l
                0xE3, 0x02,        // jecxz +2
                0xB3, 0x01,        // mov bl, 1 (skipped)
                0x41,              // inc ecx
                0xE3, 0x02,        // jecxz +2 (not taken)
                0xB7, 0x01)        // mov bh, 1
                .set(EBX, 0).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(5);
        assertThat(h.reg(ECX)).isEqualTo(1);
        assertThat(h.reg(EBX)).isEqualTo(0x100);
    }

    @Test
    void loopeAndLoopne() {
        h.code(0xB9, le32(10),     // mov ecx, 10
                0x46,              // l: inc esi
                0x83, 0xFE, 0x03,  // cmp esi, 3
                0xE0, 0xFA)        // loopne l
                .set(ESI, 0).runToHlt();
        assertThat(h.reg(ESI)).isEqualTo(3);
        assertThat(h.reg(ECX)).isEqualTo(7);
        h.code(0xB9, le32(10), 0x46, 0x83, 0xFE, 0x01, 0xE1, 0xFA) // loope: while esi == 1
                .set(ESI, 0).runToHlt();
        assertThat(h.reg(ESI)).isEqualTo(2);
        assertThat(h.reg(ECX)).isEqualTo(8);
    }

    @Test
    void callAndRet() {
        h.code(0xE8, le32(7),      // call f (CODE+12)
                0xBB, le32(1),     // mov ebx, 1
                0xEB, 0x06,        // jmp end
                0xB9, le32(2),     // f: mov ecx, 2
                0xC3)              // ret
                .runToHlt();
        assertThat(h.reg(EBX)).isEqualTo(1);
        assertThat(h.reg(ECX)).isEqualTo(2);
        assertThat(h.reg(ESP)).isEqualTo(STACK_TOP);
        assertThat(h.mem.read32(STACK_TOP - 4)).as("return address").isEqualTo(CODE + 5);
    }

    @Test
    void retImm16PopsTheArguments() {
        h.code(0x6A, 0x01,         // push 1
                0x6A, 0x02,        // push 2
                0xE8, le32(2),     // call f (CODE+11)
                0xEB, 0x07,        // jmp end
                0x8B, 0x44, 0x24, 0x08, // f: mov eax, [esp+8]
                0xC2, le16(8))     // ret 8
                .runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(1);
        assertThat(h.reg(ESP)).isEqualTo(STACK_TOP);
    }

    @Test
    void indirectCallAndJump() {
        h.mem.write32(DATA, CODE + 9);
        h.code(0xFF, 0x15, le32(DATA), // call [DATA] (to CODE+9, returns to CODE+6)
                0xEB, 0x07,            // jmp end (CODE+6 -> CODE+15)
                0xF4,                  // (CODE+8) not reached
                0xB9, le32(3),         // CODE+9: mov ecx, 3
                0xC3)                  // ret
                .runToHlt();
        assertThat(h.reg(ECX)).isEqualTo(3);
        assertThat(h.reg(ESP)).isEqualTo(STACK_TOP);
        h.code(0xFF, 0xE0, 0xF4, 0xB1, 0x05).set(EAX, CODE + 3).set(ECX, 0).runToHlt(); // jmp eax
        assertThat(h.reg(ECX)).isEqualTo(5);
    }

    // ------------------------------------------------------------------ conversions and flag transfer

    @Test
    void cdqCwdeCbwCwd() {
        h.code(0x99).set(EAX, 0x80000000).set(EDX, 5).runToHlt(); // cdq
        assertThat(h.reg(EDX)).isEqualTo(-1);
        h.code(0x99).set(EAX, 0x7FFFFFFF).runToHlt();
        assertThat(h.reg(EDX)).isZero();
        h.code(0x98).set(EAX, 0x1234_8001).runToHlt(); // cwde
        assertThat(h.reg(EAX)).isEqualTo(0xFFFF8001);
        h.code(0x66, 0x98).set(EAX, 0x1234_5680).runToHlt(); // cbw
        assertThat(h.reg(EAX)).isEqualTo(0x1234FF80);
        h.code(0x66, 0x99).set(EAX, 0x8000).set(EDX, 0x12340000).runToHlt(); // cwd
        assertThat(h.reg(EDX)).isEqualTo(0x1234FFFF);
    }

    @Test
    void lahfSahf() {
        h.code(0x9F).flags(0x2 | Cpu.CF | Cpu.ZF | Cpu.OF).set(EAX, 0).runToHlt(); // lahf
        assertThat(h.reg(EAX)).isEqualTo((Cpu.CF | Cpu.ZF | 0x2) << 8);
        h.code(0x9E).flags(0x2 | Cpu.OF).set(EAX, 0xFF00).runToHlt(); // sahf
        assertThat(h.eflags() & 0xFFF).isEqualTo(0x2 | Cpu.OF | Cpu.CF | Cpu.PF | Cpu.AF | Cpu.ZF | Cpu.SF);
    }

    @Test
    void pushfPopf() {
        h.code(0x9C,                 // pushf
                0x68, le32(0x0CD5),  // push DF|OF|arith
                0x9D,                // popf
                0x5B)                // pop ebx
                .flags(0x2 | Cpu.IF | Cpu.ZF).runToHlt();
        assertThat(h.reg(EBX)).isEqualTo(0x2 | Cpu.IF | Cpu.ZF);
        assertThat(h.eflags()).isEqualTo(0x0CD5 | 0x2);
        h.code(0x66, 0x6A, 0x00, 0x66, 0x9D).flags(0x40202 | Cpu.CF).runToHlt(); // push word 0; popf (16-bit)
        assertThat(h.eflags()).as("upper half kept").isEqualTo(0x40002);
    }

    // ------------------------------------------------------------------ invalid encodings

    @ParameterizedTest
    @ValueSource(strings = {"0f 0b", "0f ff", "d9 e8", "dd 03", "f0 90", "ff ff", "fe d0", "8f c8", "0f 00 f8",
        "62 c3", "8e c8", "0f ba c0 01"})
    void unknownOrInvalidOpcodesRaiseUd(String hex) {
        String[] parts = hex.split(" ");
        int[] code = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            code[i] = Integer.parseInt(parts[i], 16);
        }
        h.code(0x90, code);
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.TRIPLE_FAULT);
        assertThat(s.value()).isEqualTo(Cpu.V_UD);
        assertThat(s.message()).contains("#UD");
        assertThat(s.eip()).isEqualTo(CODE + 1);
        byte[] expected = new byte[code.length];
        for (int i = 0; i < code.length; i++) {
            expected[i] = (byte) code[i];
        }
        assertThat(s.instructionBytes()).startsWith(expected);
    }

    /**
     * Random code must end in a stop reason, never a Java exception. The seed is fixed: a random REP with a
     * huge ECX runs as one uninterruptible instruction, which would make the run time a lottery.
     */
    @Property(tries = 400, seed = "20260101")
    void arbitraryBytesNeverThrowAJavaException(@ForAll @Size(15) byte[] bytes) {
        CpuHarness m = new CpuHarness();
        m.mem.write(CODE, bytes, 0, bytes.length);
        m.cpu.setEip(CODE);
        assertThatCode(() -> m.run(200)).doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------ self-modifying code

    @Test
    void codeThatPatchesItsNextInstructionRunsTheNewBytes() {
        h.code(0xB9, le32(2),                      // mov ecx, 2
                0xB0, 0x00,                         // l: mov al, 0      (imm at CODE+6)
                0x00, 0xC3,                         // add bl, al
                0xC6, 0x05, le32(CODE + 6), 0x42,  // mov byte [CODE+6], 0x42
                0xE2, 0xF3)                         // loop l
                .set(EBX, 0).runToHlt();
        assertThat(h.reg(EBX)).as("second pass used the patched immediate").isEqualTo(0x42);
    }

    @Test
    void straightLinePatchOfTheFollowingInstruction() {
        h.code(0xC6, 0x05, le32(CODE + 8), 0x07, // mov byte [CODE+8], 7
                0xB0, 0x01)                      // mov al, 1 (becomes mov al, 7)
                .set(EAX, 0).runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(7);
        h.mem.write8(CODE + 8, 1);
        h.code(0xC6, 0x05, le32(CODE + 8), 0x07, 0xB0, 0x01); // decoded before: cache must be dropped
        h.runToHlt();
        assertThat(h.reg(EAX)).isEqualTo(7);
    }

    @Test
    void hostWritesBetweenRunsDropTheDecodedInstructions() {
        h.code(0xB0, 0x11).runToHlt(); // mov al, 0x11
        assertThat(h.reg(EAX) & 0xFF).isEqualTo(0x11);

        h.mem.write8(CODE + 1, 0x22);
        h.cpu.setEip(CODE);
        h.runToHlt();
        assertThat(h.reg(EAX) & 0xFF).isEqualTo(0x22);

        h.mem.write(CODE + 1, new byte[] {0x33}, 0, 1);
        h.cpu.setEip(CODE);
        h.runToHlt();
        assertThat(h.reg(EAX) & 0xFF).isEqualTo(0x33);

        h.mem.write16(CODE, 0x44B0);
        h.cpu.setEip(CODE);
        h.runToHlt();
        assertThat(h.reg(EAX) & 0xFF).isEqualTo(0x44);

        h.mem.write32(CODE + 0x800, 0xF455B0); // mov al, 0x55; hlt on the same page
        h.mem.copyPage(CODE >>> 12, 0x300);
        h.mem.fill(CODE, 2, 0x90); // nop; nop
        h.cpu.setEip(CODE);
        h.runToHlt();
        assertThat(h.reg(EAX) & 0xFF).as("fill replaced the mov with nops").isEqualTo(0x44);

        h.cpu.setEip(CODE + 0x800);
        h.run();
        assertThat(h.reg(EAX) & 0xFF).isEqualTo(0x55);
        h.mem.copyPage(0x300, CODE >>> 12); // page copied back: mov al, 0x44 at CODE again
        h.cpu.setEip(CODE);
        h.runToHlt();
        assertThat(h.reg(EAX) & 0xFF).isEqualTo(0x44);
    }

    @Test
    void operandSizePrefixTruncatesNearBranchTargetsTo16Bits() {
        // CODE is 0x10000, so a 16-bit target lands in the first 64 KiB: as on hardware (and QEMU)
        h.load(0x0010, 0xF4); // hlt
        h.code(0x31, 0xC0,      // xor eax, eax (ZF=1)
                0x66, 0x74, 0x0B); // jz with a 66 prefix: (CODE + 5 + 0x0B) & 0xFFFF = 0x10
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(s.eip()).isEqualTo(0x11);

        h.load(0x0020, 0xF4);
        h.code(0xB9, le32(2),     // mov ecx, 2
                0x66, 0xE2, 0x18); // loop with a 66 prefix: (CODE + 8 + 0x18) & 0xFFFF = 0x20
        s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(s.eip()).isEqualTo(0x21);
        assertThat(h.reg(ECX)).isEqualTo(1);
    }

    @Test
    void sixteenBitAddressingFormsWrapAt64K() {
        h.mem.write32(0x0120, 0x11111111);
        h.mem.write32(0x0001, 0x22222222);
        h.mem.write32(0x0310, 0x33333333);
        h.code(0x67, 0x8B, 0x00,        // mov eax, [bx+si]
                0x67, 0x8B, 0x08 | 0x01, // mov ecx, [bx+di]
                0x67, 0x8B, 0x56, 0x10,  // mov edx, [bp+0x10]
                0x67, 0x8D, 0x1E, le16(0xFFF0)); // lea ebx, [0xfff0]
        h.set(EBX, 0x12340100).set(ESI, 0x20).set(EDI, 0xFF01).set(EBP, 0x300).runToHlt();
        assertThat(h.reg(EAX)).as("(0x0100 + 0x20) & 0xFFFF").isEqualTo(0x11111111);
        assertThat(h.reg(ECX)).as("(0x0100 + 0xFF01) wraps to 0x0001").isEqualTo(0x22222222);
        assertThat(h.reg(EDX)).isEqualTo(0x33333333);
        assertThat(h.reg(EBX)).as("LEA of a 16-bit address").isEqualTo(0xFFF0);
    }
}
