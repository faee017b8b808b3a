package dev.kjump.machine.cpu;

import dev.kjump.machine.PhysicalMemory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The translator: when an instruction that starts a run of guest code has been reached {@link #threshold()}
 * times, the instructions from it to the next branch (or the page's end, a stop point, an instruction that
 * changes modes) become a {@link Block} — JVM bytecode from {@link BlockCompiler}, loaded as a hidden class —
 * hung on the first instruction's decode ({@link Insn#block}). The run loop runs the block instead of
 * interpreting when the whole block fits before the budget's end and the next timed event.
 *
 * <p>Blocks live and die with the decode cache: a write to a page drops its decodes and so its blocks, and a block
 * leaves at the next instruction when its own page is written under it. Translation is off while a debugger
 * watches memory (the interpreter stops at the exact write). The switch: the system property
 * {@code kjump.translate} ({@code off}, or the threshold N; default {@value #DEFAULT_THRESHOLD}), or
 * {@link Cpu#setTranslation}.
 */
final class Translator {
    /** Executions of an instruction before a block is made from it, unless {@code kjump.translate} says otherwise. */
    static final int DEFAULT_THRESHOLD = 64;
    /** Most instructions in a block (the JVM compiles methods up to 8,000 bytes of bytecode). */
    static final int MAX_INSNS = 48;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final MethodType CTOR = MethodType.methodType(void.class, int.class, Insn[].class, int.class);

    private final int threshold;
    private long blocks;
    private long translatedInsns;
    private long nanos;

    Translator(int threshold) {
        this.threshold = threshold;
    }

    /**
     * The translator the system property {@code kjump.translate} asks for: null for {@code off}, else one with
     * the threshold given (default {@value #DEFAULT_THRESHOLD}).
     *
     * @throws IllegalArgumentException for a value that is neither {@code off} nor a whole number from 0
     */
    static Translator fromProperty() {
        String v = System.getProperty("kjump.translate");
        if (v == null || v.isBlank()) {
            return new Translator(DEFAULT_THRESHOLD);
        }
        v = v.trim();
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("false")) {
            return null;
        }
        try {
            int t = Integer.parseInt(v);
            if (t >= 0) {
                return new Translator(t);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("kjump.translate: '" + v + "' is neither 'off' nor a threshold (0 or more)");
    }

    int threshold() {
        return threshold;
    }

    /** Blocks made so far. */
    long blocks() {
        return blocks;
    }

    /** Instructions in the blocks made so far (one pass each). */
    long translatedInstructions() {
        return translatedInsns;
    }

    /** Host time spent translating, in nanoseconds. */
    long nanos() {
        return nanos;
    }

    /**
     * Makes the block that starts with {@code first}, at EIP {@code eip} and physical address {@code phys}; the
     * interpreter supplies the decodes of the following instructions ({@link Interpreter#decodeForBlock}).
     *
     * @return the block, or {@link Block#NONE} when nothing worth translating starts here
     */
    Block translate(Interpreter in, int eip, int phys, Insn first) {
        long t0 = System.nanoTime();
        Insn[] insns = new Insn[MAX_INSNS];
        int[] offs = new int[MAX_INSNS];
        int n = 0;
        int inlineCount = 0;
        int off = 0;
        Insn d = first;
        while (true) {
            int cls = BlockCompiler.classify(d);
            insns[n] = d;
            offs[n] = off;
            n++;
            if (cls == BlockCompiler.INLINE) {
                inlineCount++;
                if (BlockCompiler.branches(d)) {
                    break;
                }
            } else if (cls == BlockCompiler.END) {
                break;
            }
            off += d.len;
            int pageOff = (phys & 0xFFF) + off;
            if (n == MAX_INSNS || pageOff > 0xFFF - 15) {
                break;
            }
            d = in.decodeForBlock(eip + off, (phys & ~0xFFF) + pageOff);
            if (d == null) {
                break;
            }
        }
        Block b;
        if (inlineCount == 0) {
            b = Block.NONE;
        } else {
            b = define(insns, offs, n, phys >>> PhysicalMemory.PAGE_SHIFT);
            blocks++;
            translatedInsns += n;
        }
        nanos += System.nanoTime() - t0;
        return b;
    }

    private static Block define(Insn[] insns, int[] offs, int n, int pfn) {
        BlockCompiler bc = new BlockCompiler(insns, offs, n, pfn);
        byte[] bytes = bc.compile();
        try {
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClass(bytes, true);
            return (Block) hidden.findConstructor(hidden.lookupClass(), CTOR)
                    .invoke(n, java.util.Arrays.copyOf(insns, n), bc.length());
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not load a translated block", e);
        }
    }
}
