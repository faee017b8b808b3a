package dev.kjump.machine.cpu;

/**
 * The i386's architectural numbers, as the Intel SDM names them: general and segment register indexes in their
 * encoding order, EFLAGS, CR0 and CR4 bits, and exception vectors. {@link Cpu} implements this interface, so
 * callers outside the package spell them {@code Cpu.EAX}, {@code Cpu.CR0_PG}; inside the package the parts
 * import them statically.
 */
public interface X86 {
    /** General register indexes, in the x86 encoding order. */
    int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    /** Segment register indexes, in the x86 encoding order. */
    int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    /** EFLAGS bits. */
    int CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400, OF = 0x800,
            IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, ID = 0x200000;

    /** CR0 bits. */
    int CR0_PE = 0x1, CR0_MP = 0x2, CR0_EM = 0x4, CR0_TS = 0x8, CR0_ET = 0x10, CR0_WP = 0x10000,
            CR0_PG = 0x80000000;
    /** CR4 bits. */
    int CR4_TSD = 0x4, CR4_PSE = 0x10, CR4_PGE = 0x80;

    /** Exception vectors. */
    int V_DE = 0, V_DB = 1, V_BP = 3, V_OF = 4, V_BR = 5, V_UD = 6, V_NM = 7, V_DF = 8, V_TS = 10, V_NP = 11,
            V_SS = 12, V_GP = 13, V_PF = 14;
}
