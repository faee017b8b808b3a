package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.machine.InterruptController;
import dev.kjump.machine.StopReason;
import dev.kjump.machine.VirtualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * External interrupts at instruction boundaries: IF, the STI shadow, HLT sleeping in virtual time until a timed
 * event raises INTR, and the determinism of it all. A scripted controller stands in for the 8259A: a timer
 * raises INTR at a given virtual time; the acknowledge returns vector 0x20, whose handler counts in EDI.
 */
class InterruptTest {
    static final int IDT = 0x2000, IDTR = 0x1108, GDT = 0x1000, GDTR = 0x1100, HANDLER = 0x3000;

    CpuHarness h;
    FakePic pic;
    OneShot timer;
    VirtualClock clock;

    /** INTR up until acknowledged; counts acknowledges and remembers the instruction count at each. */
    final class FakePic implements InterruptController {
        boolean intr;
        int acks;
        long ackedAtTicks = -1;

        @Override
        public boolean intr() {
            return intr;
        }

        @Override
        public int acknowledge() {
            intr = false;
            acks++;
            ackedAtTicks = h.cpu.ticks();
            return 0x20;
        }

        void raise() {
            intr = true;
            clock.reschedule();
        }
    }

    /** A timer that raises INTR once, at {@code at} ns of virtual time. */
    final class OneShot implements VirtualClock.Timed {
        long at = Long.MAX_VALUE;

        @Override
        public long nextEvent() {
            return at;
        }

        @Override
        public void advanceTo(long nanos) {
            if (nanos >= at) {
                at = Long.MAX_VALUE;
                pic.raise();
            }
        }
    }

    @BeforeEach
    void setUp() {
        h = new CpuHarness();
        pic = new FakePic();
        timer = new OneShot();
        clock = new VirtualClock(10);
        clock.register(timer);
        h.cpu.connect(pic, clock);
        h.mem.write32(GDT + 8, 0x0000FFFF);
        h.mem.write32(GDT + 12, 0x00CF9A00);
        h.mem.write32(GDT + 16, 0x0000FFFF);
        h.mem.write32(GDT + 20, 0x00CF9200);
        h.mem.write16(GDTR, 0x17);
        h.mem.write32(GDTR + 2, GDT);
        h.mem.write16(IDTR, 0x7FF);
        h.mem.write32(IDTR + 2, IDT);
        h.mem.write32(IDT + 0x20 * 8, 0x08 << 16 | HANDLER);
        h.mem.write32(IDT + 0x20 * 8 + 4, 0x8E00); // interrupt gate
        h.load(HANDLER, 0x47, 0xCF);              // inc edi; iret
    }

    /** LGDT, LIDT, far jump to CS 0x08, data segments 0x10, then {@code body}. */
    void program(Object... body) {
        h.code(CpuHarness.cat(0x0F, 0x01, 0x15, le32(GDTR), 0x0F, 0x01, 0x1D, le32(IDTR),
                0xEA, le32(CpuHarness.CODE + 21), 0x08, 0x00,
                0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0x8E, 0xD0), CpuHarness.cat(body));
    }

    @Test
    void anInterruptWaitsForIfAndIsTakenAtTheNextBoundary() {
        pic.intr = true;
        program(0x90, 0x90,   // nop; nop (IF=0: nothing taken)
                0xFB,         // sti
                0x90,         // nop: the STI shadow
                0x90);        // the interrupt comes before this one
        h.runToHlt();
        assertThat(h.reg(Cpu.EDI)).as("the handler ran once").isEqualTo(1);
        assertThat(pic.acks).isEqualTo(1);
        // prologue 6 instructions, 2 nops, sti, shadowed nop: taken when 10 instructions have run
        assertThat(pic.ackedAtTicks).isEqualTo(10);
    }

    @Test
    void cliKeepsTheInterruptPending() {
        pic.intr = true;
        program(0xFA, 0x90, 0x90); // cli; nop; nop
        h.runToHlt();
        assertThat(pic.acks).isZero();
    }

    @Test
    void hltWithInterruptsOnSleepsInVirtualTimeUntilTheTimerFires() {
        timer.at = 1_000_000; // 1 ms of virtual time = 100,000 instructions at 10 ns each
        program(0xFB,         // sti
                0xF4,         // hlt: sleeps until the timer, the interrupt wakes it
                0x89, 0xF8);  // mov eax, edi
        h.runToHlt();
        assertThat(h.reg(Cpu.EAX)).as("woken by the interrupt, handler ran").isEqualTo(1);
        assertThat(pic.ackedAtTicks).as("taken when the timer fired").isEqualTo(100_000);
        assertThat(h.cpu.instructions()).as("the sleep executed almost nothing").isLessThan(20);
    }

    @Test
    void hltWithNothingToWakeItStops() {
        program(0xFB, 0xF4); // sti; hlt, no timer
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HALT);
        assertThat(s.message()).contains("no interrupt source");
    }

    @Test
    void aTimerInterruptArrivesAtTheSameInstructionEveryRun() {
        long[] at = new long[2];
        int[] edi = new int[2];
        for (int run = 0; run < 2; run++) {
            setUp();
            timer.at = 500_000; // instruction 50,000
            program(0xFB,                       // sti
                    0xB9, le32(100_000),        // mov ecx, 100000
                    0xE2, 0xFE);                // loop $
            h.runToHlt();
            at[run] = pic.ackedAtTicks;
            edi[run] = h.reg(Cpu.EDI);
        }
        assertThat(at[0]).isEqualTo(50_000).isEqualTo(at[1]);
        assertThat(edi).containsExactly(1, 1);
    }

    @Test
    void aHostStopAskedForBetweenRunsStopsTheNextRunAtOnceUnlessWithdrawn() {
        program(0x90, 0x90);
        h.cpu.requestHostStop(); // Ctrl-C while no run was going (between two short jumps, say)
        StopReason s = h.run();
        assertThat(s.kind()).isEqualTo(StopReason.Kind.INTERRUPTED);
        assertThat(h.cpu.instructions()).as("nothing ran").isZero();
        h.cpu.requestHostStop();
        h.cpu.cancelHostStop();
        h.runToHlt();
    }
}
