package dev.kjump.machine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PC's pair of Intel 8259A programmable interrupt controllers (QEMU's {@code isa-i8259}, hw/intc/i8259.c):
 * the master at ports 0x20/0x21 takes IRQ 0-7, the slave at 0xA0/0xA1 takes IRQ 8-15 and is cascaded on the
 * master's IRQ 2. The edge/level control registers (ELCR, as on the PIIX: 0x4D0 master, 0x4D1 slave) choose level
 * triggering per IRQ; IRQ 0, 1, 2, 8 and 13 are always edge-triggered (QEMU's ELCR masks 0xF8 and 0xDE).
 *
 * <p>What is modelled, as QEMU does:
 * <ul>
 *   <li>ICW1 (bit 4 set on the command port) resets the chip (IMR, ISR, priorities, the edge detector; level
 *       requests stay in IRR; the ELCR is kept) and starts the ICW2 (vector base, bits 7-3), ICW3 (ignored) and,
 *       when ICW1 bit 0 asks, ICW4 (bit 1 auto-EOI, bit 4 special fully nested) sequence; ICW1 bit 1 (single)
 *       skips ICW3.</li>
 *   <li>OCW1 (the data port outside the ICW sequence) is the IMR; OCW2 (command port, bits 4-3 = 00):
 *       non-specific EOI (0x20), specific EOI (0x60 | irq), rotate on non-specific EOI (0xA0), rotate in auto-EOI
 *       mode set/clear (0x80/0x00), set priority (0xC0 | irq), rotate on specific EOI (0xE0 | irq); OCW3
 *       (bits 4-3 = 01): read IRR (0x0A) or ISR (0x0B) on the command port, poll (bit 2: the next read of either
 *       port acknowledges and returns 0x80 | level, or 0 with nothing pending), special mask mode (bits 6-5).</li>
 *   <li>Edge-triggered inputs latch a rise into IRR and clear it at the acknowledge; level-triggered ones follow
 *       the line and are not cleared by the acknowledge (a line still high requests again after the EOI).</li>
 *   <li>Priorities rotate with {@code priority_add}; a request is passed on only when it is of higher priority
 *       than every in-service one (special mask mode: than every unmasked in-service one; special fully nested
 *       mode on the master: IRQ 2 in service does not block the slave).</li>
 *   <li>The acknowledge ({@link #acknowledge()}) returns the vector, sets ISR (not in auto-EOI mode) and, when
 *       the request went away before it (INTR was sampled but nothing qualifies now), returns the spurious IRQ 7
 *       vector of the master, or the slave's IRQ 15 vector with the master's IRQ 2 in service.</li>
 * </ul>
 *
 * <p>Power-on state: QEMU's reset state (ELCR 0, vector base 0, nothing in service, no ICW sequence in
 * progress) except that both IMRs are 0xFF, as firmware leaves the PIC before an operating system programs it:
 * nothing reaches the CPU until a guest unmasks an IRQ (Linux's {@code init_8259A} programs the whole pair).
 *
 * <p>Whenever INTR may have changed, the callback given to the constructor runs (the machine wires it to the CPU,
 * which then samples {@link #intr()} again).
 */
public final class Pic8259 implements IoDevice, InterruptController, IrqLine {
    /** The master's command/data ports. */
    public static final int MASTER = 0x20;
    /** The slave's command/data ports. */
    public static final int SLAVE = 0xA0;
    /** The edge/level control registers (master, then slave). */
    public static final int ELCR = 0x4D0;

    private final Chip master = new Chip(true, 0xF8);
    private final Chip slave = new Chip(false, 0xDE);
    private final Runnable onIntrChange;
    private boolean lastIntr;

    /** @param onIntrChange runs when INTR may have changed (the CPU looks at {@link #intr()} again) */
    public Pic8259(Runnable onIntrChange) {
        this.onIntrChange = onIntrChange;
        master.imr = 0xFF;
        slave.imr = 0xFF;
    }

    /** Registers the pair's ports (0x20-0x21, 0xA0-0xA1, 0x4D0-0x4D1) on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(MASTER, 2, this);
        bus.register(SLAVE, 2, this);
        bus.register(ELCR, 2, this);
    }

    @Override
    public String name() {
        return "i8259@0x20+0xa0";
    }

    // ------------------------------------------------------------------ the CPU's side

    @Override
    public boolean intr() {
        return master.pendingIrq() >= 0;
    }

    @Override
    public int acknowledge() {
        int irq = master.pendingIrq();
        int vector;
        if (irq >= 0) {
            if (irq == 2) {
                int irq2 = slave.pendingIrq();
                if (irq2 >= 0) {
                    slave.intack(irq2);
                } else {
                    irq2 = 7; // spurious on the slave
                }
                vector = slave.irqBase + irq2;
            } else {
                vector = master.irqBase + irq;
            }
            master.intack(irq);
        } else {
            vector = master.irqBase + 7; // spurious on the master
        }
        return vector;
    }

    // ------------------------------------------------------------------ the devices' side

    @Override
    public void setIrq(int irq, boolean level) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("no such IRQ: " + irq);
        }
        (irq < 8 ? master : slave).setInput(irq & 7, level);
    }

    // ------------------------------------------------------------------ ports

    @Override
    public int in(int port, int size) {
        if (port == ELCR || port == ELCR + 1) {
            return (port == ELCR ? master : slave).elcr;
        }
        return ((port & 0xFE) == MASTER ? master : slave).read(port & 1);
    }

    @Override
    public void out(int port, int size, int value) {
        int v = value & 0xFF;
        if (port == ELCR || port == ELCR + 1) {
            Chip c = port == ELCR ? master : slave;
            c.elcr = v & c.elcrMask;
            return;
        }
        ((port & 0xFE) == MASTER ? master : slave).write(port & 1, v);
    }

    /** IRR of the master (bits 0-7) and the slave (bits 8-15). */
    public int irr() {
        return master.irr | slave.irr << 8;
    }

    /** ISR of the master (bits 0-7) and the slave (bits 8-15). */
    public int isr() {
        return master.isr | slave.isr << 8;
    }

    /** IMR of the master (bits 0-7) and the slave (bits 8-15). */
    public int imr() {
        return master.imr | slave.imr << 8;
    }

    /** False when the master masks every input (the slave reaches the CPU only through the master's IRQ 2). */
    @Override
    public boolean canInterrupt() {
        return (master.imr & 0xFF) != 0xFF;
    }

    // ------------------------------------------------------------------ state

    @Override
    public State saveState() {
        return new State(master.save(), slave.save());
    }

    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State s)) {
            throw new IllegalArgumentException("not a Pic8259 state: " + state);
        }
        master.load(s.master());
        slave.load(s.slave());
        intrMayHaveChanged();
    }

    /** The master's output follows its inputs: tell the CPU when INTR changed. */
    private void intrMayHaveChanged() {
        boolean now = intr();
        if (now != lastIntr) {
            lastIntr = now;
            onIntrChange.run();
        }
    }

    /** One 8259A's registers; the slave's output drives the master's IRQ 2. */
    private final class Chip {
        final boolean isMaster;
        final int elcrMask;
        int irr;
        int imr;
        int isr;
        int lastIrr;
        int priorityAdd;
        int irqBase;
        boolean readIsr;
        boolean poll;
        boolean specialMask;
        int initState;
        boolean autoEoi;
        boolean rotateOnAutoEoi;
        boolean specialFullyNested;
        boolean init4;
        boolean singleMode;
        int elcr;

        Chip(boolean isMaster, int elcrMask) {
            this.isMaster = isMaster;
            this.elcrMask = elcrMask;
        }

        /** The highest priority (0 highest) among the bits of {@code mask}, 8 for none. */
        int priority(int mask) {
            if (mask == 0) {
                return 8;
            }
            int p = 0;
            while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) {
                p++;
            }
            return p;
        }

        /** The IRQ this chip would pass on now, or -1. */
        int pendingIrq() {
            int p = priority(irr & ~imr);
            if (p == 8) {
                return -1;
            }
            int inService = isr;
            if (specialMask) {
                inService &= ~imr;
            }
            if (specialFullyNested && isMaster) {
                inService &= ~(1 << 2);
            }
            return p < priority(inService) ? (p + priorityAdd) & 7 : -1;
        }

        void setInput(int irq, boolean level) {
            int mask = 1 << irq;
            if ((elcr & mask) != 0) {
                if (level) {
                    irr |= mask;
                    lastIrr |= mask;
                } else {
                    irr &= ~mask;
                    lastIrr &= ~mask;
                }
            } else if (level) {
                if ((lastIrr & mask) == 0) {
                    irr |= mask;
                }
                lastIrr |= mask;
            } else {
                lastIrr &= ~mask;
            }
            updateOutput();
        }

        void intack(int irq) {
            if (autoEoi) {
                if (rotateOnAutoEoi) {
                    priorityAdd = (irq + 1) & 7;
                }
            } else {
                isr |= 1 << irq;
            }
            if ((elcr & (1 << irq)) == 0) {
                irr &= ~(1 << irq);
            }
            updateOutput();
        }

        /** The output may have changed: the slave's feeds the master's IRQ 2, the master's is INTR. */
        void updateOutput() {
            if (isMaster) {
                intrMayHaveChanged();
            } else {
                master.setInput(2, pendingIrq() >= 0);
            }
        }

        /** ICW1: QEMU's {@code pic_init_reset}. */
        void initReset() {
            lastIrr = 0;
            irr &= elcr;
            imr = 0;
            isr = 0;
            priorityAdd = 0;
            irqBase = 0;
            readIsr = false;
            poll = false;
            specialMask = false;
            initState = 0;
            autoEoi = false;
            rotateOnAutoEoi = false;
            specialFullyNested = false;
            init4 = false;
            singleMode = false;
            updateOutput();
        }

        void write(int a0, int v) {
            if (a0 == 0) {
                if ((v & 0x10) != 0) {
                    initReset();
                    initState = 1;
                    init4 = (v & 1) != 0;
                    singleMode = (v & 2) != 0;
                } else if ((v & 0x08) != 0) {
                    if ((v & 0x04) != 0) {
                        poll = true;
                    }
                    if ((v & 0x02) != 0) {
                        readIsr = (v & 1) != 0;
                    }
                    if ((v & 0x40) != 0) {
                        specialMask = (v & 0x20) != 0;
                    }
                } else {
                    ocw2(v);
                }
                return;
            }
            switch (initState) {
                case 0 -> {
                    imr = v;
                    updateOutput();
                }
                case 1 -> {
                    irqBase = v & 0xF8;
                    initState = singleMode ? (init4 ? 3 : 0) : 2;
                }
                case 2 -> initState = init4 ? 3 : 0;
                default -> {
                    specialFullyNested = (v & 0x10) != 0;
                    autoEoi = (v & 0x02) != 0;
                    initState = 0;
                }
            }
        }

        void ocw2(int v) {
            int cmd = v >> 5;
            switch (cmd) {
                case 0, 4 -> rotateOnAutoEoi = cmd == 4;
                case 1, 5 -> {
                    int p = priority(isr);
                    if (p != 8) {
                        int irq = (p + priorityAdd) & 7;
                        isr &= ~(1 << irq);
                        if (cmd == 5) {
                            priorityAdd = (irq + 1) & 7;
                        }
                        updateOutput();
                    }
                }
                case 3 -> {
                    isr &= ~(1 << (v & 7));
                    updateOutput();
                }
                case 6 -> {
                    priorityAdd = (v + 1) & 7;
                    updateOutput();
                }
                case 7 -> {
                    int irq = v & 7;
                    isr &= ~(1 << irq);
                    priorityAdd = (irq + 1) & 7;
                    updateOutput();
                }
                default -> { } // 2: no operation
            }
        }

        int read(int a0) {
            if (poll) {
                poll = false;
                int irq = pendingIrq();
                if (irq < 0) {
                    return 0;
                }
                intack(irq);
                return irq | 0x80;
            }
            return a0 == 0 ? (readIsr ? isr : irr) : imr;
        }

        ChipState save() {
            return new ChipState(irr, imr, isr, lastIrr, priorityAdd, irqBase, readIsr, poll, specialMask, initState,
                    autoEoi, rotateOnAutoEoi, specialFullyNested, init4, singleMode, elcr);
        }

        void load(ChipState s) {
            irr = s.irr() & 0xFF;
            imr = s.imr() & 0xFF;
            isr = s.isr() & 0xFF;
            lastIrr = s.lastIrr() & 0xFF;
            priorityAdd = s.priorityAdd() & 7;
            irqBase = s.irqBase() & 0xF8;
            readIsr = s.readIsr();
            poll = s.poll();
            specialMask = s.specialMask();
            initState = s.initState();
            autoEoi = s.autoEoi();
            rotateOnAutoEoi = s.rotateOnAutoEoi();
            specialFullyNested = s.specialFullyNested();
            init4 = s.init4();
            singleMode = s.singleMode();
            elcr = s.elcr() & elcrMask;
        }
    }

    /**
     * One 8259A's saved registers (QEMU's {@code PICCommonState} fields).
     *
     * @param irr interrupt request register
     * @param imr interrupt mask register (OCW1)
     * @param isr in-service register
     * @param lastIrr the input levels as last seen (the edge detector)
     * @param priorityAdd the rotation: the IRQ of highest priority
     * @param irqBase the vector base (ICW2)
     * @param readIsr OCW3 read register select: ISR (true) or IRR
     * @param poll a poll command is waiting for the next read
     * @param specialMask special mask mode
     * @param initState where the ICW sequence is: 0 done, 1 ICW2 next, 2 ICW3 next, 3 ICW4 next
     * @param autoEoi auto-EOI mode (ICW4 bit 1)
     * @param rotateOnAutoEoi rotate in auto-EOI mode (OCW2)
     * @param specialFullyNested special fully nested mode (ICW4 bit 4)
     * @param init4 ICW1 asked for ICW4
     * @param singleMode ICW1 single mode (no ICW3)
     * @param elcr the edge/level control register
     */
    public record ChipState(int irr, int imr, int isr, int lastIrr, int priorityAdd, int irqBase, boolean readIsr,
                            boolean poll, boolean specialMask, int initState, boolean autoEoi,
                            boolean rotateOnAutoEoi, boolean specialFullyNested, boolean init4, boolean singleMode,
                            int elcr) {
        void put(Map<String, Long> r, String prefix) {
            r.put(prefix + "irr", (long) irr);
            r.put(prefix + "imr", (long) imr);
            r.put(prefix + "isr", (long) isr);
            r.put(prefix + "irqBase", (long) irqBase);
            r.put(prefix + "priorityAdd", (long) priorityAdd);
            r.put(prefix + "initState", (long) initState);
            r.put(prefix + "autoEoi", autoEoi ? 1L : 0L);
            r.put(prefix + "elcr", (long) elcr);
        }
    }

    /**
     * The pair's saved state.
     *
     * @param master the master 8259A (IRQ 0-7)
     * @param slave the slave 8259A (IRQ 8-15)
     */
    public record State(ChipState master, ChipState slave) implements DeviceState {
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            master.put(r, "master.");
            slave.put(r, "slave.");
            return r;
        }
    }
}
