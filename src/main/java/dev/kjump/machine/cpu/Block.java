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
        Block make(int count, Insn[] insns, int phys) {
            return this;
        }
    };

    /** Instructions in one pass through the block. */
    final int count;
    /** The decoded instructions, in order (the generated code passes the ones it does not inline to the interpreter). */
    final Insn[] insns;
    /** The physical address of the block's first instruction. */
    final int phys;
    /** The physical page the block's code is on (its decode cache going means the code changed). */
    final int pfn;
    /** Times the block left at a load or store the TLB's fast path missed (see {@link Translator#SIDE_EXIT_LIMIT}). */
    int sideExits;

    /*
     * Links (block chaining): the blocks the run loop found at the linear addresses where this one was last left,
     * two of them (a conditional branch's two ways, a RET's last two callers), each with the TLB's and the decode
     * cache's change counts of when it was found. While both counts are unchanged, the same lookup would find the
     * same block with no side effect (a TLB hit, the same decodes, no stop point), so the run loop runs the linked
     * block without the lookup.
     */
    private Block next0, next1;
    private int lin0, lin1;
    private long tlb0, tlb1, decodes0, decodes1;
    private boolean replace1;

    Block(int count, Insn[] insns, int phys) {
        this.count = count;
        this.insns = insns;
        this.phys = phys;
        this.pfn = phys >>> 12;
    }

    /** The block linked at linear address {@code lin}, if the TLB and decode cache counts still match; else null. */
    final Block linked(int lin, long tlb, long decodes) {
        if (lin == lin0 && tlb == tlb0 && decodes == decodes0) {
            return next0;
        }
        if (lin == lin1 && tlb == tlb1 && decodes == decodes1) {
            return next1;
        }
        return null;
    }

    /**
     * Links {@code b}, found at linear address {@code lin} with the TLB and decode cache counts given: in the slot
     * that has {@code lin} or is empty, else in the one not replaced last time.
     */
    final void link(int lin, Block b, long tlb, long decodes) {
        boolean one = next0 != null && lin != lin0 && (next1 == null || lin == lin1 || replace1);
        if (one) {
            next1 = b;
            lin1 = lin;
            tlb1 = tlb;
            decodes1 = decodes;
        } else {
            next0 = b;
            lin0 = lin;
            tlb0 = tlb;
            decodes0 = decodes;
        }
        replace1 = !one;
    }

    /** True while the block links to another. */
    final boolean hasLinks() {
        return next0 != null || next1 != null;
    }

    /** Forgets the links (the block's code is gone; see {@link Insn#dropped}). */
    final void unlink() {
        next0 = null;
        next1 = null;
    }

    /**
     * Runs the block once, or, when its last instruction branches back to its start, as long as the instruction
     * count stays within {@code limit} (the budget's end or the next timed event, whichever is first) and the host
     * has not asked to stop.
     */
    abstract void run(ArchState s, Interpreter in, long limit);

    /**
     * Another block of this class (the same code bytes) for the decodes {@code insns} at physical address {@code
     * phys}: how a cached block class is instantiated, a plain call (no reflection, no method handle spun per class).
     */
    abstract Block make(int count, Insn[] insns, int phys);
}
