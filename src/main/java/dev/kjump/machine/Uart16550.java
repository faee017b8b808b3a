package dev.kjump.machine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A 16550A UART (a PC serial port, COM1 by default), modelled on the register behaviour of a real 16550A as
 * QEMU's {@code serial} device presents it.
 *
 * <p>Registers, at offsets from the base port: 0 RBR (read) / THR (write), or DLL when LCR.DLAB is set;
 * 1 IER, or DLM when LCR.DLAB is set; 2 IIR (read) / FCR (write); 3 LCR; 4 MCR; 5 LSR; 6 MSR; 7 SCR.
 *
 * <p>Behaviour:
 * <ul>
 *   <li>There is no time model: a byte written to THR is transmitted at once to the output stream given to the
 *       constructor (not flushed; see {@link #flush()}), and LSR always reports THRE and TEMT.</li>
 *   <li>Host input ({@link #enqueueInput(byte[])}) waits in an unbounded host queue and moves into the UART's
 *       receive buffer as it has room: 16 bytes with the FIFO enabled, 1 byte (RBR) without. This is how QEMU's
 *       character backend paces the guest, so host input is never overrun. A FIFO reset (FCR bit 1, or toggling
 *       FCR bit 0) discards only the bytes already in the receive buffer.</li>
 *   <li>IIR reports, by priority: receiver line status (0x06, an overrun), received data (0x04), THR empty (0x02),
 *       modem status (0x00), else 0x01 (none), each only when enabled in IER; bits 7-6 are set while the FIFO is
 *       enabled. FIFO trigger levels and the character timeout are not modelled: any received data reports 0x04.
 *       The THR-empty interrupt is raised by each transmitted byte and by enabling it in IER, and cleared by
 *       reading IIR while it is the reported one or by writing THR, as on a 16550.</li>
 *   <li>Loopback (MCR bit 4): a transmitted byte goes to the receive buffer instead of the output (an overrun,
 *       LSR.OE, if there is no room: without FIFO the new byte replaces the old, with FIFO it is dropped), and MSR
 *       reads the looped-back MCR lines: DTR to DSR, RTS to CTS, OUT1 to RI, OUT2 to DCD.</li>
 *   <li>The last non-blank lines transmitted are kept for {@link #lastLines()} (what a stopped guest said last);
 *       this is host-side bookkeeping, not part of the device's state.</li>
 *   <li>Outside loopback MSR reads DCD, DSR and CTS set (0xB0), as QEMU with a non-tty backend. Writes to LSR and
 *       MSR are ignored.</li>
 *   <li>Accesses of width 2 or 4 are treated as byte accesses of their low byte at the addressed port: a write
 *       uses bits 7-0 of the value, a read returns the register's byte zero-extended.</li>
 *   <li>The interrupt line ({@link #connectIrq}: IRQ 4 for COM1 on a PC) is high while IIR reports an
 *       interrupt ({@link #interruptPending()}) and low otherwise; it is not gated by MCR.OUT2, as in QEMU
 *       (whose {@code serial_update_irq} raises it from IIR alone).</li>
 * </ul>
 *
 * <p>Reset values (as QEMU): IER 0, IIR 0x01, FCR 0, LCR 0, MCR 0x08 (OUT2), MSR 0xB0, SCR 0, divisor 0x000C.
 */
public final class Uart16550 implements IoDevice {
    /** The base port of COM1. */
    public static final int COM1 = 0x3F8;

    /** Number of ports the UART occupies. */
    public static final int PORT_COUNT = 8;

    /** The longest line {@link #lastLine()} keeps; the rest of a longer line is dropped. */
    public static final int LINE_MAX = 256;

    /** How many lines {@link #lastLines()} keeps. */
    public static final int LINES_KEPT = 8;

    private static final int FIFO_SIZE = 16;

    private static final int IER_RDI = 0x01;
    private static final int IER_THRI = 0x02;
    private static final int IER_RLSI = 0x04;
    private static final int IER_MSI = 0x08;

    private static final int IIR_NO_INTERRUPT = 0x01;
    private static final int IIR_MODEM_STATUS = 0x00;
    private static final int IIR_THR_EMPTY = 0x02;
    private static final int IIR_RX_DATA = 0x04;
    private static final int IIR_LINE_STATUS = 0x06;
    private static final int IIR_FIFO_ENABLED = 0xC0;

    private static final int FCR_ENABLE = 0x01;
    private static final int FCR_RX_RESET = 0x02;
    private static final int FCR_TX_RESET = 0x04;
    private static final int FCR_KEPT_BITS = 0xC9;

    private static final int LCR_DLAB = 0x80;

    private static final int MCR_OUT2 = 0x08;
    private static final int MCR_LOOP = 0x10;

    private static final int LSR_DR = 0x01;
    private static final int LSR_OE = 0x02;
    private static final int LSR_THRE = 0x20;
    private static final int LSR_TEMT = 0x40;

    private static final int MSR_CTS = 0x10;
    private static final int MSR_DSR = 0x20;
    private static final int MSR_DCD = 0x80;
    private static final int MSR_DELTAS = 0x0F;

    private final int base;
    private final OutputStream out;

    private int ier;
    private boolean thrInterruptPending;
    private int fcr;
    private int lcr;
    private int mcr;
    private boolean overrun;
    private int msr;
    private int scr;
    private int dll;
    private int dlm;
    private int rbr;
    private final byte[] line = new byte[LINE_MAX];
    private int lineLength;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final ArrayDeque<Byte> receiveBuffer = new ArrayDeque<>();
    private final ArrayDeque<Byte> hostInput = new ArrayDeque<>();
    private IrqLine irqLine = IrqLine.NONE;
    private int irq;
    private boolean irqLevel;

    /**
     * Creates a UART at COM1 (0x3F8).
     *
     * @param out where transmitted bytes go
     */
    public Uart16550(OutputStream out) {
        this(COM1, out);
    }

    /**
     * Creates a UART at {@code base .. base+7}.
     *
     * @param base the first port
     * @param out  where transmitted bytes go
     */
    public Uart16550(int base, OutputStream out) {
        if (base < 0 || base + PORT_COUNT > 0x10000) {
            throw new IllegalArgumentException("base port out of range: 0x" + Integer.toHexString(base));
        }
        this.base = base;
        this.out = Objects.requireNonNull(out, "out");
        reset();
    }

    /** The first port of the UART. */
    public int base() {
        return base;
    }

    /** Registers this UART's 8 ports on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(base, PORT_COUNT, this);
    }

    /**
     * Connects the UART's interrupt output to {@code irq} on {@code line} (COM1: IRQ 4) and sets it to the
     * current level.
     */
    public void connectIrq(IrqLine line, int irq) {
        this.irqLine = Objects.requireNonNull(line, "line");
        this.irq = irq;
        this.irqLevel = interruptPending();
        line.setIrq(irq, irqLevel);
    }

    /** The interrupt output follows IIR: tells the line when it changed. */
    private void updateIrq() {
        boolean level = interruptPending();
        if (level != irqLevel) {
            irqLevel = level;
            irqLine.setIrq(irq, level);
        }
    }

    /** Puts the registers to their reset values and empties the receive buffer; queued host input stays. */
    public void reset() {
        ier = 0;
        thrInterruptPending = false;
        fcr = 0;
        lcr = 0;
        mcr = MCR_OUT2;
        overrun = false;
        msr = MSR_DCD | MSR_DSR | MSR_CTS;
        scr = 0;
        dll = 0x0C;
        dlm = 0;
        rbr = 0;
        receiveBuffer.clear();
        fillReceiveBuffer();
        updateIrq();
    }

    /** Queues bytes from the host for the guest to read from RBR. */
    public void enqueueInput(byte[] bytes) {
        for (byte b : bytes) {
            hostInput.add(b);
        }
        fillReceiveBuffer();
        updateIrq();
    }

    /** Number of input bytes not yet read by the guest (receive buffer and host queue together). */
    public int pendingInput() {
        return receiveBuffer.size() + hostInput.size();
    }

    /**
     * The last line of text the UART transmitted that is not blank: the line in progress if it has any non-blank
     * character, else the last complete one ({@code \r} and the {@code \n} dropped, at most {@value #LINE_MAX}
     * bytes, UTF-8); empty before any. What a stopped guest said last.
     */
    public String lastLine() {
        List<String> l = lastLines();
        return l.isEmpty() ? "" : l.get(l.size() - 1);
    }

    /**
     * The last {@value #LINES_KEPT} non-blank lines transmitted, oldest first, the line in progress last if it is
     * not blank (as {@link #lastLine()}): e.g. Linux's panic line and what it printed after it.
     */
    public List<String> lastLines() {
        List<String> l = new ArrayList<>(lastLines);
        String current = lineText();
        if (!current.isBlank()) {
            l.add(current);
        }
        return l.size() > LINES_KEPT ? l.subList(l.size() - LINES_KEPT, l.size()) : l;
    }

    private void rememberLine(int v) {
        if (v == '\n') {
            String current = lineText();
            if (!current.isBlank()) {
                if (lastLines.size() == LINES_KEPT) {
                    lastLines.removeFirst();
                }
                lastLines.addLast(current);
            }
            lineLength = 0;
        } else if (v != '\r' && lineLength < LINE_MAX) {
            line[lineLength++] = (byte) v;
        }
    }

    private String lineText() {
        return new String(line, 0, lineLength, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Flushes the output stream. */
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the UART asserts its interrupt line, i.e. IIR would report an interrupt (reading nothing). */
    public boolean interruptPending() {
        return interruptId() != IIR_NO_INTERRUPT;
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
        return "uart16550@0x" + Integer.toHexString(base);
    }

    /** {@inheritDoc} Widths 2 and 4 read the addressed byte register, zero-extended. */
    @Override
    public int in(int port, int size) {
        int value = read(port);
        updateIrq();
        return value;
    }

    private int read(int port) {
        switch (port - base) {
            case 0:
                return dlab() ? dll : readRbr();
            case 1:
                return dlab() ? dlm : ier;
            case 2:
                return readIir();
            case 3:
                return lcr;
            case 4:
                return mcr;
            case 5:
                return readLsr();
            case 6:
                return readMsr();
            case 7:
                return scr;
            default:
                throw new IllegalArgumentException("port 0x" + Integer.toHexString(port) + " is not on " + name());
        }
    }

    /** {@inheritDoc} Widths 2 and 4 write the low byte of {@code value} to the addressed register. */
    @Override
    public void out(int port, int size, int value) {
        write(port, value & 0xFF);
        updateIrq();
    }

    private void write(int port, int v) {
        switch (port - base) {
            case 0:
                if (dlab()) {
                    dll = v;
                } else {
                    transmit(v);
                }
                break;
            case 1:
                if (dlab()) {
                    dlm = v;
                } else {
                    writeIer(v);
                }
                break;
            case 2:
                writeFcr(v);
                break;
            case 3:
                lcr = v;
                break;
            case 4:
                mcr = v & 0x1F;
                break;
            case 5:
            case 6:
                break;
            case 7:
                scr = v;
                break;
            default:
                throw new IllegalArgumentException("port 0x" + Integer.toHexString(port) + " is not on " + name());
        }
    }

    /** {@inheritDoc} */
    @Override
    public State saveState() {
        return new State(ier, thrInterruptPending, fcr, lcr, mcr, lsr(), msr, scr, dll, dlm, rbr,
                toArray(receiveBuffer), toArray(hostInput));
    }

    /** {@inheritDoc} LSR's DR, THRE and TEMT bits are derived, so only its OE bit is taken from the state. */
    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State)) {
            throw new IllegalArgumentException("not a Uart16550 state: " + state);
        }
        State s = (State) state;
        ier = s.ier() & 0x0F;
        thrInterruptPending = s.thrInterruptPending();
        fcr = s.fcr() & FCR_KEPT_BITS;
        lcr = s.lcr() & 0xFF;
        mcr = s.mcr() & 0x1F;
        overrun = (s.lsr() & LSR_OE) != 0;
        msr = s.msr() & 0xFF;
        scr = s.scr() & 0xFF;
        dll = s.dll() & 0xFF;
        dlm = s.dlm() & 0xFF;
        rbr = s.rbr() & 0xFF;
        receiveBuffer.clear();
        for (byte b : s.receiveBuffer()) {
            receiveBuffer.add(b);
        }
        hostInput.clear();
        for (byte b : s.hostInput()) {
            hostInput.add(b);
        }
        updateIrq();
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private boolean fifoEnabled() {
        return (fcr & FCR_ENABLE) != 0;
    }

    private boolean loopback() {
        return (mcr & MCR_LOOP) != 0;
    }

    private int lsr() {
        return LSR_THRE | LSR_TEMT | (receiveBuffer.isEmpty() ? 0 : LSR_DR) | (overrun ? LSR_OE : 0);
    }

    private int interruptId() {
        if ((ier & IER_RLSI) != 0 && overrun) {
            return IIR_LINE_STATUS;
        }
        if ((ier & IER_RDI) != 0 && !receiveBuffer.isEmpty()) {
            return IIR_RX_DATA;
        }
        if ((ier & IER_THRI) != 0 && thrInterruptPending) {
            return IIR_THR_EMPTY;
        }
        if ((ier & IER_MSI) != 0 && (modemStatus() & MSR_DELTAS) != 0) {
            return IIR_MODEM_STATUS;
        }
        return IIR_NO_INTERRUPT;
    }

    private int modemStatus() {
        if (!loopback()) {
            return msr;
        }
        int m = 0;
        m |= (mcr & 0x01) << 5; // DTR -> DSR
        m |= (mcr & 0x02) << 3; // RTS -> CTS
        m |= (mcr & 0x04) << 4; // OUT1 -> RI
        m |= (mcr & 0x08) << 4; // OUT2 -> DCD
        return m;
    }

    private int readRbr() {
        Byte b = receiveBuffer.poll();
        if (b == null) {
            return fifoEnabled() ? 0 : rbr;
        }
        rbr = b & 0xFF;
        fillReceiveBuffer();
        return rbr;
    }

    private int readIir() {
        int id = interruptId();
        if (id == IIR_THR_EMPTY) {
            thrInterruptPending = false;
        }
        return id | (fifoEnabled() ? IIR_FIFO_ENABLED : 0);
    }

    private int readLsr() {
        int value = lsr();
        overrun = false;
        return value;
    }

    private int readMsr() {
        int value = modemStatus();
        if (!loopback()) {
            msr &= ~MSR_DELTAS;
        }
        return value;
    }

    private void transmit(int v) {
        if (loopback()) {
            receiveLoopback((byte) v);
        } else {
            try {
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rememberLine(v);
        }
        // The byte left THR at once, so THR is empty again and raises its interrupt.
        thrInterruptPending = true;
    }

    private void receiveLoopback(byte b) {
        if (receiveBuffer.size() < capacity()) {
            receiveBuffer.add(b);
            return;
        }
        overrun = true;
        if (!fifoEnabled()) {
            receiveBuffer.clear();
            receiveBuffer.add(b);
        }
    }

    private void writeIer(int v) {
        int old = ier;
        ier = v & 0x0F;
        if (((old ^ ier) & IER_THRI) != 0) {
            // THRE is always set, so enabling the interrupt raises it at once.
            thrInterruptPending = (ier & IER_THRI) != 0;
        }
    }

    private void writeFcr(int v) {
        if (((v ^ fcr) & FCR_ENABLE) != 0) {
            v |= FCR_RX_RESET | FCR_TX_RESET;
        }
        if ((v & FCR_RX_RESET) != 0) {
            receiveBuffer.clear();
        }
        // FCR_TX_RESET: nothing to do, bytes never wait in a transmit FIFO.
        fcr = v & FCR_KEPT_BITS;
        fillReceiveBuffer();
    }

    private int capacity() {
        return fifoEnabled() ? FIFO_SIZE : 1;
    }

    private void fillReceiveBuffer() {
        while (receiveBuffer.size() < capacity() && !hostInput.isEmpty()) {
            receiveBuffer.add(hostInput.poll());
        }
    }

    private static byte[] toArray(ArrayDeque<Byte> queue) {
        byte[] bytes = new byte[queue.size()];
        int i = 0;
        for (byte b : queue) {
            bytes[i++] = b;
        }
        return bytes;
    }

    /**
     * The UART's saved state. IIR is not stored: it follows from the other registers and
     * {@code thrInterruptPending}.
     *
     * @param ier                 interrupt enable register
     * @param thrInterruptPending whether the THR-empty interrupt is raised (reported in IIR when enabled)
     * @param fcr                 FIFO control bits kept (enable, DMA mode, trigger level)
     * @param lcr                 line control register
     * @param mcr                 modem control register
     * @param lsr                 line status register as it reads (only OE is not derived)
     * @param msr                 modem status register outside loopback
     * @param scr                 scratch register
     * @param dll                 divisor latch low byte
     * @param dlm                 divisor latch high byte
     * @param rbr                 the last byte read from the receive buffer
     * @param receiveBuffer       bytes in the UART's receive buffer (FIFO or RBR), oldest first
     * @param hostInput           host input bytes not yet in the receive buffer, oldest first
     */
    public record State(int ier, boolean thrInterruptPending, int fcr, int lcr, int mcr, int lsr, int msr, int scr,
                        int dll, int dlm, int rbr, byte[] receiveBuffer, byte[] hostInput) implements DeviceState {
        /** Copies the arrays, so a state stays immutable. */
        public State {
            receiveBuffer = receiveBuffer.clone();
            hostInput = hostInput.clone();
        }

        /** A copy of the receive buffer bytes. */
        @Override
        public byte[] receiveBuffer() {
            return receiveBuffer.clone();
        }

        /** A copy of the queued host input bytes. */
        @Override
        public byte[] hostInput() {
            return hostInput.clone();
        }

        /** {@inheritDoc} Byte arrays are summarized by their lengths. */
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            r.put("ier", (long) ier);
            r.put("thrInterruptPending", thrInterruptPending ? 1L : 0L);
            r.put("fcr", (long) fcr);
            r.put("lcr", (long) lcr);
            r.put("mcr", (long) mcr);
            r.put("lsr", (long) lsr);
            r.put("msr", (long) msr);
            r.put("scr", (long) scr);
            r.put("dll", (long) dll);
            r.put("dlm", (long) dlm);
            r.put("rbr", (long) rbr);
            r.put("receiveBuffered", (long) receiveBuffer.length);
            r.put("hostQueued", (long) hostInput.length);
            return r;
        }

        /** Equality by value, comparing the byte arrays' contents. */
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof State)) {
                return false;
            }
            State s = (State) o;
            return ier == s.ier && thrInterruptPending == s.thrInterruptPending && fcr == s.fcr && lcr == s.lcr
                    && mcr == s.mcr && lsr == s.lsr && msr == s.msr && scr == s.scr && dll == s.dll && dlm == s.dlm
                    && rbr == s.rbr && Arrays.equals(receiveBuffer, s.receiveBuffer)
                    && Arrays.equals(hostInput, s.hostInput);
        }

        /** A hash consistent with {@link #equals(Object)}. */
        @Override
        public int hashCode() {
            int h = Objects.hash(ier, thrInterruptPending, fcr, lcr, mcr, lsr, msr, scr, dll, dlm, rbr);
            h = 31 * h + Arrays.hashCode(receiveBuffer);
            return 31 * h + Arrays.hashCode(hostInput);
        }

        /** The registers and the byte arrays' contents. */
        @Override
        public String toString() {
            return "Uart16550.State" + registers() + " rx=" + Arrays.toString(receiveBuffer)
                    + " host=" + Arrays.toString(hostInput);
        }
    }
}
