package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.machine.Machine;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.StopReason;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The translator against the interpreter: the same code run with every block translated (threshold 0) and with
 * translation off must leave the same registers, flags, memory, instruction count and stop — for random loops of
 * the instructions blocks inline or hand to the interpreter, for code that rewrites its own next instruction, for
 * faults in the middle of a block, and for budgets that end inside a loop.
 */
class TranslatorTest {
    /** What a run leaves: everything the guest or the caller can see. */
    record Outcome(StopReason.Kind kind, int stopEip, long icount, CpuState state, long memHash, int cr2) {
        String describe() {
            return kind + " at " + Integer.toHexString(stopEip) + " after " + icount + " " + state;
        }
    }

    private static Outcome run(Machine m, long budget) {
        StopReason r = m.run(budget, 0);
        PhysicalMemory mem = m.memory();
        long h = 0;
        for (int pfn = 0; pfn < 0x100; pfn++) {
            h = h * 31 + mem.pageFingerprint(pfn);
        }
        CpuState st = m.cpu().saveState();
        return new Outcome(r.kind(), r.eip(), m.cpu().instructions(), st, h, st.cr2());
    }

    private static void assertSame(Outcome translated, Outcome interpreted) {
        assertThat(translated.describe()).isEqualTo(interpreted.describe());
        assertThat(translated.state().regs()).containsExactly(interpreted.state().regs());
        assertThat(translated.state().eflags()).isEqualTo(interpreted.state().eflags());
        assertThat(translated.memHash()).isEqualTo(interpreted.memHash());
        assertThat(translated.cr2()).isEqualTo(interpreted.cr2());
    }

    // ------------------------------------------------------------------ random loops

    /** Registers random instructions may write: EAX, EDX, EBP, ESI, EDI (ECX counts, EBX points at data, ESP stack). */
    private static final int[] WRITABLE = {0, 2, 5, 6, 7};
    private static final int[] BYTE_WRITABLE = {0, 2, 4, 6}; // AL DL AH DH

    /** Values that make conditions interesting: equal, zero, sign and carry edges, small and random. */
    private static int value(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> r.nextInt(4);
            case 2 -> r.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            case 3 -> -1 - r.nextInt(2);
            default -> r.nextInt();
        };
    }

    private static int pick(Random r, int[] a) {
        return a[r.nextInt(a.length)];
    }

    /** One random instruction (bytes). */
    private static int[] randomInsn(Random r) {
        int dst = pick(r, WRITABLE);
        int src = r.nextInt(8);
        int disp = r.nextInt(32) * 4;
        int kind = r.nextInt(8);
        if (r.nextInt(6) == 0) { // flags set, updated by a shift, rotate, INC or DEC, then read
            int[] set = new int[] {(kind << 3) | 1, 0xC0 | (src << 3) | dst};
            int[] update = switch (r.nextInt(4)) {
                case 0 -> new int[] {0xC1, 0xC0 | (r.nextInt(8) << 3) | dst, r.nextInt(33)};
                case 1 -> new int[] {0xD1, 0xC0 | (r.nextInt(8) << 3) | dst};
                case 2 -> new int[] {0x40 + pick(r, WRITABLE)};
                default -> new int[] {0xFF, 0xC8 | pick(r, WRITABLE)};
            };
            return cat(set, update, 0x0F, 0x90 + r.nextInt(16), 0xC0 | pick(r, BYTE_WRITABLE));
        }
        if (r.nextInt(4) == 0) { // a compare or test, then a Jcc, SETcc or CMOVcc reading it
            int[] cmp = r.nextBoolean() ? new int[] {0x39, 0xC0 | (src << 3) | dst}
                    : r.nextBoolean() ? new int[] {0x83, 0xF8 | dst, r.nextInt(4)} : new int[] {0x85, 0xC0 | (src << 3) | dst};
            int cc = r.nextInt(16);
            int[] use = switch (r.nextInt(3)) {
                case 0 -> new int[] {0x70 + cc, 2, 0x31, 0xC0 | (src << 3) | dst};
                case 1 -> new int[] {0x0F, 0x90 + cc, 0xC0 | pick(r, BYTE_WRITABLE)};
                default -> new int[] {0x0F, 0x40 + cc, 0xC0 | (dst << 3) | src};
            };
            return cat(cmp, use);
        }
        switch (r.nextInt(34)) {
            case 0: return new int[] {(kind << 3) | 1, 0xC0 | (src << 3) | dst}; // op r/m32, r32
            case 1: return new int[] {(kind << 3) | 3, 0x43 | (dst << 3), disp}; // op r32, [ebx+disp8]
            case 2: return new int[] {(kind << 3) | 1, 0x43 | (src << 3), disp}; // op [ebx+disp8], r32
            case 3: return new int[] {0x83, 0xC0 | (kind << 3) | dst, r.nextInt(256)};
            case 4: return cat(0x81, 0xC0 | (kind << 3) | dst, le32(value(r)));
            case 5: return new int[] {0x80, 0xC0 | (kind << 3) | pick(r, BYTE_WRITABLE), r.nextInt(256)};
            case 6: return new int[] {(kind << 3), 0xC0 | (r.nextInt(8) << 3) | pick(r, BYTE_WRITABLE)}; // op r/m8, r8
            case 7: return new int[] {0x85, 0xC0 | (src << 3) | dst};
            case 8: return new int[] {0x40 + dst};
            case 9: return new int[] {0x48 + dst};
            case 10: return new int[] {0xC1, 0xC0 | (r.nextInt(8) << 3) | dst, r.nextInt(40)};
            case 11: return new int[] {0xD3, 0xC0 | (r.nextInt(8) << 3) | dst};
            case 12: return new int[] {0x0F, 0xAF, 0xC0 | (dst << 3) | src};
            case 13: return new int[] {0x6B, 0xC0 | (dst << 3) | src, r.nextInt(256)};
            case 14: return new int[] {0x0F, 0xB6 + r.nextInt(2) * 8, 0x43 | (dst << 3), disp}; // movzx/movsx byte [ebx+d]
            case 15: return new int[] {0x0F, 0xB7 + r.nextInt(2) * 8, 0xC0 | (dst << 3) | src};
            case 16: return new int[] {0x0F, 0x40 + r.nextInt(16), 0xC0 | (dst << 3) | src}; // cmovcc
            case 17: return new int[] {0x0F, 0x90 + r.nextInt(16), 0xC0 | pick(r, BYTE_WRITABLE)}; // setcc
            case 18: return new int[] {0x50 + src, 0x58 + dst}; // push; pop
            case 19: return new int[] {0x8D, 0x44 | (dst << 3), (r.nextInt(4) << 6) | (src << 3) | 3, disp}; // lea
            case 20: return new int[] {0x89, 0x43 | (src << 3), disp}; // mov [ebx+d], r32
            case 21: return new int[] {0x8B, 0x43 | (dst << 3), disp};
            case 22: return new int[] {0x99};
            case 23: return new int[] {0x87, 0xC0 | (pick(r, WRITABLE) << 3) | dst}; // xchg
            case 24: return new int[] {0xF7, 0xD0 | r.nextInt(2) * 8 | dst}; // not / neg
            case 25: return new int[] {0xF7, 0xE0 | r.nextInt(2) * 8 | src}; // mul / imul (EDX:EAX)
            case 26: return new int[] {0x0F, 0xA3 + r.nextInt(2) * 8, 0xC0 | (src << 3) | dst}; // bt / bts
            case 27: return new int[] {r.nextBoolean() ? 0x9E : 0x9F}; // sahf / lahf
            case 28: return new int[] {0x70 + r.nextInt(16), 2, 0x31, 0xC0 | (src << 3) | dst}; // jcc over an xor
            case 29: return new int[] {0xFF, 0x43 | (r.nextInt(2) << 3), disp}; // inc/dec [ebx+d]
            case 30: return new int[] {0xC7, 0x43, disp, r.nextInt(256), 0, 0, r.nextInt(256)}; // mov [ebx+d], imm32
            case 31: return new int[] {0xF8 + r.nextInt(2)}; // clc / stc
            case 32: return new int[] {0x0F, 0xBC + r.nextInt(2), 0xC0 | (dst << 3) | src}; // bsf / bsr
            default: return new int[] {0xD1, 0xC0 | (r.nextInt(8) << 3) | dst};
        }
    }

    /** Blocks that call the slow path from the start, as a block that took too many side exits is made again. */
    private static final int SLOW_CALLS = -2;

    private static Machine loopMachine(long seed, int translation) {
        Random r = new Random(seed);
        List<Object> body = new ArrayList<>();
        int k = 1 + r.nextInt(24);
        for (int i = 0; i < k; i++) {
            body.add(randomInsn(r));
        }
        int[] b = cat(body.toArray());
        // loop: body; dec ecx; jnz loop (rel32); hlt
        int[] code = cat(b, 0x49, 0x0F, 0x85, le32(-(b.length + 1 + 6)));
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
        if (translation == SLOW_CALLS) {
            m.cpu().setTranslation(0, 0);
        } else {
            m.cpu().setTranslation(translation);
        }
        for (int i = 0; i < code.length; i++) {
            m.memory().write8(CpuHarness.CODE + i, code[i]);
        }
        m.memory().write8(CpuHarness.CODE + code.length, 0xF4);
        for (int i = 0; i < 256; i += 4) {
            m.memory().write32(CpuHarness.DATA + i, value(r));
        }
        Cpu cpu = m.cpu();
        for (int reg : WRITABLE) {
            cpu.setReg(reg, value(r));
        }
        cpu.setReg(Cpu.ECX, 1 + r.nextInt(40));
        cpu.setReg(Cpu.EBX, CpuHarness.DATA);
        cpu.setReg(Cpu.ESP, CpuHarness.STACK_TOP);
        cpu.setEflags(0x2 | (r.nextInt() & 0x8D5));
        cpu.setEip(CpuHarness.CODE);
        return m;
    }

    @Property(tries = 300)
    void randomLoopsRunAsInterpreted(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        Outcome interpreted = run(loopMachine(seed, -1), 100_000);
        Outcome translated = run(loopMachine(seed, 0), 100_000);
        assertSame(translated, interpreted);
        assertSame(run(loopMachine(seed, SLOW_CALLS), 100_000), interpreted);
        assertThat(interpreted.kind()).isEqualTo(StopReason.Kind.HALT);
    }

    @Property(tries = 100)
    void budgetsEndingInsideALoopStopAtTheSameInstruction(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long seed) {
        long budget = 1 + new Random(seed ^ 0x5DEECE66DL).nextInt(400);
        Outcome interpreted = run(loopMachine(seed, -1), budget);
        Outcome translated = run(loopMachine(seed, 0), budget);
        assertSame(translated, interpreted);
        assertSame(run(loopMachine(seed, SLOW_CALLS), budget), interpreted);
    }

    /**
     * A load the TLB's fast path misses on every pass (it crosses a page boundary), first in its block: each pass the
     * block leaves before it (a side exit) and the interpreter runs it. The loop still finishes as interpreted, and
     * after {@link Translator#SIDE_EXIT_LIMIT} side exits the block is made again with a slow-path call instead; with
     * no limit it keeps leaving, and still finishes.
     */
    @Test
    void aBlockThatMissesOnEveryPassIsMadeAgainWithASlowPathCall() {
        // loop: mov eax, [ebx+0xFFE] (its last two bytes on the next page); add edx, eax; dec ecx; jnz loop; hlt
        int[] code = cat(0x8B, 0x83, le32(0xFFE), 0x01, 0xC2, 0x49, 0x0F, 0x85, le32(-(6 + 2 + 1 + 6)), 0xF4);
        int passes = 1000;
        int[][] settings = {{-1, 0}, {0, Translator.SIDE_EXIT_LIMIT}, {0, Integer.MAX_VALUE}, {0, 0}};
        Outcome[] outcomes = new Outcome[settings.length];
        long[][] stats = new long[settings.length][];
        for (int k = 0; k < settings.length; k++) {
            Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
            if (settings[k][0] < 0) {
                m.cpu().setTranslation(-1);
            } else {
                m.cpu().setTranslation(settings[k][0], settings[k][1]);
            }
            for (int i = 0; i < code.length; i++) {
                m.memory().write8(CpuHarness.CODE + i, code[i]);
            }
            m.memory().write32(CpuHarness.DATA + 0xFFC, 0x12345678);
            m.memory().write32(CpuHarness.DATA + 0x1000, 0x9ABCDEF0);
            m.cpu().setReg(Cpu.EBX, CpuHarness.DATA);
            m.cpu().setReg(Cpu.ECX, passes);
            m.cpu().setReg(Cpu.ESP, CpuHarness.STACK_TOP);
            m.cpu().setEip(CpuHarness.CODE);
            outcomes[k] = run(m, 1_000_000);
            stats[k] = m.cpu().translationStats();
        }
        assertThat(outcomes[0].kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(outcomes[0].icount()).isEqualTo(4L * passes + 1);
        assertThat(outcomes[0].state().regs()[Cpu.EDX]).isEqualTo(passes * 0xDEF01234);
        for (int k = 1; k < settings.length; k++) {
            assertSame(outcomes[k], outcomes[0]);
        }
        assertThat(stats[1][3]).as("blocks made again, limit %d", Translator.SIDE_EXIT_LIMIT).isEqualTo(1);
        assertThat(stats[2][3]).as("blocks made again, no limit").isZero();
        assertThat(stats[3][3]).as("blocks made again, slow calls from the start").isZero();
    }

    @Test
    void hotLoopsAreTranslated() {
        Machine m = loopMachine(42, 0);
        run(m, 100_000);
        assertThat(m.cpu().translationStats()[0]).isPositive();
        Machine off = loopMachine(42, -1);
        run(off, 100_000);
        assertThat(off.cpu().translationStats()[0]).isZero();
    }

    /**
     * Budgets that end inside a hot loop make the interpreter step through the loop's instructions one by one (the
     * block does not fit before the end): that must not turn each of them into a block of its own. A loop of 12
     * instructions, threshold 50, run in 30 budgets of 97: one block, the same outcome as interpreted.
     */
    @Test
    void budgetsEndingInsideALoopDoNotMakeABlockAtEveryInstruction() {
        // loop: 10 x (add eax, edx / xor edx, eax / inc esi ...); dec ecx; jnz loop
        int[] body = {0x01, 0xD0, 0x31, 0xC2, 0x46, 0x01, 0xF0, 0x31, 0xC6, 0x47, 0x01, 0xF8, 0x29, 0xD7, 0x46, 0x47, 0x01,
            0xD0, 0x31, 0xC2};
        int[] code = cat(body, 0x49, 0x0F, 0x85, le32(-(body.length + 1 + 6)));
        Outcome[] outcomes = new Outcome[2];
        long[] blocks = new long[2];
        int[] settings = {50, -1};
        for (int k = 0; k < 2; k++) {
            Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
            m.cpu().setTranslation(settings[k]);
            for (int i = 0; i < code.length; i++) {
                m.memory().write8(CpuHarness.CODE + i, code[i]);
            }
            m.memory().write8(CpuHarness.CODE + code.length, 0xF4);
            m.cpu().setReg(Cpu.ECX, 1_000_000);
            m.cpu().setReg(Cpu.ESP, CpuHarness.STACK_TOP);
            m.cpu().setEip(CpuHarness.CODE);
            Outcome o = null;
            for (int r = 0; r < 30; r++) {
                o = run(m, 97);
            }
            outcomes[k] = o;
            blocks[k] = m.cpu().translationStats()[0];
        }
        assertSame(outcomes[0], outcomes[1]);
        assertThat(outcomes[0].icount()).isEqualTo(30 * 97);
        assertThat(blocks[0]).as("blocks made").isEqualTo(1);
    }

    /**
     * Straight-line code of as many read-modify-write instructions as a block may hold: their bytecode would pass the
     * 8,000 bytes HotSpot compiles at most (the block would stay interpreted for ever), so the translator makes
     * shorter blocks, each within {@link BlockCompiler#MAX_CODE}, and the guest sees the same as interpreted. (Blocks
     * that call the slow path, the longer kind; blocks with side exits must see the same too.)
     */
    @Test
    void blocksTooLongForTheJitAreMadeShorter() {
        int n = Translator.MAX_INSNS;
        Outcome[] outcomes = new Outcome[3];
        long[][] stats = new long[3][];
        for (int k = 0; k < 3; k++) {
            Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
            if (k == 0) {
                m.cpu().setTranslation(0, 0);
            } else {
                m.cpu().setTranslation(k == 1 ? -1 : 0);
            }
            for (int i = 0; i < n; i++) { // add dword [ebx + 4*i], i
                int[] insn = cat(0x81, 0x83, le32(4 * i), le32(i));
                for (int b = 0; b < insn.length; b++) {
                    m.memory().write8(CpuHarness.CODE + 10 * i + b, insn[b]);
                }
            }
            m.memory().write8(CpuHarness.CODE + 10 * n, 0xF4);
            m.cpu().setReg(Cpu.EBX, CpuHarness.DATA);
            m.cpu().setReg(Cpu.ESP, CpuHarness.STACK_TOP);
            m.cpu().setEip(CpuHarness.CODE);
            outcomes[k] = run(m, 10_000);
            stats[k] = m.cpu().translationStats();
            assertThat(m.memory().read32(CpuHarness.DATA + 4 * (n - 1))).isEqualTo(n - 1);
        }
        assertSame(outcomes[0], outcomes[1]);
        assertSame(outcomes[2], outcomes[1]);
        assertThat(outcomes[0].kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(stats[0][1]).as("instructions translated (the HLT ends the last block)").isEqualTo(n + 1);
        assertThat(stats[0][0]).as("blocks made").isGreaterThan(1);
    }

    // ------------------------------------------------------------------ block chaining

    /**
     * A loop of two blocks on two pages, linked to each other ({@code add eax, 1; jmp next} and {@code next: add edx,
     * eax; dec ecx; jnz loop}), stopped by a budget, then run again with a breakpoint on the second block: the link
     * the first block kept must not carry the run past the breakpoint (setting it drops the second page's decodes,
     * which no link outlives; the first page keeps its decodes and its block).
     */
    @Test
    void aBreakpointOnALinkedBlockStopsTheRun() {
        int next = CpuHarness.CODE + 0x1000;
        Outcome[] first = new Outcome[2];
        Outcome[] second = new Outcome[2];
        for (int t = 0; t < 2; t++) {
            CpuHarness h = new CpuHarness();
            h.cpu.setTranslation(t == 0 ? 0 : -1);
            h.code(0x83, 0xC0, 0x01, 0xE9, le32(next - (CpuHarness.CODE + 8))); // loop: add eax, 1; jmp next
            h.load(next, 0x01, 0xC2, 0x49, 0x0F, 0x85, le32(CpuHarness.CODE - (next + 9)), 0xF4); // ...; jnz loop; hlt
            h.set(Cpu.ECX, 1000);
            first[t] = run(h.machine, 400); // 80 passes of 5
            h.cpu.setBreakpoints(next);
            second[t] = run(h.machine, 1_000_000);
        }
        assertSame(first[0], first[1]);
        assertSame(second[0], second[1]);
        assertThat(second[0].kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        assertThat(second[0].stopEip()).isEqualTo(next);
        assertThat(second[0].icount()).isEqualTo(402);
    }

    /**
     * Host memory: a block whose page loses its decodes lets go of its links, so blocks of code that is gone do not
     * keep one another alive through links made while they ran (with chains of them, without bound).
     */
    @Test
    void aBlockWhosePageIsDroppedLetsGoOfItsLinks() {
        int next = CpuHarness.CODE + 0x1000;
        CpuHarness h = new CpuHarness();
        h.cpu.setTranslation(0);
        h.code(0x83, 0xC0, 0x01, 0xE9, le32(next - (CpuHarness.CODE + 8))); // loop: add eax, 1; jmp next
        h.load(next, 0x01, 0xC2, 0x49, 0x0F, 0x85, le32(CpuHarness.CODE - (next + 9)), 0xF4); // ...; jnz loop; hlt
        h.set(Cpu.ECX, 1000);
        run(h.machine, 400);
        Block second = h.mem.decodeCache()[next >>> 12][next & 0xFFF].block;
        assertThat(second.hasLinks()).as("linked to the first block").isTrue();
        h.mem.write8(next + 0x800, 0x90); // a write to its page drops the page's decodes
        assertThat(h.mem.decodeCache()[next >>> 12]).isNull();
        assertThat(second.hasLinks()).isFalse();
    }

    /**
     * A loop that calls into a page whose page table entry the host retargets between runs, with an INVLPG before
     * each call: the link from the calling block to the callee's block (made under the old mapping) must not run the
     * old page's code after the INVLPG. Linear 0x300000 maps to code returning 1, then to code returning 2.
     */
    @Test
    void aLinkDoesNotOutliveTheMappingItWasMadeUnder() {
        int pd = MmuTest.PD, pt = MmuTest.PT, prw = Mmu.PTE_P | Mmu.PTE_RW;
        int paging = 5 + 3 + 3 + 5 + 3; // the code that turns paging on
        int loop = CpuHarness.CODE + paging;
        long[] edx = new long[2];
        Outcome[] outcomes = new Outcome[2];
        for (int t = 0; t < 2; t++) {
            CpuHarness h = new CpuHarness();
            h.cpu.setTranslation(t == 0 ? 0 : -1);
            PhysicalMemory m = h.mem;
            m.write32(pd, pt | prw);
            for (int i = 0; i < 1024; i++) {
                m.write32(pt + 4 * i, i << 12 | prw);
            }
            m.write32(pt + 0x300 * 4, 0x123000 | prw);
            h.load(0x123000, 0xB8, le32(1), 0xC3); // mov eax, 1; ret
            h.load(0x124000, 0xB8, le32(2), 0xC3); // mov eax, 2; ret
            h.code(0xB8, le32(pd), 0x0F, 0x22, 0xD8,                          // mov eax, PD; mov cr3, eax
                    0x0F, 0x20, 0xC0, 0x0D, le32(0x80000000), 0x0F, 0x22, 0xC0,  // cr0 |= PG
                    0x0F, 0x01, 0x3D, le32(0x300000),                            // loop: invlpg [0x300000]
                    0xE8, le32(0x300000 - (loop + 7 + 5)),                       // call 0x300000
                    0x01, 0xC2, 0x49, 0x75, -(7 + 5 + 2 + 1 + 2) & 0xFF);        // add edx, eax; dec ecx; jnz loop
            h.set(Cpu.ECX, 200).set(Cpu.EDX, 0);
            run(h.machine, 5 + 100 * 7); // paging on, 100 passes
            m.write32(pt + 0x300 * 4, 0x124000 | prw);
            outcomes[t] = run(h.machine, 1_000_000);
            edx[t] = h.reg(Cpu.EDX);
        }
        assertSame(outcomes[0], outcomes[1]);
        assertThat(outcomes[0].kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(edx[0]).as("100 calls returned 1, then 100 returned 2").isEqualTo(100 + 200);
    }

    // ------------------------------------------------------------------ self-modifying code

    /**
     * A loop that rewrites the immediate of its own next instruction before running it: {@code mov byte
     * [next+1], cl; mov eax, imm32 (patched); add edx, eax; dec ecx; jnz}. Each pass must see the byte it just
     * wrote, as the interpreter (and the hardware) does.
     */
    @Test
    void codeThatWritesItsOwnNextInstructionRunsTheNewBytes() {
        int next = CpuHarness.CODE + 6;
        int[] code = cat(0x88, 0x0D, le32(next + 1), // mov [next+1], cl
                0xB8, le32(0), // next: mov eax, 0
                0x01, 0xC2, // add edx, eax
                0x49, // dec ecx
                0x75, -(6 + 5 + 2 + 1 + 2) & 0xFF); // jnz start
        long[] eax = new long[2];
        long[] edx = new long[2];
        for (int t = 0; t < 2; t++) {
            CpuHarness h = new CpuHarness();
            h.cpu.setTranslation(t == 0 ? 0 : -1);
            h.code((Object) code).set(Cpu.ECX, 100).set(Cpu.EDX, 0).runToHlt();
            eax[t] = h.reg(Cpu.EAX);
            edx[t] = h.reg(Cpu.EDX);
            assertThat(h.cpu.instructions()).isEqualTo(100 * 5 + 1);
        }
        assertThat(edx[0]).isEqualTo(100 * 101 / 2).isEqualTo(edx[1]); // 100 + 99 + ... + 1
        assertThat(eax[0]).isEqualTo(1).isEqualTo(eax[1]);
    }

    /** A store into the page of a block that is running leaves the block at the next instruction. */
    @Test
    void aStoreIntoTheBlocksOwnPageEndsTheBlock() {
        // the loop overwrites a later instruction of the same block (inc eax -> dec eax) on its 3rd pass
        int target = CpuHarness.CODE + 0x0F;
        int[] code = cat(
                0x83, 0xF9, 0x03, // 00: cmp ecx, 3
                0x75, 0x07, // 03: jne +7 (over the mov, to 0c)
                0xC6, 0x05, le32(target), 0x48, // 05: mov byte [target], 0x48 (dec eax)
                0x90, 0x90, 0x90, // 0c: nop x3
                0x40); // 0f: inc eax (patched)
        int[] loop = cat(code, 0x49, 0x75, -(code.length + 1 + 2) & 0xFF);
        int[] out = new int[2];
        for (int t = 0; t < 2; t++) {
            CpuHarness h = new CpuHarness();
            h.cpu.setTranslation(t == 0 ? 0 : -1);
            h.code((Object) loop).set(Cpu.ECX, 10).set(Cpu.EAX, 0).runToHlt();
            out[t] = h.reg(Cpu.EAX);
        }
        // passes with ecx 10..4 run inc (7 times); at ecx 3 the store patches it before it runs; 3, 2, 1 run dec
        assertThat(out[0]).isEqualTo(out[1]).isEqualTo(7 - 3);
    }

    // ------------------------------------------------------------------ precise faults

    /**
     * Paging on, identity-mapped except page 0x50000 (absent); the #PF handler halts. The block does arithmetic,
     * then stores into the absent page: the exception frame, registers, flags, CR2 and count must be the
     * interpreter's.
     */
    private static Machine faultMachine(int translation, int[] body) {
        return faultMachine(translation, body, 0, false);
    }

    /** As above, with page 0x50's table entry {@code pte50} and CR0.WP as given. */
    private static Machine faultMachine(int translation, int[] body, int pte50, boolean wp) {
        Machine m = new Machine(16L << 20, new ByteArrayOutputStream());
        m.cpu().setTranslation(translation);
        PhysicalMemory mem = m.memory();
        int gdt = 0x21000;
        int idt = 0x20000;
        mem.write32(gdt + 0x10, 0x0000FFFF);
        mem.write32(gdt + 0x14, 0x00CF9A00);
        int handler = 0x30000;
        mem.write8(handler, 0xF4); // hlt
        mem.write32(idt + 14 * 8, (0x10 << 16) | (handler & 0xFFFF));
        mem.write32(idt + 14 * 8 + 4, (handler & 0xFFFF0000) | 0x8E00);
        int pd = 0x60000;
        int pt = 0x61000;
        mem.write32(pd, pt | 0x3);
        for (int i = 0; i < 1024; i++) {
            mem.write32(pt + 4 * i, i == 0x50 ? pte50 : (i << 12) | 0x3);
        }
        for (int i = 0; i < body.length; i++) {
            mem.write8(CpuHarness.CODE + i, body[i]);
        }
        Cpu cpu = m.cpu();
        CpuState s = cpu.saveState();
        int[] regs = s.regs();
        regs[Cpu.ESP] = 0x18000;
        regs[Cpu.EAX] = 5;
        regs[Cpu.ECX] = 3;
        cpu.restoreState(new CpuState(regs, CpuHarness.CODE, 0x2, s.segSelectors(), s.segBases(),
                s.cr0() | Cpu.CR0_PG | (wp ? Cpu.CR0_WP : 0), 0, pd, 0, gdt, 0xFF, idt, 0x7FF));
        return m;
    }

    @Test
    void aFaultInTheMiddleOfABlockIsPrecise() {
        int[] body = cat(
                0x83, 0xC0, 0x07, // add eax, 7
                0x41, // inc ecx
                0x50, // push eax
                0x83, 0xF8, 0x0C, // cmp eax, 12
                0x89, 0x05, le32(0x50010), // mov [0x50010], eax  -> #PF (absent)
                0x40, // inc eax (never)
                0xEB, -(3 + 1 + 1 + 3 + 6 + 1 + 2) & 0xFF); // jmp start
        for (int warm = 0; warm < 2; warm++) {
            Outcome interpreted = run(faultMachine(-1, body), 1000);
            Outcome translated = run(faultMachine(0, body), 1000);
            assertSame(translated, interpreted);
            assertThat(interpreted.kind()).isEqualTo(StopReason.Kind.HALT);
            assertThat(interpreted.cr2()).isEqualTo(0x50010);
            assertThat(interpreted.state().regs()[Cpu.EAX]).isEqualTo(12);
        }
    }

    @Test
    void aFaultingReadInsideAnInterpretedInstructionOfABlockIsPrecise() {
        int[] body = cat(
                0x83, 0xC0, 0x07, // add eax, 7
                0x0F, 0xA3, 0x05, le32(0x50000), // bt [0x50000], eax -> #PF (the interpreter runs BT)
                0x40, // inc eax
                0xEB, -(3 + 7 + 1 + 2) & 0xFF);
        Outcome interpreted = run(faultMachine(-1, body), 1000);
        Outcome translated = run(faultMachine(0, body), 1000);
        assertSame(translated, interpreted);
        assertThat(interpreted.cr2() >>> 12).isEqualTo(0x50);
    }

    /**
     * ADC into a read-only page (CR0.WP): the write faults before the instruction changes anything, so the
     * exception frame holds the flags from before it (CF set by STC), as on hardware and QEMU, translated or not.
     */
    @Test
    void aReadModifyWriteThatCannotWriteFaultsBeforeItSetsFlags() {
        int[] body = cat(
                0x31, 0xC9, // xor ecx, ecx (ZF=1, PF=1)
                0xF9, // stc
                0x11, 0x05, le32(0x50010), // adc [0x50010], eax -> #PF W (page read-only)
                0x40, // inc eax (never)
                0xEB, -(2 + 1 + 6 + 1 + 2) & 0xFF);
        Outcome[] o = new Outcome[2];
        int[] frameFlags = new int[2];
        for (int t = 0; t < 2; t++) {
            Machine m = faultMachine(t == 0 ? 0 : -1, body, (0x50 << 12) | 0x1, true);
            o[t] = run(m, 1000);
            frameFlags[t] = m.memory().read32(0x18000 - 4); // EFLAGS: pushed first
            assertThat(m.memory().read32(0x18000 - 16)).isEqualTo(0x3); // error code: present, write
        }
        assertSame(o[0], o[1]);
        assertThat(o[1].cr2()).isEqualTo(0x50010);
        assertThat(frameFlags[0]).isEqualTo(frameFlags[1]);
        assertThat(frameFlags[1] & 0x45).isEqualTo(0x45); // CF, PF, ZF as before the ADC
    }

    @Test
    void theTranslationSettingIsOffOrAThresholdFromZero() {
        assertThat(Cpu.parseTranslation("off", "--translate")).isEqualTo(-1);
        assertThat(Cpu.parseTranslation(" 12 ", "--translate")).isEqualTo(12);
        assertThat(Cpu.parseTranslation("0", "--translate")).isZero();
        for (String bad : new String[] {"-1", "x", "", "1e3"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cpu.parseTranslation(bad, "--translate"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--translate: '" + bad + "' is neither 'off' nor a number of runs (0 or more)");
        }
    }

    @Test
    void translationIsOnByDefaultAndCanBeTurnedOff() {
        Machine m = new Machine(1L << 20, new ByteArrayOutputStream());
        String prop = System.getProperty("kjump.translate");
        int expected = prop == null || prop.isBlank() ? Translator.DEFAULT_THRESHOLD
                : prop.equalsIgnoreCase("off") ? -1 : Integer.parseInt(prop.trim());
        assertThat(m.cpu().translationThreshold()).isEqualTo(expected);
        m.cpu().setTranslation(-1);
        assertThat(m.cpu().translationThreshold()).isEqualTo(-1);
    }
}
