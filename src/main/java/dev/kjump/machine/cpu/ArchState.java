package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;

import dev.kjump.machine.IoBus;
import dev.kjump.machine.PhysicalMemory;

/**
 * The ground floor of the CPU: the architectural state every other part reads and writes. General registers,
 * EIP, EFLAGS with lazy arithmetic flags, the segment registers with their descriptor cache (selector, base,
 * limit, attributes and DPL), the control, debug and descriptor-table registers, and the instruction count;
 * plus the memory, port bus, MMU and stop points the CPU is wired to.
 *
 * <p>Arithmetic flags are lazy: a flag-setting operation records its kind, operands and result ({@code cc*});
 * {@link #cf()} and the others compute a flag from them when something reads it, and {@link #materialize()}
 * folds them into {@link #flags}. The parts of the CPU are classes of static methods that take this state as
 * their first argument (as Bochs' and blink's handlers take their CPU), so the state has one home.
 */
final class ArchState {
    /** The arithmetic flags. */
    static final int ARITH = CF | PF | AF | ZF | SF | OF;
    /** The EFLAGS bits POPF and IRET may change (at ring 0). */
    static final int POPF_MASK = ARITH | TF | IF | DF | IOPL | NT | AC | ID;
    /** The CR4 bits a MOV to CR4 accepts (VME PVI TSD DE PSE PGE PCE); others #GP. */
    static final int CR4_SUPPORTED = 0x1 | 0x2 | 0x4 | 0x8 | CR4_PSE | CR4_PGE | 0x100;

    /** Lazy flag operations: what {@link #ccOp} says the last flag-setting instruction was. */
    static final int CC_NONE = 0, CC_ADD = 1, CC_ADC = 2, CC_SUB = 3, CC_SBB = 4, CC_LOGIC = 5, CC_INC = 6,
            CC_DEC = 7;

    /** Segment attributes of the flat 4 GiB code and data segments the CPU is reset to (G, D/B, P, S, type). */
    static final int FLAT_CODE_ATTR = 0xC09B, FLAT_DATA_ATTR = 0xC093;

    final PhysicalMemory mem;
    final IoBus io;
    /** The one exception object the CPU throws (reused: raising a fault allocates nothing). */
    final CpuFault fault = new CpuFault();
    final Mmu mmu;
    final StopPoints stops;

    final int[] r = new int[8];
    int eip;
    /** EFLAGS; the arithmetic bits are valid only when {@code ccOp == CC_NONE}. */
    int flags = 0x2;
    int ccOp;
    int ccDst;
    int ccSrc;
    int ccRes;
    /** 32 minus the operand width in bits: 24 for bytes, 16 for words, 0 for dwords. */
    int ccShift;
    /** Carry in for ADC/SBB; the preserved CF for INC/DEC. */
    int ccCarry;

    /** The segment registers: visible selector and the descriptor cache (base, limit, attributes). */
    final int[] segSel = new int[6];
    final int[] segBase = new int[6];
    final int[] segLimit = new int[6];
    /** Descriptor bits 8-23 of the high dword: type, S, DPL, P, AVL, D/B, G. */
    final int[] segAttr = new int[6];

    /** The current privilege level (0 or 3; the RPL of CS as loaded). */
    int cpl;

    /** The task register and the LDT register: selector and descriptor cache. */
    int trSel, trBase, trLimit, trAttr;
    int ldtrSel, ldtrBase, ldtrLimit;

    int cr0 = CR0_PE | CR0_ET;
    int cr4;
    final int[] dr = new int[8];
    int gdtBase;
    int gdtLimit;
    int idtBase;
    int idtLimit;

    /** MSR 0x8B, the microcode revision (in its high dword). */
    long ucodeRev;

    /** Instructions executed. */
    long icount;
    /** Virtual time spent halted (HLT with interrupts on), in instruction ticks; virtual time is icount + this. */
    long haltedTicks;
    /** The instruction count at which the interpreter must look at interrupts and timers again. */
    long eventTick = Long.MAX_VALUE;
    /** Interrupts are inhibited until the instruction count reaches this (the shadow of STI and MOV/POP SS). */
    long intrShadowUntil;

    ArchState(PhysicalMemory mem, IoBus io) {
        this.mem = mem;
        this.io = io;
        this.mmu = new Mmu(mem, fault);
        this.stops = new StopPoints(mem, mmu);
        resetDebugRegisters();
    }

    /** DR0-DR3 zero, DR6 and DR7 at their power-on values. */
    void resetDebugRegisters() {
        java.util.Arrays.fill(dr, 0);
        dr[6] = ProcessorControl.DR6_FIXED;
        dr[7] = ProcessorControl.DR7_FIXED;
    }

    /** Virtual time in instruction ticks: instructions executed plus time halted (what RDTSC reads). */
    long ticks() {
        return icount + haltedTicks;
    }

    /** Something that may let an interrupt in changed (IF set, INTR raised, a timer reprogrammed): look again. */
    void pokeEvents() {
        eventTick = Math.min(eventTick, icount);
    }

    /** Sets the CPL; memory accesses become user-mode accesses at CPL 3. */
    void setCpl(int level) {
        cpl = level;
        mmu.setUser(level == 3);
    }

    /** EFLAGS.IOPL. */
    int iopl() {
        return (flags >>> 12) & 3;
    }

    /** The DPL of segment register {@code seg}'s descriptor cache. */
    int dpl(int seg) {
        return (segAttr[seg] >>> 5) & 3;
    }

    // ------------------------------------------------------------------ operand widths

    /** The value mask of an operand of {@code size} bytes. */
    static int mask(int size) {
        return size == 4 ? -1 : size == 1 ? 0xFF : 0xFFFF;
    }

    /** 32 minus the width in bits of an operand of {@code size} bytes. */
    static int shiftFor(int size) {
        return size == 4 ? 0 : size == 1 ? 24 : 16;
    }

    // ------------------------------------------------------------------ EFLAGS

    /** EFLAGS with every bit computed. */
    int eflags() {
        materialize();
        return flags;
    }

    /** Sets EFLAGS (bit 1 always reads as one); setting IF makes the interpreter look at interrupts. */
    void setEflags(int v) {
        ccOp = CC_NONE;
        int was = flags;
        flags = (v & (POPF_MASK | VM | RF)) | 0x2;
        if ((flags & ~was & IF) != 0) {
            pokeEvents();
        }
    }

    /** Records a flag-setting operation of the given size for the lazy flags. */
    void setCc(int op, int size, int dst, int src, int res) {
        ccOp = op;
        ccShift = shiftFor(size);
        ccDst = dst;
        ccSrc = src;
        ccRes = res;
    }

    boolean cf() {
        int sh = ccShift;
        switch (ccOp) {
            case CC_NONE:
                return (flags & CF) != 0;
            case CC_ADD:
                return Integer.compareUnsigned(ccRes << sh, ccDst << sh) < 0;
            case CC_ADC:
                return ccCarry != 0 ? Integer.compareUnsigned(ccRes << sh, ccDst << sh) <= 0
                        : Integer.compareUnsigned(ccRes << sh, ccDst << sh) < 0;
            case CC_SUB:
                return Integer.compareUnsigned(ccDst << sh, ccSrc << sh) < 0;
            case CC_SBB:
                return ccCarry != 0 ? Integer.compareUnsigned(ccDst << sh, ccSrc << sh) <= 0
                        : Integer.compareUnsigned(ccDst << sh, ccSrc << sh) < 0;
            case CC_LOGIC:
                return false;
            default:
                return ccCarry != 0;
        }
    }

    boolean zf() {
        return ccOp == CC_NONE ? (flags & ZF) != 0 : ccRes << ccShift == 0;
    }

    boolean sf() {
        return ccOp == CC_NONE ? (flags & SF) != 0 : ccRes << ccShift < 0;
    }

    boolean pf() {
        return ccOp == CC_NONE ? (flags & PF) != 0 : (Integer.bitCount(ccRes & 0xFF) & 1) == 0;
    }

    boolean af() {
        return switch (ccOp) {
            case CC_NONE -> (flags & AF) != 0;
            case CC_LOGIC -> false;
            default -> ((ccDst ^ ccSrc ^ ccRes) & 0x10) != 0;
        };
    }

    boolean of() {
        int sh = ccShift;
        return switch (ccOp) {
            case CC_NONE -> (flags & OF) != 0;
            case CC_ADD, CC_ADC, CC_INC -> ((ccDst ^ ccRes) & (ccSrc ^ ccRes)) << sh < 0;
            case CC_SUB, CC_SBB, CC_DEC -> ((ccDst ^ ccSrc) & (ccDst ^ ccRes)) << sh < 0;
            default -> false;
        };
    }

    /** Folds the lazy arithmetic flags into {@link #flags}. */
    void materialize() {
        if (ccOp != CC_NONE) {
            setArith(cf(), pf(), af(), zf(), sf(), of()); // the arguments read the lazy state before it is replaced
        }
    }

    /** Sets the arithmetic flags outright. */
    void setArith(boolean c, boolean p, boolean a, boolean z, boolean s, boolean o) {
        ccOp = CC_NONE;
        flags = (flags & ~ARITH) | (c ? CF : 0) | (p ? PF : 0) | (a ? AF : 0) | (z ? ZF : 0) | (s ? SF : 0)
                | (o ? OF : 0);
    }

    /** Sets CF, PF, ZF, SF, OF with ZF/SF/PF from {@code res} of the given size; AF cleared. */
    void setSzpCo(int size, int res, boolean c, boolean o) {
        int sh = shiftFor(size);
        setArith(c, (Integer.bitCount(res & 0xFF) & 1) == 0, false, res << sh == 0, res << sh < 0, o);
    }

    void setCfOf(boolean c, boolean o) {
        materialize();
        flags = (flags & ~(CF | OF)) | (c ? CF : 0) | (o ? OF : 0);
    }

    void setCfOnly(boolean c) {
        materialize();
        flags = (flags & ~CF) | (c ? CF : 0);
    }

    void setZfOnly(boolean z) {
        materialize();
        flags = (flags & ~ZF) | (z ? ZF : 0);
    }

    /** Condition {@code cc} (the low nibble of Jcc/SETcc/CMOVcc: O NO B AE E NE BE A S NS P NP L GE LE G). */
    boolean cond(int cc) {
        boolean v;
        if (ccOp == CC_SUB) {
            int sh = ccShift;
            int a = ccDst << sh;
            int b = ccSrc << sh;
            switch (cc >> 1) {
                case 1: v = Integer.compareUnsigned(a, b) < 0; break;
                case 2: v = a == b; break;
                case 3: v = Integer.compareUnsigned(a, b) <= 0; break;
                case 6: v = a < b; break;
                case 7: v = a <= b; break;
                default: v = condSlow(cc >> 1);
            }
        } else {
            v = condSlow(cc >> 1);
        }
        return (cc & 1) != 0 ? !v : v;
    }

    private boolean condSlow(int c) {
        return switch (c) {
            case 0 -> of();
            case 1 -> cf();
            case 2 -> zf();
            case 3 -> cf() || zf();
            case 4 -> sf();
            case 5 -> pf();
            case 6 -> sf() != of();
            default -> zf() || sf() != of();
        };
    }
}
