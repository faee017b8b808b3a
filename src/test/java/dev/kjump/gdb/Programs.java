package dev.kjump.gdb;

import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;

/** Tiny hand-assembled guest programs for the stub's tests. */
final class Programs {
    /** The straight-line program: mov eax,1; add eax,2; inc ebx; mov [0x3000],eax; jmp BACK. */
    static final int PROG = 0x1000;
    /** Offsets of its instructions. */
    static final int ADD = 0x1005, INC = 0x1008, STORE = 0x1009, JMP = 0x100e;
    /** The "jump-back entry": a host entry. */
    static final int BACK = 0x2000;
    /** jmp $ (forever). */
    static final int LOOP = 0x1100;
    /** ud2 with no IDT: a triple fault. */
    static final int CRASH = 0x1200;

    private Programs() {
    }

    static Machine machine() {
        Machine m = new Machine(1 << 20, new ByteArrayOutputStream());
        byte[] prog = {
            (byte) 0xb8, 1, 0, 0, 0, // mov eax, 1
            (byte) 0x83, (byte) 0xc0, 2, // add eax, 2
            0x43, // inc ebx
            (byte) 0xa3, 0, 0x30, 0, 0, // mov [0x3000], eax
            (byte) 0xe9, (byte) 0xed, 0x0f, 0, 0, // jmp 0x2000
        };
        for (int i = 0; i < prog.length; i++) {
            m.memory().write8(PROG + i, prog[i]);
        }
        m.memory().write8(LOOP, 0xeb);
        m.memory().write8(LOOP + 1, 0xfe);
        m.memory().write8(CRASH, 0x0f);
        m.memory().write8(CRASH + 1, 0x0b);
        Cpu cpu = m.cpu();
        cpu.setEip(PROG);
        cpu.setReg(Cpu.ESP, 0x8000);
        cpu.setHostEntries(BACK);
        return m;
    }
}
