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

    /** Group 7 (0F 01): SGDT SIDT LGDT LIDT SMSW LMSW INVLPG (LGDT, LIDT, LMSW and INVLPG at CPL 0 only). */
    static void group7(ArchState s, Insn d) {
        if (d.reg == 2 || d.reg == 3 || d.reg >= 6) {
            Exceptions.requireCpl0(s);
        }
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
        Exceptions.requireCpl0(s);
        s.cr0 &= ~CR0_TS;
    }

    /** MOV r32, CRn. */
    static void movFromCr(ArchState s, Insn d) {
        Exceptions.requireCpl0(s);
        s.r[d.rm] = readCr(s, d.reg);
    }

    /** MOV CRn, r32. */
    static void movToCr(ArchState s, Insn d) {
        Exceptions.requireCpl0(s);
        writeCr(s, d.reg, s.r[d.rm]);
    }

    /** MOV r32, DRn (DR4/DR5 alias DR6/DR7, as with CR4.DE clear). */
    static void movFromDr(ArchState s, Insn d) {
        Exceptions.requireCpl0(s);
        s.r[d.rm] = s.dr[d.reg == 4 || d.reg == 5 ? d.reg + 2 : d.reg];
    }

    /** MOV DRn, r32. */
    static void movToDr(ArchState s, Insn d) {
        Exceptions.requireCpl0(s);
        int n = d.reg == 4 || d.reg == 5 ? d.reg + 2 : d.reg;
        int v = s.r[d.rm];
        s.dr[n] = n == 6 ? v | DR6_FIXED : n == 7 ? (v | DR7_FIXED) & ~DR7_ZERO : v;
    }

    /** DR6 bits that read as 1; DR7's bit 10 reads as 1 and bits 11, 12, 14, 15 as 0. */
    static final int DR6_FIXED = 0xFFFF0FF0, DR7_FIXED = 0x400, DR7_ZERO = 0xD800;

    /** RDTSC: the time stamp counter is virtual time in instruction ticks; #GP at CPL > 0 with CR4.TSD. */
    static void rdtsc(ArchState s) {
        if ((s.cr4 & CR4_TSD) != 0) {
            Exceptions.requireCpl0(s);
        }
        long t = s.ticks();
        s.r[EAX] = (int) t;
        s.r[EDX] = (int) (t >>> 32);
    }

    /** The model-specific registers: the TSC (0x10) and the microcode revision (0x8B); any other MSR is #GP(0). */
    static final int MSR_TSC = 0x10, MSR_UCODE_REV = 0x8B;

    /** RDMSR: EDX:EAX = MSR[ECX]. */
    static void rdmsr(ArchState s) {
        Exceptions.requireCpl0(s);
        long v = switch (s.r[ECX]) {
            case MSR_TSC -> s.ticks();
            case MSR_UCODE_REV -> s.ucodeRev;
            default -> throw Exceptions.gp(s, 0);
        };
        s.r[EAX] = (int) v;
        s.r[EDX] = (int) (v >>> 32);
    }

    /** WRMSR: MSR[ECX] = EDX:EAX. Writing the TSC moves virtual time's origin for RDTSC. */
    static void wrmsr(ArchState s) {
        Exceptions.requireCpl0(s);
        long v = (s.r[EDX] & 0xFFFFFFFFL) << 32 | (s.r[EAX] & 0xFFFFFFFFL);
        switch (s.r[ECX]) {
            case MSR_TSC -> s.haltedTicks += v - s.ticks();
            case MSR_UCODE_REV -> s.ucodeRev = v;
            default -> throw Exceptions.gp(s, 0);
        }
    }

    /**
     * An x87 instruction (D8-DF) on a CPU without an FPU: #NM when CR0.EM or CR0.TS is set (Linux's math
     * emulator takes it from there), #UD otherwise.
     */
    static void noFpu(ArchState s) {
        if ((s.cr0 & (CR0_EM | CR0_TS)) != 0) {
            throw s.fault.set(V_NM, false, 0);
        }
        throw Exceptions.ud(s);
    }

    /** WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set; otherwise nothing to wait for. */
    static void fwait(ArchState s) {
        if ((s.cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
            throw s.fault.set(V_NM, false, 0);
        }
    }

    /**
     * CPUID leaf 1 EDX: what this CPU implements: PSE, TSC, MSR (RDMSR/WRMSR), CX8, PGE (CR4.PGE is accepted;
     * global pages are flushed like any other, which the architecture allows) and CMOV. No FPU (kernels boot
     * with {@code no387}), no VME, DE, PAE, MCE, APIC, SEP (system calls use INT 0x80), MTRR, MMX or SSE.
     */
    static final int CPUID_FEATURES = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 8) | (1 << 13) | (1 << 15);

    /** CPUID leaf 1 ECX: only "running under a hypervisor" (bit 31), which kjump is. */
    static final int CPUID_HYPERVISOR = 1 << 31;

    /**
     * CPUID: an i686-class Intel CPU, family 6 model 5 stepping 2 (the Pentium II of QEMU's {@code pentium2}
     * model, so that a kernel's console reads the same under both), with {@link #CPUID_FEATURES} and the
     * hypervisor bit.
     */
    static void cpuid(ArchState s) {
        int leaf = s.r[EAX];
        switch (leaf) {
            case 0 -> {
                s.r[EAX] = 2; // leaves 0-2
                s.r[EBX] = 0x756e6547; // "Genu"
                s.r[EDX] = 0x49656e69; // "ineI"
                s.r[ECX] = 0x6c65746e; // "ntel"
            }
            case 1 -> {
                s.r[EAX] = 0x652; // family 6 model 5 stepping 2: a Pentium II (Deschutes), as QEMU's pentium2
                s.r[EBX] = 0;
                s.r[ECX] = CPUID_HYPERVISOR;
                s.r[EDX] = CPUID_FEATURES;
            }
            case 2 -> {
                // cache descriptors, as QEMU's pentium2 reports them: one call; L1D 32K (0x2c), L1I 32K (0x30),
                // L2 2M (0x7d). kjump has no caches, but a kernel names a model 5 without L2 a Celeron.
                s.r[EAX] = 1;
                s.r[EBX] = 0;
                s.r[ECX] = 0;
                s.r[EDX] = 0x2c << 16 | 0x30 << 8 | 0x7d;
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
