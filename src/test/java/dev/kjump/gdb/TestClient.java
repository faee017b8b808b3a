package dev.kjump.gdb;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal RSP client for driving the stub in tests: what gdb does on the wire, made explicit. */
final class TestClient implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean noAck;

    TestClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void noAck() {
        noAck = true;
    }

    /** Sends a packet; in ack mode, expects the stub's '+'. */
    void send(String payload) throws IOException {
        sendRaw(Rsp.frame(payload));
        if (!noAck) {
            int c = in.read();
            if (c != '+') {
                throw new IOException("expected '+', got " + c);
            }
        }
    }

    void sendRaw(byte[] b) throws IOException {
        out.write(b);
        out.flush();
    }

    void sendRaw(String s) throws IOException {
        sendRaw(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads one byte (an ack, say). */
    int readByte() throws IOException {
        return in.read();
    }

    /** Receives a packet (checking its checksum, acknowledging it in ack mode); skips nothing. */
    String receiveAny() throws IOException {
        return receiveAny(false);
    }

    /** With {@code strict}, the packet's '$' must be the next byte (no ack or noise before it). */
    String receiveAny(boolean strict) throws IOException {
        int c;
        while ((c = in.read()) != '$') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (strict) {
                throw new IOException("expected '$', got " + (char) c);
            }
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while ((c = in.read()) != '#') {
            if (c < 0) {
                throw new IOException("connection closed inside a packet");
            }
            data.write(c);
        }
        int cs = Integer.parseInt("" + (char) in.read() + (char) in.read(), 16);
        byte[] d = data.toByteArray();
        if (cs != Rsp.checksum(d, 0, d.length)) {
            throw new IOException("bad checksum from the stub");
        }
        if (!noAck) {
            sendRaw(new byte[] {'+'});
        }
        return Rsp.string(d, 0, d.length);
    }

    /** Receives a packet, skipping console output ('O' packets), whose text it appends to {@code console}. */
    String receive(StringBuilder console) throws IOException {
        while (true) {
            String p = receiveAny();
            if (p.startsWith("O") && !p.equals("OK")) {
                console.append(new String(Rsp.unhex(p.substring(1)), StandardCharsets.UTF_8));
                continue;
            }
            return p;
        }
    }

    String receive() throws IOException {
        return receive(new StringBuilder());
    }

    String request(String payload) throws IOException {
        send(payload);
        return receive();
    }

    /** True once the stub closed the connection (reads to the end). */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
