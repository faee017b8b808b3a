package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * Processor control: moves to and from the control registers (CR0 CR2 CR3 CR4, with the paging mode they
 * set) and debug registers, group 7 (SGDT SIDT LGDT LIDT SMSW LMSW INVLPG), CLTS and CPUID.
 */
final class ProcessorControl {
    private ProcessorControl() {
    }

    /** MOV to CR0 (and LMSW): #GP for paging without protection; the paging mode follows. */
    static void setCr0(ArchState s, int v) {
        if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) {
            throw Exceptions.gp(s, 0);
        }
        s.cr0 = v | CR0_ET;
        applyPagingMode(s);
    }

    /** Hands CR0.PG, CR0.WP and CR4.PSE to the MMU (flushing its TLB) and re-marks the breakpoints. */
    static void applyPagingMode(ArchState s) {
        s.mmu.paging = (s.cr0 & CR0_PG) != 0;
        s.mmu.writeProtect = (s.cr0 & CR0_WP) != 0;
        s.mmu.pse = (s.cr4 & CR4_PSE) != 0;
        s.mmu.flush();
        s.stops.markBreakpoints();
    }

    /** Group 7 (0F 01): SGDT SIDT LGDT LIDT SMSW LMSW INVLPG. */
    static void group7(ArchState s, Insn d) {
        if (d.mod == 3) {
            if (d.reg == 4) {
                Operands.setReg(s, d.os16 ? 2 : 4, d.rm, s.cr0 & (d.os16 ? 0xFFFF : -1));
                return;
            }
            if (d.reg == 6) {
                lmsw(s, s.r[d.rm]);
                return;
            }
            throw Exceptions.ud(s);
        }
        int lin = Operands.ea(s, d);
        switch (d.reg) {
            case 0 -> {
                Operands.wr16(s, lin, s.gdtLimit);
                Operands.wr32(s, lin + 2, s.gdtBase);
            }
            case 1 -> {
                Operands.wr16(s, lin, s.idtLimit);
                Operands.wr32(s, lin + 2, s.idtBase);
            }
            case 2 -> {
                int limit = Operands.rd16(s, lin);
                int base = Operands.rd32(s, lin + 2);
                s.gdtLimit = limit;
                s.gdtBase = d.os16 ? base & 0xFFFFFF : base;
            }
            case 3 -> {
                int limit = Operands.rd16(s, lin);
                int base = Operands.rd32(s, lin + 2);
                s.idtLimit = limit;
                s.idtBase = d.os16 ? base & 0xFFFFFF : base;
            }
            case 4 -> Operands.wr16(s, lin, s.cr0);
            case 6 -> lmsw(s, Operands.rd16(s, lin));
            case 7 -> s.mmu.invlpg(lin);
            default -> throw Exceptions.ud(s);
        }
    }

    static void lmsw(ArchState s, int v) {
        // LMSW sets PE/MP/EM/TS; it cannot clear PE.
        setCr0(s, (s.cr0 & ~0xE) | (v & 0xF));
    }

    static int readCr(ArchState s, int n) {
        return switch (n) {
            case 0 -> s.cr0;
            case 2 -> s.mmu.cr2;
            case 3 -> s.mmu.cr3;
            case 4 -> s.cr4;
            default -> throw Exceptions.ud(s);
        };
    }

    static void writeCr(ArchState s, int n, int v) {
        switch (n) {
            case 0 -> setCr0(s, v);
            case 2 -> s.mmu.cr2 = v;
            case 3 -> {
                s.mmu.cr3 = v;
                s.mmu.flush();
                s.stops.markBreakpoints();
            }
            case 4 -> {
                if ((v & ~CR4_SUPPORTED) != 0) {
                    throw Exceptions.gp(s, 0);
                }
                s.cr4 = v;
                applyPagingMode(s);
            }
            default -> throw Exceptions.ud(s);
        }
    }

    /** CLTS: clears CR0.TS. */
    static void clts(ArchState s) {
        s.cr0 &= ~0x8;
    }

    /** RDTSC: the time stamp counter is the instruction count. */
    static void rdtsc(ArchState s) {
        s.r[EAX] = (int) s.icount;
        s.r[EDX] = (int) (s.icount >>> 32);
    }

    /** CPUID: an i686-class Intel CPU with PSE, TSC, CX8 and CMOV, and no FPU. */
    static void cpuid(ArchState s) {
        int leaf = s.r[EAX];
        switch (leaf) {
            case 0 -> {
                s.r[EAX] = 1;
                s.r[EBX] = 0x756e6547; // "Genu"
                s.r[EDX] = 0x49656e69; // "ineI"
                s.r[ECX] = 0x6c65746e; // "ntel"
            }
            case 1 -> {
                s.r[EAX] = 0x633; // family 6 model 3 stepping 3
                s.r[EBX] = 0;
                s.r[ECX] = 0;
                s.r[EDX] = (1 << 3) | (1 << 4) | (1 << 8) | (1 << 15); // PSE TSC CX8 CMOV
            }
            case 0x80000000 -> {
                s.r[EAX] = 0x80000000;
                s.r[EBX] = 0;
                s.r[ECX] = 0;
                s.r[EDX] = 0;
            }
            default -> {
                s.r[EAX] = 0;
                s.r[EBX] = 0;
                s.r[ECX] = 0;
                s.r[EDX] = 0;
            }
        }
    }
}
