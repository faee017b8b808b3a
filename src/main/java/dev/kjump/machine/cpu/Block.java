package dev.kjump.machine.cpu;

/**
 * A translated block: straight-line guest code of one physical page compiled to JVM bytecode by
 * {@link BlockCompiler} (a hidden class extending this one). It runs from {@code s.eip} and leaves the CPU
 * exactly as the interpreter would after the same instructions: EIP, registers, the lazy flags and the
 * instruction count. On a fault it throws the CPU's {@link CpuFault} with EIP at the faulting instruction and
 * the instruction count including it, as the interpreter does; the run loop delivers the exception.
 */
abstract class Block {
    /** Not translatable here (the block would be too short to gain anything): the interpreter runs it. */
    static final Block NONE = new Block(Integer.MAX_VALUE, new Insn[0], 0) {
        @Override
        void run(ArchState s, Interpreter in, long limit) {
            throw new IllegalStateException("Block.NONE is never run");
        }

        @Override
        Block make(int count, Insn[] insns, int pfn) {
            return this;
        }
    };

    /** Instructions in one pass through the block. */
    final int count;
    /** The decoded instructions, in order (the generated code passes the ones it does not inline to the interpreter). */
    final Insn[] insns;
    /** The physical page the block's code is on (its decode cache going means the code changed). */
    final int pfn;
    /** Times the block left at a load or store the TLB's fast path missed (see {@link Translator#SIDE_EXIT_LIMIT}). */
    int sideExits;

    Block(int count, Insn[] insns, int pfn) {
        this.count = count;
        this.insns = insns;
        this.pfn = pfn;
    }

    /**
     * Runs the block once, or, when its last instruction branches back to its start, as long as the instruction
     * count stays within {@code limit} (the budget's end or the next timed event, whichever is first) and the host
     * has not asked to stop.
     */
    abstract void run(ArchState s, Interpreter in, long limit);

    /**
     * Another block of this class (the same code bytes) for the decodes {@code insns} on frame {@code pfn}: how a
     * cached block class is instantiated, a plain call (no reflection, no method handle spun per class).
     */
    abstract Block make(int count, Insn[] insns, int pfn);
}
