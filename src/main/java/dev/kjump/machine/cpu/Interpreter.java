package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.ArchState.POPF_MASK;
import static dev.kjump.machine.cpu.Strings.CMPS;
import static dev.kjump.machine.cpu.Strings.INS;
import static dev.kjump.machine.cpu.Strings.LODS;
import static dev.kjump.machine.cpu.Strings.MOVS;
import static dev.kjump.machine.cpu.Strings.OUTS;
import static dev.kjump.machine.cpu.Strings.SCAS;
import static dev.kjump.machine.cpu.Strings.STOS;
import static dev.kjump.machine.cpu.X86.*;

import dev.kjump.machine.InterruptController;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.StopReason;
import dev.kjump.machine.VirtualClock;

import java.lang.invoke.MethodHandles;

/**
 * The interpreter loop: fetch through the decode cache, execute, deliver the exceptions an instruction raises,
 * and stop where the caller asked (host entries, breakpoints, the budget, a device's or the host's stop).
 *
 * <p>Each instruction is decoded once into an {@link Insn} cached per physical address; a write to the page
 * drops the cache (see {@link PhysicalMemory#decodeCache()}). {@link #exec} is the one dispatch: an opcode's
 * case calls the handler of the part that owns it ({@link Alu}, {@link Shifts}, {@link ControlTransfer},
 * ...). {@link #fast32} is the run loop's first try for the most frequent 32-bit forms: the same handlers with
 * the operand size a constant, in a method small enough for the JIT to inline them. Executing an instruction
 * allocates nothing.
 */
final class Interpreter {
    static {
        // The classes the handlers call, initialized before the JIT compiles the handlers: a call into a class not yet
        // loaded is compiled as a trap, and the first time the guest gets there (Linux's first port I/O, after the
        // JIT had compiled exec) the JIT's code for the handler is thrown away and compiled again.
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Class<?> c : new Class<?>[] {Operands.class, Alu.class, Shifts.class, Bits.class, Bcd.class, Stack.class,
            Strings.class, Segments.class, ControlTransfer.class, ProcessorControl.class, Exceptions.class,
            PortIo.class, Decoder.class}) {
            try {
                lookup.ensureInitialized(c);
            } catch (IllegalAccessException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private final ArchState s;
    /** Decodes that are not cached (page-crossing, outside RAM, under a stop point) go here. */
    private final Insn scratch = new Insn();
    /** A stop a device or an instruction (HLT) asked for, taken after the current instruction. */
    private StopReason pendingStop;
    /** Read by translated blocks too, which stop looping when it is set. */
    volatile boolean hostStopRequested;
    /**
     * Set by a block that left before an instruction whose load or store missed the TLB's fast path (a side exit,
     * see {@link BlockCompiler}): the loop interprets that one instruction next, whatever block starts there.
     */
    boolean stepOnce;
    /** Null when translation is off. */
    private Translator translator = Translator.fromProperty();
    private InterruptController pic;
    private VirtualClock clock;

    Interpreter(ArchState s) {
        this.s = s;
    }

    /** The interrupt controller and virtual clock (see {@link Cpu#connect}). */
    void connect(InterruptController pic, VirtualClock clock) {
        this.pic = pic;
        this.clock = clock;
        clock.connect(s::ticks, s::pokeEvents);
        s.pokeEvents();
    }

    /**
     * The slow path the loop takes when the instruction count reaches {@code s.eventTick}: brings the timed
     * devices up to date, takes an external interrupt when INTR is up, IF is set and no STI or MOV SS shadow
     * holds it off, and computes when to look again.
     */
    private void serviceEvents() {
        s.eventTick = Long.MAX_VALUE;
        if (clock == null) {
            return;
        }
        clock.advance();
        if (pic.intr() && (s.flags & IF) != 0) {
            if (s.icount < s.intrShadowUntil) {
                s.eventTick = s.intrShadowUntil;
            } else {
                Exceptions.externalInterrupt(s, pic.acknowledge() & 0xFF);
                s.eventTick = s.icount; // another request may be waiting behind it (or come when IF is set)
                return;
            }
        }
        long next = clock.nextEventTick();
        if (next != Long.MAX_VALUE) {
            s.eventTick = Math.min(s.eventTick, Math.max(next - s.haltedTicks, s.icount));
        }
    }

    /**
     * HLT with interrupts on: virtual time jumps to the next timed event, which may raise INTR; the HLT runs
     * again until an interrupt is taken (the loop's budget, time limit and stops still apply). Returns false when
     * nothing can ever wake the CPU.
     */
    private boolean sleepUntilInterrupt(Insn d) {
        if (clock == null || !pic.intr() && !pic.canInterrupt()) {
            return false;
        }
        if (!pic.intr()) {
            long next = clock.nextEventTick();
            if (next == Long.MAX_VALUE) {
                return false;
            }
            long now = s.ticks();
            if (next > now) {
                s.haltedTicks += next - now;
            }
            clock.advance();
        }
        if (!pic.intr()) {
            s.eip -= d.len; // still asleep: HLT again
        }
        s.pokeEvents();
        return true;
    }

    /** Turns translation off (null) or on with {@code t}'s threshold; blocks already made stay until their page goes. */
    void setTranslator(Translator t) {
        translator = t;
    }

    Translator translator() {
        return translator;
    }

    ArchState state() {
        return s;
    }

    /** Asks the running loop (or the next run, when none is going) to stop at an instruction boundary (any thread). */
    void requestHostStop() {
        hostStopRequested = true;
    }

    /** Withdraws a host stop request that no run has taken yet. */
    void cancelHostStop() {
        hostStopRequested = false;
    }

    /** Stops after the current instruction with {@code reason}. */
    void requestStop(StopReason reason) {
        pendingStop = reason;
    }

    /**
     * Runs until a stop condition: a host entry, HLT, a debug-exit write, a triple fault, an interrupt
     * request, or {@code budget} instructions executed.
     */
    StopReason run(long budget) {
        final ArchState s = this.s;
        long end = s.icount + budget;
        pendingStop = null;
        if (hostStopRequested) { // asked for while no run was going (between jumps, say): honoured now
            hostStopRequested = false;
            return interrupted();
        }
        boolean pass = s.stops.passBreakpoint;
        s.stops.passBreakpoint = false;
        final int firstEip = s.eip;
        final long firstCount = s.icount;
        final Insn[][] code = s.mem.decodeCache();
        Block prev = null; // the block the last pass ran (to its end or a side exit), whose links may name the next
        while (true) {
            if (s.icount >= end) {
                return budgetUsedUp(budget);
            }
            int start = s.eip;
            long counted = s.icount;
            boolean inBlock = false;
            Block ran = null;
            try {
                if (s.icount >= s.eventTick) {
                    serviceEvents();
                    start = s.eip;
                }
                int lin = s.segBase[CS] + start;
                Block b = prev == null || stepOnce ? null : prev.linked(lin, s.mmu.epoch, s.mem.decodeEpoch());
                Insn d;
                if (b != null) {
                    d = b.insns[0]; // chained: what the lookup below would find, with nothing to do on the way
                } else {
                    int phys = s.mmu.fetch(lin);
                    int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
                    Insn[] page;
                    if (pfn < code.length && (page = code[pfn]) != null && (d = page[phys & 0xFFF]) != null) {
                        // cached
                    } else {
                        d = decodeAt(start, phys);
                    }
                    if (d.op == Insn.OP_STOP_POINT) {
                        if (s.stops.isHostEntry(phys)) {
                            return hostEntry(start, phys);
                        }
                        if (s.stops.isBreakpoint(lin) && !(pass && start == firstEip && s.icount == firstCount)) {
                            return breakpoint(start, phys, lin);
                        }
                        d = scratch; // the instruction under the mark, decoded each time (not cached)
                        Decoder.decode(s, d, lin);
                    } else if (stepOnce) { // a block left before this instruction: the interpreter's slow path runs it
                        stepOnce = false;
                    } else if (translator != null && d != scratch && !s.mem.watching()) {
                        b = d.block;
                        if (b == null && d.hits++ >= translator.threshold()) {
                            b = translator.translate(this, start, phys, d);
                            d.block = b;
                        }
                        if (b == Block.NONE) {
                            b = null;
                        } else if (b != null && prev != null) {
                            prev.link(lin, b, s.mmu.epoch, s.mem.decodeEpoch());
                        }
                    }
                }
                if (b != null) {
                    long limit = Math.min(end, s.eventTick);
                    if (s.icount <= limit - b.count) {
                        inBlock = true;
                        b.run(s, this, limit);
                        ran = b;
                        if (stepOnce && ++b.sideExits == translator.sideExitLimit()) {
                            remake(b, start);
                        }
                    }
                }
                if (!inBlock) {
                    s.eip = start + d.len;
                    s.icount++;
                    execute(d);
                }
            } catch (CpuFault f) {
                if (inBlock) {
                    start = s.eip; // the block left EIP at the faulting instruction and counted it
                } else {
                    s.eip = start;
                    if (s.icount == counted) {
                        s.icount++; // a fetch that faults counts too, so a fault loop still runs out of budget
                    }
                }
                int vector = f.vector;
                boolean hasErr = f.hasErrorCode;
                int err = f.errorCode;
                if (!Exceptions.deliverException(s, vector, hasErr, err, start, 0)) {
                    return tripleFault(start, vector);
                }
            } catch (RuntimeException e) {
                s.eip = start;
                return internalError(start, e);
            } catch (OutOfMemoryError e) {
                s.eip = start;
                java.util.Arrays.fill(code, null); // the decode caches are the largest thing the guest can grow
                s.mem.decodesChanged();
                java.util.Arrays.fill(decodedPages, 0);
                decodedCount = 0;
                decodedNext = 0;
                freePages.clear();
                freeInsns.clear();
                return outOfMemory(start);
            }
            prev = ran;
            if (pendingStop != null) {
                StopReason stop = pendingStop;
                pendingStop = null;
                return stop;
            }
            if ((inBlock || (s.icount & 0x3FFF) == 0) && hostStopRequested) { // a block may step over the mark
                hostStopRequested = false;
                return interrupted();
            }
        }
    }

    /**
     * Block {@code b}, entered at EIP {@code eip}, made again with slow-path calls ({@link Translator#remake}) if it is
     * still the block of its first instruction's decode, cached (a store in it may have dropped its page's decodes).
     */
    private void remake(Block b, int eip) {
        Insn d = b.insns[0];
        Insn[] page = s.mem.decodeCache()[b.pfn];
        if (d.block == b && page != null && page[b.phys & 0xFFF] == d) {
            d.block = translator.remake(this, eip, b.phys, d);
            s.mem.decodesChanged(); // links to b go
        }
    }

    /*
     * The run loop's ways out, kept out of run() itself: what they name (StopReason.Kind, the messages' string
     * building) is loaded only at the first stop, and the JIT compiles the loop long before that, during a run's first
     * slice. Inside the loop it compiled them as traps, and the first stop (the end of that slice) threw the compiled
     * loop away to be compiled again (bench-long: ~60 ms of C2 and a spell in slower code in every fresh process).
     */

    private StopReason budgetUsedUp(long budget) {
        return stop(StopReason.Kind.BUDGET, s.eip, 0, 0, "instruction budget of " + budget + " used up");
    }

    private StopReason interrupted() {
        return stop(StopReason.Kind.INTERRUPTED, s.eip, 0, 0, "interrupted by the host");
    }

    private StopReason hostEntry(int at, int phys) {
        return stop(StopReason.Kind.HOST_ENTRY, at, phys & 0xFFFFFFFFL, 0, String.format("reached host entry %08x", phys));
    }

    private StopReason breakpoint(int at, int phys, int lin) {
        return stop(StopReason.Kind.BREAKPOINT, at, phys & 0xFFFFFFFFL, 0, String.format("breakpoint at %08x", lin));
    }

    private StopReason tripleFault(int at, int vector) {
        return stop(StopReason.Kind.TRIPLE_FAULT, at, 0, vector, String.format(
                "triple fault: %s at eip %08x could not be delivered", Exceptions.vectorName(vector), at));
    }

    private StopReason internalError(int at, RuntimeException e) {
        return stop(StopReason.Kind.EMULATOR_ERROR, at, 0, 0,
                String.format("kjump internal error at eip %08x: %s (please report it with the image)", at, e));
    }

    private StopReason outOfMemory(int at) {
        return stop(StopReason.Kind.EMULATOR_ERROR, at, 0, 0, String.format("the host ran out of memory at eip %08x "
                + "(give the JVM more heap with KJUMP_JAVA_OPTS=-Xmx..., or the guest less --mem)", at));
    }

    private StopReason stop(StopReason.Kind kind, int at, long phys, int value, String message) {
        return new StopReason(kind, at, phys, value, Decoder.instructionBytes(s, at), message);
    }

    /** Decodes the instruction at EIP {@code at} (physical {@code phys}) and caches it when it fits its page. */
    private Insn decodeAt(int at, int phys) {
        int pfn = phys >>> PhysicalMemory.PAGE_SHIFT;
        boolean inRam = pfn < s.mem.pageCount();
        if (s.stops.isStopPoint(phys)) {
            return stopPoint(phys, inRam);
        }
        int lin0 = s.segBase[CS] + at;
        boolean crosses = (lin0 & 0xFFF) > 0xFFF - 15;
        Insn d = crosses || !inRam ? scratch : newInsn();
        Decoder.decode(s, d, lin0);
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
        Insn[][] code = s.mem.decodeCache();
        Insn[] page = code[pfn];
        s.mem.decodesCached(pfn);
        if (page == null) {
            // the ring first: its oldest entry may be this very page (dropped by a write, still in the ring), and
            // evicting it must not free the array about to be filled
            remember(code, pfn);
            page = freePages.isEmpty() ? new Insn[PhysicalMemory.PAGE_SIZE] : freePages.pop();
            code[pfn] = page;
        }
        page[phys & 0xFFF] = d;
    }

    /**
     * Pages with a decode cache, oldest first, at most {@link #DECODE_CACHE_PAGES}: a page decoded beyond that
     * drops the oldest page's decodes (they are decoded again when run again), so host memory stays bounded
     * whatever the guest executes (code running through zeroed memory decodes ~2,000 instructions a page).
     */
    static final int DECODE_CACHE_PAGES = 1024;
    private final int[] decodedPages = new int[DECODE_CACHE_PAGES];
    private int decodedNext;
    private int decodedCount;

    /** Evicted pages' arrays and their decodes, reused, so that a guest that keeps decoding allocates nothing. */
    private final java.util.ArrayDeque<Insn[]> freePages = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Insn> freeInsns = new java.util.ArrayDeque<>();

    private Insn newInsn() {
        if (freeInsns.isEmpty()) {
            return new Insn();
        }
        Insn d = freeInsns.pop();
        d.block = null;
        d.hits = 0;
        return d;
    }

    /**
     * The decode of the instruction at EIP {@code eip}, physical {@code phys}, for a block being made: from the
     * cache, else decoded and cached; null where a block must stop (a stop point, or bytes that cannot be decoded
     * without a fault). Guest-invisible: CR2 is kept.
     */
    Insn decodeForBlock(int eip, int phys) {
        Insn[] page = s.mem.decodeCache()[phys >>> PhysicalMemory.PAGE_SHIFT];
        Insn d = page == null ? null : page[phys & 0xFFF];
        if (d == null) {
            int cr2 = s.mmu.cr2;
            try {
                d = decodeAt(eip, phys);
            } catch (CpuFault f) {
                s.mmu.cr2 = cr2;
                return null;
            }
        }
        return d == scratch || d.op == Insn.OP_STOP_POINT ? null : d;
    }

    /** Runs one instruction whose EIP and count the caller has set, as the loop does (for translated blocks). */
    void execute(Insn d) {
        if (d.os16 || !fast32(d, d.op)) {
            exec(d);
        }
    }

    private void remember(Insn[][] code, int pfn) {
        if (decodedCount == DECODE_CACHE_PAGES) {
            int old = decodedPages[decodedNext];
            Insn[] evicted = code[old];
            if (evicted != null) { // else a write already dropped it
                s.mem.dropDecodes(old);
                for (int i = 0; i < evicted.length; i++) {
                    if (evicted[i] != null && evicted[i].op != Insn.OP_STOP_POINT) {
                        freeInsns.push(evicted[i]);
                    }
                    evicted[i] = null;
                }
                freePages.push(evicted);
            }
        } else {
            decodedCount++;
        }
        decodedPages[decodedNext] = pfn;
        decodedNext = (decodedNext + 1) % DECODE_CACHE_PAGES;
    }

    private void exec(Insn d) {
        final ArchState s = this.s;
        final int op = d.op;
        final int osz = d.os16 ? 2 : 4;
        if (op < 0x40 && (op & 7) < 6) {
            int kind = op >>> 3;
            switch (op & 7) {
                case 0 -> Alu.aluRm(s, d, kind, 1, Operands.getReg8(s, d.reg));
                case 1 -> Alu.aluRm(s, d, kind, osz, Operands.getReg(s, osz, d.reg));
                case 2 -> Alu.aluReg(s, d, kind, 1);
                case 3 -> Alu.aluReg(s, d, kind, osz);
                case 4 -> Alu.aluAccumulator(s, kind, 1, d.imm);
                default -> Alu.aluAccumulator(s, kind, osz, d.imm);
            }
            return;
        }
        switch (op) {
            case 0x06 -> Stack.push(s, d.os16, s.segSel[ES]);
            case 0x07 -> Segments.popSegment(s, d, ES);
            case 0x0E -> Stack.push(s, d.os16, s.segSel[CS]);
            case 0x16 -> Stack.push(s, d.os16, s.segSel[SS]);
            case 0x17 -> {
                Segments.popSegment(s, d, SS);
                s.intrShadowUntil = s.icount + 1;
            }
            case 0x1E -> Stack.push(s, d.os16, s.segSel[DS]);
            case 0x1F -> Segments.popSegment(s, d, DS);
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 -> Alu.incReg(s, osz, op & 7);
            case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> Alu.decReg(s, osz, op & 7);
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> Stack.push(s, d.os16, Operands.getReg(s, osz, op & 7));
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> Stack.popReg(s, d.os16, op & 7);
            case 0x27 -> Bcd.daa(s);
            case 0x2F -> Bcd.das(s);
            case 0x37 -> Bcd.aaa(s);
            case 0x3F -> Bcd.aas(s);
            case 0x60 -> Stack.pusha(s, d.os16);
            case 0x61 -> Stack.popa(s, d.os16);
            case 0x62 -> Alu.bound(s, d, osz);
            case 0x63 -> Segments.arpl(s, d);
            case 0x68, 0x6A -> Stack.push(s, d.os16, d.imm);
            case 0x69, 0x6B -> Operands.setReg(s, osz, d.reg, Alu.imul2(s, osz, Operands.readRm(s, d, osz), d.imm));
            case 0x6C -> Strings.string(s, d, INS, 1);
            case 0x6D -> Strings.string(s, d, INS, osz);
            case 0x6E -> Strings.string(s, d, OUTS, 1);
            case 0x6F -> Strings.string(s, d, OUTS, osz);
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F ->
                    ControlTransfer.jumpIf(s, d.os16, op & 0xF, d.imm);
            case 0x80, 0x82 -> Alu.aluRmImm(s, d, 1, d.imm);
            case 0x81, 0x83 -> Alu.aluRmImm(s, d, osz, d.imm);
            case 0x84 -> Alu.alu(s, Alu.AND, 1, Operands.readRm(s, d, 1), Operands.getReg8(s, d.reg));
            case 0x85 -> Alu.alu(s, Alu.AND, osz, Operands.readRm(s, d, osz), Operands.getReg(s, osz, d.reg));
            case 0x86 -> Alu.xchgRm(s, d, 1);
            case 0x87 -> Alu.xchgRm(s, d, osz);
            case 0x88 -> Operands.writeRm(s, d, 1, Operands.getReg8(s, d.reg));
            case 0x89 -> Operands.writeRm(s, d, osz, Operands.getReg(s, osz, d.reg));
            case 0x8A -> Operands.setReg8(s, d.reg, Operands.readRm(s, d, 1));
            case 0x8B -> Operands.setReg(s, osz, d.reg, Operands.readRm(s, d, osz));
            case 0x8C -> {
                if (d.reg > 5) {
                    throw Exceptions.ud(s);
                }
                if (d.mod == 3) {
                    Operands.setReg(s, osz, d.rm, s.segSel[d.reg]);
                } else {
                    Operands.wr16(s, Operands.ea(s, d), s.segSel[d.reg]);
                }
            }
            case 0x8D -> Operands.lea(s, d, osz);
            case 0x8E -> {
                if (d.reg == CS || d.reg > 5) {
                    throw Exceptions.ud(s);
                }
                Segments.loadDataSegment(s, d.reg, Operands.readRm(s, d, 2));
                if (d.reg == SS) {
                    s.intrShadowUntil = s.icount + 1;
                }
            }
            case 0x8F -> {
                if (d.reg != 0) {
                    throw Exceptions.ud(s);
                }
                int sp = s.r[ESP];
                int v = d.os16 ? Operands.rd16(s, s.segBase[SS] + sp) : Operands.rd32(s, s.segBase[SS] + sp);
                s.r[ESP] = sp + osz;
                try {
                    Operands.writeRm(s, d, osz, v);
                } catch (CpuFault f) {
                    s.r[ESP] = sp;
                    throw f;
                }
            }
            case 0x90 -> { }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> {
                int t = Operands.getReg(s, osz, op & 7);
                Operands.setReg(s, osz, op & 7, Operands.getReg(s, osz, EAX));
                Operands.setReg(s, osz, EAX, t);
            }
            case 0x98 -> {
                if (d.os16) {
                    Operands.setReg(s, 2, EAX, (byte) s.r[EAX]);
                } else {
                    s.r[EAX] = (short) s.r[EAX];
                }
            }
            case 0x99 -> {
                if (d.os16) {
                    Operands.setReg(s, 2, EDX, ((short) s.r[EAX]) >> 15);
                } else {
                    s.r[EDX] = s.r[EAX] >> 31;
                }
            }
            case 0x9A -> ControlTransfer.callFar(s, d.os16, d.imm2, d.imm);
            case 0x9B -> ProcessorControl.fwait(s);
            case 0x9C -> Stack.push(s, d.os16, s.eflags() & ~(VM | RF));
            case 0x9D -> {
                int v = Stack.pop(s, d.os16);
                int cur = s.eflags();
                if (d.os16) {
                    v = (cur & 0xFFFF0000) | (v & 0xFFFF);
                }
                s.setEflags(Exceptions.poppedFlags(s, cur, v, s.cpl));
            }
            case 0x9E -> {
                s.materialize();
                int ah = (s.r[EAX] >>> 8) & 0xFF;
                int m = CF | PF | AF | ZF | SF;
                s.flags = (s.flags & ~m) | (ah & m);
            }
            case 0x9F -> Operands.setReg8(s, 4, (s.eflags() & (CF | PF | AF | ZF | SF)) | 0x2);
            case 0xA0 -> Operands.setReg8(s, EAX, Operands.rd8(s, s.segBase[d.seg] + d.imm));
            case 0xA1 -> Operands.setReg(s, osz, EAX, Operands.rd(s, osz, s.segBase[d.seg] + d.imm));
            case 0xA2 -> Operands.wr8(s, s.segBase[d.seg] + d.imm, s.r[EAX]);
            case 0xA3 -> Operands.wr(s, osz, s.segBase[d.seg] + d.imm, s.r[EAX]);
            case 0xA4 -> Strings.string(s, d, MOVS, 1);
            case 0xA5 -> Strings.string(s, d, MOVS, osz);
            case 0xA6 -> Strings.string(s, d, CMPS, 1);
            case 0xA7 -> Strings.string(s, d, CMPS, osz);
            case 0xA8 -> Alu.alu(s, Alu.AND, 1, s.r[EAX], d.imm);
            case 0xA9 -> Alu.alu(s, Alu.AND, osz, Operands.getReg(s, osz, EAX), d.imm);
            case 0xAA -> Strings.string(s, d, STOS, 1);
            case 0xAB -> Strings.string(s, d, STOS, osz);
            case 0xAC -> Strings.string(s, d, LODS, 1);
            case 0xAD -> Strings.string(s, d, LODS, osz);
            case 0xAE -> Strings.string(s, d, SCAS, 1);
            case 0xAF -> Strings.string(s, d, SCAS, osz);
            case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7 -> Operands.setReg8(s, op & 7, d.imm);
            case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> Operands.setReg(s, osz, op & 7, d.imm);
            case 0xC0 -> Shifts.shiftRm(s, d, 1, d.imm);
            case 0xC1 -> Shifts.shiftRm(s, d, osz, d.imm);
            case 0xC2 -> ControlTransfer.returnNear(s, d.os16, d.imm);
            case 0xC3 -> ControlTransfer.returnNear(s, d.os16, 0);
            case 0xC4 -> Segments.loadFarPointer(s, d, ES, osz);
            case 0xC5 -> Segments.loadFarPointer(s, d, DS, osz);
            case 0xC6 -> {
                if (d.reg != 0) {
                    throw Exceptions.ud(s);
                }
                Operands.writeRm(s, d, 1, d.imm);
            }
            case 0xC7 -> {
                if (d.reg != 0) {
                    throw Exceptions.ud(s);
                }
                Operands.writeRm(s, d, osz, d.imm);
            }
            case 0xC8 -> Stack.enter(s, d);
            case 0xC9 -> Stack.leave(s, d.os16);
            case 0xCA -> ControlTransfer.returnFar(s, d.os16, d.imm);
            case 0xCB -> ControlTransfer.returnFar(s, d.os16, 0);
            case 0xCC -> Exceptions.softwareInterrupt(s, V_BP);
            case 0xCD -> Exceptions.softwareInterrupt(s, d.imm & 0xFF);
            case 0xCE -> {
                if (s.of()) {
                    Exceptions.softwareInterrupt(s, V_OF);
                }
            }
            case 0xCF -> Exceptions.iret(s, d);
            case 0xD0 -> Shifts.shiftRm(s, d, 1, 1);
            case 0xD1 -> Shifts.shiftRm(s, d, osz, 1);
            case 0xD2 -> Shifts.shiftRm(s, d, 1, s.r[ECX] & 0xFF);
            case 0xD3 -> Shifts.shiftRm(s, d, osz, s.r[ECX] & 0xFF);
            case 0xD4 -> Bcd.aam(s, d.imm & 0xFF);
            case 0xD5 -> Bcd.aad(s, d.imm & 0xFF);
            case 0xD6 -> Operands.setReg8(s, EAX, s.cf() ? 0xFF : 0); // SALC
            case 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF -> ProcessorControl.noFpu(s);
            case 0xD7 -> Operands.setReg8(s, EAX,
                    Operands.rd8(s, s.segBase[d.seg] + ((s.r[EBX] + (s.r[EAX] & 0xFF)) & d.eaMask))); // XLAT
            case 0xE0, 0xE1, 0xE2 -> ControlTransfer.loop(s, d);
            case 0xE3 -> ControlTransfer.jumpIfEcxZero(s, d);
            case 0xE4 -> Operands.setReg8(s, EAX, PortIo.in(s, d.imm & 0xFF, 1));
            case 0xE5 -> Operands.setReg(s, osz, EAX, PortIo.in(s, d.imm & 0xFF, osz));
            case 0xE6 -> PortIo.out(s, d.imm & 0xFF, 1, s.r[EAX] & 0xFF);
            case 0xE7 -> PortIo.out(s, d.imm & 0xFF, osz, Operands.getReg(s, osz, EAX));
            case 0xE8 -> ControlTransfer.callRelative(s, d.os16, d.imm);
            case 0xE9, 0xEB -> ControlTransfer.jumpRelative(s, d.os16, d.imm);
            case 0xEA -> ControlTransfer.jumpFar(s, d.imm2, d.imm);
            case 0xEC -> Operands.setReg8(s, EAX, PortIo.in(s, s.r[EDX] & 0xFFFF, 1));
            case 0xED -> Operands.setReg(s, osz, EAX, PortIo.in(s, s.r[EDX] & 0xFFFF, osz));
            case 0xEE -> PortIo.out(s, s.r[EDX] & 0xFFFF, 1, s.r[EAX] & 0xFF);
            case 0xEF -> PortIo.out(s, s.r[EDX] & 0xFFFF, osz, Operands.getReg(s, osz, EAX));
            case 0xF4 -> {
                Exceptions.requireCpl0(s);
                boolean ifSet = (s.flags & IF) != 0;
                if (!ifSet || !sleepUntilInterrupt(d)) {
                    requestStop(stop(StopReason.Kind.HALT, s.eip, 0, 0,
                            ifSet ? "HLT with interrupts enabled, but no interrupt source can wake the CPU"
                                    : "HLT with interrupts disabled"));
                }
            }
            case 0xF5 -> s.setCfOnly(!s.cf());
            case 0xF6 -> Alu.group3(s, d, 1);
            case 0xF7 -> Alu.group3(s, d, osz);
            case 0xF8 -> s.setCfOnly(false);
            case 0xF9 -> s.setCfOnly(true);
            case 0xFA -> {
                Exceptions.requireIopl(s);
                s.flags &= ~IF;
            }
            case 0xFB -> {
                Exceptions.requireIopl(s);
                if ((s.flags & IF) == 0) {
                    s.flags |= IF;
                    s.intrShadowUntil = s.icount + 1; // no interrupt before the next instruction has run
                    s.pokeEvents();
                }
            }
            case 0xFC -> s.flags &= ~DF;
            case 0xFD -> s.flags |= DF;
            case 0xFE -> {
                if (d.reg > 1) {
                    throw Exceptions.ud(s);
                }
                Alu.incDecRm(s, d, 1);
            }
            case 0xFF -> {
                switch (d.reg) {
                    case 0, 1 -> Alu.incDecRm(s, d, osz);
                    case 6 -> Stack.push(s, d.os16, Operands.readRm(s, d, osz));
                    case 7 -> throw Exceptions.ud(s);
                    default -> ControlTransfer.group5Transfer(s, d, osz);
                }
            }
            default -> exec0F(d, op, osz);
        }
    }

    /**
     * The most frequent 32-bit forms (MOV, LEA, MOVZX, the ALU operations, INC/DEC, PUSH/POP, shifts by an
     * immediate, Jcc/JMP/CALL/RET), tried by the run loop before {@link #exec}: the handlers {@code exec} calls
     * for them, with the operand size a constant and without entering the big switch.
     *
     * @return false when {@code d} is not one of them (then {@code exec} runs it)
     */
    private boolean fast32(Insn d, int op) {
        final ArchState s = this.s;
        switch (op) {
            case 0x89 -> Operands.writeRm(s, d, 4, Operands.getReg(s, 4, d.reg));
            case 0x8B -> Operands.setReg(s, 4, d.reg, Operands.readRm(s, d, 4));
            case 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39 -> Alu.aluRm(s, d, op >>> 3, 4, Operands.getReg(s, 4, d.reg));
            case 0x03, 0x0B, 0x13, 0x1B, 0x23, 0x2B, 0x33, 0x3B -> Alu.aluReg(s, d, op >>> 3, 4);
            case 0x81, 0x83 -> Alu.aluRmImm(s, d, 4, d.imm);
            case 0x85 -> Alu.alu(s, Alu.AND, 4, Operands.readRm(s, d, 4), Operands.getReg(s, 4, d.reg));
            case 0xC1 -> Shifts.shiftRm(s, d, 4, d.imm);
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
                 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D,
                 0x18E, 0x18F -> ControlTransfer.jumpIf(s, false, op & 0xF, d.imm);
            case 0xE9, 0xEB -> ControlTransfer.jumpRelative(s, false, d.imm);
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 -> Alu.incReg(s, 4, op & 7);
            case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> Alu.decReg(s, 4, op & 7);
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> Stack.push(s, false, Operands.getReg(s, 4, op & 7));
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> Stack.popReg(s, false, op & 7);
            case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> Operands.setReg(s, 4, op & 7, d.imm);
            case 0x8D -> Operands.lea(s, d, 4);
            case 0xE8 -> ControlTransfer.callRelative(s, false, d.imm);
            case 0xC3 -> ControlTransfer.returnNear(s, false, 0);
            case 0x1B6 -> Operands.setReg(s, 4, d.reg, Operands.readRm(s, d, 1));
            default -> {
                return false;
            }
        }
        return true;
    }

    private void exec0F(Insn d, int op, int osz) {
        final ArchState s = this.s;
        switch (op) {
            case 0x100 -> Segments.group6(s, d);
            case 0x101 -> ProcessorControl.group7(s, d);
            case 0x102 -> Segments.lar(s, d, osz);
            case 0x103 -> Segments.lsl(s, d, osz);
            case 0x106 -> ProcessorControl.clts(s);
            case 0x108, 0x109 -> Exceptions.requireCpl0(s); // INVD, WBINVD: no caches to write back
            case 0x10D, 0x118, 0x119, 0x11A, 0x11B, 0x11C, 0x11D, 0x11E, 0x11F -> { } // hint NOPs
            case 0x120 -> ProcessorControl.movFromCr(s, d);
            case 0x121 -> ProcessorControl.movFromDr(s, d);
            case 0x122 -> ProcessorControl.movToCr(s, d);
            case 0x123 -> ProcessorControl.movToDr(s, d);
            case 0x130 -> ProcessorControl.wrmsr(s);
            case 0x131 -> ProcessorControl.rdtsc(s);
            case 0x132 -> ProcessorControl.rdmsr(s);
            case 0x140, 0x141, 0x142, 0x143, 0x144, 0x145, 0x146, 0x147, 0x148, 0x149, 0x14A, 0x14B, 0x14C, 0x14D,
                 0x14E, 0x14F -> {
                int v = Operands.readRm(s, d, osz);
                if (s.cond(op & 0xF)) {
                    Operands.setReg(s, osz, d.reg, v);
                }
            }
            case 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D,
                 0x18E, 0x18F -> ControlTransfer.jumpIf(s, d.os16, op & 0xF, d.imm);
            case 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199, 0x19A, 0x19B, 0x19C, 0x19D,
                 0x19E, 0x19F -> Operands.writeRm(s, d, 1, s.cond(op & 0xF) ? 1 : 0);
            case 0x1B2 -> Segments.loadFarPointer(s, d, SS, osz);
            case 0x1B4 -> Segments.loadFarPointer(s, d, FS, osz);
            case 0x1B5 -> Segments.loadFarPointer(s, d, GS, osz);
            case 0x1A0 -> Stack.push(s, d.os16, s.segSel[FS]);
            case 0x1A1 -> Segments.popSegment(s, d, FS);
            case 0x1A2 -> ProcessorControl.cpuid(s);
            case 0x1A3 -> Bits.bitOp(s, d, osz, Operands.getReg(s, osz, d.reg), 0, true);
            case 0x1A4 -> Shifts.shldRm(s, d, osz, d.imm, true);
            case 0x1A5 -> Shifts.shldRm(s, d, osz, s.r[ECX], true);
            case 0x1A8 -> Stack.push(s, d.os16, s.segSel[GS]);
            case 0x1A9 -> Segments.popSegment(s, d, GS);
            case 0x1AB -> Bits.bitOp(s, d, osz, Operands.getReg(s, osz, d.reg), 1, true);
            case 0x1AC -> Shifts.shldRm(s, d, osz, d.imm, false);
            case 0x1AD -> Shifts.shldRm(s, d, osz, s.r[ECX], false);
            case 0x1AF -> Operands.setReg(s, osz, d.reg, Alu.imul2(s, osz, Operands.getReg(s, osz, d.reg), Operands.readRm(s, d, osz)));
            case 0x1B0 -> Alu.cmpxchg(s, d, 1);
            case 0x1B1 -> Alu.cmpxchg(s, d, osz);
            case 0x1B3 -> Bits.bitOp(s, d, osz, Operands.getReg(s, osz, d.reg), 2, true);
            case 0x1B6 -> Operands.setReg(s, osz, d.reg, Operands.readRm(s, d, 1));
            case 0x1B7 -> Operands.setReg(s, osz, d.reg, Operands.readRm(s, d, 2));
            case 0x1BA -> {
                if (d.reg < 4) {
                    throw Exceptions.ud(s);
                }
                Bits.bitOp(s, d, osz, d.imm, d.reg - 4, false);
            }
            case 0x1BB -> Bits.bitOp(s, d, osz, Operands.getReg(s, osz, d.reg), 3, true);
            case 0x1BC -> Bits.bsf(s, d, osz);
            case 0x1BD -> Bits.bsr(s, d, osz);
            case 0x1BE -> Operands.setReg(s, osz, d.reg, (byte) Operands.readRm(s, d, 1));
            case 0x1BF -> Operands.setReg(s, osz, d.reg, (short) Operands.readRm(s, d, 2));
            case 0x1C0 -> Alu.xadd(s, d, 1);
            case 0x1C1 -> Alu.xadd(s, d, osz);
            case 0x1C7 -> Alu.cmpxchg8b(s, d);
            case 0x1C8, 0x1C9, 0x1CA, 0x1CB, 0x1CC, 0x1CD, 0x1CE, 0x1CF -> s.r[op & 7] = Integer.reverseBytes(s.r[op & 7]);
            default -> throw Exceptions.ud(s); // includes UD2 (0F 0B), x87, and anything not implemented
        }
    }
}
