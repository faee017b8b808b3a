package dev.kjump.kernel;

import dev.kjump.kernel.kexec.KexecSegment;
import java.io.ByteArrayOutputStream;

/**
 * A hand-assembled two-page callee at 0x400000 that stores what it finds at entry in its second page
 * (0x401000): EAX ECX EDX EBX ESP EBP ESI EDI, EFLAGS, CR0, (%esp), 4(%esp), then counts its entries at
 * 0x401030, sets %eax = 42 and returns (or halts).
 */
final class RegisterDump {
    static final int BASE = 0x400000, DATA = 0x401000;
    static final int EFLAGS = 8, CR0 = 9, TOP = 10, NEXT = 11, COUNT = 12;

    private RegisterDump() {
    }

    /** The code; {@code ret} at the end, or {@code hlt}. */
    static byte[] code(boolean ret) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        store(b, 0xA3, -1, 0); // mov %eax, DATA
        int[] modrm = {0x0D, 0x15, 0x1D, 0x25, 0x2D, 0x35, 0x3D}; // ecx edx ebx esp ebp esi edi
        for (int i = 0; i < modrm.length; i++) {
            store(b, 0x89, modrm[i], 4 * (i + 1));
        }
        b.write(0x9C); // pushf
        b.write(0x58); // pop %eax
        store(b, 0xA3, -1, 4 * EFLAGS);
        b.writeBytes(new byte[] {0x0F, 0x20, (byte) 0xC0}); // mov %cr0, %eax
        store(b, 0xA3, -1, 4 * CR0);
        b.writeBytes(new byte[] {(byte) 0x8B, 0x04, 0x24}); // mov (%esp), %eax
        store(b, 0xA3, -1, 4 * TOP);
        b.writeBytes(new byte[] {(byte) 0x8B, 0x44, 0x24, 0x04}); // mov 4(%esp), %eax
        store(b, 0xA3, -1, 4 * NEXT);
        store(b, 0xFF, 0x05, 4 * COUNT); // incl DATA+0x30
        b.writeBytes(new byte[] {(byte) 0xB8, 42, 0, 0, 0}); // mov $42, %eax
        b.write(ret ? 0xC3 : 0xF4); // ret | hlt
        return b.toByteArray();
    }

    private static void store(ByteArrayOutputStream b, int op, int modrm, int off) {
        b.write(op);
        if (modrm >= 0) {
            b.write(modrm);
        }
        int a = DATA + off;
        b.write(a);
        b.write(a >>> 8);
        b.write(a >>> 16);
        b.write(a >>> 24);
    }

    /** The image's one segment: code, then a zeroed data page. */
    static KexecSegment segment(boolean ret) {
        return KexecSegment.of(code(ret), BASE, 0x2000);
    }
}
