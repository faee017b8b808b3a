package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 8259A pair programmed as Linux's init_8259A does: vectors, masks, EOI, priorities, ELCR, spurious IRQs. */
class Pic8259Test {
    private int pokes;
    private final Pic8259 pic = new Pic8259(() -> pokes++);
    private final IoBus bus = new IoBus();

    @BeforeEach
    void attach() {
        pic.attachTo(bus);
    }

    /** Linux 6.1's init_8259A(0): vectors 0x30 and 0x38, cascade on IRQ 2, 8086 mode, all masked but IRQ 2. */
    private void initLikeLinux(boolean autoEoi) {
        bus.out(0x21, 1, 0xFF);
        bus.out(0x20, 1, 0x11);
        bus.out(0x21, 1, 0x30);
        bus.out(0x21, 1, 0x04);
        bus.out(0x21, 1, autoEoi ? 0x03 : 0x01);
        bus.out(0xA0, 1, 0x11);
        bus.out(0xA1, 1, 0x38);
        bus.out(0xA1, 1, 0x02);
        bus.out(0xA1, 1, 0x01);
        bus.out(0x21, 1, 0xFB);
        bus.out(0xA1, 1, 0xFF);
    }

    private void unmask(int irq) {
        int port = irq < 8 ? 0x21 : 0xA1;
        bus.out(port, 1, bus.in(port, 1) & ~(1 << (irq & 7)));
    }

    private void pulse(int irq) {
        pic.setIrq(irq, true);
        pic.setIrq(irq, false);
    }

    @Test
    void powerOnEverythingMaskedNothingDelivered() {
        assertThat(pic.imr()).isEqualTo(0xFFFF);
        pic.setIrq(0, true);
        pic.setIrq(4, true);
        assertThat(pic.irr()).isEqualTo(0x11);
        assertThat(pic.intr()).isFalse();
        assertThat(pokes).isZero();
        assertThat(bus.in(0x21, 1)).isEqualTo(0xFF);
        assertThat(bus.in(0xA1, 1)).isEqualTo(0xFF);
    }

    @Test
    void timerInterruptVectorInServiceAndEoi() {
        initLikeLinux(false);
        unmask(0);
        assertThat(bus.in(0x21, 1)).isEqualTo(0xFA);
        pic.setIrq(0, true);
        assertThat(pic.intr()).isTrue();
        assertThat(pokes).as("the CPU was told").isEqualTo(1);
        assertThat(pic.acknowledge()).isEqualTo(0x30);
        assertThat(pic.intr()).isFalse();
        assertThat(pic.isr()).isEqualTo(0x01);
        assertThat(pic.irr()).as("edge: cleared by the acknowledge").isZero();
        // a new edge while IRQ 0 is in service waits for the EOI
        pic.setIrq(0, false);
        pic.setIrq(0, true);
        assertThat(pic.irr()).isEqualTo(0x01);
        assertThat(pic.intr()).isFalse();
        bus.out(0x20, 1, 0x20); // non-specific EOI
        assertThat(pic.isr()).isZero();
        assertThat(pic.intr()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x30);
        // a line held high gives no second edge
        bus.out(0x20, 1, 0x20);
        assertThat(pic.intr()).isFalse();
    }

    @Test
    void masksHoldRequestsInIrr() {
        initLikeLinux(false);
        pulse(3);
        assertThat(pic.irr()).isEqualTo(0x08);
        assertThat(pic.intr()).isFalse();
        unmask(3);
        assertThat(pic.intr()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x33);
        bus.out(0x21, 1, 0xFF);
        pulse(3);
        assertThat(pic.intr()).isFalse();
    }

    @Test
    void slaveIrqsCascadeThroughIrq2() {
        initLikeLinux(false);
        unmask(8);
        unmask(14);
        pulse(14);
        assertThat(pic.intr()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x3E);
        assertThat(pic.isr()).isEqualTo(0x4004);
        // IRQ 8 has a higher priority on the slave, but the master's IRQ 2 is in service (no special fully nested)
        pulse(8);
        assertThat(pic.intr()).isFalse();
        bus.out(0xA0, 1, 0x20);
        bus.out(0x20, 1, 0x20);
        assertThat(pic.isr()).isZero();
        assertThat(pic.intr()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x38);
    }

    @Test
    void lowerNumbersHaveHigherPriority() {
        initLikeLinux(false);
        bus.out(0x21, 1, 0x00);
        pulse(3);
        pulse(1);
        assertThat(pic.acknowledge()).isEqualTo(0x31);
        assertThat(pic.intr()).as("IRQ 3 waits while IRQ 1 is in service").isFalse();
        pulse(0);
        assertThat(pic.intr()).as("IRQ 0 preempts IRQ 1").isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x30);
        assertThat(pic.isr()).isEqualTo(0x03);
        bus.out(0x20, 1, 0x20); // ends IRQ 0, the highest in service
        assertThat(pic.isr()).isEqualTo(0x02);
        assertThat(pic.intr()).isFalse();
        bus.out(0x20, 1, 0x61); // specific EOI for IRQ 1
        assertThat(pic.isr()).isZero();
        assertThat(pic.acknowledge()).isEqualTo(0x33);
    }

    @Test
    void rotateOnEoiMakesTheServedIrqLowest() {
        initLikeLinux(false);
        bus.out(0x21, 1, 0x00);
        pulse(0);
        assertThat(pic.acknowledge()).isEqualTo(0x30);
        bus.out(0x20, 1, 0xA0); // rotate on non-specific EOI
        pulse(0);
        pulse(1);
        assertThat(pic.acknowledge()).as("IRQ 1 is now the highest").isEqualTo(0x31);
        bus.out(0x20, 1, 0xC7); // set priority: IRQ 7 lowest, IRQ 0 highest again
        bus.out(0x20, 1, 0x61);
        assertThat(pic.acknowledge()).isEqualTo(0x30);
    }

    @Test
    void levelTriggeredByElcrRequestsAgainAfterEoi() {
        initLikeLinux(false);
        bus.out(0x4D0, 1, 0x20); // IRQ 5 level-triggered
        bus.out(0x4D1, 1, 0x08); // IRQ 11 level-triggered
        assertThat(bus.in(0x4D0, 1)).isEqualTo(0x20);
        assertThat(bus.in(0x4D1, 1)).isEqualTo(0x08);
        unmask(5);
        pic.setIrq(5, true);
        assertThat(pic.acknowledge()).isEqualTo(0x35);
        assertThat(pic.irr()).as("level: not cleared by the acknowledge").isEqualTo(0x20);
        bus.out(0x20, 1, 0x20);
        assertThat(pic.intr()).as("the line is still high").isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x35);
        pic.setIrq(5, false);
        bus.out(0x20, 1, 0x20);
        assertThat(pic.intr()).isFalse();
        assertThat(pic.irr()).isZero();
    }

    @Test
    void elcrKeepsIrq0129And13EdgeTriggered() {
        bus.out(0x4D0, 1, 0xFF);
        bus.out(0x4D1, 1, 0xFF);
        assertThat(bus.in(0x4D0, 1)).isEqualTo(0xF8);
        assertThat(bus.in(0x4D1, 1)).isEqualTo(0xDE);
    }

    @Test
    void aRequestGoneBeforeTheAcknowledgeIsSpurious() {
        initLikeLinux(false);
        bus.out(0x4D0, 1, 0x20);
        unmask(5);
        pic.setIrq(5, true);
        assertThat(pic.intr()).isTrue();
        pic.setIrq(5, false);
        assertThat(pic.acknowledge()).as("spurious IRQ 7").isEqualTo(0x37);
        assertThat(pic.isr()).isZero();
    }

    @Test
    void aSlaveRequestGoneBeforeTheAcknowledgeIsSpuriousIrq15() {
        initLikeLinux(false);
        bus.out(0x4D1, 1, 0x04); // IRQ 10 level-triggered
        unmask(10);
        pic.setIrq(10, true);
        pic.setIrq(10, false);
        assertThat(pic.intr()).as("the master latched the slave's edge on IRQ 2").isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x3F);
        assertThat(pic.isr()).as("the master's IRQ 2 is in service: Linux EOIs it").isEqualTo(0x04);
    }

    @Test
    void ocw3ReadsIrrOrIsrAndPolls() {
        initLikeLinux(false);
        bus.out(0x21, 1, 0x00);
        pulse(4);
        pulse(6);
        bus.out(0x20, 1, 0x0A);
        assertThat(bus.in(0x20, 1)).isEqualTo(0x50);
        pic.acknowledge();
        bus.out(0x20, 1, 0x0B);
        assertThat(bus.in(0x20, 1)).isEqualTo(0x10);
        bus.out(0x20, 1, 0x20);
        bus.out(0x20, 1, 0x0C); // poll
        assertThat(bus.in(0x20, 1)).isEqualTo(0x86);
        assertThat(bus.in(0x20, 1)).as("ISR again after the poll").isEqualTo(0x40);
        bus.out(0x20, 1, 0x20);
        bus.out(0x20, 1, 0x0C);
        assertThat(bus.in(0x21, 1)).as("nothing to poll").isZero();
        assertThat(bus.in(0x21, 1)).isZero(); // IMR
    }

    @Test
    void autoEoiLeavesNothingInService() {
        initLikeLinux(true);
        unmask(0);
        pulse(0);
        assertThat(pic.acknowledge()).isEqualTo(0x30);
        assertThat(pic.isr()).isZero();
        pulse(0);
        assertThat(pic.intr()).isTrue();
    }

    @Test
    void icw1ResetsMasksAndPendingEdges() {
        initLikeLinux(false);
        bus.out(0x21, 1, 0x00);
        pulse(1);
        bus.out(0x20, 1, 0x11);
        assertThat(pic.irr()).isZero();
        assertThat(bus.in(0x21, 1)).isZero();
    }

    @Test
    void stateSavesAndRestores() {
        initLikeLinux(false);
        unmask(1);
        pulse(1);
        Pic8259.State s = pic.saveState();
        assertThat(s.registers()).containsEntry("master.irqBase", 0x30L).containsEntry("slave.irqBase", 0x38L)
                .containsEntry("master.irr", 0x02L);
        pic.acknowledge();
        bus.out(0x20, 1, 0x11);
        pic.restoreState(s);
        assertThat(pic.saveState()).isEqualTo(s);
        assertThat(pic.intr()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x31);
    }
}
