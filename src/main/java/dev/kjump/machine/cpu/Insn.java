package dev.kjump.machine.cpu;

/**
 * One decoded instruction, cached per physical address so each instruction is decoded once. Holds no linear
 * address: relative branches keep their displacement, so the same decode serves every mapping of the page.
 * Public only as the element type of {@link dev.kjump.machine.PhysicalMemory#decodeCache()}: its contents are
 * the CPU's business.
 */
public final class Insn {
    /** Opcode: 0x000-0x0FF one-byte map, 0x100-0x1FF the 0F two-byte map; {@link #OP_STOP_POINT} marks a stop point. */
    int op;
    /** Length in bytes, prefixes included. */
    int len;
    /** 66 prefix: 16-bit operand size. */
    boolean os16;
    /** 0, 0xF2 (REPNE) or 0xF3 (REP/REPE). */
    int rep;
    /** Segment register index used by the memory operand (default or override). */
    int seg;
    /** True when a segment override prefix was given. */
    boolean segOverride;
    /** ModRM fields. */
    int mod;
    int reg;
    int rm;
    /** Memory operand: base and index register (-1 for none), scale as a shift count, displacement. */
    int base = -1;
    int index = -1;
    int scale;
    int disp;
    /** 67 prefix: 16-bit address size (string instructions use SI, DI, CX; LOOP and JCXZ use CX). */
    boolean addr16;
    /** The offset mask: -1 with 32-bit addressing, 0xFFFF with 16-bit addressing (67 prefix). */
    int eaMask = -1;
    /** Immediates. */
    int imm;
    int imm2;

    /** The translated block that starts here ({@link Block#NONE}: not worth one), or null while not translated. */
    Block block;

    /**
     * This decode's page lost its decodes (a write, an eviction, a stop point): the block made from it, if any, lets go
     * of its links, so that blocks of code that is gone do not keep one another alive through links made long ago.
     */
    public void dropped() {
        if (block != null) {
            block.unlink();
        }
    }
    /** Times the run loop reached this instruction while it had no block (see {@link Translator#threshold()}). */
    int hits;

    /**
     * Pseudo opcode: a stop point, a physical address the caller registered as a host entry or where a debugger
     * breakpoint may apply; the run loop decides on the slow path.
     */
    static final int OP_STOP_POINT = 0x200;
    /** Pseudo opcode: the bytes do not form an instruction this CPU knows (#UD on execution). */
    static final int OP_INVALID = 0x201;

    boolean isMem() {
        return mod != 3;
    }
}
