package dev.kjump.machine.cpu;

/**
 * Port I/O (IN, OUT, and the port side of INS and OUTS) with its protection: at CPL > IOPL an access is
 * allowed only when the TSS I/O permission bitmap clears every bit of the ports it touches; otherwise #GP(0).
 */
final class PortIo {
    private PortIo() {
    }

    /** IN of {@code size} bytes from {@code port}. */
    static int in(ArchState s, int port, int size) {
        check(s, port, size);
        return s.io.in(port, size);
    }

    /** OUT of {@code size} bytes to {@code port}. */
    static void out(ArchState s, int port, int size, int value) {
        check(s, port, size);
        s.io.out(port, size, value);
    }

    /** #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows ports {@code port .. port+size-1}. */
    static void check(ArchState s, int port, int size) {
        if (s.cpl <= s.iopl()) {
            return;
        }
        int type = (s.trAttr & 0xF) & ~0x2; // a 32-bit TSS, available or busy
        if ((s.trSel & 0xFFFC) == 0 || type != 0x9 || (s.trLimit & 0xFFFFFFFFL) < 0x67) {
            throw Exceptions.gp(s, 0);
        }
        int mapBase = Operands.rd32System(s, s.trBase + 0x64) >>> 16;
        long at = (mapBase & 0xFFFFL) + (port >>> 3);
        if (at + 1 > (s.trLimit & 0xFFFFFFFFL)) {
            throw Exceptions.gp(s, 0);
        }
        int bits = Operands.rd32System(s, s.trBase + (int) at) & 0xFFFF;
        int mask = ((1 << size) - 1) << (port & 7);
        if ((bits & mask) != 0) {
            throw Exceptions.gp(s, 0);
        }
    }
}
