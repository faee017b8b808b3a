package dev.kjump.machine;

import java.util.Arrays;

/**
 * The i386 CPU interpreter: 32-bit protected mode at ring 0 with flat or based segments, the integer
 * instruction set gcc emits for {@code -m32 -march=i686} plus what kernel stubs use (control registers,
 * descriptor tables, port I/O, far transfers, IRET), paging through {@link Mmu}, and exceptions delivered
 * through the IDT with double- and triple-fault escalation.
 *
 * <p>Each instruction is decoded once into an {@link Insn} cached per physical address; a write to the page
 * drops the cache (see {@link PhysicalMemory}). Arithmetic flags are computed lazily from the last
 * flag-setting operation. Executing an instruction allocates nothing.
 */
public final class Cpu {
    /** General register indexes, in the x86 encoding order. */
    public static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    /** Segment register indexes, in the x86 encoding order. */
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    /** EFLAGS bits. */
    public static final int CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200,
            DF = 0x400, OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000,
            ID = 0x200000;
    private static final int ARITH = CF | PF | AF | ZF | SF | OF;
    private static final int POPF_MASK = ARITH | TF | IF | DF | IOPL | NT | AC | ID;

    /** CR0 bits. */
    public static final int CR0_PE = 0x1, CR0_ET = 0x10, CR0_WP = 0x10000, CR0_PG = 0x80000000;
    /** CR4 bits. */
    public static final int CR4_PSE = 0x10, CR4_PGE = 0x80;
    private static final int CR4_SUPPORTED = 0x1 | 0x2 | 0x4 | 0x8 | CR4_PSE | CR4_PGE | 0x100;

    /** Exception vectors. */
    public static final int V_DE = 0, V_DB = 1, V_BP = 3, V_OF = 4, V_UD = 6, V_NM = 7, V_DF = 8, V_TS = 10,
            V_NP = 11, V_SS = 12, V_GP = 13, V_PF = 14;

    private static final int CC_NONE = 0, CC_ADD = 1, CC_ADC = 2, CC_SUB = 3, CC_SBB = 4, CC_LOGIC = 5, CC_INC = 6,
            CC_DEC = 7;

    private final PhysicalMemory mem;
    private final IoBus io;
    private final CpuFault fault = new CpuFault();
    private final Mmu mmu;
    private final Insn scratch = new Insn();

    final int[] r = new int[8];
    int eip;
    /** EFLAGS; the arithmetic bits are valid only when {@code ccOp == CC_NONE}. */
    private int flags = 0x2;
    private int ccOp;
    private int ccDst;
    private int ccSrc;
    private int ccRes;
    /** 32 minus the operand width in bits: 24 for bytes, 16 for words, 0 for dwords. */
    private int ccShift;
    /** Carry in for ADC/SBB; the preserved CF for INC/DEC. */
    private int ccCarry;

    private final int[] segSel = new int[6];
    private final int[] segBase = new int[6];
    private int cr0 = CR0_PE | CR0_ET;
    private int cr4;
    private final int[] dr = new int[8];
    private int gdtBase;
    private int gdtLimit;
    private int idtBase;
    private int idtLimit;

    private long icount;
    private int[] hostEntries = new int[0];
    /** Debugger breakpoints: linear addresses, and the physical addresses marked as stop points for them. */
    private int[] breakLinear = new int[0];
    private int[] breakPhys = new int[0];
    private boolean passBreakpoint;
    private volatile boolean interruptRequested;
    private StopReason pendingStop;

    /**
     * @param mem physical memory
     * @param io the port bus
     */
    public Cpu(PhysicalMemory mem, IoBus io) {
        this.mem = mem;
        this.io = io;
        this.mmu = new Mmu(mem, fault);
    }

    /** The paging unit. */
    public Mmu mmu() {
        return mmu;
    }

    /** Instructions executed since the CPU was made (also what RDTSC reads). */
    public long instructions() {
        return icount;
    }

    // ------------------------------------------------------------------ state access

    /** General register {@code i}. */
    public int reg(int i) {
        return r[i];
    }

    /** Sets general register {@code i}. */
    public void setReg(int i, int v) {
        r[i] = v;
    }

    /** EIP. */
    public int eip() {
        return eip;
    }

    /** Sets EIP. */
    public void setEip(int v) {
        eip = v;
    }

    /** EFLAGS with every bit computed. */
    public int eflags() {
        materialize();
        return flags;
    }

    /** Sets EFLAGS (bit 1 always reads as one). */
    public void setEflags(int v) {
        ccOp = CC_NONE;
        flags = (v & (POPF_MASK | VM | RF)) | 0x2;
    }

    /** CR0. */
    public int cr0() {
        return cr0;
    }

    /** CR3. */
    public int cr3() {
        return mmu.cr3;
    }

    /** CR4. */
    public int cr4() {
        return cr4;
    }

    /** Segment selector {@code s}. */
    public int segment(int s) {
        return segSel[s];
    }

    /** Takes a snapshot of the architectural state. */
    public CpuState saveState() {
        return new CpuState(r, eip, eflags(), segSel, segBase, cr0, mmu.cr2, mmu.cr3, cr4, gdtBase, gdtLimit,
                idtBase, idtLimit);
    }

    /** Puts back a snapshot taken by {@link #saveState()} (no descriptor reload: the hidden bases come back too). */
    public void restoreState(CpuState s) {
        System.arraycopy(s.regs(), 0, r, 0, 8);
        eip = s.eip();
        setEflags(s.eflags());
        System.arraycopy(s.segSelectors(), 0, segSel, 0, 6);
        System.arraycopy(s.segBases(), 0, segBase, 0, 6);
        gdtBase = s.gdtBase();
        gdtLimit = s.gdtLimit();
        idtBase = s.idtBase();
        idtLimit = s.idtLimit();
        cr4 = s.cr4();
        mmu.cr2 = s.cr2();
        mmu.cr3 = s.cr3();
        setCr0(s.cr0());
        applyPagingMode();
    }

    /**
     * Puts the CPU in the state the jump-back protocol (and a multiboot loader) hands over: protected mode,
     * paging off, flat 4 GiB segments with their hidden parts loaded (CS selector 0x10, data 0x18, no GDT
     * needed), IF=0, no IDT (any exception triple-faults), EFLAGS = 0x2.
     */
    public void resetProtectedFlat() {
        Arrays.fill(r, 0);
        Arrays.fill(segBase, 0);
        for (int s = 0; s < 6; s++) {
            segSel[s] = s == CS ? 0x10 : 0x18;
        }
        setEflags(0x2);
        cr0 = CR0_PE | CR0_ET;
        cr4 = 0;
        mmu.cr3 = 0;
        mmu.cr2 = 0;
        gdtBase = 0;
        gdtLimit = 0;
        idtBase = 0;
        idtLimit = 0;
        applyPagingMode();
    }

    /** Sets the physical addresses at which the CPU stops with {@link StopReason.Kind#HOST_ENTRY}. */
    public void setHostEntries(int... physAddresses) {
        for (int a : hostEntries) {
            dropDecodes(a);
        }
        hostEntries = physAddresses.clone();
        for (int a : hostEntries) {
            dropDecodes(a);
        }
    }

    /**
     * Sets the debugger's breakpoints: linear addresses (CS base plus EIP) at which {@link #run} stops with
     * {@link StopReason.Kind#BREAKPOINT} before executing the instruction there. Guest memory is not modified:
     * like host entries, the physical addresses are marked in the decode cache, so the run loop pays nothing
     * when none are set. The marks are the identity address (paging off) and, with paging on, where the
     * address maps now; they are recomputed when CR0, CR3 or CR4 change.
     */
    public void setBreakpoints(int... linear) {
        breakLinear = linear.clone();
        markBreakpoints();
    }

    /** The breakpoints set with {@link #setBreakpoints}. */
    public int[] breakpoints() {
        return breakLinear.clone();
    }

    /**
     * Lets the next {@link #run} execute the instruction at EIP even if a breakpoint is set there (as EFLAGS.RF
     * does for instruction breakpoints): a debugger resuming from a breakpoint calls this.
     */
    public void passBreakpointOnce() {
        passBreakpoint = true;
    }

    private void markBreakpoints() {
        if (breakPhys.length == 0 && breakLinear.length == 0) {
            return;
        }
        for (int a : breakPhys) {
            dropDecodes(a);
        }
        int[] phys = new int[breakLinear.length * 2];
        int n = 0;
        for (int lin : breakLinear) {
            phys[n++] = lin;
            long p = mmu.paging ? mmu.probe(lin) : -1;
            if (p >= 0 && (int) p != lin) {
                phys[n++] = (int) p;
            }
        }
        breakPhys = Arrays.copyOf(phys, n);
        for (int a : breakPhys) {
            dropDecodes(a);
        }
    }

    private boolean isBreakpoint(int linear) {
        for (int b : breakLinear) {
            if (b == linear) {
                return true;
            }
        }
        return false;
    }

    private boolean isHostEntry(int phys) {
        for (int h : hostEntries) {
            if (h == phys) {
                return true;
            }
        }
        return false;
    }

    private void dropDecodes(int phys) {
        int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
        if (pfn < mem.pageCount()) {
            mem.code[pfn] = null;
        }
    }

    /** Asks a running CPU to stop at the next instruction boundary (any thread). */
    public void requestInterrupt() {
        interruptRequested = true;
    }

    /** Stops the CPU after the current instruction with the given reason (devices call this). */
    public void requestStop(StopReason reason) {
        pendingStop = reason;
    }

    // ------------------------------------------------------------------ run loop

    /**
     * Runs until a stop condition: a host entry, HLT, a debug-exit write, a triple fault, an interrupt
     * request, or {@code budget} instructions executed.
     */
    public StopReason run(long budget) {
        long end = icount + budget;
        pendingStop = null;
        interruptRequested = false;
        boolean pass = passBreakpoint;
        passBreakpoint = false;
        final int firstEip = eip;
        final long firstCount = icount;
        final Insn[][] code = mem.code;
        while (true) {
            if (icount >= end) {
                return stop(StopReason.Kind.BUDGET, eip, 0, 0, "instruction budget of " + budget + " used up");
            }
            int start = eip;
            long counted = icount;
            try {
                int lin = segBase[CS] + start;
                int phys = mmu.fetch(lin);
                int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
                Insn d;
                Insn[] page;
                if (pfn < code.length && (page = code[pfn]) != null && (d = page[phys & 0xFFF]) != null) {
                    // cached
                } else {
                    d = decodeAt(start, phys);
                }
                if (d.op == Insn.OP_STOP_POINT) {
                    if (isHostEntry(phys)) {
                        return stop(StopReason.Kind.HOST_ENTRY, start, phys & 0xFFFFFFFFL, 0,
                                String.format("reached host entry %08x", phys));
                    }
                    if (isBreakpoint(lin) && !(pass && start == firstEip && icount == firstCount)) {
                        return stop(StopReason.Kind.BREAKPOINT, start, phys & 0xFFFFFFFFL, 0,
                                String.format("breakpoint at %08x", lin));
                    }
                    d = scratch; // the instruction under the mark, decoded each time (not cached)
                    decode(d, lin);
                }
                eip = start + d.len;
                icount++;
                if (d.os16 || !fast32(d, d.op)) {
                    exec(d);
                }
            } catch (CpuFault f) {
                eip = start;
                if (icount == counted) {
                    icount++; // a fetch that faults counts too, so a fault loop still runs out of budget
                }
                int vector = f.vector;
                boolean hasErr = f.hasErrorCode;
                int err = f.errorCode;
                if (!deliverException(vector, hasErr, err, start, 0)) {
                    return stop(StopReason.Kind.TRIPLE_FAULT, start, 0, vector,
                            String.format("triple fault: %s at eip %08x could not be delivered", vectorName(vector), start));
                }
            } catch (RuntimeException e) {
                eip = start;
                return stop(StopReason.Kind.EMULATOR_ERROR, start, 0, 0,
                        String.format("kjump internal error at eip %08x: %s (please report it with the image)", start, e));
            }
            if (pendingStop != null) {
                StopReason s = pendingStop;
                pendingStop = null;
                return s;
            }
            if ((icount & 0x3FFF) == 0 && interruptRequested) {
                interruptRequested = false;
                return stop(StopReason.Kind.INTERRUPTED, eip, 0, 0, "interrupted by the host");
            }
        }
    }

    private StopReason stop(StopReason.Kind kind, int at, long phys, int value, String message) {
        return new StopReason(kind, at, phys, value, instructionBytes(at), message);
    }

    /** Up to 15 bytes at linear {@code eip} in CS, read without faulting (fewer where unmapped). */
    public byte[] instructionBytes(int at) {
        byte[] out = new byte[15];
        int n = 0;
        for (; n < 15; n++) {
            long p = mmu.probe(segBase[CS] + at + n);
            if (p < 0) {
                break;
            }
            out[n] = (byte) mem.read8((int) p);
        }
        return Arrays.copyOf(out, n);
    }

    /** A short name for an exception vector, e.g. {@code "#PF"}. */
    public static String vectorName(int v) {
        return switch (v) {
            case V_DE -> "#DE";
            case V_DB -> "#DB";
            case V_BP -> "#BP";
            case V_OF -> "#OF";
            case 5 -> "#BR";
            case V_UD -> "#UD";
            case V_NM -> "#NM";
            case V_DF -> "#DF";
            case V_TS -> "#TS";
            case V_NP -> "#NP";
            case V_SS -> "#SS";
            case V_GP -> "#GP";
            case V_PF -> "#PF";
            default -> "vector " + v;
        };
    }

    // ------------------------------------------------------------------ exceptions

    private static int faultClass(int v) {
        if (v == V_PF) {
            return 2;
        }
        if (v == V_DF) {
            return 3;
        }
        if (v == V_DE || v == V_TS || v == V_NP || v == V_SS || v == V_GP) {
            return 1;
        }
        return 0;
    }

    /**
     * Delivers an exception through the IDT, escalating to #DF and a triple fault as
     * the Intel SDM's table says. Returns false on a triple fault.
     */
    private boolean deliverException(int vector, boolean hasErr, int err, int retEip, int depth) {
        if (depth > 4) {
            return false;
        }
        int savedEsp = r[ESP];
        try {
            deliverOnce(vector, hasErr, err, retEip, false);
            return true;
        } catch (CpuFault f2) {
            r[ESP] = savedEsp;
            int v2 = f2.vector;
            boolean e2 = f2.hasErrorCode;
            int c2 = f2.errorCode;
            int first = faultClass(vector);
            int second = faultClass(v2);
            if (first == 3 && second != 0) {
                return false;
            }
            boolean toDouble = (first == 1 && second == 1) || (first == 2 && second != 0);
            if (toDouble) {
                return deliverException(V_DF, true, 0, retEip, depth + 1);
            }
            return deliverException(v2, e2, c2, retEip, depth + 1);
        }
    }

    private void deliverOnce(int vector, boolean hasErr, int err, int retEip, boolean software) {
        int off = vector << 3;
        int ext = software ? 0 : 1;
        if (off + 7 > idtLimit) {
            throw fault.set(V_GP, true, off | 2 | ext);
        }
        int lo = rd32(idtBase + off);
        int hi = rd32(idtBase + off + 4);
        int type = (hi >>> 8) & 0x1F;
        if (type != 0xE && type != 0xF) {
            throw fault.set(V_GP, true, off | 2 | ext);
        }
        if ((hi & 0x8000) == 0) {
            throw fault.set(V_NP, true, off | 2 | ext);
        }
        int selector = lo >>> 16;
        int target = (lo & 0xFFFF) | (hi & 0xFFFF0000);
        int csBase = codeSegmentBase(selector);
        int fl = eflags();
        push32(fl);
        push32(segSel[CS]);
        push32(retEip);
        if (hasErr) {
            push32(err);
        }
        segSel[CS] = selector & 0xFFFC;
        segBase[CS] = csBase;
        int nf = fl & ~(TF | NT | RF | VM);
        if (type == 0xE) {
            nf &= ~IF;
        }
        setEflags(nf);
        eip = target;
    }

    private CpuFault gp(int code) {
        return fault.set(V_GP, true, code);
    }

    private CpuFault ud() {
        return fault.set(V_UD, false, 0);
    }

    // ------------------------------------------------------------------ descriptors and segments

    private long readDescriptor(int selector) {
        if ((selector & 4) != 0) {
            throw gp(selector & 0xFFFC); // no LDT support
        }
        int idx = selector & 0xFFF8;
        if (idx + 7 > gdtLimit) {
            throw gp(selector & 0xFFFC);
        }
        int lo = rd32(gdtBase + idx);
        int hi = rd32(gdtBase + idx + 4);
        return (lo & 0xFFFFFFFFL) | ((long) hi << 32);
    }

    private static int descBase(long d) {
        int lo = (int) d;
        int hi = (int) (d >>> 32);
        return (lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
    }

    private void markAccessed(int selector, long d) {
        int hi = (int) (d >>> 32);
        if ((hi & 0x100) == 0) {
            wr32(gdtBase + (selector & 0xFFF8) + 4, hi | 0x100);
        }
    }

    private int codeSegmentBase(int selector) {
        if ((selector & 0xFFFC) == 0) {
            throw gp(0);
        }
        long d = readDescriptor(selector);
        int hi = (int) (d >>> 32);
        if ((hi & 0x1800) != 0x1800) {
            throw gp(selector & 0xFFFC);
        }
        if ((hi & 0x8000) == 0) {
            throw fault.set(V_NP, true, selector & 0xFFFC);
        }
        markAccessed(selector, d);
        return descBase(d);
    }

    /** Loads data/stack segment register {@code s} from the GDT, as MOV Sreg / POP Sreg do. */
    private void loadDataSegment(int s, int selector) {
        selector &= 0xFFFF;
        if ((selector & 0xFFFC) == 0) {
            if (s == SS) {
                throw gp(0);
            }
            segSel[s] = selector;
            segBase[s] = 0;
            return;
        }
        long d = readDescriptor(selector);
        int hi = (int) (d >>> 32);
        boolean codeOrData = (hi & 0x1000) != 0;
        boolean code = (hi & 0x800) != 0;
        boolean writable = !code && (hi & 0x200) != 0;
        boolean readable = !code || (hi & 0x200) != 0;
        if (!codeOrData || (s == SS && !writable) || !readable) {
            throw gp(selector & 0xFFFC);
        }
        if ((hi & 0x8000) == 0) {
            throw fault.set(s == SS ? V_SS : V_NP, true, selector & 0xFFFC);
        }
        markAccessed(selector, d);
        segSel[s] = selector;
        segBase[s] = descBase(d);
    }

    private void farJump(int selector, int offset) {
        int base = codeSegmentBase(selector);
        segSel[CS] = selector & 0xFFFC;
        segBase[CS] = base;
        eip = offset;
    }

    // ------------------------------------------------------------------ control registers

    private void setCr0(int v) {
        if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0) {
            throw gp(0);
        }
        cr0 = v | CR0_ET;
        applyPagingMode();
    }

    private void applyPagingMode() {
        mmu.paging = (cr0 & CR0_PG) != 0;
        mmu.writeProtect = (cr0 & CR0_WP) != 0;
        mmu.pse = (cr4 & CR4_PSE) != 0;
        mmu.flush();
        markBreakpoints();
    }

    // ------------------------------------------------------------------ memory access (linear addresses)

    int rd8(int lin) {
        return mem.read8(mmu.read(lin));
    }

    int rd16(int lin) {
        if ((lin & 0xFFF) == 0xFFF) {
            return rd8(lin) | rd8(lin + 1) << 8;
        }
        return mem.read16(mmu.read(lin));
    }

    int rd32(int lin) {
        if ((lin & 0xFFF) > 0xFFC) {
            int p1 = mmu.read(lin);
            int p2 = mmu.read(lin + 3) & 0xFFFFF000;
            int n1 = 0x1000 - (lin & 0xFFF);
            int v = 0;
            for (int k = 0; k < 4; k++) {
                v |= mem.read8(k < n1 ? p1 + k : p2 + (k - n1)) << (8 * k);
            }
            return v;
        }
        return mem.read32(mmu.read(lin));
    }

    void wr8(int lin, int v) {
        mem.write8(mmu.write(lin), v);
    }

    void wr16(int lin, int v) {
        if ((lin & 0xFFF) == 0xFFF) {
            int p1 = mmu.write(lin);
            int p2 = mmu.write(lin + 1);
            mem.write8(p1, v);
            mem.write8(p2, v >>> 8);
            return;
        }
        mem.write16(mmu.write(lin), v);
    }

    void wr32(int lin, int v) {
        if ((lin & 0xFFF) > 0xFFC) {
            int p1 = mmu.write(lin);
            int p2 = mmu.write(lin + 3) & 0xFFFFF000;
            int n1 = 0x1000 - (lin & 0xFFF);
            for (int k = 0; k < 4; k++) {
                mem.write8(k < n1 ? p1 + k : p2 + (k - n1), v >>> (8 * k));
            }
            return;
        }
        mem.write32(mmu.write(lin), v);
    }

    private int rd(int size, int lin) {
        return size == 4 ? rd32(lin) : size == 1 ? rd8(lin) : rd16(lin);
    }

    private void wr(int size, int lin, int v) {
        if (size == 4) {
            wr32(lin, v);
        } else if (size == 1) {
            wr8(lin, v);
        } else {
            wr16(lin, v);
        }
    }

    /** Read of a read-modify-write operand: translated as a write, as the hardware does. */
    private int rdRmw(int size, int lin) {
        if (mmu.paging) {
            mmu.write(lin);
            if (((lin + size - 1) ^ lin) >>> 12 != 0) {
                mmu.write(lin + size - 1);
            }
        }
        return rd(size, lin);
    }

    private void push32(int v) {
        int sp = r[ESP] - 4;
        wr32(segBase[SS] + sp, v);
        r[ESP] = sp;
    }

    private void push16(int v) {
        int sp = r[ESP] - 2;
        wr16(segBase[SS] + sp, v);
        r[ESP] = sp;
    }

    private void push(boolean os16, int v) {
        if (os16) {
            push16(v);
        } else {
            push32(v);
        }
    }

    private int pop32() {
        int v = rd32(segBase[SS] + r[ESP]);
        r[ESP] += 4;
        return v;
    }

    private int pop16() {
        int v = rd16(segBase[SS] + r[ESP]);
        r[ESP] += 2;
        return v;
    }

    private int pop(boolean os16) {
        return os16 ? pop16() : pop32();
    }

    // ------------------------------------------------------------------ registers by size

    private int getReg8(int i) {
        return i < 4 ? r[i] & 0xFF : (r[i - 4] >>> 8) & 0xFF;
    }

    private void setReg8(int i, int v) {
        if (i < 4) {
            r[i] = (r[i] & ~0xFF) | (v & 0xFF);
        } else {
            r[i - 4] = (r[i - 4] & ~0xFF00) | ((v & 0xFF) << 8);
        }
    }

    private int getReg(int size, int i) {
        return size == 4 ? r[i] : size == 1 ? getReg8(i) : r[i] & 0xFFFF;
    }

    private void setReg(int size, int i, int v) {
        if (size == 4) {
            r[i] = v;
        } else if (size == 1) {
            setReg8(i, v);
        } else {
            r[i] = (r[i] & 0xFFFF0000) | (v & 0xFFFF);
        }
    }

    private int offset(Insn d) {
        int a = d.disp;
        if (d.base >= 0) {
            a += r[d.base];
        }
        if (d.index >= 0) {
            a += r[d.index] << d.scale;
        }
        return a;
    }

    private int ea(Insn d) {
        return segBase[d.seg] + offset(d);
    }

    private int readRm(Insn d, int size) {
        return d.mod == 3 ? getReg(size, d.rm) : rd(size, ea(d));
    }

    private void writeRm(Insn d, int size, int v) {
        if (d.mod == 3) {
            setReg(size, d.rm, v);
        } else {
            wr(size, ea(d), v);
        }
    }

    // ------------------------------------------------------------------ flags

    private static int mask(int size) {
        return size == 4 ? -1 : size == 1 ? 0xFF : 0xFFFF;
    }

    private static int shiftFor(int size) {
        return size == 4 ? 0 : size == 1 ? 24 : 16;
    }

    private void setCc(int op, int size, int dst, int src, int res) {
        ccOp = op;
        ccShift = shiftFor(size);
        ccDst = dst;
        ccSrc = src;
        ccRes = res;
    }

    private boolean cf() {
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

    private boolean zf() {
        return ccOp == CC_NONE ? (flags & ZF) != 0 : ccRes << ccShift == 0;
    }

    private boolean sf() {
        return ccOp == CC_NONE ? (flags & SF) != 0 : ccRes << ccShift < 0;
    }

    private boolean pf() {
        return ccOp == CC_NONE ? (flags & PF) != 0 : (Integer.bitCount(ccRes & 0xFF) & 1) == 0;
    }

    private boolean af() {
        return switch (ccOp) {
            case CC_NONE -> (flags & AF) != 0;
            case CC_LOGIC -> false;
            default -> ((ccDst ^ ccSrc ^ ccRes) & 0x10) != 0;
        };
    }

    private boolean of() {
        int sh = ccShift;
        return switch (ccOp) {
            case CC_NONE -> (flags & OF) != 0;
            case CC_ADD, CC_ADC, CC_INC -> ((ccDst ^ ccRes) & (ccSrc ^ ccRes)) << sh < 0;
            case CC_SUB, CC_SBB, CC_DEC -> ((ccDst ^ ccSrc) & (ccDst ^ ccRes)) << sh < 0;
            default -> false;
        };
    }

    private void materialize() {
        if (ccOp != CC_NONE) {
            setArith(cf(), pf(), af(), zf(), sf(), of()); // the arguments read the lazy state before it is replaced
        }
    }

    /** Sets the arithmetic flags outright. */
    private void setArith(boolean c, boolean p, boolean a, boolean z, boolean s, boolean o) {
        ccOp = CC_NONE;
        int f = flags & ~ARITH;
        if (c) {
            f |= CF;
        }
        if (p) {
            f |= PF;
        }
        if (a) {
            f |= AF;
        }
        if (z) {
            f |= ZF;
        }
        if (s) {
            f |= SF;
        }
        if (o) {
            f |= OF;
        }
        flags = f;
    }

    /** Sets CF, PF, ZF, SF, OF with ZF/SF/PF from {@code res} of the given size; AF cleared. */
    private void setSzpCo(int size, int res, boolean c, boolean o) {
        int sh = shiftFor(size);
        setArith(c, (Integer.bitCount(res & 0xFF) & 1) == 0, false, res << sh == 0, res << sh < 0, o);
    }

    private void setCfOf(boolean c, boolean o) {
        materialize();
        flags = (flags & ~(CF | OF)) | (c ? CF : 0) | (o ? OF : 0);
    }

    private void setCfOnly(boolean c) {
        materialize();
        flags = (flags & ~CF) | (c ? CF : 0);
    }

    private void setZfOnly(boolean z) {
        materialize();
        flags = (flags & ~ZF) | (z ? ZF : 0);
    }

    private boolean cond(int cc) {
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

    /** The eight ALU operations of opcodes 00-3F and group 1: ADD OR ADC SBB AND SUB XOR CMP. */
    private int alu(int kind, int size, int dst, int src) {
        int res;
        switch (kind) {
            case 0:
                res = dst + src;
                setCc(CC_ADD, size, dst, src, res);
                break;
            case 1:
                res = dst | src;
                setCc(CC_LOGIC, size, dst, src, res);
                break;
            case 2: {
                int c = cf() ? 1 : 0;
                res = dst + src + c;
                setCc(CC_ADC, size, dst, src, res);
                ccCarry = c;
                break;
            }
            case 3: {
                int c = cf() ? 1 : 0;
                res = dst - src - c;
                setCc(CC_SBB, size, dst, src, res);
                ccCarry = c;
                break;
            }
            case 4:
                res = dst & src;
                setCc(CC_LOGIC, size, dst, src, res);
                break;
            case 5:
            case 7:
                res = dst - src;
                setCc(CC_SUB, size, dst, src, res);
                break;
            default:
                res = dst ^ src;
                setCc(CC_LOGIC, size, dst, src, res);
                break;
        }
        return res & mask(size);
    }

    private int inc(int size, int v) {
        int c = cf() ? 1 : 0;
        int res = v + 1;
        setCc(CC_INC, size, v, 1, res);
        ccCarry = c;
        return res & mask(size);
    }

    private int dec(int size, int v) {
        int c = cf() ? 1 : 0;
        int res = v - 1;
        setCc(CC_DEC, size, v, 1, res);
        ccCarry = c;
        return res & mask(size);
    }

    // ------------------------------------------------------------------ shifts and rotates

    /** Group 2: ROL ROR RCL RCR SHL SHR SAL SAR by {@code count}, with QEMU's flag results. */
    private int shift(int kind, int size, int v, int count) {
        count &= 0x1F;
        if (count == 0) {
            return v;
        }
        int bits = size * 8;
        int m = mask(size);
        v &= m;
        int res;
        switch (kind) {
            case 0: { // ROL
                int c = count & (bits - 1);
                res = c == 0 ? v : ((v << c) | (v >>> (bits - c))) & m;
                boolean cf = (res & 1) != 0;
                setCfOf(cf, (((res >>> (bits - 1)) & 1) != 0) ^ cf);
                return res;
            }
            case 1: { // ROR
                int c = count & (bits - 1);
                res = c == 0 ? v : ((v >>> c) | (v << (bits - c))) & m;
                boolean msb = ((res >>> (bits - 1)) & 1) != 0;
                boolean next = ((res >>> (bits - 2)) & 1) != 0;
                setCfOf(msb, msb ^ next);
                return res;
            }
            case 2:
            case 3: { // RCL, RCR: a rotation of the (bits+1)-bit value CF:v; right by c is left by bits+1-c
                int c = size == 1 ? count % 9 : size == 2 ? count % 17 : count;
                if (c == 0) {
                    return v;
                }
                long cin = cf() ? 1 : 0;
                long wide = (cin << bits) | (v & 0xFFFFFFFFL);
                int w = bits + 1;
                int left = kind == 2 ? c : w - c;
                long rot = ((wide << left) | (wide >>> (w - left))) & ((1L << w) - 1);
                res = (int) rot & m;
                boolean cf = ((rot >>> bits) & 1) != 0;
                setCfOf(cf, (((v ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
            case 4:
            case 6: { // SHL
                int src = v << (count - 1);
                res = (v << count) & m;
                setSzpCo(size, res, ((src >>> (bits - 1)) & 1) != 0, (((src ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
            case 5: { // SHR
                int src = v >>> (count - 1);
                res = (v >>> count) & m;
                setSzpCo(size, res, (src & 1) != 0, (((src ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
            default: { // SAR
                int sv = (v << (32 - bits)) >> (32 - bits);
                int src = sv >> (count - 1);
                res = (sv >> count) & m;
                setSzpCo(size, res, (src & 1) != 0, (((src ^ res) >>> (bits - 1)) & 1) != 0);
                return res;
            }
        }
    }

    private int shld(int size, int dst, int src, int count, boolean left) {
        count &= 0x1F;
        if (count == 0) {
            return dst;
        }
        int bits = size * 8;
        int m = mask(size);
        int res;
        int pre;
        if (size == 4) {
            if (left) {
                res = (dst << count) | (src >>> (32 - count));
                pre = dst << (count - 1);
            } else {
                res = (dst >>> count) | (src << (32 - count));
                pre = dst >>> (count - 1);
            }
        } else {
            long wide = left ? ((dst & 0xFFFFL) << 32) | ((src & 0xFFFFL) << 16) | (dst & 0xFFFFL)
                    : ((dst & 0xFFFFL)) | ((src & 0xFFFFL) << 16) | ((dst & 0xFFFFL) << 32);
            if (left) {
                res = (int) ((wide << count) >>> 32) & m;
                pre = (int) ((wide << (count - 1)) >>> 32);
            } else {
                res = (int) (wide >>> count) & m;
                pre = (int) (wide >>> (count - 1));
            }
        }
        res &= m;
        boolean c = left ? ((pre >>> (bits - 1)) & 1) != 0 : (pre & 1) != 0;
        setSzpCo(size, res, c, (((pre ^ res) >>> (bits - 1)) & 1) != 0);
        return res;
    }

    // ------------------------------------------------------------------ decoder

    private static final boolean[] MODRM = new boolean[0x200];
    /** Immediate kinds: 0 none, 1 imm8 (sign-extended), 2 imm16/32 by operand size, 3 imm16, 4 ENTER, 5 far pointer, 6 moffs32. */
    private static final byte[] IMM = new byte[0x200];

    static {
        for (int i = 0; i < 0x40; i += 8) {
            for (int k = 0; k < 4; k++) {
                MODRM[i + k] = true;
            }
            IMM[i + 4] = 1;
            IMM[i + 5] = 2;
        }
        int[] one = {0x62, 0x63, 0x69, 0x6B, 0xC0, 0xC1, 0xC4, 0xC5, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3, 0xF6, 0xF7,
            0xFE, 0xFF};
        for (int o : one) {
            MODRM[o] = true;
        }
        for (int o = 0x80; o <= 0x8F; o++) {
            MODRM[o] = true;
        }
        for (int o = 0xD8; o <= 0xDF; o++) {
            MODRM[o] = true;
        }
        int[] two = {0x00, 0x01, 0x02, 0x03, 0x0D, 0x20, 0x21, 0x22, 0x23, 0xA3, 0xA4, 0xA5, 0xAB, 0xAC, 0xAD, 0xAF,
            0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF, 0xC0, 0xC1, 0xC7};
        for (int o : two) {
            MODRM[0x100 | o] = true;
        }
        for (int o = 0x18; o <= 0x1F; o++) {
            MODRM[0x100 | o] = true;
        }
        for (int o = 0x40; o <= 0x4F; o++) {
            MODRM[0x100 | o] = true;
        }
        for (int o = 0x90; o <= 0x9F; o++) {
            MODRM[0x100 | o] = true;
        }
        int[] imm8 = {0x6A, 0x6B, 0x80, 0x82, 0x83, 0xA8, 0xC0, 0xC1, 0xC6, 0xCD, 0xD4, 0xD5, 0xE0, 0xE1, 0xE2, 0xE3,
            0xE4, 0xE5, 0xE6, 0xE7, 0xEB, 0x1A4, 0x1AC, 0x1BA};
        for (int o : imm8) {
            IMM[o] = 1;
        }
        for (int o = 0x70; o <= 0x7F; o++) {
            IMM[o] = 1;
        }
        for (int o = 0xB0; o <= 0xB7; o++) {
            IMM[o] = 1;
        }
        int[] immv = {0x68, 0x69, 0x81, 0xA9, 0xC7, 0xE8, 0xE9};
        for (int o : immv) {
            IMM[o] = 2;
        }
        for (int o = 0xB8; o <= 0xBF; o++) {
            IMM[o] = 2;
        }
        for (int o = 0x180; o <= 0x18F; o++) {
            IMM[o] = 2;
        }
        IMM[0xC2] = 3;
        IMM[0xCA] = 3;
        IMM[0xC8] = 4;
        IMM[0x9A] = 5;
        IMM[0xEA] = 5;
        for (int o = 0xA0; o <= 0xA3; o++) {
            IMM[o] = 6;
        }
    }

    private int fetchByte(int linear) {
        return mem.read8(mmu.fetch(linear));
    }

    private int fetch16(int linear) {
        return fetchByte(linear) | fetchByte(linear + 1) << 8;
    }

    private int fetch32(int linear) {
        return fetch16(linear) | fetch16(linear + 2) << 16;
    }

    /** Decodes the instruction at EIP {@code at} (physical {@code phys}) and caches it when it fits its page. */
    private Insn decodeAt(int at, int phys) {
        int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
        boolean inRam = pfn < mem.pageCount();
        for (int h : hostEntries) {
            if (h == phys) {
                return stopPoint(phys, inRam);
            }
        }
        for (int b : breakPhys) {
            if (b == phys) {
                return stopPoint(phys, inRam);
            }
        }
        int lin0 = segBase[CS] + at;
        boolean crosses = (lin0 & 0xFFF) > 0xFFF - 15;
        Insn d = crosses || !inRam ? scratch : new Insn();
        decode(d, lin0);
        if (!crosses) {
            cache(d, phys, inRam);
        }
        return d;
    }

    private Insn stopPoint(int phys, boolean inRam) {
        Insn d = new Insn();
        d.op = Insn.OP_STOP_POINT;
        cache(d, phys, inRam);
        return d;
    }

    private void cache(Insn d, int phys, boolean inRam) {
        if (!inRam) {
            return;
        }
        int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
        Insn[] page = mem.code[pfn];
        if (page == null) {
            page = new Insn[PhysicalMemory.PAGE_SIZE];
            mem.code[pfn] = page;
        }
        page[phys & 0xFFF] = d;
    }

    /** Decodes one instruction at linear address {@code lin0} into {@code d}. */
    void decode(Insn d, int lin0) {
        int p = lin0;
        d.os16 = false;
        d.rep = 0;
        d.seg = -1;
        d.segOverride = false;
        d.mod = 3;
        d.reg = 0;
        d.rm = 0;
        d.base = -1;
        d.index = -1;
        d.scale = 0;
        d.disp = 0;
        d.imm = 0;
        d.imm2 = 0;
        boolean addr16 = false;
        int b;
        int prefixes = 0;
        while (true) {
            b = fetchByte(p++);
            switch (b) {
                case 0x66 -> d.os16 = true;
                case 0x67 -> addr16 = true;
                case 0xF2, 0xF3 -> d.rep = b;
                case 0xF0 -> { }
                case 0x26 -> d.seg = ES;
                case 0x2E -> d.seg = CS;
                case 0x36 -> d.seg = SS;
                case 0x3E -> d.seg = DS;
                case 0x64 -> d.seg = FS;
                case 0x65 -> d.seg = GS;
                default -> {
                    prefixes = -1;
                }
            }
            if (prefixes < 0) {
                break;
            }
            if (p - lin0 >= 15) {
                d.op = Insn.OP_INVALID;
                d.len = 15;
                return;
            }
        }
        d.segOverride = d.seg >= 0;
        int op = b;
        if (b == 0x0F) {
            op = 0x100 | fetchByte(p++);
        }
        d.op = op;
        if (MODRM[op]) {
            int modrm = fetchByte(p++);
            d.mod = modrm >>> 6;
            d.reg = (modrm >>> 3) & 7;
            d.rm = modrm & 7;
            if (d.mod != 3) {
                if (addr16) {
                    d.op = Insn.OP_INVALID; // 16-bit addressing is not supported
                }
                int base = d.rm;
                if (d.rm == 4) {
                    int sib = fetchByte(p++);
                    d.scale = sib >>> 6;
                    int idx = (sib >>> 3) & 7;
                    d.index = idx == 4 ? -1 : idx;
                    base = sib & 7;
                    if (base == 5 && d.mod == 0) {
                        base = -1;
                        d.disp = fetch32(p);
                        p += 4;
                    }
                } else if (d.rm == 5 && d.mod == 0) {
                    base = -1;
                    d.disp = fetch32(p);
                    p += 4;
                }
                d.base = base;
                if (d.mod == 1) {
                    d.disp = (byte) fetchByte(p++);
                } else if (d.mod == 2) {
                    d.disp = fetch32(p);
                    p += 4;
                }
                if (d.seg < 0) {
                    d.seg = (base == ESP || base == EBP) ? SS : DS;
                }
            }
        }
        if (d.seg < 0) {
            d.seg = DS;
        }
        switch (IMM[op]) {
            case 1 -> d.imm = (byte) fetchByte(p++);
            case 2 -> {
                if (d.os16) {
                    d.imm = (short) fetch16(p);
                    p += 2;
                } else {
                    d.imm = fetch32(p);
                    p += 4;
                }
            }
            case 3 -> {
                d.imm = fetch16(p);
                p += 2;
            }
            case 4 -> {
                d.imm = fetch16(p);
                d.imm2 = fetchByte(p + 2);
                p += 3;
            }
            case 5 -> {
                if (d.os16) {
                    d.imm = fetch16(p);
                    p += 2;
                } else {
                    d.imm = fetch32(p);
                    p += 4;
                }
                d.imm2 = fetch16(p);
                p += 2;
            }
            case 6 -> {
                if (addr16) {
                    d.op = Insn.OP_INVALID;
                }
                d.imm = fetch32(p);
                p += 4;
            }
            default -> { }
        }
        if ((op == 0xF6 || op == 0xF7) && d.reg < 2) {
            if (op == 0xF6) {
                d.imm = fetchByte(p++);
            } else if (d.os16) {
                d.imm = fetch16(p);
                p += 2;
            } else {
                d.imm = fetch32(p);
                p += 4;
            }
        }
        if (addr16 && (op == 0xE3 || (op >= 0xA4 && op <= 0xAF && op != 0xA8 && op != 0xA9) || op == 0xD7
                || op == 0x6C || op == 0x6D || op == 0x6E || op == 0x6F || (op >= 0xE0 && op <= 0xE2))) {
            d.op = Insn.OP_INVALID;
        }
        d.len = p - lin0;
        if (d.len > 15) {
            d.op = Insn.OP_INVALID;
        }
    }

    // ------------------------------------------------------------------ execution

    private void exec(Insn d) {
        final int op = d.op;
        final int osz = d.os16 ? 2 : 4;
        if (op < 0x40 && (op & 7) < 6) {
            int kind = op >>> 3;
            switch (op & 7) {
                case 0 -> aluRm(d, kind, 1, getReg8(d.reg));
                case 1 -> aluRm(d, kind, osz, getReg(osz, d.reg));
                case 2 -> {
                    int res = alu(kind, 1, getReg8(d.reg), readRm(d, 1));
                    if (kind != 7) {
                        setReg8(d.reg, res);
                    }
                }
                case 3 -> {
                    int res = alu(kind, osz, getReg(osz, d.reg), readRm(d, osz));
                    if (kind != 7) {
                        setReg(osz, d.reg, res);
                    }
                }
                case 4 -> {
                    int res = alu(kind, 1, r[EAX] & 0xFF, d.imm);
                    if (kind != 7) {
                        setReg8(EAX, res);
                    }
                }
                default -> {
                    int res = alu(kind, osz, getReg(osz, EAX), d.imm);
                    if (kind != 7) {
                        setReg(osz, EAX, res);
                    }
                }
            }
            return;
        }
        switch (op) {
            case 0x06 -> push(d.os16, segSel[ES]);
            case 0x07 -> popSeg(d, ES);
            case 0x0E -> push(d.os16, segSel[CS]);
            case 0x16 -> push(d.os16, segSel[SS]);
            case 0x17 -> popSeg(d, SS);
            case 0x1E -> push(d.os16, segSel[DS]);
            case 0x1F -> popSeg(d, DS);
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 -> setReg(osz, op & 7, inc(osz, getReg(osz, op & 7)));
            case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> setReg(osz, op & 7, dec(osz, getReg(osz, op & 7)));
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> push(d.os16, getReg(osz, op & 7));
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> {
                int v = pop(d.os16);
                setReg(osz, op & 7, v);
            }
            case 0x60 -> pusha(d.os16);
            case 0x61 -> popa(d.os16);
            case 0x68, 0x6A -> push(d.os16, d.imm);
            case 0x69, 0x6B -> setReg(osz, d.reg, imul2(osz, readRm(d, osz), d.imm));
            case 0x6C -> string(d, INS, 1);
            case 0x6D -> string(d, INS, osz);
            case 0x6E -> string(d, OUTS, 1);
            case 0x6F -> string(d, OUTS, osz);
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F -> {
                if (cond(op & 0xF)) {
                    eip += d.imm;
                }
            }
            case 0x80, 0x82 -> aluRmImm(d, 1, d.imm);
            case 0x81, 0x83 -> aluRmImm(d, osz, d.imm);
            case 0x84 -> alu(4, 1, readRm(d, 1), getReg8(d.reg));
            case 0x85 -> alu(4, osz, readRm(d, osz), getReg(osz, d.reg));
            case 0x86 -> xchgRm(d, 1);
            case 0x87 -> xchgRm(d, osz);
            case 0x88 -> writeRm(d, 1, getReg8(d.reg));
            case 0x89 -> writeRm(d, osz, getReg(osz, d.reg));
            case 0x8A -> setReg8(d.reg, readRm(d, 1));
            case 0x8B -> setReg(osz, d.reg, readRm(d, osz));
            case 0x8C -> {
                if (d.reg > 5) {
                    throw ud();
                }
                if (d.mod == 3) {
                    setReg(osz, d.rm, segSel[d.reg]);
                } else {
                    wr16(ea(d), segSel[d.reg]);
                }
            }
            case 0x8D -> {
                if (d.mod == 3) {
                    throw ud();
                }
                setReg(osz, d.reg, offset(d));
            }
            case 0x8E -> {
                if (d.reg == CS || d.reg > 5) {
                    throw ud();
                }
                loadDataSegment(d.reg, readRm(d, 2));
            }
            case 0x8F -> {
                if (d.reg != 0) {
                    throw ud();
                }
                int sp = r[ESP];
                int v = d.os16 ? rd16(segBase[SS] + sp) : rd32(segBase[SS] + sp);
                r[ESP] = sp + osz;
                try {
                    writeRm(d, osz, v);
                } catch (CpuFault f) {
                    r[ESP] = sp;
                    throw f;
                }
            }
            case 0x90 -> { }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> {
                int t = getReg(osz, op & 7);
                setReg(osz, op & 7, getReg(osz, EAX));
                setReg(osz, EAX, t);
            }
            case 0x98 -> {
                if (d.os16) {
                    setReg(2, EAX, (byte) r[EAX]);
                } else {
                    r[EAX] = (short) r[EAX];
                }
            }
            case 0x99 -> {
                if (d.os16) {
                    setReg(2, EDX, ((short) r[EAX]) >> 15);
                } else {
                    r[EDX] = r[EAX] >> 31;
                }
            }
            case 0x9A -> {
                int base = codeSegmentBase(d.imm2);
                push(d.os16, segSel[CS]);
                push(d.os16, eip);
                segSel[CS] = d.imm2 & 0xFFFC;
                segBase[CS] = base;
                eip = d.os16 ? d.imm & 0xFFFF : d.imm;
            }
            case 0x9B -> { }
            case 0x9C -> push(d.os16, eflags() & ~(VM | RF));
            case 0x9D -> {
                int v = pop(d.os16);
                int cur = eflags();
                if (d.os16) {
                    v = (cur & 0xFFFF0000) | (v & 0xFFFF);
                }
                setEflags((cur & ~POPF_MASK) | (v & POPF_MASK));
            }
            case 0x9E -> {
                materialize();
                int ah = (r[EAX] >>> 8) & 0xFF;
                int m = CF | PF | AF | ZF | SF;
                flags = (flags & ~m) | (ah & m);
            }
            case 0x9F -> setReg8(4, (eflags() & (CF | PF | AF | ZF | SF)) | 0x2);
            case 0xA0 -> setReg8(EAX, rd8(segBase[d.seg] + d.imm));
            case 0xA1 -> setReg(osz, EAX, rd(osz, segBase[d.seg] + d.imm));
            case 0xA2 -> wr8(segBase[d.seg] + d.imm, r[EAX]);
            case 0xA3 -> wr(osz, segBase[d.seg] + d.imm, r[EAX]);
            case 0xA4 -> string(d, MOVS, 1);
            case 0xA5 -> string(d, MOVS, osz);
            case 0xA6 -> string(d, CMPS, 1);
            case 0xA7 -> string(d, CMPS, osz);
            case 0xA8 -> alu(4, 1, r[EAX], d.imm);
            case 0xA9 -> alu(4, osz, getReg(osz, EAX), d.imm);
            case 0xAA -> string(d, STOS, 1);
            case 0xAB -> string(d, STOS, osz);
            case 0xAC -> string(d, LODS, 1);
            case 0xAD -> string(d, LODS, osz);
            case 0xAE -> string(d, SCAS, 1);
            case 0xAF -> string(d, SCAS, osz);
            case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7 -> setReg8(op & 7, d.imm);
            case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> setReg(osz, op & 7, d.imm);
            case 0xC0 -> shiftRm(d, 1, d.imm);
            case 0xC1 -> shiftRm(d, osz, d.imm);
            case 0xC2 -> {
                int t = pop(d.os16);
                r[ESP] += d.imm;
                eip = d.os16 ? t & 0xFFFF : t;
            }
            case 0xC3 -> {
                int t = pop(d.os16);
                eip = d.os16 ? t & 0xFFFF : t;
            }
            case 0xC6 -> {
                if (d.reg != 0) {
                    throw ud();
                }
                writeRm(d, 1, d.imm);
            }
            case 0xC7 -> {
                if (d.reg != 0) {
                    throw ud();
                }
                writeRm(d, osz, d.imm);
            }
            case 0xC8 -> enter(d);
            case 0xC9 -> {
                int sp = r[ESP];
                r[ESP] = r[EBP];
                try {
                    setReg(osz, EBP, pop(d.os16));
                } catch (CpuFault f) {
                    r[ESP] = sp;
                    throw f;
                }
            }
            case 0xCA, 0xCB -> {
                int sp = r[ESP];
                int t = pop(d.os16);
                int sel = pop(d.os16) & 0xFFFF;
                try {
                    int base = codeSegmentBase(sel);
                    segSel[CS] = sel & 0xFFFC;
                    segBase[CS] = base;
                } catch (CpuFault f) {
                    r[ESP] = sp;
                    throw f;
                }
                if (op == 0xCA) {
                    r[ESP] += d.imm;
                }
                eip = t;
            }
            case 0xCC -> softwareInterrupt(V_BP);
            case 0xCD -> softwareInterrupt(d.imm & 0xFF);
            case 0xCE -> {
                if (of()) {
                    softwareInterrupt(V_OF);
                }
            }
            case 0xCF -> iret(d);
            case 0xD0 -> shiftRm(d, 1, 1);
            case 0xD1 -> shiftRm(d, osz, 1);
            case 0xD2 -> shiftRm(d, 1, r[ECX] & 0xFF);
            case 0xD3 -> shiftRm(d, osz, r[ECX] & 0xFF);
            case 0xD7 -> setReg8(EAX, rd8(segBase[d.seg] + r[EBX] + (r[EAX] & 0xFF)));
            case 0xE0, 0xE1, 0xE2 -> {
                int c = r[ECX] - 1;
                r[ECX] = c;
                boolean take = c != 0 && (op == 0xE2 || (op == 0xE1) == zf());
                if (take) {
                    eip += d.imm;
                }
            }
            case 0xE3 -> {
                if (r[ECX] == 0) {
                    eip += d.imm;
                }
            }
            case 0xE4 -> setReg8(EAX, io.in(d.imm & 0xFF, 1));
            case 0xE5 -> setReg(osz, EAX, io.in(d.imm & 0xFF, osz));
            case 0xE6 -> io.out(d.imm & 0xFF, 1, r[EAX] & 0xFF);
            case 0xE7 -> io.out(d.imm & 0xFF, osz, getReg(osz, EAX));
            case 0xE8 -> {
                push(d.os16, eip);
                eip = d.os16 ? (eip + d.imm) & 0xFFFF : eip + d.imm;
            }
            case 0xE9, 0xEB -> eip = d.os16 ? (eip + d.imm) & 0xFFFF : eip + d.imm;
            case 0xEA -> farJump(d.imm2, d.os16 ? d.imm & 0xFFFF : d.imm);
            case 0xEC -> setReg8(EAX, io.in(r[EDX] & 0xFFFF, 1));
            case 0xED -> setReg(osz, EAX, io.in(r[EDX] & 0xFFFF, osz));
            case 0xEE -> io.out(r[EDX] & 0xFFFF, 1, r[EAX] & 0xFF);
            case 0xEF -> io.out(r[EDX] & 0xFFFF, osz, getReg(osz, EAX));
            case 0xF4 -> {
                boolean ifSet = (flags & IF) != 0;
                requestStop(stop(StopReason.Kind.HALT, eip, 0, 0,
                        ifSet ? "HLT with interrupts enabled, but no interrupt source can wake the CPU"
                                : "HLT with interrupts disabled"));
            }
            case 0xF5 -> setCfOnly(!cf());
            case 0xF6 -> group3(d, 1);
            case 0xF7 -> group3(d, osz);
            case 0xF8 -> setCfOnly(false);
            case 0xF9 -> setCfOnly(true);
            case 0xFA -> flags &= ~IF;
            case 0xFB -> flags |= IF;
            case 0xFC -> flags &= ~DF;
            case 0xFD -> flags |= DF;
            case 0xFE -> {
                if (d.reg > 1) {
                    throw ud();
                }
                incDecRm(d, 1);
            }
            case 0xFF -> group5(d, osz);
            default -> exec0F(d, op, osz);
        }
    }

    /**
     * The most frequent 32-bit forms, called by the run loop before {@link #exec}: done without the size
     * dispatch of the general paths and without entering the big {@code exec} (MOV, LEA, MOVZX, the ALU
     * operations, INC/DEC, PUSH/POP, shifts by an immediate, Jcc/JMP/CALL/RET): same results, same flags.
     *
     * @return false when {@code d} is not one of them (then {@code exec} runs it)
     */
    private boolean fast32(Insn d, int op) {
        switch (op) {
            case 0x89 -> {
                if (d.mod == 3) {
                    r[d.rm] = r[d.reg];
                } else {
                    wr32(ea(d), r[d.reg]);
                }
                return true;
            }
            case 0x8B -> {
                r[d.reg] = d.mod == 3 ? r[d.rm] : rd32(ea(d));
                return true;
            }
            case 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39 -> {
                if (d.mod != 3) {
                    return false;
                }
                int res = alu32(op >>> 3, r[d.rm], r[d.reg]);
                if (op != 0x39) {
                    r[d.rm] = res;
                }
                return true;
            }
            case 0x03, 0x0B, 0x13, 0x1B, 0x23, 0x2B, 0x33, 0x3B -> {
                int res = alu32(op >>> 3, r[d.reg], d.mod == 3 ? r[d.rm] : rd32(ea(d)));
                if (op != 0x3B) {
                    r[d.reg] = res;
                }
                return true;
            }
            case 0x81, 0x83 -> {
                if (d.mod != 3) {
                    return false;
                }
                int res = alu32(d.reg, r[d.rm], d.imm);
                if (d.reg != 7) {
                    r[d.rm] = res;
                }
                return true;
            }
            case 0x85 -> {
                int v = d.mod == 3 ? r[d.rm] : rd32(ea(d));
                alu32(4, v, r[d.reg]);
                return true;
            }
            case 0xC1 -> {
                if (d.mod != 3) {
                    return false;
                }
                r[d.rm] = shift(d.reg, 4, r[d.rm], d.imm);
                return true;
            }
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
                 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D,
                 0x18E, 0x18F -> {
                if (cond(op & 0xF)) {
                    eip += d.imm;
                }
                return true;
            }
            case 0xE9, 0xEB -> {
                eip += d.imm;
                return true;
            }
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 -> {
                r[op & 7] = inc(4, r[op & 7]);
                return true;
            }
            case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> {
                r[op & 7] = dec(4, r[op & 7]);
                return true;
            }
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> {
                push32(r[op & 7]);
                return true;
            }
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> {
                r[op & 7] = pop32();
                return true;
            }
            case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> {
                r[op & 7] = d.imm;
                return true;
            }
            case 0x8D -> {
                if (d.mod == 3) {
                    return false;
                }
                r[d.reg] = offset(d);
                return true;
            }
            case 0xE8 -> {
                push32(eip);
                eip += d.imm;
                return true;
            }
            case 0xC3 -> {
                eip = pop32();
                return true;
            }
            case 0x1B6 -> {
                r[d.reg] = d.mod == 3 ? getReg8(d.rm) : rd8(ea(d));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** {@link #alu} for 32-bit operands. */
    private int alu32(int kind, int dst, int src) {
        int res;
        switch (kind) {
            case 0 -> {
                res = dst + src;
                ccOp = CC_ADD;
            }
            case 1 -> {
                res = dst | src;
                ccOp = CC_LOGIC;
            }
            case 4 -> {
                res = dst & src;
                ccOp = CC_LOGIC;
            }
            case 5, 7 -> {
                res = dst - src;
                ccOp = CC_SUB;
            }
            case 6 -> {
                res = dst ^ src;
                ccOp = CC_LOGIC;
            }
            default -> {
                return alu(kind, 4, dst, src); // ADC, SBB: carry in
            }
        }
        ccShift = 0;
        ccDst = dst;
        ccSrc = src;
        ccRes = res;
        return res;
    }

    private void exec0F(Insn d, int op, int osz) {
        switch (op) {
            case 0x101 -> group7(d);
            case 0x106 -> cr0 &= ~0x8; // CLTS
            case 0x108, 0x109 -> { } // INVD, WBINVD
            case 0x10D, 0x118, 0x119, 0x11A, 0x11B, 0x11C, 0x11D, 0x11E, 0x11F -> { } // hint NOPs
            case 0x120 -> r[d.rm] = readCr(d.reg);
            case 0x121 -> r[d.rm] = dr[d.reg];
            case 0x122 -> writeCr(d.reg, r[d.rm]);
            case 0x123 -> dr[d.reg] = r[d.rm];
            case 0x131 -> {
                r[EAX] = (int) icount;
                r[EDX] = (int) (icount >>> 32);
            }
            case 0x140, 0x141, 0x142, 0x143, 0x144, 0x145, 0x146, 0x147, 0x148, 0x149, 0x14A, 0x14B, 0x14C, 0x14D,
                 0x14E, 0x14F -> {
                int v = readRm(d, osz);
                if (cond(op & 0xF)) {
                    setReg(osz, d.reg, v);
                }
            }
            case 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D,
                 0x18E, 0x18F -> {
                if (cond(op & 0xF)) {
                    eip = d.os16 ? (eip + d.imm) & 0xFFFF : eip + d.imm;
                }
            }
            case 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199, 0x19A, 0x19B, 0x19C, 0x19D,
                 0x19E, 0x19F -> writeRm(d, 1, cond(op & 0xF) ? 1 : 0);
            case 0x1A0 -> push(d.os16, segSel[FS]);
            case 0x1A1 -> popSeg(d, FS);
            case 0x1A2 -> cpuid();
            case 0x1A3 -> bitOp(d, osz, getReg(osz, d.reg), 0, true);
            case 0x1A4 -> shldRm(d, osz, d.imm, true);
            case 0x1A5 -> shldRm(d, osz, r[ECX], true);
            case 0x1A8 -> push(d.os16, segSel[GS]);
            case 0x1A9 -> popSeg(d, GS);
            case 0x1AB -> bitOp(d, osz, getReg(osz, d.reg), 1, true);
            case 0x1AC -> shldRm(d, osz, d.imm, false);
            case 0x1AD -> shldRm(d, osz, r[ECX], false);
            case 0x1AF -> setReg(osz, d.reg, imul2(osz, getReg(osz, d.reg), readRm(d, osz)));
            case 0x1B0 -> cmpxchg(d, 1);
            case 0x1B1 -> cmpxchg(d, osz);
            case 0x1B3 -> bitOp(d, osz, getReg(osz, d.reg), 2, true);
            case 0x1B6 -> setReg(osz, d.reg, readRm(d, 1));
            case 0x1B7 -> setReg(osz, d.reg, readRm(d, 2));
            case 0x1BA -> {
                if (d.reg < 4) {
                    throw ud();
                }
                bitOp(d, osz, d.imm, d.reg - 4, false);
            }
            case 0x1BB -> bitOp(d, osz, getReg(osz, d.reg), 3, true);
            case 0x1BC -> bsf(d, osz);
            case 0x1BD -> bsr(d, osz);
            case 0x1BE -> setReg(osz, d.reg, (byte) readRm(d, 1));
            case 0x1BF -> setReg(osz, d.reg, (short) readRm(d, 2));
            case 0x1C0 -> xadd(d, 1);
            case 0x1C1 -> xadd(d, osz);
            case 0x1C7 -> cmpxchg8b(d);
            case 0x1C8, 0x1C9, 0x1CA, 0x1CB, 0x1CC, 0x1CD, 0x1CE, 0x1CF -> r[op & 7] = Integer.reverseBytes(r[op & 7]);
            default -> throw ud(); // includes UD2 (0F 0B), x87, and anything not implemented
        }
    }

    private void aluRm(Insn d, int kind, int size, int src) {
        if (d.mod == 3) {
            int res = alu(kind, size, getReg(size, d.rm), src);
            if (kind != 7) {
                setReg(size, d.rm, res);
            }
        } else {
            int lin = ea(d);
            if (kind == 7) {
                alu(kind, size, rd(size, lin), src);
            } else {
                int res = alu(kind, size, rdRmw(size, lin), src);
                wr(size, lin, res);
            }
        }
    }

    private void aluRmImm(Insn d, int size, int imm) {
        aluRm(d, d.reg, size, imm & mask(size));
    }

    private void incDecRm(Insn d, int size) {
        if (d.mod == 3) {
            int v = getReg(size, d.rm);
            setReg(size, d.rm, d.reg == 0 ? inc(size, v) : dec(size, v));
        } else {
            int lin = ea(d);
            int v = rdRmw(size, lin);
            wr(size, lin, d.reg == 0 ? inc(size, v) : dec(size, v));
        }
    }

    private void shiftRm(Insn d, int size, int count) {
        if (d.mod == 3) {
            setReg(size, d.rm, shift(d.reg, size, getReg(size, d.rm), count));
        } else {
            int lin = ea(d);
            int v = rdRmw(size, lin);
            wr(size, lin, shift(d.reg, size, v, count));
        }
    }

    private void shldRm(Insn d, int size, int count, boolean left) {
        int src = getReg(size, d.reg);
        if (d.mod == 3) {
            setReg(size, d.rm, shld(size, getReg(size, d.rm), src, count, left));
        } else {
            int lin = ea(d);
            int v = rdRmw(size, lin);
            wr(size, lin, shld(size, v, src, count, left));
        }
    }

    private void xchgRm(Insn d, int size) {
        if (d.mod == 3) {
            int t = getReg(size, d.rm);
            setReg(size, d.rm, getReg(size, d.reg));
            setReg(size, d.reg, t);
        } else {
            int lin = ea(d);
            int t = rdRmw(size, lin);
            wr(size, lin, getReg(size, d.reg));
            setReg(size, d.reg, t);
        }
    }

    private void xadd(Insn d, int size) {
        int src = getReg(size, d.reg);
        if (d.mod == 3) {
            int dst = getReg(size, d.rm);
            int sum = alu(0, size, dst, src);
            setReg(size, d.reg, dst);
            setReg(size, d.rm, sum);
        } else {
            int lin = ea(d);
            int dst = rdRmw(size, lin);
            int sum = alu(0, size, dst, src);
            wr(size, lin, sum);
            setReg(size, d.reg, dst);
        }
    }

    private void cmpxchg(Insn d, int size) {
        int acc = getReg(size, EAX);
        int lin = d.mod == 3 ? 0 : ea(d);
        int dst = d.mod == 3 ? getReg(size, d.rm) : rdRmw(size, lin);
        alu(7, size, acc, dst);
        boolean equal = (acc & mask(size)) == (dst & mask(size));
        int newVal = equal ? getReg(size, d.reg) : dst;
        if (d.mod == 3) {
            setReg(size, d.rm, newVal);
        } else {
            wr(size, lin, newVal);
        }
        if (!equal) {
            setReg(size, EAX, dst);
        }
    }

    private void cmpxchg8b(Insn d) {
        if (d.reg != 1 || d.mod == 3) {
            throw ud();
        }
        int lin = ea(d);
        int lo = rdRmw(4, lin);
        int hi = rdRmw(4, lin + 4);
        if (lo == r[EAX] && hi == r[EDX]) {
            wr32(lin, r[EBX]);
            wr32(lin + 4, r[ECX]);
            setZfOnly(true);
        } else {
            wr32(lin, lo);
            wr32(lin + 4, hi);
            r[EAX] = lo;
            r[EDX] = hi;
            setZfOnly(false);
        }
    }

    /** BT/BTS/BTR/BTC ({@code kind} 0..3); register bit offsets may address beyond the operand in memory. */
    private void bitOp(Insn d, int size, int bitOffset, int kind, boolean regOffset) {
        int bits = size * 8;
        if (d.mod == 3) {
            int bit = bitOffset & (bits - 1);
            int v = getReg(size, d.rm);
            boolean set = ((v >>> bit) & 1) != 0;
            setCfOnly(set);
            if (kind != 0) {
                setReg(size, d.rm, bitResult(kind, v, bit));
            }
            return;
        }
        int lin = ea(d);
        int bit;
        if (regOffset) {
            int off = size == 2 ? (short) bitOffset : bitOffset;
            lin += (off >> (size == 2 ? 4 : 5)) * size;
            bit = off & (bits - 1);
        } else {
            bit = bitOffset & (bits - 1);
        }
        int v = kind == 0 ? rd(size, lin) : rdRmw(size, lin);
        setCfOnly(((v >>> bit) & 1) != 0);
        if (kind != 0) {
            wr(size, lin, bitResult(kind, v, bit));
        }
    }

    private static int bitResult(int kind, int v, int bit) {
        return switch (kind) {
            case 1 -> v | (1 << bit);
            case 2 -> v & ~(1 << bit);
            default -> v ^ (1 << bit);
        };
    }

    private void bsf(Insn d, int size) {
        int v = readRm(d, size) & mask(size);
        setCc(CC_LOGIC, size, v, 0, v);
        if (v != 0) {
            setReg(size, d.reg, Integer.numberOfTrailingZeros(v));
        }
    }

    private void bsr(Insn d, int size) {
        int v = readRm(d, size) & mask(size);
        setCc(CC_LOGIC, size, v, 0, v);
        if (v != 0) {
            setReg(size, d.reg, 31 - Integer.numberOfLeadingZeros(v));
        }
    }

    private int imul2(int size, int a, int b) {
        if (size == 4) {
            long p = (long) a * (long) b;
            int res = (int) p;
            boolean o = p != res;
            setSzpCo(4, res, o, o);
            return res;
        }
        int p = ((short) a) * ((short) b);
        boolean o = p != (short) p;
        setSzpCo(2, p, o, o);
        return p & 0xFFFF;
    }

    private void group3(Insn d, int size) {
        switch (d.reg) {
            case 0, 1 -> alu(4, size, readRm(d, size), d.imm);
            case 2 -> {
                if (d.mod == 3) {
                    setReg(size, d.rm, ~getReg(size, d.rm));
                } else {
                    int lin = ea(d);
                    wr(size, lin, ~rdRmw(size, lin));
                }
            }
            case 3 -> {
                if (d.mod == 3) {
                    setReg(size, d.rm, alu(5, size, 0, getReg(size, d.rm)));
                } else {
                    int lin = ea(d);
                    int v = rdRmw(size, lin);
                    wr(size, lin, alu(5, size, 0, v));
                }
            }
            case 4 -> mul(size, readRm(d, size));
            case 5 -> imul1(size, readRm(d, size));
            case 6 -> div(size, readRm(d, size));
            default -> idiv(size, readRm(d, size));
        }
    }

    private void mul(int size, int src) {
        switch (size) {
            case 1 -> {
                int p = (r[EAX] & 0xFF) * (src & 0xFF);
                setReg(2, EAX, p);
                boolean hi = (p & 0xFF00) != 0;
                setSzpCo(1, p, hi, hi);
            }
            case 2 -> {
                int p = (r[EAX] & 0xFFFF) * (src & 0xFFFF);
                setReg(2, EAX, p);
                setReg(2, EDX, p >>> 16);
                boolean hi = (p >>> 16) != 0;
                setSzpCo(2, p, hi, hi);
            }
            default -> {
                long p = (r[EAX] & 0xFFFFFFFFL) * (src & 0xFFFFFFFFL);
                r[EAX] = (int) p;
                r[EDX] = (int) (p >>> 32);
                boolean hi = r[EDX] != 0;
                setSzpCo(4, (int) p, hi, hi);
            }
        }
    }

    private void imul1(int size, int src) {
        switch (size) {
            case 1 -> {
                int p = ((byte) r[EAX]) * ((byte) src);
                setReg(2, EAX, p);
                boolean o = p != (byte) p;
                setSzpCo(1, p, o, o);
            }
            case 2 -> {
                int p = ((short) r[EAX]) * ((short) src);
                setReg(2, EAX, p);
                setReg(2, EDX, p >> 16);
                boolean o = p != (short) p;
                setSzpCo(2, p, o, o);
            }
            default -> {
                long p = (long) r[EAX] * (long) src;
                r[EAX] = (int) p;
                r[EDX] = (int) (p >>> 32);
                boolean o = p != (int) p;
                setSzpCo(4, (int) p, o, o);
            }
        }
    }

    private CpuFault divideError() {
        return fault.set(V_DE, false, 0);
    }

    private void div(int size, int src) {
        switch (size) {
            case 1 -> {
                int s = src & 0xFF;
                if (s == 0) {
                    throw divideError();
                }
                int a = r[EAX] & 0xFFFF;
                int q = a / s;
                if (q > 0xFF) {
                    throw divideError();
                }
                setReg(2, EAX, (q & 0xFF) | ((a % s) << 8));
            }
            case 2 -> {
                int s = src & 0xFFFF;
                if (s == 0) {
                    throw divideError();
                }
                long a = ((r[EDX] & 0xFFFFL) << 16) | (r[EAX] & 0xFFFFL);
                long q = a / s;
                if (q > 0xFFFF) {
                    throw divideError();
                }
                setReg(2, EAX, (int) q);
                setReg(2, EDX, (int) (a % s));
            }
            default -> {
                long s = src & 0xFFFFFFFFL;
                if (s == 0) {
                    throw divideError();
                }
                long a = ((long) r[EDX] << 32) | (r[EAX] & 0xFFFFFFFFL);
                long q = Long.divideUnsigned(a, s);
                if (Long.compareUnsigned(q, 0xFFFFFFFFL) > 0) {
                    throw divideError();
                }
                r[EAX] = (int) q;
                r[EDX] = (int) Long.remainderUnsigned(a, s);
            }
        }
    }

    private void idiv(int size, int src) {
        switch (size) {
            case 1 -> {
                int s = (byte) src;
                if (s == 0) {
                    throw divideError();
                }
                int a = (short) r[EAX];
                int q = a / s;
                if (q != (byte) q) {
                    throw divideError();
                }
                setReg(2, EAX, (q & 0xFF) | ((a % s) << 8));
            }
            case 2 -> {
                int s = (short) src;
                if (s == 0) {
                    throw divideError();
                }
                int a = (r[EDX] << 16) | (r[EAX] & 0xFFFF);
                long q = (long) a / s;
                if (q != (short) q) {
                    throw divideError();
                }
                setReg(2, EAX, (int) q);
                setReg(2, EDX, a % s);
            }
            default -> {
                long s = src;
                if (s == 0) {
                    throw divideError();
                }
                long a = ((long) r[EDX] << 32) | (r[EAX] & 0xFFFFFFFFL);
                if (a == Long.MIN_VALUE && s == -1) {
                    throw divideError();
                }
                long q = a / s;
                if (q != (int) q) {
                    throw divideError();
                }
                r[EAX] = (int) q;
                r[EDX] = (int) (a % s);
            }
        }
    }

    private void group5(Insn d, int osz) {
        switch (d.reg) {
            case 0, 1 -> incDecRm(d, osz);
            case 2 -> {
                int t = readRm(d, osz);
                push(d.os16, eip);
                eip = d.os16 ? t & 0xFFFF : t;
            }
            case 3 -> {
                if (d.mod == 3) {
                    throw ud();
                }
                int lin = ea(d);
                int off = d.os16 ? rd16(lin) : rd32(lin);
                int sel = rd16(lin + osz);
                int base = codeSegmentBase(sel);
                int sp = r[ESP];
                try {
                    push(d.os16, segSel[CS]);
                    push(d.os16, eip);
                } catch (CpuFault f) {
                    r[ESP] = sp;
                    throw f;
                }
                segSel[CS] = sel & 0xFFFC;
                segBase[CS] = base;
                eip = off;
            }
            case 4 -> {
                int t = readRm(d, osz);
                eip = d.os16 ? t & 0xFFFF : t;
            }
            case 5 -> {
                if (d.mod == 3) {
                    throw ud();
                }
                int lin = ea(d);
                int off = d.os16 ? rd16(lin) : rd32(lin);
                farJump(rd16(lin + osz), off);
            }
            case 6 -> push(d.os16, readRm(d, osz));
            default -> throw ud();
        }
    }

    private void group7(Insn d) {
        if (d.mod == 3) {
            if (d.reg == 4) {
                setReg(d.os16 ? 2 : 4, d.rm, cr0 & (d.os16 ? 0xFFFF : -1));
                return;
            }
            if (d.reg == 6) {
                lmsw(r[d.rm]);
                return;
            }
            throw ud();
        }
        int lin = ea(d);
        switch (d.reg) {
            case 0 -> {
                wr16(lin, gdtLimit);
                wr32(lin + 2, gdtBase);
            }
            case 1 -> {
                wr16(lin, idtLimit);
                wr32(lin + 2, idtBase);
            }
            case 2 -> {
                int limit = rd16(lin);
                int base = rd32(lin + 2);
                gdtLimit = limit;
                gdtBase = d.os16 ? base & 0xFFFFFF : base;
            }
            case 3 -> {
                int limit = rd16(lin);
                int base = rd32(lin + 2);
                idtLimit = limit;
                idtBase = d.os16 ? base & 0xFFFFFF : base;
            }
            case 4 -> wr16(lin, cr0);
            case 6 -> lmsw(rd16(lin));
            case 7 -> mmu.invlpg(lin);
            default -> throw ud();
        }
    }

    private void lmsw(int v) {
        // LMSW sets PE/MP/EM/TS; it cannot clear PE.
        setCr0((cr0 & ~0xE) | (v & 0xF));
    }

    private int readCr(int n) {
        return switch (n) {
            case 0 -> cr0;
            case 2 -> mmu.cr2;
            case 3 -> mmu.cr3;
            case 4 -> cr4;
            default -> throw ud();
        };
    }

    private void writeCr(int n, int v) {
        switch (n) {
            case 0 -> setCr0(v);
            case 2 -> mmu.cr2 = v;
            case 3 -> {
                mmu.cr3 = v;
                mmu.flush();
                markBreakpoints();
            }
            case 4 -> {
                if ((v & ~CR4_SUPPORTED) != 0) {
                    throw gp(0);
                }
                cr4 = v;
                applyPagingMode();
            }
            default -> throw ud();
        }
    }

    private void cpuid() {
        int leaf = r[EAX];
        switch (leaf) {
            case 0 -> {
                r[EAX] = 1;
                r[EBX] = 0x756e6547; // "Genu"
                r[EDX] = 0x49656e69; // "ineI"
                r[ECX] = 0x6c65746e; // "ntel"
            }
            case 1 -> {
                r[EAX] = 0x633; // family 6 model 3 stepping 3
                r[EBX] = 0;
                r[ECX] = 0;
                r[EDX] = (1 << 3) | (1 << 4) | (1 << 8) | (1 << 15); // PSE TSC CX8 CMOV
            }
            case 0x80000000 -> {
                r[EAX] = 0x80000000;
                r[EBX] = 0;
                r[ECX] = 0;
                r[EDX] = 0;
            }
            default -> {
                r[EAX] = 0;
                r[EBX] = 0;
                r[ECX] = 0;
                r[EDX] = 0;
            }
        }
    }

    private void popSeg(Insn d, int s) {
        int sp = r[ESP];
        int v = pop(d.os16);
        try {
            loadDataSegment(s, v & 0xFFFF);
        } catch (CpuFault f) {
            r[ESP] = sp;
            throw f;
        }
    }

    private void pusha(boolean os16) {
        int sp = r[ESP];
        int osz = os16 ? 2 : 4;
        try {
            for (int i = 0; i < 8; i++) {
                push(os16, i == ESP ? sp : getReg(osz, i));
            }
        } catch (CpuFault f) {
            r[ESP] = sp;
            throw f;
        }
    }

    private void popa(boolean os16) {
        int osz = os16 ? 2 : 4;
        int base = segBase[SS] + r[ESP];
        rd(osz, base); // fault before any register changes
        rd(osz, base + 7 * osz);
        for (int i = 0; i < 8; i++) {
            int reg = 7 - i;
            if (reg != ESP) {
                setReg(osz, reg, rd(osz, base + i * osz));
            }
        }
        r[ESP] += 8 * osz;
    }

    private void enter(Insn d) {
        int size = d.imm & 0xFFFF;
        int level = d.imm2 & 0x1F;
        boolean os16 = d.os16;
        int osz = os16 ? 2 : 4;
        int sp = r[ESP];
        int bp = r[EBP];
        try {
            push(os16, r[EBP]);
            int frame = r[ESP];
            if (level > 0) {
                int b = bp;
                for (int i = 1; i < level; i++) {
                    b -= osz;
                    push(os16, rd(osz, segBase[SS] + b));
                }
                push(os16, frame);
            }
            setReg(osz, EBP, frame);
            r[ESP] -= size;
        } catch (CpuFault f) {
            r[ESP] = sp;
            r[EBP] = bp;
            throw f;
        }
    }

    /**
     * INT n, INT3, INTO: delivers {@code vector} with the next instruction's EIP. A fault while doing so
     * (gate beyond the IDT limit or not present, stack not writable) is a fault of this instruction: it
     * propagates with the stack pointer restored, so the run loop delivers it with EIP at the INT.
     */
    private void softwareInterrupt(int vector) {
        int sp = r[ESP];
        try {
            deliverOnce(vector, false, 0, eip, true);
        } catch (CpuFault f) {
            r[ESP] = sp;
            throw f;
        }
    }

    private void iret(Insn d) {
        if ((flags & NT) != 0) {
            throw gp(0); // task return: no task support
        }
        int sp = r[ESP];
        int t = pop(d.os16);
        int sel = pop(d.os16) & 0xFFFF;
        int fl = pop(d.os16);
        try {
            int base = codeSegmentBase(sel);
            segSel[CS] = sel & 0xFFFC;
            segBase[CS] = base;
        } catch (CpuFault f) {
            r[ESP] = sp;
            throw f;
        }
        int cur = eflags();
        if (d.os16) {
            fl = (cur & 0xFFFF0000) | (fl & 0xFFFF);
        }
        setEflags((cur & ~POPF_MASK) | (fl & POPF_MASK));
        eip = t;
    }

    // ------------------------------------------------------------------ string instructions

    private int step(int size) {
        return (flags & DF) != 0 ? -size : size;
    }

    /**
     * Iterations a REP string instruction runs per execution; with ECX still non-zero the instruction is run
     * again (EIP stays on it), so budgets, timeouts and debugger interrupts take effect inside a long REP,
     * as interrupts do on hardware.
     */
    static final int REP_CHUNK = 1 << 16;

    private void repAgain(Insn d) {
        if (r[ECX] != 0) {
            eip -= d.len;
        }
    }

    /** The string instructions, as {@link #string} runs them. */
    private static final int MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4, INS = 5, OUTS = 6;

    /**
     * A string instruction: one step, or with a REP prefix steps while ECX is non-zero (CMPS and SCAS also while
     * ZF says equal for REPE, not equal for REPNE), at most {@link #REP_CHUNK} per execution. Each step updates
     * ESI/EDI (and ECX) only after its memory and port accesses succeed, so a fault restarts it cleanly.
     */
    private void string(Insn d, int kind, int size) {
        if (d.rep == 0) {
            stringStep(d, kind, size);
            return;
        }
        boolean compares = kind == CMPS || kind == SCAS;
        boolean whileEqual = d.rep == 0xF3;
        for (int n = 0; r[ECX] != 0; n++) {
            if (n == REP_CHUNK) {
                repAgain(d);
                return;
            }
            stringStep(d, kind, size);
            r[ECX]--;
            if (compares && zf() != whileEqual) {
                break;
            }
        }
    }

    private void stringStep(Insn d, int kind, int size) {
        int st = step(size);
        int src = segBase[d.seg] + r[ESI];
        int dst = segBase[ES] + r[EDI];
        switch (kind) {
            case MOVS -> wr(size, dst, rd(size, src));
            case CMPS -> alu(7, size, rd(size, src), rd(size, dst));
            case STOS -> wr(size, dst, getReg(size, EAX));
            case LODS -> setReg(size, EAX, rd(size, src));
            case SCAS -> alu(7, size, getReg(size, EAX), rd(size, dst));
            case INS -> {
                if (mmu.paging) {
                    mmu.write(dst); // fault before the port is read
                }
                wr(size, dst, io.in(r[EDX] & 0xFFFF, size));
            }
            default -> io.out(r[EDX] & 0xFFFF, size, rd(size, src));
        }
        if (kind != STOS && kind != SCAS && kind != INS) {
            r[ESI] += st;
        }
        if (kind != LODS && kind != OUTS) {
            r[EDI] += st;
        }
    }
}
