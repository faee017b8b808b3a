package dev.kjump.machine.cpu;

import dev.kjump.machine.PhysicalMemory;

import java.lang.invoke.MethodHandles;

/**
 * The translator: when an instruction that starts a run of guest code has been reached {@link #threshold()}
 * times, the instructions from it to the next branch (or the page's end, a stop point, an instruction that
 * changes modes) become a {@link Block} — JVM bytecode from {@link BlockCompiler}, loaded as a hidden class —
 * hung on the first instruction's decode ({@link Insn#block}). The run loop runs the block instead of
 * interpreting when the whole block fits before the budget's end and the next timed event.
 *
 * <p>Blocks live and die with the decode cache: a write to a page drops its decodes and so its blocks, and a block
 * leaves at the next instruction when its own page is written under it. The run loop chains blocks ({@link
 * Block#linked}): no link outlives a change to the TLB or the decode cache. Translation is off while a debugger
 * watches memory (the interpreter stops at the exact write). The switch: the system property
 * {@code kjump.translate} ({@code off}, or the threshold N; default {@value #DEFAULT_THRESHOLD}), or
 * {@link Cpu#setTranslation}.
 */
final class Translator {
    /**
     * Executions of an instruction before a block is made from it, unless {@code kjump.translate} says otherwise. A
     * block is dear in a fresh JVM: about a millisecond to make and tens of milliseconds of the JIT's time before it
     * runs fast, time the JIT then does not spend on the interpreter. Code has to run often before that pays: at 64,
     * Linux's boot to /init (25 M instructions through much code that runs a few thousand times) took 4.8 s as a
     * whole process against 3.0 s interpreted. With blocks that load and store through the TLB fast path, 5,000 is
     * best (9 interleaved runs: Linux's boot 1.50 s against 1.91 s at 2,000, bench-long 1.56 s against 1.64 s); again
     * with side exits and chaining (7 runs: Linux's boot 1.35 s against 1.76 s at 2,000; bench-long 1.40 s against
     * 1.26 s at 2,000, within this VM's noise).
     */
    static final int DEFAULT_THRESHOLD = 5000;
    /**
     * Most instructions in a block. Long enough for a loop of a few dozen instructions to be one block that loops in
     * itself (bench-long's SHA-256 round, 53 instructions, was two blocks at 48: 1.28 s against 1.60 s as a process);
     * a block whose bytecode would be too long for the JIT is made shorter ({@link BlockCompiler#MAX_CODE}).
     */
    static final int MAX_INSNS = 96;

    /**
     * Side exits a block may take before it is made again with slow-path calls ({@link #remake}). A block leaves
     * at a load or store the TLB's fast path misses, and the interpreter runs that instruction and the rest of the
     * block: cheap when misses are rare (a page's first touch, the write log's first store to a frame), dear when a
     * block misses on every pass (an access that crosses pages, memory-mapped I/O, two pages fighting over one TLB
     * entry); such a block calls the slow path and goes on instead.
     */
    static final int SIDE_EXIT_LIMIT = 64;
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    /** Most block classes kept for reuse (by their code bytes) across pages, jumps and machines. */
    static final int CLASS_CACHE_SIZE = 4096;

    /** A block's code bytes and whether it takes side exits: the generated class depends on nothing else. */
    private record Key(byte[] bytes, boolean sideExits, int hash) {
        Key(byte[] bytes, boolean sideExits) {
            this(bytes, sideExits, java.util.Arrays.hashCode(bytes) * 2 + (sideExits ? 1 : 0));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.sideExits == sideExits
                    && java.util.Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Block classes by code bytes, least recently used dropped first: the same code met again (after a jump swapped
     * its page out and back, in another machine, in the next run of a benchmark) reuses the class, and the host code
     * the JVM compiled for it.
     */
    private static final java.util.Map<Key, Block> CLASSES =
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<Key, Block> e) {
                    return size() > CLASS_CACHE_SIZE;
                }
            };

    private final int threshold;
    private final int sideExitLimit;
    private long blocks;
    private long remade;
    private long translatedInsns;
    private long nanos;
    private long failures;

    Translator(int threshold) {
        this(threshold, SIDE_EXIT_LIMIT);
    }

    /** With {@code sideExitLimit} side exits before a block is made with slow-path calls (0: always with calls). */
    Translator(int threshold, int sideExitLimit) {
        this.threshold = threshold;
        this.sideExitLimit = sideExitLimit;
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
        int t = parseThreshold(v.trim().equalsIgnoreCase("false") ? "off" : v, "kjump.translate");
        return t < 0 ? null : new Translator(t);
    }

    /**
     * {@code off} or a number of runs from 0, as {@code --translate} and {@code kjump.translate} take it: the
     * threshold, or -1 for off.
     *
     * @throws IllegalArgumentException one line naming {@code what} and the value
     */
    static int parseThreshold(String value, String what) {
        String v = value.trim();
        if (v.equalsIgnoreCase("off")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(what + ": '" + value + "' is neither 'off' nor a number of runs (0 or more)");
    }

    int threshold() {
        return threshold;
    }

    /** Side exits a block may take before {@link #remake} makes it with slow-path calls. */
    int sideExitLimit() {
        return sideExitLimit;
    }

    /** Blocks made again with slow-path calls because they took too many side exits. */
    long remade() {
        return remade;
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
        return translate(in, eip, phys, first, sideExitLimit > 0);
    }

    /**
     * The block that starts with {@code first} (at EIP {@code eip}, physical {@code phys}), which has taken {@link
     * #sideExitLimit} side exits, made again with slow-path calls for its misses; {@code first} is still in the cache.
     */
    Block remake(Interpreter in, int eip, int phys, Insn first) {
        remade++;
        return translate(in, eip, phys, first, false);
    }

    private Block translate(Interpreter in, int eip, int phys, Insn first, boolean sideExits) {
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
            try {
                b = define(in.state().mem, phys, insns, offs, n, sideExits);
                while (b == null) { // too long for the JIT: half as many instructions
                    n /= 2; // (a single instruction is a few hundred bytes at most: n never reaches 0)
                    b = define(in.state().mem, phys, insns, offs, n, sideExits);
                }
                blocks++;
                translatedInsns += n;
                // the instructions inside it were counted while the interpreter ran them: they start again, else
                // the first time the interpreter steps into the block (a budget or timer event due before its end)
                // each of them would pass the threshold and become a block of its own, for nothing
                for (int i = 1; i < n; i++) {
                    insns[i].hits = 0;
                }
            } catch (RuntimeException | LinkageError e) {
                // a translator bug must not change what the guest sees: the interpreter runs this code instead
                failures++;
                if (failures == 1) {
                    System.err.printf("kjump: could not translate the block at %08x (%s); it is interpreted "
                            + "(please report it with the image)%n", phys, e);
                }
                b = Block.NONE;
            }
        }
        nanos += System.nanoTime() - t0;
        return b;
    }

    /** A directory to write each new block's class file to ({@code -Dkjump.translate.dump=DIR}), for javap. */
    private static final String DUMP = System.getProperty("kjump.translate.dump");

    private static void dump(byte[] cls, int phys) {
        try {
            java.nio.file.Files.write(java.nio.file.Path.of(DUMP, String.format("block-%08x-%d.class", phys,
                    System.nanoTime())), cls);
        } catch (java.io.IOException e) {
            System.err.println("kjump: kjump.translate.dump: " + e.getMessage());
        }
    }

    /** The block of {@code insns[0..n)}, or null when its code is too long ({@link BlockCompiler#MAX_CODE}). */
    private static Block define(PhysicalMemory mem, int phys, Insn[] insns, int[] offs, int n, boolean sideExits) {
        int length = offs[n - 1] + insns[n - 1].len;
        byte[] bytes = new byte[length];
        mem.read(phys, bytes, 0, length);
        Key key = new Key(bytes, sideExits);
        Block proto;
        synchronized (CLASSES) {
            proto = CLASSES.get(key);
        }
        Insn[] mine = java.util.Arrays.copyOf(insns, n);
        if (proto != null) {
            return proto.make(n, mine, phys);
        }
        byte[] cls = new BlockCompiler(insns, offs, n, sideExits).compile();
        if (cls == null) {
            return null;
        }
        if (DUMP != null) {
            dump(cls, phys);
        }
        Block b;
        try {
            Class<?> c = LOOKUP.defineHiddenClass(cls, true).lookupClass();
            b = (Block) c.getDeclaredConstructor(int.class, Insn[].class, int.class).newInstance(n, mine, phys);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("could not load a translated block", e);
        }
        synchronized (CLASSES) {
            CLASSES.put(key, b);
        }
        return b;
    }
}
