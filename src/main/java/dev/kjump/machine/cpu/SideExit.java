package dev.kjump.machine.cpu;

/**
 * Thrown by a translated block's own code, and caught in the same method, where a load or store misses the TLB's fast
 * path: the block leaves before that instruction, which the run loop then has the interpreter execute (see {@link
 * BlockCompiler}). One instance, no stack trace: the JIT compiles the throw into a jump to the handler.
 */
final class SideExit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final SideExit INSTANCE = new SideExit();

    private SideExit() {
        super(null, null, false, false);
    }
}
