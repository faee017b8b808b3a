package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Uart16550Test {
    private static final int BASE = 0x3F8;
    private static final int THR = BASE;
    private static final int IER = BASE + 1;
    private static final int IIR = BASE + 2;
    private static final int LCR = BASE + 3;
    private static final int MCR = BASE + 4;
    private static final int LSR = BASE + 5;
    private static final int MSR = BASE + 6;
    private static final int SCR = BASE + 7;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Uart16550 uart = new Uart16550(out);

    private int read(int port) {
        return uart.in(port, 1);
    }

    private void write(int port, int value) {
        uart.out(port, 1, value);
    }

    @Test
    void thrWritesGoToTheOutput() {
        for (byte b : "hi\n".getBytes(StandardCharsets.US_ASCII)) {
            write(THR, b);
        }
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hi\n");
    }

    @Test
    void wideAccessesActOnTheLowByte() {
        uart.out(THR, 4, 0x12345641);
        uart.out(SCR, 2, 0xAB77);
        assertThat(out.toByteArray()).containsExactly(0x41);
        assertThat(uart.in(SCR, 2)).isEqualTo(0x77);
        assertThat(uart.in(SCR, 4)).isEqualTo(0x77);
    }

    @Test
    void divisorLatchIsSeparateAndDoesNotTransmit() {
        assertThat(read(LCR)).isZero();
        write(LCR, 0x83); // DLAB, 8N1
        assertThat(read(THR)).as("reset divisor low").isEqualTo(0x0C);
        assertThat(read(IER)).as("reset divisor high").isZero();
        write(THR, 0x01);
        write(IER, 0x02);
        assertThat(read(THR)).isEqualTo(0x01);
        assertThat(read(IER)).isEqualTo(0x02);
        write(LCR, 0x03);
        assertThat(out.size()).isZero();
        assertThat(read(IER)).as("IER untouched by DLM writes").isZero();
        assertThat(read(LCR)).isEqualTo(0x03);
        write(THR, 'x');
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("x");
        write(LCR, 0x80);
        assertThat(read(THR)).as("divisor kept").isEqualTo(0x01);
    }

    @Test
    void lsrAlwaysReportsTransmitterEmptyAndDataReadyOnlyWithInput() {
        assertThat(read(LSR)).isEqualTo(0x60);
        write(THR, 'a');
        assertThat(read(LSR)).isEqualTo(0x60);
        uart.enqueueInput(new byte[] {'q'});
        assertThat(read(LSR)).isEqualTo(0x61);
        assertThat(read(THR)).isEqualTo('q');
        assertThat(read(LSR)).isEqualTo(0x60);
    }

    @Test
    void inputIsReadInOrderWithAndWithoutFifo() {
        uart.enqueueInput("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(uart.pendingInput()).isEqualTo(3);
        assertThat(read(THR)).isEqualTo('a');
        assertThat(read(THR)).isEqualTo('b');
        write(IIR, 0x01); // enabling the FIFO resets it: only the byte already in RBR is dropped
        assertThat(read(LSR) & 0x01).isZero();
        uart.enqueueInput("de".getBytes(StandardCharsets.US_ASCII));
        assertThat(read(THR)).isEqualTo('d');
        assertThat(read(THR)).isEqualTo('e');
        assertThat(read(LSR) & 0x01).isZero();
        assertThat(read(THR)).as("empty FIFO reads 0").isZero();
        write(IIR, 0x00);
        assertThat(read(THR)).as("empty RBR without FIFO repeats the last byte").isEqualTo('e');
    }

    @Test
    void fifoResetDiscardsOnlyTheReceiveBuffer() {
        write(IIR, 0x01);
        byte[] many = new byte[20];
        for (int i = 0; i < many.length; i++) {
            many[i] = (byte) i;
        }
        uart.enqueueInput(many);
        write(IIR, 0x03); // RX FIFO reset: 16 bytes in the FIFO go, 4 host bytes remain
        assertThat(uart.pendingInput()).isEqualTo(4);
        assertThat(read(THR)).isEqualTo(16);
    }

    @Test
    void iirReportsNothingUntilEnabledAndFifoBits() {
        assertThat(read(IIR)).isEqualTo(0x01);
        write(IIR, 0x01);
        assertThat(read(IIR)).isEqualTo(0xC1);
        write(IIR, 0xC7);
        assertThat(read(IIR)).isEqualTo(0xC1);
        write(IIR, 0x00);
        assertThat(read(IIR)).isEqualTo(0x01);
        assertThat(uart.interruptPending()).isFalse();
    }

    @Test
    void thrEmptyInterruptRaisedByEnablingAndClearedByReadingIir() {
        write(IER, 0x02);
        assertThat(uart.interruptPending()).isTrue();
        assertThat(read(IIR)).isEqualTo(0x02);
        assertThat(read(IIR)).isEqualTo(0x01);
        assertThat(uart.interruptPending()).isFalse();
        write(THR, 'z');
        assertThat(read(IIR)).isEqualTo(0x02);
        assertThat(read(IIR)).isEqualTo(0x01);
    }

    @Test
    void receivedDataInterruptHasPriorityOverThrEmpty() {
        write(IIR, 0x01);
        write(IER, 0x03);
        uart.enqueueInput(new byte[] {7});
        assertThat(read(IIR)).isEqualTo(0xC4);
        assertThat(read(IIR)).as("RX data is not cleared by reading IIR").isEqualTo(0xC4);
        assertThat(read(THR)).isEqualTo(7);
        assertThat(read(IIR)).as("THR empty still pending").isEqualTo(0xC2);
        assertThat(read(IIR)).isEqualTo(0xC1);
    }

    @Test
    void rxInterruptNeedsIerBit() {
        uart.enqueueInput(new byte[] {7});
        assertThat(read(IIR)).isEqualTo(0x01);
        write(IER, 0x01);
        assertThat(read(IIR)).isEqualTo(0x04);
    }

    @Test
    void loopbackSendsThrToRbrAndNotToTheOutput() {
        write(MCR, 0x10);
        write(THR, 'L');
        assertThat(out.size()).isZero();
        assertThat(read(LSR)).isEqualTo(0x61);
        assertThat(read(THR)).isEqualTo('L');
        write(MCR, 0x00);
        write(THR, 'M');
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("M");
    }

    @Test
    void loopbackOverrunWithoutFifo() {
        write(MCR, 0x10);
        write(THR, 1);
        write(THR, 2);
        assertThat(read(LSR)).isEqualTo(0x63);
        assertThat(read(LSR)).as("OE clears on read").isEqualTo(0x61);
        assertThat(read(THR)).isEqualTo(2);
    }

    @Test
    void lineStatusInterruptOnOverrun() {
        write(IER, 0x05);
        write(MCR, 0x10);
        write(THR, 1);
        write(THR, 2);
        assertThat(read(IIR)).isEqualTo(0x06);
        read(LSR);
        assertThat(read(IIR)).isEqualTo(0x04);
    }

    @Test
    void msrDefaultsAndReflectsMcrInLoopback() {
        assertThat(read(MCR)).isEqualTo(0x08);
        assertThat(read(MSR)).isEqualTo(0xB0);
        write(MCR, 0x10);
        assertThat(read(MSR)).isZero();
        write(MCR, 0x11); // DTR -> DSR
        assertThat(read(MSR)).isEqualTo(0x20);
        write(MCR, 0x12); // RTS -> CTS
        assertThat(read(MSR)).isEqualTo(0x10);
        write(MCR, 0x14); // OUT1 -> RI
        assertThat(read(MSR)).isEqualTo(0x40);
        write(MCR, 0x18); // OUT2 -> DCD
        assertThat(read(MSR)).isEqualTo(0x80);
        write(MCR, 0x1F);
        assertThat(read(MSR)).isEqualTo(0xF0);
        write(MCR, 0xFF);
        assertThat(read(MCR)).as("MCR keeps 5 bits").isEqualTo(0x1F);
        write(MCR, 0x03);
        assertThat(read(MSR)).isEqualTo(0xB0);
    }

    @Test
    void scratchRegisterHoldsAnyByteAndLsrMsrWritesAreIgnored() {
        for (int v : new int[] {0x00, 0x55, 0xAA, 0xFF}) {
            write(SCR, v);
            assertThat(read(SCR)).isEqualTo(v);
        }
        write(LSR, 0x00);
        write(MSR, 0x00);
        assertThat(read(LSR)).isEqualTo(0x60);
        assertThat(read(MSR)).isEqualTo(0xB0);
    }

    @Test
    void portsOutsideTheUartAreRejected() {
        assertThatThrownBy(() -> uart.in(BASE + 8, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> uart.out(BASE - 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherBaseAndName() {
        Uart16550 com2 = new Uart16550(0x2F8, out);
        com2.out(0x2FF, 1, 0x42);
        assertThat(com2.in(0x2FF, 1)).isEqualTo(0x42);
        assertThat(com2.name()).isEqualTo("uart16550@0x2f8");
        IoBus bus = new IoBus();
        com2.attachTo(bus);
        bus.out(0x2F8, 1, 'k');
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("k");
        assertThat(bus.in(0x2FD, 1)).isEqualTo(0x60);
    }

    @Test
    void saveRestoreRoundTrip() {
        write(LCR, 0x80);
        write(THR, 0x03);
        write(IER, 0x01);
        write(LCR, 0x1B);
        write(IER, 0x0F);
        write(IIR, 0x81);
        write(MCR, 0x1B);
        write(SCR, 0x5A);
        write(THR, 1);
        write(THR, 2);
        uart.enqueueInput(new byte[40]);
        Uart16550.State saved = uart.saveState();

        Uart16550 other = new Uart16550(new ByteArrayOutputStream());
        assertThat(other.saveState()).isNotEqualTo(saved);
        other.restoreState(saved);
        assertThat(other.saveState()).isEqualTo(saved);
        assertThat(other.saveState().hashCode()).isEqualTo(saved.hashCode());
        assertThat(saved.registers()).containsEntry("scr", 0x5AL).containsEntry("dll", 0x03L)
                .containsEntry("lcr", 0x1BL).containsEntry("receiveBuffered", 16L).containsEntry("hostQueued", 26L);
        for (int port = BASE; port < BASE + 8; port++) {
            assertThat(other.in(port, 1)).as("port 0x%x", port).isEqualTo(uart.in(port, 1));
        }
    }

    @Test
    void stateIsImmutable() {
        uart.enqueueInput(new byte[] {1, 2});
        Uart16550.State s = uart.saveState();
        s.hostInput()[0] = 9;
        s.receiveBuffer()[0] = 9;
        assertThat(s).isEqualTo(uart.saveState());
    }

    @Test
    void restoreRejectsForeignState() {
        assertThatThrownBy(() -> uart.restoreState(new DebugExit.State(false, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** One guest or host action on the UART. */
    record Action(int kind, int offset, int value, byte[] input) {
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Action> io = Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 255),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20)).as(Action::new);
        return io.list().ofMaxSize(60);
    }

    private static void apply(Uart16550 u, Action a) {
        switch (a.kind()) {
            case 0 -> u.out(BASE + a.offset(), 1, a.value());
            case 1 -> u.in(BASE + a.offset(), 1);
            default -> u.enqueueInput(a.input());
        }
    }

    @Property(tries = 300)
    void saveRestoreOnAFreshUartBehavesIdentically(@ForAll("actions") List<Action> before,
                                                   @ForAll("actions") List<Action> after) {
        ByteArrayOutputStream outA = new ByteArrayOutputStream();
        Uart16550 a = new Uart16550(outA);
        for (Action act : before) {
            apply(a, act);
        }
        Uart16550.State saved = a.saveState();
        ByteArrayOutputStream outB = new ByteArrayOutputStream();
        Uart16550 b = new Uart16550(outB);
        b.restoreState(saved);
        assertThat(b.saveState()).isEqualTo(saved);
        outA.reset();

        List<Integer> readsA = new ArrayList<>();
        List<Integer> readsB = new ArrayList<>();
        for (Action act : after) {
            apply(a, act);
            apply(b, act);
            for (int off = 0; off < 8; off++) {
                readsA.add(a.in(BASE + off, 1));
                readsB.add(b.in(BASE + off, 1));
            }
            assertThat(b.interruptPending()).isEqualTo(a.interruptPending());
        }
        assertThat(readsB).isEqualTo(readsA);
        assertThat(outB.toByteArray()).isEqualTo(outA.toByteArray());
        assertThat(b.saveState()).isEqualTo(a.saveState());
    }

    @Test
    void irq4FollowsThePendingInterrupt() {
        List<String> irq = new ArrayList<>();
        uart.connectIrq((n, level) -> irq.add(n + (level ? "+" : "-")), 4);
        assertThat(irq).containsExactly("4-");
        write(IER, 0x02); // THR empty: pending at once
        assertThat(irq).containsExactly("4-", "4+");
        assertThat(read(IIR)).isEqualTo(0x02);
        assertThat(irq).as("reading IIR cleared it").containsExactly("4-", "4+", "4-");
        write(THR, 'x');
        assertThat(irq).containsExactly("4-", "4+", "4-", "4+");
        write(IER, 0x01); // received data only
        assertThat(irq).last().isEqualTo("4-");
        uart.enqueueInput(new byte[] {'a'});
        assertThat(irq).last().isEqualTo("4+");
        assertThat(read(THR)).isEqualTo('a');
        assertThat(irq).last().isEqualTo("4-");
        write(MCR, 0x00); // OUT2 clear: QEMU does not gate the line
        uart.enqueueInput(new byte[] {'b'});
        assertThat(irq).last().isEqualTo("4+");
        Uart16550.State st = uart.saveState();
        read(THR);
        assertThat(irq).last().isEqualTo("4-");
        uart.restoreState(st);
        assertThat(irq).last().as("a restored state brings its level back").isEqualTo("4+");
    }

    private void send(String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            write(THR, b & 0xFF);
        }
    }

    @Test
    void theLastNonBlankLinesAreKeptAndTheOutputIsUntouched() {
        assertThat(uart.lastLine()).isEmpty();
        send("one\r\ntwo\n\n  \r\n");
        assertThat(uart.lastLine()).as("blank lines do not count").isEqualTo("two");
        send("thr");
        assertThat(uart.lastLine()).as("the line in progress").isEqualTo("thr");
        send("ee\n");
        for (int i = 4; i <= 10; i++) {
            send("line " + i + "\n");
        }
        assertThat(uart.lastLines()).hasSize(Uart16550.LINES_KEPT).startsWith("three").endsWith("line 10");
        send("x".repeat(300) + "\n");
        assertThat(uart.lastLine()).hasSize(Uart16550.LINE_MAX);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("one\r\ntwo\n\n  \r\nthree\nline 4\n")
                .endsWith("x".repeat(300) + "\n");
    }

    @Test
    void loopedBackBytesAreNotConsoleLines() {
        write(MCR, 0x10);
        send("looped\n");
        assertThat(uart.lastLine()).isEmpty();
    }
}
