package dev.kjump.machine.cpu;

import dev.kjump.machine.PhysicalMemory;

import static dev.kjump.machine.cpu.ArchState.*;
import static dev.kjump.machine.cpu.X86.*;

/**
 * Operand access: guest memory by linear address (page-crossing reads and writes, read-modify-write
 * operands translated as writes), registers by operand size, and the effective address of a ModRM operand.
 */
final class Operands {
    private Operands() {
    }

    // The TLB fast path first (Mmu: a hit needs the tag compare and the array access only); everything else — TLB
    // misses, page faults, frames not ready for direct stores, page-crossing accesses — takes the slow methods, which
    // are kept apart so the JIT does not inline them into every handler and every translated block.

    static int rd8(ArchState s, int lin) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastReadTag, i) == (lin & 0xFFFFF000)) {
            return PhysicalMemory.get8(Mmu.pageAt(m.fastReadPage, i), lin & 0xFFF);
        }
        return rdSlow(s, lin, 1);
    }

    static int rd16(ArchState s, int lin) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastReadTag, i) == ((lin + 1) & 0xFFFFF000)) {
            return PhysicalMemory.get16(Mmu.pageAt(m.fastReadPage, i), lin & 0xFFF);
        }
        return rdSlow(s, lin, 2);
    }

    static int rd32(ArchState s, int lin) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastReadTag, i) == ((lin + 3) & 0xFFFFF000)) {
            return PhysicalMemory.get32(Mmu.pageAt(m.fastReadPage, i), lin & 0xFFF);
        }
        return rdSlow(s, lin, 4);
    }

    static void wr8(ArchState s, int lin, int v) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastWriteTag, i) == (lin & 0xFFFFF000)) {
            PhysicalMemory.put8(Mmu.pageAt(m.fastWritePage, i), lin & 0xFFF, v);
            return;
        }
        wrSlow(s, lin, 1, v);
    }

    static void wr16(ArchState s, int lin, int v) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastWriteTag, i) == ((lin + 1) & 0xFFFFF000)) {
            PhysicalMemory.put16(Mmu.pageAt(m.fastWritePage, i), lin & 0xFFF, v);
            return;
        }
        wrSlow(s, lin, 2, v);
    }

    static void wr32(ArchState s, int lin, int v) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastWriteTag, i) == ((lin + 3) & 0xFFFFF000)) {
            PhysicalMemory.put32(Mmu.pageAt(m.fastWritePage, i), lin & 0xFFF, v);
            return;
        }
        wrSlow(s, lin, 4, v);
    }

    /** A load the fast path missed: translated (walking the tables, faulting), read, and the fast path filled. */
    static int rdSlow(ArchState s, int lin, int size) {
        if ((lin & 0xFFF) > 0x1000 - size) {
            return rdCrossing(s, lin, size);
        }
        int phys = s.mmu.read(lin);
        int v = size == 4 ? s.mem.read32(phys) : size == 1 ? s.mem.read8(phys) : s.mem.read16(phys);
        s.mmu.cacheRead(lin, phys >>> PhysicalMemory.PAGE_SHIFT);
        return v;
    }

    /** A store the fast path missed: translated (walking, faulting), written (logged, decodes dropped), fast path filled. */
    static void wrSlow(ArchState s, int lin, int size, int v) {
        if ((lin & 0xFFF) > 0x1000 - size) {
            wrCrossing(s, lin, size, v);
            return;
        }
        int phys = s.mmu.write(lin);
        if (size == 4) {
            s.mem.write32(phys, v);
        } else if (size == 1) {
            s.mem.write8(phys, v);
        } else {
            s.mem.write16(phys, v);
        }
        s.mmu.cacheWrite(lin, phys >>> PhysicalMemory.PAGE_SHIFT);
    }

    /** A read of {@code size} bytes that crosses a page boundary: both pages translated before any byte is read. */
    private static int rdCrossing(ArchState s, int lin, int size) {
        int p1 = s.mmu.read(lin);
        int p2 = s.mmu.read((lin | 0xFFF) + 1); // a fault names the first byte on the second page
        int n1 = 0x1000 - (lin & 0xFFF);
        int v = 0;
        for (int k = 0; k < size; k++) {
            v |= s.mem.read8(k < n1 ? p1 + k : p2 + (k - n1)) << (8 * k);
        }
        return v;
    }

    /** A write of {@code size} bytes that crosses a page boundary: both pages translated before any byte is written. */
    private static void wrCrossing(ArchState s, int lin, int size, int v) {
        int p1 = s.mmu.write(lin);
        int p2 = s.mmu.write((lin | 0xFFF) + 1);
        int n1 = 0x1000 - (lin & 0xFFF);
        for (int k = 0; k < size; k++) {
            s.mem.write8(k < n1 ? p1 + k : p2 + (k - n1), v >>> (8 * k));
        }
    }

    static int rd(ArchState s, int size, int lin) {
        return size == 4 ? rd32(s, lin) : size == 1 ? rd8(s, lin) : rd16(s, lin);
    }

    static void wr(ArchState s, int size, int lin, int v) {
        if (size == 4) {
            wr32(s, lin, v);
        } else if (size == 1) {
            wr8(s, lin, v);
        } else {
            wr16(s, lin, v);
        }
    }

    /**
     * Read of a read-modify-write operand: the read, then the operand's page(s) translated for the write, before
     * the instruction changes anything. A destination on a page that is not present faults as a read (error code
     * without W), as QEMU does; one that cannot be written faults here with W, so the flags and registers are still
     * those before the instruction (the hardware's and QEMU's behaviour; computing first and faulting at the write
     * would leave the new flags in the exception frame, which a copy-on-write fault then hands back).
     */
    static int rdRmw(ArchState s, int size, int lin) {
        Mmu m = s.mmu;
        int i = (lin >>> 12) & Mmu.TLB_MASK;
        if (Mmu.tagAt(m.fastWriteTag, i) == ((lin + size - 1) & 0xFFFFF000)) {
            byte[] p = Mmu.pageAt(m.fastWritePage, i);
            int off = lin & 0xFFF;
            return size == 4 ? PhysicalMemory.get32(p, off) : size == 1 ? PhysicalMemory.get8(p, off)
                    : PhysicalMemory.get16(p, off);
        }
        return rdRmwSlow(s, lin, size);
    }

    /** {@link #rdRmw} when the fast path for stores misses. */
    static int rdRmwSlow(ArchState s, int lin, int size) {
        int v = rd(s, size, lin);
        s.mmu.write(lin);
        if ((lin & 0xFFF) > 0x1000 - size) {
            s.mmu.write((lin | 0xFFF) + 1);
        }
        return v;
    }

    static int getReg8(ArchState s, int i) {
        return i < 4 ? s.r[i] & 0xFF : (s.r[i - 4] >>> 8) & 0xFF;
    }

    static void setReg8(ArchState s, int i, int v) {
        if (i < 4) {
            s.r[i] = (s.r[i] & ~0xFF) | (v & 0xFF);
        } else {
            s.r[i - 4] = (s.r[i - 4] & ~0xFF00) | ((v & 0xFF) << 8);
        }
    }

    static int getReg(ArchState s, int size, int i) {
        return size == 4 ? s.r[i] : size == 1 ? getReg8(s, i) : s.r[i] & 0xFFFF;
    }

    static void setReg(ArchState s, int size, int i, int v) {
        if (size == 4) {
            s.r[i] = v;
        } else if (size == 1) {
            setReg8(s, i, v);
        } else {
            s.r[i] = (s.r[i] & 0xFFFF0000) | (v & 0xFFFF);
        }
    }

    static int offset(ArchState s, Insn d) {
        int a = d.disp;
        if (d.base >= 0) {
            a += s.r[d.base];
        }
        if (d.index >= 0) {
            a += s.r[d.index] << d.scale;
        }
        return a & d.eaMask;
    }

    static int ea(ArchState s, Insn d) {
        return s.segBase[d.seg] + offset(s, d);
    }

    static int readRm(ArchState s, Insn d, int size) {
        return d.mod == 3 ? getReg(s, size, d.rm) : rd(s, size, ea(s, d));
    }

    static void writeRm(ArchState s, Insn d, int size, int v) {
        if (d.mod == 3) {
            setReg(s, size, d.rm, v);
        } else {
            wr(s, size, ea(s, d), v);
        }
    }

    /** LEA: the offset of the memory operand into the register (#UD for a register operand). */
    static void lea(ArchState s, Insn d, int size) {
        if (d.mod == 3) {
            throw Exceptions.ud(s);
        }
        setReg(s, size, d.reg, offset(s, d));
    }

    /** A read of a system structure (GDT, LDT, IDT, TSS): a supervisor access whatever the CPL. */
    static int rd32System(ArchState s, int lin) {
        boolean wasUser = s.mmu.setUser(false);
        try {
            return rd32(s, lin);
        } finally {
            s.mmu.setUser(wasUser);
        }
    }

    /** A write of a system structure (the accessed and busy bits): a supervisor access whatever the CPL. */
    static void wr32System(ArchState s, int lin, int v) {
        boolean wasUser = s.mmu.setUser(false);
        try {
            wr32(s, lin, v);
        } finally {
            s.mmu.setUser(wasUser);
        }
    }
}
