package dev.kjump.gdb;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * One client's RSP byte stream. A reader thread splits it into packets (checking checksums and acknowledging
 * them with {@code +}, or asking for a retransmission with {@code -}, until no-ack mode), acknowledgements and
 * Ctrl-C interrupts (a bare 0x03 byte, reported at once to the {@link Listener} so a running CPU can be stopped).
 * Packets wait in a queue for the thread that serves them; {@link #send} frames a reply and, in ack mode,
 * retransmits it until the client acknowledges it.
 */
public final class RspConnection implements Closeable {
    /** Largest packet accepted from a client (bytes of data); longer ones are dropped as malformed. */
    public static final int MAX_PACKET = 0x4000 + 64;

    private static final long ACK_TIMEOUT_MS = 5000;
    private static final int MAX_RETRANSMITS = 8;

    /** Told of what cannot wait in the queue; called on the reader thread. */
    public interface Listener {
        /** The client sent Ctrl-C (0x03). */
        void interrupt(RspConnection c);

        /** The connection closed (the client went away, or the socket broke). */
        void disconnected(RspConnection c);
    }

    /** What the reader saw. */
    sealed interface Event permits Packet, Ack, Nak, Closed {
    }

    /** A well-formed packet's data (escapes not undone). */
    record Packet(String data) implements Event {
    }

    /** {@code +}. */
    record Ack() implements Event {
    }

    /** {@code -}. */
    record Nak() implements Event {
    }

    /** End of the stream. */
    record Closed() implements Event {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Listener listener;
    private final LinkedBlockingDeque<Event> events = new LinkedBlockingDeque<>();
    private final Thread reader;
    private volatile boolean noAck;
    private volatile boolean closed;
    private volatile int badPackets;

    /** Wraps a connected socket; call {@link #start()} to begin reading. */
    public RspConnection(Socket socket, Listener listener) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.listener = listener;
        this.reader = new Thread(this::readLoop, "kjump-gdb-reader");
        reader.setDaemon(true);
    }

    /** Starts the reader thread. */
    public void start() {
        reader.start();
    }

    /** The client's address, for messages. */
    public String peer() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    /** True once the stream ended or {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Packets dropped for a bad checksum or framing. */
    public int badPackets() {
        return badPackets;
    }

    /** Stops acknowledging (after {@code QStartNoAckMode}). */
    public void setNoAck(boolean v) {
        noAck = v;
    }

    /** True in no-ack mode. */
    public boolean noAck() {
        return noAck;
    }

    /**
     * The next packet's data, waiting at most {@code timeoutMs} (negative: forever).
     *
     * @return the data, or null on a timeout
     * @throws IOException when the connection closed
     */
    public String nextPacket(long timeoutMs) throws IOException {
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : System.currentTimeMillis() + timeoutMs;
        while (true) {
            Event e;
            try {
                long wait = deadline - System.currentTimeMillis();
                if (timeoutMs < 0) {
                    e = events.take();
                } else if (wait <= 0) {
                    return null;
                } else {
                    e = events.poll(wait, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for gdb", ie);
            }
            if (e == null) {
                return null;
            }
            if (e instanceof Packet p) {
                return p.data();
            }
            if (e instanceof Closed) {
                events.addFirst(e);
                throw new IOException("gdb closed the connection");
            }
            // a stray + or -: nothing was waiting for it
        }
    }

    /**
     * Sends {@code payload} as a packet. In ack mode, waits for the client's {@code +}, sending the packet again
     * on each {@code -} (up to a limit); packets that arrive meanwhile stay queued, in order.
     *
     * @throws IOException when the connection is closed or broken
     */
    public void send(String payload) throws IOException {
        send(payload, ACK_TIMEOUT_MS);
    }

    /** {@link #send(String)}, waiting at most {@code ackTimeoutMs} for each acknowledgement. */
    public void send(String payload, long ackTimeoutMs) throws IOException {
        byte[] frame = Rsp.frame(payload);
        writeRaw(frame);
        if (noAck) {
            return;
        }
        Deque<Event> held = new ArrayDeque<>();
        try {
            int tries = 0;
            long deadline = System.currentTimeMillis() + ackTimeoutMs;
            while (true) {
                long wait = deadline - System.currentTimeMillis();
                Event e = wait <= 0 ? null : events.poll(wait, TimeUnit.MILLISECONDS);
                if (e == null) {
                    return; // no acknowledgement: carry on, as gdb does
                }
                if (e instanceof Ack) {
                    return;
                }
                if (e instanceof Nak) {
                    if (++tries > MAX_RETRANSMITS) {
                        return;
                    }
                    writeRaw(frame);
                    deadline = System.currentTimeMillis() + ackTimeoutMs;
                } else if (e instanceof Closed) {
                    held.addLast(e);
                    throw new IOException("gdb closed the connection");
                } else {
                    held.addLast(e);
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for gdb's acknowledgement", ie);
        } finally {
            while (!held.isEmpty()) {
                events.addFirst(held.removeLast());
            }
        }
    }

    /** Writes bytes as they are (acknowledgements, or a message to a refused client). */
    public void writeRaw(byte[] b) throws IOException {
        if (closed) {
            throw new IOException("connection to gdb is closed");
        }
        synchronized (out) {
            out.write(b);
            out.flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void readLoop() {
        try {
            int c;
            while ((c = in.read()) >= 0) {
                switch (c) {
                    case '$' -> readPacket();
                    case '+' -> events.add(new Ack());
                    case '-' -> events.add(new Nak());
                    case 0x03 -> listener.interrupt(this);
                    default -> {
                        // noise between packets is ignored, as the protocol says
                    }
                }
            }
        } catch (IOException e) {
            // the socket broke or was closed: same as the end of the stream
        } finally {
            closed = true;
            events.add(new Closed());
            try {
                socket.close();
            } catch (IOException ignored) {
                // already going
            }
            listener.disconnected(this);
        }
    }

    /** Reads after a {@code $}: data up to {@code #}, then the two checksum digits. */
    private void readPacket() throws IOException {
        byte[] buf = new byte[256];
        int n = 0;
        boolean tooLong = false;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("end of stream inside a packet");
            }
            if (c == '$') {
                // a new packet starts: the client gave up on this one
                n = 0;
                tooLong = false;
                continue;
            }
            if (c == '#') {
                break;
            }
            if (n >= MAX_PACKET) {
                tooLong = true;
                continue;
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            buf[n++] = (byte) c;
        }
        int h = in.read();
        int l = in.read();
        if (h < 0 || l < 0) {
            throw new IOException("end of stream inside a packet's checksum");
        }
        int hv = Rsp.hexValue(h);
        int lv = Rsp.hexValue(l);
        boolean good = !tooLong && hv >= 0 && lv >= 0 && (hv << 4 | lv) == Rsp.checksum(buf, 0, n);
        if (!good) {
            badPackets++;
            if (!noAck) {
                writeRaw(new byte[] {'-'});
            }
            return;
        }
        if (!noAck) {
            writeRaw(new byte[] {'+'});
        }
        events.add(new Packet(Rsp.string(buf, 0, n)));
    }
}
