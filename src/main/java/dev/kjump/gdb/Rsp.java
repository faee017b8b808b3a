package dev.kjump.gdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The GDB Remote Serial Protocol's encodings: packet framing ({@code $data#cs}, the checksum being the sum of the
 * data bytes modulo 256 as two hex digits), binary escaping ({@code }} followed by the byte XOR 0x20, for
 * {@code #}, {@code $}, {@code }} and {@code *}), and the hex forms of numbers and memory.
 * Packets are handled as ISO-8859-1 strings: one char per byte.
 */
public final class Rsp {
    private Rsp() {
    }

    /** The packet checksum of {@code data}: the sum of its bytes modulo 256. */
    public static int checksum(byte[] data, int off, int len) {
        int sum = 0;
        for (int i = off; i < off + len; i++) {
            sum += data[i] & 0xFF;
        }
        return sum & 0xFF;
    }

    /** The checksum of a packet's data given as an ISO-8859-1 string. */
    public static int checksum(String data) {
        byte[] b = bytes(data);
        return checksum(b, 0, b.length);
    }

    /** Frames {@code payload} as a packet, escaping the bytes that cannot appear in packet data. */
    public static byte[] frame(String payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length() + 4);
        out.write('$');
        byte[] esc = escape(bytes(payload));
        out.write(esc, 0, esc.length);
        out.write('#');
        int cs = checksum(esc, 0, esc.length);
        out.write(hexDigit(cs >>> 4));
        out.write(hexDigit(cs & 0xF));
        return out.toByteArray();
    }

    /** Escapes {@code # $ } *} as {@code }} and the byte XOR 0x20. */
    public static byte[] escape(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 8);
        for (byte b : data) {
            if (b == '#' || b == '$' || b == '}' || b == '*') {
                out.write('}');
                out.write(b ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /**
     * Undoes {@link #escape} on binary data (the data of an {@code X} packet, say).
     *
     * @throws IllegalArgumentException when the data ends inside an escape
     */
    public static byte[] unescape(byte[] data, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len);
        for (int i = off; i < off + len; i++) {
            int b = data[i] & 0xFF;
            if (b == '}') {
                if (++i >= off + len) {
                    throw new IllegalArgumentException("binary data ends inside an escape");
                }
                out.write((data[i] & 0xFF) ^ 0x20);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** The bytes of an ISO-8859-1 string. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An ISO-8859-1 string of bytes. */
    public static String string(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /** A lower-case hex digit. */
    public static char hexDigit(int v) {
        return "0123456789abcdef".charAt(v & 0xF);
    }

    /** The value of a hex digit, or -1. */
    public static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Bytes as hex, two digits each. */
    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(hexDigit(x >>> 4)).append(hexDigit(x));
        }
        return sb.toString();
    }

    /** A 32-bit value as 8 hex digits in target (little-endian) byte order, as registers travel. */
    public static String hexLe32(int v) {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 4; i++) {
            int b = v >>> (8 * i);
            sb.append(hexDigit(b >>> 4)).append(hexDigit(b));
        }
        return sb.toString();
    }

    /**
     * Parses hex digit pairs into bytes.
     *
     * @throws IllegalArgumentException on an odd length or a non-hex digit
     */
    public static byte[] unhex(String s) {
        if ((s.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = hexValue(s.charAt(2 * i));
            int lo = hexValue(s.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not hex: " + s);
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** Parses 8 hex digits in target (little-endian) byte order. */
    public static int unhexLe32(String s) {
        byte[] b = unhex(s);
        if (b.length != 4) {
            throw new IllegalArgumentException("not a 32-bit register value: " + s);
        }
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    /**
     * Parses a big-endian hex number (addresses, lengths, register numbers): at most 16 digits.
     *
     * @throws IllegalArgumentException when empty or not hex
     */
    public static long parseHex(String s) {
        if (s.isEmpty() || s.length() > 16) {
            throw new IllegalArgumentException("not a hex number: '" + s + "'");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = hexValue(s.charAt(i));
            if (d < 0) {
                throw new IllegalArgumentException("not a hex number: '" + s + "'");
            }
            v = v << 4 | d;
        }
        return v;
    }
}
