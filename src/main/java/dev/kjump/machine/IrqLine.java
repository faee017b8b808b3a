package dev.kjump.machine;

/** Where a device raises and lowers its ISA interrupt request line (IRQ 0-15). */
public interface IrqLine {
    /** Sets the level of IRQ {@code irq}: true raised, false lowered (edge-triggered inputs latch the rise). */
    void setIrq(int irq, boolean level);

    /** No interrupt controller: requests go nowhere. */
    IrqLine NONE = (irq, level) -> { };
}
