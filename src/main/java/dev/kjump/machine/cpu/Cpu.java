package dev.kjump.machine.cpu;

import dev.kjump.machine.InterruptController;
import dev.kjump.machine.IoBus;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.StopReason;
import dev.kjump.machine.VirtualClock;
import java.util.Arrays;

/**
 * The i386 CPU: 32-bit protected mode at CPL 0 and 3 (user-mode paging, the TSS stack switch, gate and segment
 * privilege checks, IOPL and the I/O permission bitmap), the i686 integer instruction set (what gcc emits for
 * {@code -m32 -march=i686}, what kernels use, and the rest: BCD adjusts, BOUND, ARPL, LAR/LSL/VERR/VERW),
 * paging through {@link Mmu}, exceptions delivered through the IDT with double- and triple-fault escalation,
 * and external interrupts from the {@link InterruptController} at instruction boundaries, in virtual time
 * ({@link VirtualClock}: HLT sleeps until the next timed event). No FPU: x87 instructions raise #NM with
 * CR0.EM set. This class is the CPU's public face: state access, snapshots, stop points and {@link #run}; the
 * work is done by the parts of this package (see {@code package-info.java}), one file per concern.
 */
public final class Cpu implements X86 {
    private final ArchState s;
    private final Interpreter interpreter;

    /**
     * @param mem physical memory
     * @param io the port bus
     */
    public Cpu(PhysicalMemory mem, IoBus io) {
        this.s = new ArchState(mem, io);
        this.interpreter = new Interpreter(s);
    }

    /**
     * Connects the interrupt controller (whose INTR the CPU samples at instruction boundaries when EFLAGS.IF
     * allows) and the virtual clock (whose timed devices the CPU brings up to date when their events fall due).
     */
    public void connect(InterruptController pic, VirtualClock clock) {
        interpreter.connect(pic, clock);
    }

    /**
     * Turns the translator to JVM bytecode off ({@code threshold < 0}) or on: an instruction reached
     * {@code threshold} times starts a translated block (0: every block is translated the first time it runs).
     * The default comes from the system property {@code kjump.translate} ({@code off} or N; else
     * {@value Translator#DEFAULT_THRESHOLD}). Guest-visible behaviour is the same either way.
     */
    public void setTranslation(int threshold) {
        interpreter.setTranslator(threshold < 0 ? null : new Translator(threshold));
    }

    /** As {@link #setTranslation(int)}, blocks made with slow-path calls after {@code sideExitLimit} side exits. */
    void setTranslation(int threshold, int sideExitLimit) {
        interpreter.setTranslator(new Translator(threshold, sideExitLimit));
    }

    /** The translation threshold when nothing else is asked for (the system property {@code kjump.translate}). */
    public static final int DEFAULT_TRANSLATION_THRESHOLD = Translator.DEFAULT_THRESHOLD;

    /**
     * Parses a translation setting: {@code off} (-1) or a threshold from 0.
     *
     * @throws IllegalArgumentException one line naming {@code what} (the option or property) and the value
     */
    public static int parseTranslation(String value, String what) {
        return Translator.parseThreshold(value, what);
    }

    /** The translation threshold, or -1 when translation is off. */
    public int translationThreshold() {
        Translator t = interpreter.translator();
        return t == null ? -1 : t.threshold();
    }

    /**
     * Blocks translated so far, instructions in them, the host nanoseconds spent translating, and how many of the
     * blocks were made again with slow-path calls after too many side exits.
     */
    public long[] translationStats() {
        Translator t = interpreter.translator();
        return t == null ? new long[4] : new long[] {t.blocks(), t.translatedInstructions(), t.nanos(), t.remade()};
    }

    /** The paging unit. */
    public Mmu mmu() {
        return s.mmu;
    }

    /** Instructions executed since the CPU was made (also what RDTSC reads). */
    public long instructions() {
        return s.icount;
    }

    // ------------------------------------------------------------------ state access

    /** General register {@code i}. */
    public int reg(int i) {
        return s.r[i];
    }

    /** Sets general register {@code i}. */
    public void setReg(int i, int v) {
        s.r[i] = v;
    }

    /** EIP. */
    public int eip() {
        return s.eip;
    }

    /** Sets EIP. */
    public void setEip(int v) {
        s.eip = v;
    }

    /** EFLAGS with every bit computed. */
    public int eflags() {
        return s.eflags();
    }

    /** Sets EFLAGS (bit 1 always reads as one). */
    public void setEflags(int v) {
        s.setEflags(v);
    }

    /** CR0. */
    public int cr0() {
        return s.cr0;
    }

    /** CR3. */
    public int cr3() {
        return s.mmu.cr3;
    }

    /** CR4. */
    public int cr4() {
        return s.cr4;
    }

    /** Segment selector {@code seg}. */
    public int segment(int seg) {
        return s.segSel[seg];
    }

    /** Takes a snapshot of the architectural state. */
    public CpuState saveState() {
        return new CpuState(s.r, s.eip, s.eflags(), s.segSel, s.segBase, s.cr0, s.mmu.cr2, s.mmu.cr3, s.cr4,
                s.gdtBase, s.gdtLimit, s.idtBase, s.idtLimit, s.segLimit, s.segAttr);
    }

    /** Puts back a snapshot taken by {@link #saveState()} (no descriptor reload: the descriptor cache comes back too). */
    public void restoreState(CpuState st) {
        System.arraycopy(st.regs(), 0, s.r, 0, 8);
        s.eip = st.eip();
        s.setEflags(st.eflags());
        System.arraycopy(st.segSelectors(), 0, s.segSel, 0, 6);
        System.arraycopy(st.segBases(), 0, s.segBase, 0, 6);
        System.arraycopy(st.segLimits(), 0, s.segLimit, 0, 6);
        System.arraycopy(st.segAttributes(), 0, s.segAttr, 0, 6);
        s.gdtBase = st.gdtBase();
        s.gdtLimit = st.gdtLimit();
        s.idtBase = st.idtBase();
        s.idtLimit = st.idtLimit();
        s.cr4 = st.cr4();
        s.mmu.cr2 = st.cr2();
        s.mmu.cr3 = st.cr3();
        s.setCpl(s.segSel[CS] & 3);
        ProcessorControl.setCr0(s, st.cr0());
        ProcessorControl.applyPagingMode(s);
        s.pokeEvents();
    }

    /** The current privilege level (0 or 3). */
    public int cpl() {
        return s.cpl;
    }

    /** Virtual time in instruction ticks: instructions executed plus time spent halted (what RDTSC reads). */
    public long ticks() {
        return s.ticks();
    }

    /**
     * Puts the CPU in the state the jump-back protocol (and a multiboot loader) hands over: protected mode,
     * paging off, flat 4 GiB segments with their hidden parts loaded (CS selector 0x10, data 0x18, no GDT
     * needed), IF=0, no IDT (any exception triple-faults), EFLAGS = 0x2.
     */
    public void resetProtectedFlat() {
        Arrays.fill(s.r, 0);
        for (int seg = 0; seg < 6; seg++) {
            s.segSel[seg] = seg == CS ? 0x10 : 0x18;
            s.segBase[seg] = 0;
            s.segLimit[seg] = -1;
            s.segAttr[seg] = seg == CS ? ArchState.FLAT_CODE_ATTR : ArchState.FLAT_DATA_ATTR;
        }
        s.setEflags(0x2);
        s.cr0 = CR0_PE | CR0_ET;
        s.cr4 = 0;
        s.mmu.cr3 = 0;
        s.mmu.cr2 = 0;
        s.gdtBase = 0;
        s.gdtLimit = 0;
        s.idtBase = 0;
        s.idtLimit = 0;
        s.trSel = s.trBase = s.trLimit = s.trAttr = 0;
        s.ldtrSel = s.ldtrBase = s.ldtrLimit = 0;
        s.intrShadowUntil = 0;
        s.resetDebugRegisters();
        s.setCpl(0);
        ProcessorControl.applyPagingMode(s);
        s.pokeEvents();
    }

    // ------------------------------------------------------------------ stop points and stops

    /** Sets the physical addresses at which the CPU stops with {@link StopReason.Kind#HOST_ENTRY}. */
    public void setHostEntries(int... physAddresses) {
        s.stops.setHostEntries(physAddresses);
    }

    /**
     * Sets the debugger's breakpoints: linear addresses (CS base plus EIP) at which {@link #run} stops with
     * {@link StopReason.Kind#BREAKPOINT} before executing the instruction there. Guest memory is not modified:
     * like host entries, the physical addresses are marked in the decode cache, so the run loop pays nothing
     * when none are set. The marks are the identity address (paging off) and, with paging on, where the
     * address maps now; they are recomputed when CR0, CR3 or CR4 change.
     */
    public void setBreakpoints(int... linear) {
        s.stops.setBreakpoints(linear);
    }

    /** The breakpoints set with {@link #setBreakpoints}. */
    public int[] breakpoints() {
        return s.stops.breakpoints();
    }

    /**
     * Lets the next {@link #run} execute the instruction at EIP even if a breakpoint is set there (as EFLAGS.RF
     * does for instruction breakpoints): a debugger resuming from a breakpoint calls this.
     */
    public void passBreakpointOnce() {
        s.stops.passBreakpoint = true;
    }

    /**
     * Asks a running CPU to stop soon, at an instruction boundary, with {@link StopReason.Kind#INTERRUPTED}
     * (any thread: Ctrl-C, a debugger's interrupt); when no run is going, the next run stops at once. This is the
     * host's request, not a guest interrupt.
     */
    public void requestHostStop() {
        interpreter.requestHostStop();
    }

    /** Withdraws a {@link #requestHostStop()} that no run has taken yet (the host's Ctrl-C window closed). */
    public void cancelHostStop() {
        interpreter.cancelHostStop();
    }

    /** Stops the CPU after the current instruction with the given reason (devices call this). */
    public void requestStop(StopReason reason) {
        interpreter.requestStop(reason);
    }

    /**
     * Runs until a stop condition: a host entry, HLT, a debug-exit write, a triple fault, a host stop
     * request, or {@code budget} instructions executed.
     */
    public StopReason run(long budget) {
        return interpreter.run(budget);
    }

    /** Up to 15 bytes at linear {@code eip} in CS, read without faulting (fewer where unmapped). */
    public byte[] instructionBytes(int at) {
        return Decoder.instructionBytes(s, at);
    }
}
