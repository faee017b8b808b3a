package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.X86.*;
import static org.objectweb.asm.Opcodes.*;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Compiles a run of decoded instructions ({@link Translator} chooses them) into the bytecode of a {@link Block}
 * subclass, for the JVM to compile to host code.
 *
 * <p>What the generated {@code run} does, and why the guest cannot tell it from the interpreter:
 * <ul>
 * <li>Guest registers live in JVM locals: loaded at entry, stored back at every exit, before an instruction the
 * interpreter runs ({@link Interpreter#execute}), and in the fault handler. An inline instruction writes its
 * registers only after its last memory access that can fault, so a fault leaves them as they were.</li>
 * <li>The frequent 32-bit forms (MOV, LEA, MOVZX/MOVSX, PUSH/POP, the ALU operations, TEST, INC/DEC, shifts,
 * IMUL, CMOVcc/SETcc, Jcc/JMP/CALL/RET, LEAVE, XCHG, CDQ) are inline; the lazy flags of the inline setters stay
 * in locals and reach the CPU's fields, exactly as the interpreter would have left them, before anything there
 * is read or written (the interpreter, a helper, a condition the block cannot test from the locals), at the loop's
 * back edge, at every exit and in the fault handler (a local holds the kind still pending at run time).
 * A Jcc right after an inline CMP/SUB/TEST/AND/OR/XOR/ADD/INC/DEC compares the operands directly.</li>
 * <li>Everything else goes to the interpreter's own handlers with EIP and the instruction count set as the
 * interpreter sets them; instructions that branch, change modes or may let an interrupt in end the block.</li>
 * <li>The instruction count is exact at every exit and fault; a block whose last instruction branches back to
 * its start loops inside the method while the count stays within the limit the run loop gives (the budget's
 * end or the next timed event), so interrupts are taken at the same counts as in the interpreter.</li>
 * <li>Memory takes the TLB fast path inline ({@link Mmu}: one tag comparison, one array access). On a miss (a page
 * not in the TLB, a page fault to come, an access that crosses pages, memory-mapped I/O, a frame the write log or
 * a debugger watches or that holds code) the block takes a <em>side exit</em>: it leaves before that instruction,
 * exactly as at a fault but with the instruction not counted, and the run loop has the interpreter run it ({@link
 * Interpreter#stepOnce}), whose slow path does the rest and fills the TLB. Inline instructions write registers only
 * after their last access that can miss, and a read-modify-write's load takes the store's fast path, so that the
 * store cannot miss after the flags are set. With no calls on the miss paths the JIT keeps guest registers and the
 * TLB's arrays in host registers (bench-long's SHA-256 round reloaded every array field after every access before);
 * misses are rare once a block runs hot (none in bench-long's 526 M instructions, 1,872 in Linux's boot). A block
 * that keeps missing is made again ({@link Translator#SIDE_EXIT_LIMIT}) with calls to {@link Operands}' slow methods
 * instead; after a store that missed, that kind checks that its own page still has its decode cache and leaves at
 * the next instruction if not (self-modifying code: the interpreter decodes the new bytes). A store that hits cannot
 * touch code: frames with decodes are never on the fast path for stores.</li>
 * </ul>
 */
final class BlockCompiler {
    static final String BLOCK = Type.getInternalName(Block.class);
    static final String STATE = Type.getInternalName(ArchState.class);
    static final String INTERP = Type.getInternalName(Interpreter.class);
    static final String INSN = Type.getInternalName(Insn.class);
    static final String OPS = Type.getInternalName(Operands.class);
    static final String ALU = Type.getInternalName(Alu.class);
    static final String SHIFTS = Type.getInternalName(Shifts.class);
    static final String MEM = "dev/kjump/machine/PhysicalMemory";
    static final String STATE_D = "L" + STATE + ";";
    static final String RUN_DESC = "(" + STATE_D + "L" + INTERP + ";J)V";
    static final String CTOR_DESC = "(I[L" + INSN + ";I)V";

    // local variable slots of run()
    private static final int THIS = 0, S = 1, IN = 2, LIMIT = 3, EIP0 = 5, BASE = 6, IDX = 8, OFF = 9, CODE = 10,
            R0 = 11, SB0 = 19, FD = 25, FS = 26, FR = 27, LIN = 28, V = 29, V2 = 30, C = 31, FAULT = 32, PFN = 33,
            EXIT_EIP = 34, EXIT_COUNT = 35, TI = 36, PK = 37;

    /** Instruction classes (see {@link #classify}). */
    static final int INLINE = 0, MID = 1, END = 2;

    private final Insn[] insns;
    private final int[] offs;
    private final int n;

    // filled by the first (dry) pass, used by the second
    private final boolean[] usedReg = new boolean[8];
    private final boolean[] writtenReg = new boolean[8];
    private final boolean[] usedSeg = new boolean[6];

    private MethodVisitor mv;
    /** The kind of the last inline flag setter whose operands are in FD/FS/FR (CC_*), or -1 when unknown. */
    private int known = -1;
    private boolean[] deadFlags;
    /**
     * The kind (CC_*) of the flag setter whose flags are in FD/FS/FR (and C, after an INC or DEC: {@link
     * #carryPending}) but not yet in the CPU's fields, or -1. They are stored before anything reads or writes the
     * fields ({@link #materialize}); local PK tells the exits and the fault handler at run time (kind, plus 0x100 when
     * C is pending too), so a setter costs no store while nothing looks.
     */
    private int pendingKind = -1;
    private boolean carryPending;
    private Label loopStart;
    private Label exit;
    private Label codeEnd;

    /**
     * Most bytecode in a block's {@code run}: HotSpot never compiles a method of more than 8,000 bytes
     * (HugeMethodLimit), and such a block would run interpreted for ever; {@link #compile} refuses longer ones.
     */
    static final int MAX_CODE = 7900;

    /** The block of {@code insns[0..n)} at byte offsets {@code offs}: the code depends on their bytes only. */
    BlockCompiler(Insn[] insns, int[] offs, int n, boolean sideExits) {
        this.insns = insns;
        this.offs = offs;
        this.n = n;
        this.sideExits = sideExits;
    }

    /** Fast-path misses leave the block ({@link SideExit}) instead of calling the slow path. */
    private final boolean sideExits;
    static final String SIDE_EXIT = Type.getInternalName(SideExit.class);

    // ------------------------------------------------------------------ classification

    /** How a block treats {@code d}: {@link #INLINE}, {@link #MID} (the interpreter runs it, the block goes on) or {@link #END}. */
    static int classify(Insn d) {
        int op = d.op;
        if (!d.os16 && inline(d)) {
            return INLINE;
        }
        return mid(d) ? MID : END;
    }

    private static boolean inline(Insn d) {
        int op = d.op;
        if (op < 0x40 && (op & 7) < 6) {
            return true;
        }
        return switch (op) {
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
                 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
                 0x68, 0x6A, 0x69, 0x6B,
                 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
                 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x88, 0x89, 0x8A, 0x8B,
                 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0xA0, 0xA1, 0xA2, 0xA3, 0xA8, 0xA9,
                 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF,
                 0xC0, 0xC1, 0xC2, 0xC3, 0xC9, 0xD0, 0xD1, 0xD2, 0xD3, 0xE8, 0xE9, 0xEB,
                 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D,
                 0x18E, 0x18F,
                 0x140, 0x141, 0x142, 0x143, 0x144, 0x145, 0x146, 0x147, 0x148, 0x149, 0x14A, 0x14B, 0x14C, 0x14D,
                 0x14E, 0x14F,
                 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199, 0x19A, 0x19B, 0x19C, 0x19D,
                 0x19E, 0x19F,
                 0x1AF, 0x1B6, 0x1B7, 0x1BE, 0x1BF -> true;
            case 0x86, 0x87 -> d.mod == 3;
            case 0x8D -> d.mod != 3;
            case 0xC6, 0xC7 -> d.reg == 0;
            case 0xF6, 0xF7 -> d.reg <= 2;
            case 0xFE -> d.reg <= 1;
            case 0xFF -> d.reg <= 2 || d.reg == 4 || d.reg == 6;
            default -> false;
        };
    }

    /** Instructions the interpreter runs in the middle of a block: they change no mode, no EIP, no interrupt state. */
    private static boolean mid(Insn d) {
        int op = d.op;
        if (op < 0x40 && (op & 7) < 6) {
            return true; // 16-bit ALU forms
        }
        return switch (op) {
            case 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x62, 0x69, 0x6B, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
                 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
                 0x9E, 0x9F, 0xA0, 0xA1, 0xA2, 0xA3, 0xA8, 0xA9, 0xC0, 0xC1, 0xC8, 0xC9, 0xD0, 0xD1, 0xD2, 0xD3,
                 0xD4, 0xD5, 0xD6, 0xD7, 0xF5, 0xF8, 0xF9, 0xFC, 0xFD,
                 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
                 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
                 0x68, 0x6A, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD,
                 0xBE, 0xBF,
                 0x10D, 0x118, 0x119, 0x11A, 0x11B, 0x11C, 0x11D, 0x11E, 0x11F,
                 0x140, 0x141, 0x142, 0x143, 0x144, 0x145, 0x146, 0x147, 0x148, 0x149, 0x14A, 0x14B, 0x14C, 0x14D,
                 0x14E, 0x14F,
                 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199, 0x19A, 0x19B, 0x19C, 0x19D,
                 0x19E, 0x19F,
                 0x1A3, 0x1A4, 0x1A5, 0x1AB, 0x1AC, 0x1AD, 0x1AF, 0x1B0, 0x1B1, 0x1B3, 0x1B6, 0x1B7, 0x1BA, 0x1BB,
                 0x1BC, 0x1BD, 0x1BE, 0x1BF, 0x1C0, 0x1C1, 0x1C7, 0x1C8, 0x1C9, 0x1CA, 0x1CB, 0x1CC, 0x1CD, 0x1CE,
                 0x1CF -> true;
            case 0x8D -> d.mod != 3;
            case 0xC6, 0xC7 -> d.reg == 0;
            case 0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF -> d.rep == 0;
            case 0xF6, 0xF7 -> true; // TEST NOT NEG MUL IMUL DIV IDIV (#DE is a fault like any other)
            case 0xFE -> d.reg <= 1;
            case 0xFF -> d.reg <= 1 || d.reg == 6;
            default -> false;
        };
    }

    /** True when an inline {@code d} ends the block (a branch). */
    static boolean branches(Insn d) {
        int op = d.op;
        return op >= 0x70 && op <= 0x7F || op >= 0x180 && op <= 0x18F || op == 0xE8 || op == 0xE9 || op == 0xEB
                || op == 0xC2 || op == 0xC3 || op == 0xFF && (d.reg == 2 || d.reg == 4);
    }

    /** A fast flag setter: an inline 32-bit ADD/OR/AND/SUB/XOR/CMP/TEST, INC or DEC (all flags from locals). */
    private static int fastKind(Insn d) {
        if (d.os16) {
            return -1;
        }
        int op = d.op;
        int kind = -1;
        int size = 4;
        if (op < 0x40 && (op & 7) < 6) {
            kind = op >>> 3;
            size = (op & 1) == 0 && (op & 7) < 4 || (op & 7) == 4 ? 1 : 4;
        } else if (op == 0x81 || op == 0x83) {
            kind = d.reg;
        } else if (op == 0x85 || op == 0xA9 || op == 0xF7 && d.reg <= 1) {
            kind = Alu.AND;
        } else if (op >= 0x40 && op <= 0x47 || op == 0xFF && d.reg == 0) {
            return ArchState.CC_INC;
        } else if (op >= 0x48 && op <= 0x4F || op == 0xFF && d.reg == 1) {
            return ArchState.CC_DEC;
        }
        if (kind < 0 || size != 4 || kind == Alu.ADC || kind == Alu.SBB) {
            return -1;
        }
        return kind == Alu.ADD ? ArchState.CC_ADD : kind == Alu.SUB || kind == Alu.CMP ? ArchState.CC_SUB
                : ArchState.CC_LOGIC;
    }

    /** True when {@code d} reads the arithmetic flags (or may: anything the interpreter runs). */
    private static boolean readsFlags(Insn d, int cls) {
        if (cls != INLINE) {
            return true;
        }
        int op = d.op;
        if (op < 0x40 && (op & 7) < 6) {
            return (op >>> 3) == Alu.ADC || (op >>> 3) == Alu.SBB;
        }
        return op >= 0x40 && op <= 0x4F || op >= 0x70 && op <= 0x7F || op >= 0x80 && op <= 0x83
                && (d.reg == Alu.ADC || d.reg == Alu.SBB) || op >= 0x140 && op <= 0x19F
                || op >= 0xC0 && op <= 0xC1 || op >= 0xD0 && op <= 0xD3 || op == 0xFE || op == 0xFF && d.reg <= 1;
    }

    /** True when {@code d} may fault (a memory operand, or anything the interpreter runs). */
    private static boolean mayFault(Insn d, int cls) {
        if (cls != INLINE) {
            return true;
        }
        int op = d.op;
        if (op == 0x8D) {
            return false;
        }
        if (d.mod != 3 && hasModrm(op)) {
            return true;
        }
        return op >= 0x50 && op <= 0x5F || op == 0x68 || op == 0x6A || op >= 0xA0 && op <= 0xA3 || op == 0xC2
                || op == 0xC3 || op == 0xC9 || op == 0xE8 || op == 0xFF && (d.reg == 2 || d.reg == 6);
    }

    private static boolean hasModrm(int op) {
        return op < 0x40 && (op & 7) < 4 || op == 0x69 || op == 0x6B || op >= 0x80 && op <= 0x8F
                || op == 0xC0 || op == 0xC1 || op == 0xC6 || op == 0xC7 || op >= 0xD0 && op <= 0xD3
                || op == 0xF6 || op == 0xF7 || op == 0xFE || op == 0xFF || op >= 0x140 && op <= 0x14F
                || op >= 0x190 && op <= 0x19F || op == 0x1AF || op >= 0x1B6 && op <= 0x1BF;
    }

    /** True when {@code d} writes memory (its flags are stored before the write, as the interpreter does). */
    private static boolean writesMemory(Insn d) {
        int op = d.op;
        if (op >= 0x50 && op <= 0x57 || op == 0x68 || op == 0x6A || op == 0xA2 || op == 0xA3 || op == 0xE8) {
            return true;
        }
        if (d.mod == 3 || !hasModrm(op)) {
            return false;
        }
        if (op < 0x40) {
            return (op & 7) < 2 && (op >>> 3) != Alu.CMP;
        }
        return switch (op) {
            case 0x80, 0x81, 0x82, 0x83 -> d.reg != Alu.CMP;
            case 0x88, 0x89, 0xC6, 0xC7, 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3, 0xFE -> true;
            case 0xF6, 0xF7 -> d.reg == 2;
            case 0xFF -> d.reg <= 2 || d.reg == 6; // CALL pushes
            default -> op >= 0x190 && op <= 0x19F;
        };
    }

    /** What an instruction does to the arithmetic flags, for {@link #analyseFlags}. */
    private static final int NONE = 0, FULL = 1, UPDATE = 2, READ = 3;

    /**
     * NONE: leaves them; FULL: sets all of them from its operands alone; UPDATE: sets some or all from its
     * operands and the flags before (INC/DEC keep CF, ROL/ROR keep SF ZF AF PF); READ: anything else that may look.
     */
    private static int flagEffect(Insn d, int cls) {
        if (cls != INLINE) {
            return READ;
        }
        int op = d.op;
        int kind = -1;
        if (op < 0x40 && (op & 7) < 6) {
            kind = op >>> 3;
        } else if (op >= 0x80 && op <= 0x83) {
            kind = d.reg;
        } else if (op == 0x84 || op == 0x85 || op == 0xA8 || op == 0xA9 || (op == 0xF6 || op == 0xF7) && d.reg <= 1) {
            return FULL;
        } else if (op >= 0x40 && op <= 0x4F || (op == 0xFE || op == 0xFF) && d.reg <= 1) {
            return UPDATE;
        } else if (op == 0xC1 || op == 0xD1) {
            int count = op == 0xC1 ? d.imm & 0x1F : 1;
            if (count == 0) {
                return NONE;
            }
            return d.reg >= 4 ? FULL : d.reg <= 1 ? UPDATE : READ;
        } else if (readsFlags(d, cls) || op == 0x69 || op == 0x6B || op == 0x1AF || op >= 0xC0 && op <= 0xD3) {
            return READ;
        } else {
            return NONE;
        }
        return kind == Alu.ADC || kind == Alu.SBB ? READ : FULL;
    }

    /**
     * Which flag results nothing can see: backwards from the block's end (where the flags are the CPU's), an
     * instruction's flags are dead when a later one sets all of them before anything reads them or can fault (a
     * fault shows the flags of the instruction before it); an instruction that writes memory stores its flags
     * before the write, as the interpreter does, so they stay live.
     */
    private void analyseFlags(int[] cls) {
        deadFlags = new boolean[n];
        boolean live = true;
        for (int m = n - 1; m >= 0; m--) {
            Insn d = insns[m];
            deadFlags[m] = !live && cls[m] == INLINE && !writesMemory(d);
            boolean in = switch (flagEffect(d, cls[m])) {
                case NONE -> live;
                case FULL -> false;
                case UPDATE -> live;
                default -> true;
            };
            if (mayFault(d, cls[m])) {
                in = true;
            }
            live = in;
        }
    }

    // ------------------------------------------------------------------ the class

    /** The class file of the block, or null when its code would be longer than {@link #MAX_CODE}. */
    byte[] compile() {
        int[] cls = new int[n];
        for (int j = 0; j < n; j++) {
            cls[j] = classify(insns[j]);
        }
        analyseFlags(cls);
        mv = new MethodVisitor(Opcodes.ASM9) { }; // a dry pass: learns which registers and segments are used
        body(cls);
        // Java 5 class files (no stack map frames): the JVM verifies them by type inference, in its own native code,
        // where computing frames with ASM was most of a block's translation time in a fresh process (ASM's frame code
        // runs interpreted at first, then takes the JIT's time that the blocks themselves need)
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        String name = "dev/kjump/machine/cpu/TranslatedBlock";
        cw.visit(V1_5, ACC_FINAL | ACC_SUPER, name, null, BLOCK, null);
        MethodVisitor c = cw.visitMethod(0, "<init>", CTOR_DESC, null, null);
        c.visitCode();
        c.visitVarInsn(ALOAD, 0);
        loadBlockArgs(c);
        c.visitMethodInsn(INVOKESPECIAL, BLOCK, "<init>", CTOR_DESC, false);
        c.visitInsn(RETURN);
        c.visitMaxs(0, 0);
        c.visitEnd();
        MethodVisitor mk = cw.visitMethod(0, "make", "(I[L" + INSN + ";I)L" + BLOCK + ";", null, null);
        mk.visitCode();
        mk.visitTypeInsn(NEW, name);
        mk.visitInsn(DUP);
        loadBlockArgs(mk);
        mk.visitMethodInsn(INVOKESPECIAL, name, "<init>", CTOR_DESC, false);
        mk.visitInsn(ARETURN);
        mk.visitMaxs(0, 0);
        mk.visitEnd();
        mv = cw.visitMethod(0, "run", RUN_DESC, null, null);
        mv.visitCode();
        body(cls);
        if (codeEnd.getOffset() > MAX_CODE) {
            return null;
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** Pushes the arguments (count, insns, pfn) of the constructor and of {@code make}. */
    private static void loadBlockArgs(MethodVisitor m) {
        m.visitVarInsn(ILOAD, 1);
        m.visitVarInsn(ALOAD, 2);
        m.visitVarInsn(ILOAD, 3);
    }

    private void body(int[] cls) {
        known = -1;
        // entry: EIP, count, decode cache, registers and segment bases into locals
        mv.visitVarInsn(ALOAD, S);
        mv.visitFieldInsn(GETFIELD, STATE, "eip", "I");
        mv.visitVarInsn(ISTORE, EIP0);
        mv.visitVarInsn(ALOAD, S);
        mv.visitFieldInsn(GETFIELD, STATE, "icount", "J");
        mv.visitVarInsn(LSTORE, BASE);
        mv.visitVarInsn(ALOAD, S);
        mv.visitFieldInsn(GETFIELD, STATE, "mem", "L" + MEM + ";");
        mv.visitMethodInsn(INVOKEVIRTUAL, MEM, "decodeCache", "()[[L" + INSN + ";", false);
        mv.visitVarInsn(ASTORE, CODE);
        mv.visitVarInsn(ALOAD, THIS);
        mv.visitFieldInsn(GETFIELD, BLOCK, "pfn", "I");
        mv.visitVarInsn(ISTORE, PFN);
        iconst(0);
        mv.visitVarInsn(ISTORE, IDX);
        iconst(0);
        mv.visitVarInsn(ISTORE, OFF);
        for (int v : new int[] {FD, FS, FR, C}) {
            iconst(0);
            mv.visitVarInsn(ISTORE, v);
        }
        iconst(-1);
        mv.visitVarInsn(ISTORE, PK);
        pendingKind = -1;
        carryPending = false;
        reload();
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label handler = new Label();
        Label sideHandler = new Label();
        mv.visitTryCatchBlock(tryStart, tryEnd, handler, Type.getInternalName(CpuFault.class));
        if (sideExits) {
            mv.visitTryCatchBlock(tryStart, tryEnd, sideHandler, SIDE_EXIT);
        }
        mv.visitLabel(tryStart);
        loopStart = new Label();
        exit = new Label();
        mv.visitLabel(loopStart);
        for (int j = 0; j < n; j++) {
            Insn d = insns[j];
            if (cls[j] == INLINE) {
                if (mayFault(d, INLINE)) {
                    iconst(j);
                    mv.visitVarInsn(ISTORE, IDX);
                    iconst(offs[j]);
                    mv.visitVarInsn(ISTORE, OFF);
                }
                inlineInsn(j, d);
                if (branches(d)) {
                    break;
                }
            } else {
                generic(j, d, cls[j] == END);
                if (cls[j] == END) {
                    break;
                }
            }
        }
        if (!branches(insns[n - 1]) && cls[n - 1] != END) {
            exitTo(n - 1, offs[n - 1] + insns[n - 1].len);
        }
        emitExit();
        mv.visitLabel(tryEnd);
        // the fault handler: registers as at the faulting instruction (unless the interpreter ran it), EIP at it,
        // the count including it; the run loop delivers the exception
        mv.visitLabel(handler);
        mv.visitVarInsn(ASTORE, FAULT);
        Label noFlush = new Label();
        mv.visitVarInsn(ILOAD, IDX);
        mv.visitJumpInsn(IFLT, noFlush);
        flush();
        mv.visitLabel(noFlush);
        pendingFlagsOut();
        atCurrentInstruction(1);
        mv.visitVarInsn(ALOAD, FAULT);
        mv.visitInsn(ATHROW);
        if (sideExits) {
            // a side exit (always from an inline instruction, IDX >= 0): as at a fault, but the instruction is not
            // counted, and the run loop has the interpreter run it next
            mv.visitLabel(sideHandler);
            mv.visitInsn(POP);
            flush();
            pendingFlagsOut();
            atCurrentInstruction(0);
            mv.visitVarInsn(ALOAD, IN);
            iconst(1);
            mv.visitFieldInsn(PUTFIELD, INTERP, "stepOnce", "Z");
            mv.visitInsn(RETURN);
        }
        codeEnd = new Label();
        mv.visitLabel(codeEnd);
    }

    /**
     * EIP at the instruction of index IDX (or ~IDX when the interpreter ran it), at offset OFF; the count through
     * the instructions before it, plus {@code counted} (1: it is counted, as a faulting instruction is).
     */
    private void atCurrentInstruction(int counted) {
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(ILOAD, EIP0);
        mv.visitVarInsn(ILOAD, OFF);
        mv.visitInsn(IADD);
        mv.visitFieldInsn(PUTFIELD, STATE, "eip", "I");
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(LLOAD, BASE);
        mv.visitVarInsn(ILOAD, IDX);
        mv.visitVarInsn(ILOAD, IDX);
        iconst(31);
        mv.visitInsn(ISHR);
        mv.visitInsn(IXOR); // IDX or ~IDX: the instruction's index
        if (counted != 0) {
            iconst(counted);
            mv.visitInsn(IADD);
        }
        mv.visitInsn(I2L);
        mv.visitInsn(LADD);
        mv.visitFieldInsn(PUTFIELD, STATE, "icount", "J");
    }

    // ------------------------------------------------------------------ state in locals

    /** Loads the registers and segment bases the block uses into their locals. */
    private void reload() {
        loadInto("r", usedReg, R0);
        loadInto("segBase", usedSeg, SB0);
    }

    /** Each element {@code i} of the CPU's int array {@code field} with {@code used[i]} into local {@code first + i}. */
    private void loadInto(String field, boolean[] used, int first) {
        for (int i = 0; i < used.length; i++) {
            if (used[i]) {
                mv.visitVarInsn(ALOAD, S);
                mv.visitFieldInsn(GETFIELD, STATE, field, "[I");
                iconst(i);
                mv.visitInsn(IALOAD);
                mv.visitVarInsn(ISTORE, first + i);
            }
        }
    }

    private void flush() {
        for (int i = 0; i < 8; i++) {
            if (writtenReg[i]) {
                mv.visitVarInsn(ALOAD, S);
                mv.visitFieldInsn(GETFIELD, STATE, "r", "[I");
                iconst(i);
                mv.visitVarInsn(ILOAD, R0 + i);
                mv.visitInsn(IASTORE);
            }
        }
    }

    /** Sets the instruction count to include instructions 0..j of this pass. */
    private void setCount(int j) {
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(LLOAD, BASE);
        mv.visitLdcInsn((long) (j + 1));
        mv.visitInsn(LADD);
        mv.visitFieldInsn(PUTFIELD, STATE, "icount", "J");
    }

    /** Leaves the block after instruction j with EIP at block offset {@code off}. */
    private void exitTo(int j, int off) {
        mv.visitVarInsn(ILOAD, EIP0);
        iconst(off);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, EXIT_EIP);
        toExit(j);
    }

    /** Leaves the block after instruction j with EIP the value in local {@code local}. */
    private void exitToLocal(int j, int local) {
        mv.visitVarInsn(ILOAD, local);
        mv.visitVarInsn(ISTORE, EXIT_EIP);
        toExit(j);
    }

    /** To the one exit of the block (EXIT_EIP set): registers stored, EIP and the count of instructions 0..j. */
    private void toExit(int j) {
        iconst(j + 1);
        mv.visitVarInsn(ISTORE, EXIT_COUNT);
        mv.visitJumpInsn(GOTO, exit);
    }

    /** The exit every way out of the block jumps to: a block's code stays small for the JVM to compile. */
    private void emitExit() {
        mv.visitLabel(exit);
        flush();
        pendingFlagsOut();
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(ILOAD, EXIT_EIP);
        mv.visitFieldInsn(PUTFIELD, STATE, "eip", "I");
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(LLOAD, BASE);
        mv.visitVarInsn(ILOAD, EXIT_COUNT);
        mv.visitInsn(I2L);
        mv.visitInsn(LADD);
        mv.visitFieldInsn(PUTFIELD, STATE, "icount", "J");
        mv.visitInsn(RETURN);
    }

    /** A branch to block offset {@code off} from the last instruction j: loops when it is the block's start. */
    private void branchTo(int j, int off) {
        if (off != 0) {
            exitTo(j, off);
            return;
        }
        // back to the start: another pass if it fits before the limit and the host has not asked to stop
        materialize(); // the pass starts with the flags in the CPU's fields
        Label out = new Label();
        mv.visitVarInsn(LLOAD, BASE);
        mv.visitLdcInsn((long) (j + 1));
        mv.visitInsn(LADD);
        mv.visitVarInsn(LSTORE, BASE);
        mv.visitVarInsn(LLOAD, BASE);
        mv.visitLdcInsn((long) (j + 1));
        mv.visitInsn(LADD);
        mv.visitVarInsn(LLOAD, LIMIT);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFGT, out);
        mv.visitVarInsn(ALOAD, IN);
        mv.visitFieldInsn(GETFIELD, INTERP, "hostStopRequested", "Z");
        mv.visitJumpInsn(IFNE, out);
        known = -1;
        mv.visitJumpInsn(GOTO, loopStart);
        mv.visitLabel(out);
        exitTo(-1, 0);
    }

    /** After a store by instruction j: leave at the next instruction when the block's page lost its decodes. */
    private void smcCheck(int j) {
        Label ok = new Label();
        mv.visitVarInsn(ALOAD, CODE);
        mv.visitVarInsn(ILOAD, PFN);
        mv.visitInsn(AALOAD);
        mv.visitJumpInsn(IFNONNULL, ok);
        exitTo(j, offs[j] + insns[j].len);
        mv.visitLabel(ok);
    }

    // ------------------------------------------------------------------ instructions the interpreter runs

    private void generic(int j, Insn d, boolean end) {
        materialize();
        known = -1;
        flush();
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(ILOAD, EIP0);
        iconst(offs[j] + d.len);
        mv.visitInsn(IADD);
        mv.visitFieldInsn(PUTFIELD, STATE, "eip", "I");
        setCount(j);
        iconst(~j);
        mv.visitVarInsn(ISTORE, IDX);
        iconst(offs[j]);
        mv.visitVarInsn(ISTORE, OFF);
        mv.visitVarInsn(ALOAD, IN);
        mv.visitVarInsn(ALOAD, THIS);
        mv.visitFieldInsn(GETFIELD, BLOCK, "insns", "[L" + INSN + ";");
        iconst(j);
        mv.visitInsn(AALOAD);
        mv.visitMethodInsn(INVOKEVIRTUAL, INTERP, "execute", "(L" + INSN + ";)V", false);
        if (end) {
            mv.visitInsn(RETURN);
            return;
        }
        reload();
        Label ok = new Label();
        mv.visitVarInsn(ALOAD, CODE);
        mv.visitVarInsn(ILOAD, PFN);
        mv.visitInsn(AALOAD);
        mv.visitJumpInsn(IFNONNULL, ok);
        mv.visitInsn(RETURN); // EIP, count and registers are already in the CPU
        mv.visitLabel(ok);
    }

    // ------------------------------------------------------------------ operands

    private void iconst(int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    /** Pushes register {@code i} of {@code size} bytes (zero-extended). */
    private void getReg(int size, int i) {
        if (size == 1) {
            int r = i & 3;
            usedReg[r] = true;
            mv.visitVarInsn(ILOAD, R0 + r);
            if (i >= 4) {
                iconst(8);
                mv.visitInsn(IUSHR);
            }
            iconst(0xFF);
            mv.visitInsn(IAND);
            return;
        }
        usedReg[i] = true;
        mv.visitVarInsn(ILOAD, R0 + i);
        if (size == 2) {
            iconst(0xFFFF);
            mv.visitInsn(IAND);
        }
    }

    /** Pops a value into register {@code i} of {@code size} bytes (the rest of the register kept). */
    private void setReg(int size, int i) {
        if (size == 4) {
            usedReg[i] = writtenReg[i] = true;
            mv.visitVarInsn(ISTORE, R0 + i);
            return;
        }
        int r = size == 1 ? i & 3 : i;
        usedReg[r] = writtenReg[r] = true;
        int keep;
        if (size == 1) {
            iconst(0xFF);
            mv.visitInsn(IAND);
            if (i >= 4) {
                iconst(8);
                mv.visitInsn(ISHL);
                keep = ~0xFF00;
            } else {
                keep = ~0xFF;
            }
        } else {
            iconst(0xFFFF);
            mv.visitInsn(IAND);
            keep = 0xFFFF0000;
        }
        mv.visitVarInsn(ILOAD, R0 + r);
        iconst(keep);
        mv.visitInsn(IAND);
        mv.visitInsn(IOR);
        mv.visitVarInsn(ISTORE, R0 + r);
    }

    /** Pushes the offset of the memory operand (no segment base). */
    private void offset(Insn d) {
        iconst(d.disp);
        if (d.base >= 0) {
            getReg(4, d.base);
            mv.visitInsn(IADD);
        }
        if (d.index >= 0) {
            getReg(4, d.index);
            if (d.scale != 0) {
                iconst(d.scale);
                mv.visitInsn(ISHL);
            }
            mv.visitInsn(IADD);
        }
        if (d.eaMask != -1) {
            iconst(d.eaMask);
            mv.visitInsn(IAND);
        }
    }

    private void segBase(int seg) {
        usedSeg[seg] = true;
        mv.visitVarInsn(ILOAD, SB0 + seg);
    }

    /** Computes the linear address of the memory operand into LIN. */
    private void ea(Insn d) {
        segBase(d.seg);
        offset(d);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, LIN);
    }

    private static final String MMU = Type.getInternalName(Mmu.class);

    /*
     * Loads and stores take the TLB fast path inline, as Operands does (see Mmu): the tag of the entry of LIN's page
     * compared with the page of the access's last byte; a hit is one array access, a miss takes a side exit or calls
     * the slow method (translation, page faults, page-crossing accesses, the write path of PhysicalMemory), which
     * fills the entry.
     */

    /** TI = the TLB index of LIN; pushes the fast-path tag array {@code tags} and compares the entry with LIN's page. */
    private void fastPathMiss(String tags, int size, Label miss) {
        mv.visitVarInsn(ILOAD, LIN);
        iconst(12);
        mv.visitInsn(IUSHR);
        iconst(Mmu.TLB_MASK);
        mv.visitInsn(IAND);
        mv.visitVarInsn(ISTORE, TI);
        fastEntry(tags, "[I", "tagAt", "I");
        mv.visitVarInsn(ILOAD, LIN);
        if (size > 1) {
            iconst(size - 1);
            mv.visitInsn(IADD);
        }
        iconst(0xFFFFF000);
        mv.visitInsn(IAND);
        mv.visitJumpInsn(IF_ICMPNE, miss);
    }

    /** Leaves the block before the current instruction: the run loop's interpreter runs it (its slow path). */
    private void sideExit() {
        mv.visitFieldInsn(GETSTATIC, SIDE_EXIT, "INSTANCE", "L" + SIDE_EXIT + ";");
        mv.visitInsn(ATHROW);
    }

    /** Pushes the page array of fast-path entry TI from {@code pages}, then LIN's offset in the page. */
    private void fastPage(String pages) {
        fastEntry(pages, "[[B", "pageAt", "[B");
        mv.visitVarInsn(ILOAD, LIN);
        iconst(0xFFF);
        mv.visitInsn(IAND);
    }

    /**
     * Pushes entry TI of the TLB's fast-path array {@code field} (of type {@code desc}), read by Mmu's {@code
     * accessor} (returning {@code type}) without a range check.
     */
    private void fastEntry(String field, String desc, String accessor, String type) {
        mv.visitVarInsn(ALOAD, S);
        mv.visitFieldInsn(GETFIELD, STATE, "mmu", "L" + MMU + ";");
        mv.visitFieldInsn(GETFIELD, MMU, field, desc);
        mv.visitVarInsn(ILOAD, TI);
        mv.visitMethodInsn(INVOKESTATIC, MMU, accessor, "(" + desc + "I)" + type, false);
    }

    private static String getName(int size) {
        return size == 4 ? "get32" : size == 1 ? "get8" : "get16";
    }

    /**
     * Pushes the value at linear address LIN: through the fast path for loads, or, for a read-modify-write operand
     * ({@link Operands#rdRmw}: read, then translated for the write), the one for stores.
     */
    private void loadLin(int size, boolean rmw) {
        Label miss = new Label();
        Label done = new Label();
        fastPathMiss(rmw ? "fastWriteTag" : "fastReadTag", size, miss);
        fastPage(rmw ? "fastWritePage" : "fastReadPage");
        mv.visitMethodInsn(INVOKESTATIC, MEM, getName(size), "([BI)I", false);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(miss);
        if (sideExits) {
            sideExit();
        } else {
            mv.visitVarInsn(ALOAD, S);
            mv.visitVarInsn(ILOAD, LIN);
            iconst(size);
            mv.visitMethodInsn(INVOKESTATIC, OPS, rmw ? "rdRmwSlow" : "rdSlow", "(" + STATE_D + "II)I", false);
        }
        mv.visitLabel(done);
    }

    /**
     * Writes local {@code v} to linear address LIN; in a block with slow calls, after a store the fast path missed,
     * when {@code j >= 0}, checks for a store into this block's page (a frame with decodes is never on the fast path).
     */
    private void wrLin(int j, int size, int v) {
        Label miss = new Label();
        Label done = new Label();
        fastPathMiss("fastWriteTag", size, miss);
        fastPage("fastWritePage");
        mv.visitVarInsn(ILOAD, v);
        mv.visitMethodInsn(INVOKESTATIC, MEM, size == 4 ? "put32" : size == 1 ? "put8" : "put16", "([BII)V", false);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(miss);
        if (sideExits) {
            sideExit(); // (the interpreter's store takes care of code on the page)
        } else {
            mv.visitVarInsn(ALOAD, S);
            mv.visitVarInsn(ILOAD, LIN);
            iconst(size);
            mv.visitVarInsn(ILOAD, v);
            mv.visitMethodInsn(INVOKESTATIC, OPS, "wrSlow", "(" + STATE_D + "III)V", false);
            if (j >= 0) {
                smcCheck(j);
            }
        }
        mv.visitLabel(done);
    }

    /** Pushes the r/m operand (for memory, LIN holds its address afterwards). */
    private void readRm(Insn d, int size) {
        readRm(d, size, false);
    }

    /** Pushes the r/m operand; of a read-modify-write when {@code rmw} (its address then translated for the write). */
    private void readRm(Insn d, int size, boolean rmw) {
        if (d.mod == 3) {
            getReg(size, d.rm);
        } else {
            ea(d);
            loadLin(size, rmw);
        }
    }

    /** Writes local {@code v} to the r/m operand (for memory, at LIN when {@code haveLin}). */
    private void writeRm(int j, Insn d, int size, int v, boolean haveLin) {
        if (d.mod == 3) {
            mv.visitVarInsn(ILOAD, v);
            setReg(size, d.rm);
        } else {
            if (!haveLin) {
                ea(d);
            }
            wrLin(j, size, v);
        }
    }

    // ------------------------------------------------------------------ flags

    private void putCc(String field, int local) {
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(ILOAD, local);
        mv.visitFieldInsn(PUTFIELD, STATE, field, "I");
    }

    private void putCcConst(String field, int value) {
        mv.visitVarInsn(ALOAD, S);
        iconst(value);
        mv.visitFieldInsn(PUTFIELD, STATE, field, "I");
    }

    /** The lazy flags of a 32-bit operation with operands FD, FS and result FR (as {@code ArchState.setCc}). */
    private void storeCc(int j, int ccOp) {
        known = ccOp;
        pendingKind = ccOp;
        if (ccOp == ArchState.CC_INC || ccOp == ArchState.CC_DEC) {
            carryPending = true;
        }
        iconst(ccOp | (carryPending ? 0x100 : 0));
        mv.visitVarInsn(ISTORE, PK);
    }

    /** Stores pending flags into the CPU's fields (as {@code ArchState.setCc}), before anything there is used. */
    private void materialize() {
        if (pendingKind < 0) {
            return;
        }
        putCcConst("ccOp", pendingKind);
        putCcConst("ccShift", 0);
        putCc("ccDst", FD);
        putCc("ccSrc", FS);
        putCc("ccRes", FR);
        if (carryPending) {
            putCc("ccCarry", C);
        }
        iconst(-1);
        mv.visitVarInsn(ISTORE, PK);
        pendingKind = -1;
        carryPending = false;
    }

    /** At an exit or in the fault handler: the flags still pending (local PK) into the CPU's fields. */
    private void pendingFlagsOut() {
        Label none = new Label();
        mv.visitVarInsn(ILOAD, PK);
        mv.visitJumpInsn(IFLT, none);
        mv.visitVarInsn(ALOAD, S);
        mv.visitVarInsn(ILOAD, PK);
        iconst(0xFF);
        mv.visitInsn(IAND);
        mv.visitFieldInsn(PUTFIELD, STATE, "ccOp", "I");
        putCcConst("ccShift", 0);
        putCc("ccDst", FD);
        putCc("ccSrc", FS);
        putCc("ccRes", FR);
        mv.visitVarInsn(ILOAD, PK);
        iconst(0x100);
        mv.visitInsn(IAND);
        mv.visitJumpInsn(IFEQ, none);
        putCc("ccCarry", C);
        mv.visitLabel(none);
    }

    /**
     * A 32-bit ALU operation on the value on the stack (dst) and the one after it (src) with lazy flags from
     * locals; leaves the result in FR.
     */
    private void fastAlu(int j, int kind) {
        mv.visitVarInsn(ISTORE, FS);
        mv.visitVarInsn(ISTORE, FD);
        mv.visitVarInsn(ILOAD, FD);
        mv.visitVarInsn(ILOAD, FS);
        switch (kind) {
            case Alu.ADD -> mv.visitInsn(IADD);
            case Alu.OR -> mv.visitInsn(IOR);
            case Alu.AND -> mv.visitInsn(IAND);
            case Alu.XOR -> mv.visitInsn(IXOR);
            default -> mv.visitInsn(ISUB);
        }
        mv.visitVarInsn(ISTORE, FR);
        storeCc(j, kind == Alu.ADD ? ArchState.CC_ADD : kind == Alu.SUB || kind == Alu.CMP ? ArchState.CC_SUB
                : ArchState.CC_LOGIC);
    }

    /**
     * ALU operation {@code kind} of {@code size} on dst (stack) and src (after it): leaves the result (masked) in
     * local V. Size 4 without a carry in runs inline; the others call {@link Alu#alu}.
     */
    private void alu(int j, int kind, int size) {
        if (size == 4 && kind != Alu.ADC && kind != Alu.SBB) {
            fastAlu(j, kind);
            mv.visitVarInsn(ILOAD, FR);
            mv.visitVarInsn(ISTORE, V);
            return;
        }
        mv.visitVarInsn(ISTORE, V2);
        mv.visitVarInsn(ISTORE, V);
        materialize();
        mv.visitVarInsn(ALOAD, S);
        iconst(kind);
        iconst(size);
        mv.visitVarInsn(ILOAD, V);
        mv.visitVarInsn(ILOAD, V2);
        mv.visitMethodInsn(INVOKESTATIC, ALU, "alu", "(" + STATE_D + "IIII)I", false);
        mv.visitVarInsn(ISTORE, V);
        known = -1;
    }

    /** INC (true) or DEC of the value in local V into FR, CF kept (as {@code Alu.inc/dec}). */
    private void incDec(int j, boolean inc) {
        if (!deadFlags[j]) {
            carryIn();
        }
        mv.visitVarInsn(ILOAD, V);
        mv.visitVarInsn(ISTORE, FD);
        iconst(1);
        mv.visitVarInsn(ISTORE, FS);
        mv.visitVarInsn(ILOAD, V);
        iconst(1);
        mv.visitInsn(inc ? IADD : ISUB);
        mv.visitVarInsn(ISTORE, FR);
        storeCc(j, inc ? ArchState.CC_INC : ArchState.CC_DEC);
    }

    /** C = CF as it is now (what INC and DEC keep): from the pending setter's operands, else from the CPU's fields. */
    private void carryIn() {
        switch (pendingKind) {
            case ArchState.CC_ADD, ArchState.CC_SUB -> { // res < dst (ADD), dst < src (SUB), unsigned
                mv.visitVarInsn(ILOAD, pendingKind == ArchState.CC_ADD ? FR : FD);
                mv.visitVarInsn(ILOAD, pendingKind == ArchState.CC_ADD ? FD : FS);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer", "compareUnsigned", "(II)I", false);
                iconst(31);
                mv.visitInsn(IUSHR);
                mv.visitVarInsn(ISTORE, C);
            }
            case ArchState.CC_LOGIC -> {
                iconst(0);
                mv.visitVarInsn(ISTORE, C);
            }
            case ArchState.CC_INC, ArchState.CC_DEC -> {
                // C already holds the carry they kept
            }
            default -> {
                mv.visitVarInsn(ALOAD, S);
                mv.visitMethodInsn(INVOKEVIRTUAL, STATE, "cf", "()Z", false);
                mv.visitVarInsn(ISTORE, C);
            }
        }
    }

    /** Jumps to {@code yes} when condition {@code cc} (Jcc's low nibble) holds. */
    private void condJump(int cc, Label yes) {
        int c = cc >> 1;
        boolean neg = (cc & 1) != 0;
        if (known == ArchState.CC_SUB && c != 0 && c != 5) {
            if (c == 4) {
                mv.visitVarInsn(ILOAD, FR);
                mv.visitJumpInsn(neg ? IFGE : IFLT, yes);
                return;
            }
            mv.visitVarInsn(ILOAD, FD);
            if (c == 1 || c == 3) {
                iconst(Integer.MIN_VALUE);
                mv.visitInsn(IXOR);
            }
            mv.visitVarInsn(ILOAD, FS);
            if (c == 1 || c == 3) {
                iconst(Integer.MIN_VALUE);
                mv.visitInsn(IXOR);
            }
            int op = switch (c) {
                case 1, 6 -> neg ? IF_ICMPGE : IF_ICMPLT;
                case 2 -> neg ? IF_ICMPNE : IF_ICMPEQ;
                default -> neg ? IF_ICMPGT : IF_ICMPLE; // 3, 7
            };
            mv.visitJumpInsn(op, yes);
            return;
        }
        if (known == ArchState.CC_LOGIC && c != 5) {
            // CF = OF = 0: B never, BE = E, L = S, LE = ZF or SF
            switch (c) {
                case 0, 1 -> {
                    if (neg) {
                        mv.visitJumpInsn(GOTO, yes);
                    }
                }
                case 2, 3 -> {
                    mv.visitVarInsn(ILOAD, FR);
                    mv.visitJumpInsn(neg ? IFNE : IFEQ, yes);
                }
                case 4, 6 -> {
                    mv.visitVarInsn(ILOAD, FR);
                    mv.visitJumpInsn(neg ? IFGE : IFLT, yes);
                }
                default -> {
                    mv.visitVarInsn(ILOAD, FR);
                    mv.visitJumpInsn(neg ? IFGT : IFLE, yes);
                }
            }
            return;
        }
        if (known >= 0 && (c == 2 || c == 4)) { // ADD, INC, DEC: ZF and SF from the result
            mv.visitVarInsn(ILOAD, FR);
            mv.visitJumpInsn(c == 2 ? (neg ? IFNE : IFEQ) : (neg ? IFGE : IFLT), yes);
            return;
        }
        materialize();
        mv.visitVarInsn(ALOAD, S);
        iconst(cc);
        mv.visitMethodInsn(INVOKEVIRTUAL, STATE, "cond", "(I)Z", false);
        mv.visitJumpInsn(IFNE, yes);
    }

    /** Pushes 1 when condition {@code cc} holds, else 0. */
    private void condValue(int cc) {
        Label yes = new Label();
        Label done = new Label();
        condJump(cc, yes);
        iconst(0);
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(yes);
        iconst(1);
        mv.visitLabel(done);
    }

    // ------------------------------------------------------------------ inline instructions

    private void push32FromLocal(int j, int v) {
        // as Stack.push32: the write at ESP - 4, then ESP
        segBase(SS);
        getReg(4, ESP);
        iconst(4);
        mv.visitInsn(ISUB);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, LIN);
        wrLin(-1, 4, v); // the caller checks for a store into the block's page once ESP is written
        getReg(4, ESP);
        iconst(4);
        mv.visitInsn(ISUB);
        setReg(4, ESP);
    }

    /**
     * Pops 32 bits into local {@code v} from the stack top in register {@code top} (ESP; EBP for LEAVE): the read
     * at SS:top, then ESP = top + 4 + {@code release}.
     */
    private void pop32ToLocal(int v, int top, int release) {
        segBase(SS);
        getReg(4, top);
        mv.visitInsn(IADD);
        mv.visitVarInsn(ISTORE, LIN);
        loadLin(4, false);
        mv.visitVarInsn(ISTORE, v);
        getReg(4, top);
        iconst(4 + release);
        mv.visitInsn(IADD);
        setReg(4, ESP);
    }

    private void inlineInsn(int j, Insn d) {
        int op = d.op;
        int next = offs[j] + d.len;
        if (op < 0x40 && (op & 7) < 6) {
            int kind = op >>> 3;
            switch (op & 7) {
                case 0, 1 -> {
                    int size = (op & 1) == 0 ? 1 : 4;
                    aluRm(j, d, kind, size, () -> getReg(size, d.reg));
                }
                case 2, 3 -> {
                    int size = (op & 1) == 0 ? 1 : 4;
                    getReg(size, d.reg);
                    readRm(d, size);
                    alu(j, kind, size);
                    if (kind != Alu.CMP) {
                        mv.visitVarInsn(ILOAD, V);
                        setReg(size, d.reg);
                    }
                }
                default -> {
                    int size = (op & 1) == 0 ? 1 : 4;
                    getReg(size, EAX);
                    iconst(d.imm);
                    alu(j, kind, size);
                    if (kind != Alu.CMP) {
                        mv.visitVarInsn(ILOAD, V);
                        setReg(size, EAX);
                    }
                }
            }
            return;
        }
        switch (op) {
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> {
                getReg(4, op & 7);
                mv.visitVarInsn(ISTORE, V);
                incDec(j, op < 0x48);
                mv.visitVarInsn(ILOAD, FR);
                setReg(4, op & 7);
            }
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> {
                getReg(4, op & 7);
                mv.visitVarInsn(ISTORE, V);
                push32FromLocal(j, V);
                smcCheck(j);
            }
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> {
                pop32ToLocal(V, ESP, 0);
                mv.visitVarInsn(ILOAD, V);
                setReg(4, op & 7);
            }
            case 0x68, 0x6A -> {
                iconst(d.imm);
                mv.visitVarInsn(ISTORE, V);
                push32FromLocal(j, V);
                smcCheck(j);
            }
            case 0x69, 0x6B, 0x1AF -> {
                materialize();
                mv.visitVarInsn(ALOAD, S);
                iconst(4);
                if (op == 0x1AF) {
                    getReg(4, d.reg);
                    readRm(d, 4);
                } else {
                    readRm(d, 4);
                    iconst(d.imm);
                }
                mv.visitMethodInsn(INVOKESTATIC, ALU, "imul2", "(" + STATE_D + "III)I", false);
                setReg(4, d.reg);
                known = -1;
            }
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F,
                 0x180, 0x181, 0x182, 0x183, 0x184, 0x185, 0x186, 0x187, 0x188, 0x189, 0x18A, 0x18B, 0x18C, 0x18D,
                 0x18E, 0x18F -> {
                Label taken = new Label();
                condJump(op & 0xF, taken);
                exitTo(j, next);
                mv.visitLabel(taken);
                branchTo(j, next + d.imm);
            }
            case 0x80, 0x81, 0x82, 0x83 -> {
                int size = op == 0x81 || op == 0x83 ? 4 : 1;
                aluRm(j, d, d.reg, size, () -> iconst(d.imm & ArchState.mask(size)));
            }
            case 0x84, 0x85 -> {
                int size = op == 0x85 ? 4 : 1;
                readRm(d, size);
                getReg(size, d.reg);
                alu(j, Alu.AND, size);
            }
            case 0x86, 0x87 -> { // register forms
                int size = op == 0x87 ? 4 : 1;
                getReg(size, d.rm);
                mv.visitVarInsn(ISTORE, V);
                getReg(size, d.reg);
                setReg(size, d.rm);
                mv.visitVarInsn(ILOAD, V);
                setReg(size, d.reg);
            }
            case 0x88, 0x89 -> {
                int size = op == 0x89 ? 4 : 1;
                getReg(size, d.reg);
                mv.visitVarInsn(ISTORE, V);
                writeRm(j, d, size, V, false);
            }
            case 0x8A, 0x8B -> {
                int size = op == 0x8B ? 4 : 1;
                readRm(d, size);
                setReg(size, d.reg);
            }
            case 0x8D -> {
                offset(d);
                setReg(4, d.reg);
            }
            case 0x90 -> { }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> {
                getReg(4, op & 7);
                mv.visitVarInsn(ISTORE, V);
                getReg(4, EAX);
                setReg(4, op & 7);
                mv.visitVarInsn(ILOAD, V);
                setReg(4, EAX);
            }
            case 0x98 -> {
                getReg(4, EAX);
                mv.visitInsn(I2S);
                setReg(4, EAX);
            }
            case 0x99 -> {
                getReg(4, EAX);
                iconst(31);
                mv.visitInsn(ISHR);
                setReg(4, EDX);
            }
            case 0xA0, 0xA1 -> {
                int size = op == 0xA1 ? 4 : 1;
                segBase(d.seg);
                iconst(d.imm);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, LIN);
                loadLin(size, false);
                setReg(size, EAX);
            }
            case 0xA2, 0xA3 -> {
                int size = op == 0xA3 ? 4 : 1;
                segBase(d.seg);
                iconst(d.imm);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, LIN);
                getReg(4, EAX);
                mv.visitVarInsn(ISTORE, V);
                wrLin(j, size, V);
            }
            case 0xA8 -> { // as the interpreter: the whole of EAX as the destination
                getReg(4, EAX);
                iconst(d.imm);
                alu(j, Alu.AND, 1);
            }
            case 0xA9 -> {
                getReg(4, EAX);
                iconst(d.imm);
                alu(j, Alu.AND, 4);
            }
            case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7 -> {
                iconst(d.imm);
                setReg(1, op & 7);
            }
            case 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> {
                iconst(d.imm);
                setReg(4, op & 7);
            }
            case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3 -> {
                int size = (op & 1) == 0 ? 1 : 4;
                readRm(d, size, true);
                mv.visitVarInsn(ISTORE, V);
                int count = op <= 0xC1 ? d.imm & 0x1F : op <= 0xD1 ? 1 : -1;
                String fixed = size != 4 || count <= 0 ? null : switch (d.reg) {
                    case 0 -> "rol32";
                    case 1 -> "ror32";
                    case 4, 6 -> "shl32";
                    case 5 -> "shr32";
                    case 7 -> "sar32";
                    default -> null;
                };
                if (count == 0) { // no change, flags kept: only the memory operand's write remains
                    writeRm(j, d, size, V, true);
                    return;
                }
                if (fixed != null && deadFlags[j]) { // nothing sees the flags: the shift alone
                    mv.visitVarInsn(ILOAD, V);
                    iconst(count);
                    switch (fixed) {
                        case "shl32" -> mv.visitInsn(ISHL);
                        case "shr32" -> mv.visitInsn(IUSHR);
                        case "sar32" -> mv.visitInsn(ISHR);
                        default -> mv.visitMethodInsn(INVOKESTATIC, "java/lang/Integer",
                                fixed.equals("rol32") ? "rotateLeft" : "rotateRight", "(II)I", false);
                    }
                    mv.visitVarInsn(ISTORE, V);
                    writeRm(j, d, size, V, true);
                    known = -1;
                    return;
                }
                materialize();
                mv.visitVarInsn(ALOAD, S);
                if (fixed != null) {
                    mv.visitVarInsn(ILOAD, V);
                    iconst(count);
                    mv.visitMethodInsn(INVOKESTATIC, SHIFTS, fixed, "(" + STATE_D + "II)I", false);
                    mv.visitVarInsn(ISTORE, V);
                    writeRm(j, d, size, V, true);
                    known = -1;
                    return;
                }
                iconst(d.reg);
                iconst(size);
                mv.visitVarInsn(ILOAD, V);
                if (op <= 0xC1) {
                    iconst(d.imm);
                } else if (op <= 0xD1) {
                    iconst(1);
                } else {
                    getReg(4, ECX);
                    iconst(0xFF);
                    mv.visitInsn(IAND);
                }
                mv.visitMethodInsn(INVOKESTATIC, SHIFTS, "shift", "(" + STATE_D + "IIII)I", false);
                mv.visitVarInsn(ISTORE, V);
                writeRm(j, d, size, V, true);
                known = -1;
            }
            case 0xC2, 0xC3 -> {
                pop32ToLocal(V, ESP, op == 0xC2 ? d.imm : 0);
                exitToLocal(j, V);
            }
            case 0xC6, 0xC7 -> {
                int size = op == 0xC7 ? 4 : 1;
                iconst(d.imm);
                mv.visitVarInsn(ISTORE, V);
                writeRm(j, d, size, V, false);
            }
            case 0xC9 -> { // LEAVE: ESP = EBP, POP EBP
                pop32ToLocal(V, EBP, 0);
                mv.visitVarInsn(ILOAD, V);
                setReg(4, EBP);
            }
            case 0xE8 -> {
                mv.visitVarInsn(ILOAD, EIP0);
                iconst(next);
                mv.visitInsn(IADD);
                mv.visitVarInsn(ISTORE, V);
                push32FromLocal(j, V);
                exitTo(j, next + d.imm);
            }
            case 0xE9, 0xEB -> branchTo(j, next + d.imm);
            case 0x140, 0x141, 0x142, 0x143, 0x144, 0x145, 0x146, 0x147, 0x148, 0x149, 0x14A, 0x14B, 0x14C, 0x14D,
                 0x14E, 0x14F -> {
                readRm(d, 4);
                mv.visitVarInsn(ISTORE, V);
                Label no = new Label();
                Label yes = new Label();
                condJump(op & 0xF, yes);
                mv.visitJumpInsn(GOTO, no);
                mv.visitLabel(yes);
                mv.visitVarInsn(ILOAD, V);
                setReg(4, d.reg);
                mv.visitLabel(no);
            }
            case 0x190, 0x191, 0x192, 0x193, 0x194, 0x195, 0x196, 0x197, 0x198, 0x199, 0x19A, 0x19B, 0x19C, 0x19D,
                 0x19E, 0x19F -> {
                condValue(op & 0xF);
                mv.visitVarInsn(ISTORE, V);
                writeRm(j, d, 1, V, false);
            }
            case 0x1B6, 0x1B7, 0x1BE, 0x1BF -> {
                int size = op == 0x1B6 || op == 0x1BE ? 1 : 2;
                readRm(d, size);
                if (op == 0x1BE) {
                    mv.visitInsn(I2B);
                } else if (op == 0x1BF) {
                    mv.visitInsn(I2S);
                }
                setReg(4, d.reg);
            }
            case 0xF6, 0xF7 -> {
                int size = op == 0xF7 ? 4 : 1;
                if (d.reg <= 1) { // TEST r/m, imm
                    readRm(d, size);
                    iconst(d.imm);
                    alu(j, Alu.AND, size);
                } else { // NOT
                    if (d.mod == 3) {
                        getReg(size, d.rm);
                        iconst(-1);
                        mv.visitInsn(IXOR);
                        setReg(size, d.rm);
                    } else {
                        ea(d);
                        loadLin(size, true);
                        iconst(-1);
                        mv.visitInsn(IXOR);
                        mv.visitVarInsn(ISTORE, V);
                        wrLin(j, size, V);
                    }
                }
            }
            case 0xFE, 0xFF -> {
                int size = op == 0xFF ? 4 : 1;
                switch (d.reg) {
                    case 0, 1 -> {
                        readRm(d, size, true);
                        mv.visitVarInsn(ISTORE, V);
                        if (size == 4) {
                            incDec(j, d.reg == 0);
                            mv.visitVarInsn(ILOAD, FR);
                            mv.visitVarInsn(ISTORE, V);
                        } else {
                            materialize();
                            mv.visitVarInsn(ALOAD, S);
                            iconst(1);
                            mv.visitVarInsn(ILOAD, V);
                            mv.visitMethodInsn(INVOKESTATIC, ALU, d.reg == 0 ? "inc" : "dec",
                                    "(" + STATE_D + "II)I", false);
                            mv.visitVarInsn(ISTORE, V);
                            known = -1;
                        }
                        writeRm(j, d, size, V, true);
                    }
                    case 2 -> { // CALL r/m: the target read first, then the push
                        readRm(d, 4);
                        mv.visitVarInsn(ISTORE, V2);
                        mv.visitVarInsn(ILOAD, EIP0);
                        iconst(next);
                        mv.visitInsn(IADD);
                        mv.visitVarInsn(ISTORE, V);
                        push32FromLocal(j, V);
                        exitToLocal(j, V2);
                    }
                    case 4 -> {
                        readRm(d, 4);
                        mv.visitVarInsn(ISTORE, V2);
                        exitToLocal(j, V2);
                    }
                    default -> { // 6: PUSH r/m
                        readRm(d, 4);
                        mv.visitVarInsn(ISTORE, V);
                        push32FromLocal(j, V);
                        smcCheck(j);
                    }
                }
            }
            default -> throw new IllegalStateException("not an inline instruction: " + Integer.toHexString(op));
        }
    }

    /** An ALU operation with the r/m operand as destination; {@code src} pushes the source. */
    private void aluRm(int j, Insn d, int kind, int size, Runnable src) {
        if (d.mod == 3) {
            getReg(size, d.rm);
            src.run();
            alu(j, kind, size);
            if (kind != Alu.CMP) {
                mv.visitVarInsn(ILOAD, V);
                setReg(size, d.rm);
            }
        } else {
            ea(d);
            loadLin(size, kind != Alu.CMP);
            src.run();
            alu(j, kind, size);
            if (kind != Alu.CMP) {
                wrLin(j, size, V);
            }
        }
    }
}
