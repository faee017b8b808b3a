package dev.kjump.machine;

/**
 * What the CPU sees of the interrupt controller: the INTR line and the interrupt-acknowledge cycle. The 8259A
 * pair implements it; the CPU asks at instruction boundaries when EFLAGS.IF allows.
 */
public interface InterruptController {
    /** True while the controller asserts INTR (an unmasked request is waiting that the CPU has not acknowledged). */
    boolean intr();

    /**
     * The interrupt-acknowledge cycle: the controller picks its highest-priority request, marks it in service and
     * returns its vector (a spurious IRQ 7/15 vector when the request went away).
     */
    int acknowledge();

    /**
     * False when no request could ever raise INTR as things stand (every input masked): a HLT with interrupts on
     * then sleeps for ever, and the CPU stops instead.
     */
    default boolean canInterrupt() {
        return true;
    }
}
