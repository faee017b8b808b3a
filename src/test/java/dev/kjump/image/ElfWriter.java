package dev.kjump.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: writes small little-endian ELF32 or ELF64 files with the given program headers, entry point and
 * symbols, so tests can build valid images and corrupt single fields. Layout: ELF header, program headers, segment
 * data (8-byte aligned, in the order added), then, if there are symbols, {@code .symtab}, {@code .strtab},
 * {@code .shstrtab} and the section header table (null, .symtab, .strtab, .shstrtab).
 */
public final class ElfWriter {
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int STT_NOTYPE = 0;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STB_LOCAL = 0;
    static final int STB_GLOBAL = 1;
    static final int SHN_UNDEF = 0;
    static final int SHN_ABS = 0xfff1;

    /** One program header. */
    record Phdr(int type, long paddr, long vaddr, byte[] data, long memsz) {
    }

    /** One symbol; {@code shndx} is the section index ({@link #SHN_ABS} by default). */
    record Sym(String name, long value, long size, int type, int bind, int shndx) {
    }

    private final boolean is64;
    private int type = 2;
    private int machine;
    private long entry;
    private final List<Phdr> phdrs = new ArrayList<>();
    private final List<Sym> syms = new ArrayList<>();

    private ElfWriter(int elfClass) {
        if (elfClass != 32 && elfClass != 64) {
            throw new IllegalArgumentException("class " + elfClass);
        }
        this.is64 = elfClass == 64;
        this.machine = is64 ? Image.EM_X86_64 : Image.EM_386;
    }

    /** An executable of ELF class 32 or 64, machine EM_386 or EM_X86_64 respectively, entry 0. */
    public static ElfWriter elf(int elfClass) {
        return new ElfWriter(elfClass);
    }

    ElfWriter type(int eType) {
        this.type = eType;
        return this;
    }

    ElfWriter machine(int eMachine) {
        this.machine = eMachine;
        return this;
    }

    /** Sets the entry point ({@code e_entry}). */
    public ElfWriter entry(long address) {
        this.entry = address;
        return this;
    }

    /** Adds a PT_LOAD at {@code paddr} (vaddr the same) with the given file bytes and memory size. */
    ElfWriter load(long paddr, byte[] data, long memsz) {
        return phdr(PT_LOAD, paddr, paddr, data, memsz);
    }

    /** Adds a PT_LOAD whose memory size equals its data length. */
    public ElfWriter load(long paddr, byte[] data) {
        return load(paddr, data, data.length);
    }

    ElfWriter phdr(int pType, long paddr, long vaddr, byte[] data, long memsz) {
        phdrs.add(new Phdr(pType, paddr, vaddr, data.clone(), memsz));
        return this;
    }

    /** Adds a global function symbol. */
    ElfWriter function(String name, long value, long size) {
        return symbol(name, value, size, STT_FUNC, STB_GLOBAL, SHN_ABS);
    }

    /** Adds a global object symbol. */
    ElfWriter object(String name, long value, long size) {
        return symbol(name, value, size, STT_OBJECT, STB_GLOBAL, SHN_ABS);
    }

    ElfWriter symbol(String name, long value, long size, int stType, int bind, int shndx) {
        syms.add(new Sym(name, value, size, stType, bind, shndx));
        return this;
    }

    int ehsize() {
        return ehsize(is64);
    }

    static int ehsize(boolean is64) {
        return is64 ? 64 : 52;
    }

    static int phentsize(boolean is64) {
        return is64 ? 56 : 32;
    }

    /** File offset of program header {@code i} as this writer lays it out. */
    static int phdrAt(boolean is64, int i) {
        return ehsize(is64) + i * phentsize(is64);
    }

    /** Offsets inside a program header. */
    static int pOffset(boolean is64) {
        return is64 ? 8 : 4;
    }

    static int pPaddr(boolean is64) {
        return is64 ? 24 : 12;
    }

    static int pFilesz(boolean is64) {
        return is64 ? 32 : 16;
    }

    static int pMemsz(boolean is64) {
        return is64 ? 40 : 20;
    }

    /** Writes an address-sized little-endian field (4 bytes in ELF32, 8 in ELF64) into {@code file}. */
    static void putWord(byte[] file, boolean is64, int at, long value) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (is64) {
            b.putLong(at, value);
        } else {
            b.putInt(at, (int) value);
        }
    }

    static void put16(byte[] file, int at, int value) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    }

    static void put32(byte[] file, int at, int value) {
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }

    static long getWord(byte[] file, boolean is64, int at) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        return is64 ? b.getLong(at) : b.getInt(at) & 0xffff_ffffL;
    }

    /** e_shoff of a written file. */
    static int shoff(byte[] file, boolean is64) {
        return (int) getWord(file, is64, is64 ? 40 : 32);
    }

    /** Size of one section header. */
    static int shentsize(boolean is64) {
        return is64 ? 64 : 40;
    }

    /** The file. */
    public byte[] bytes() {
        Out out = new Out();
        int phoff = ehsize();
        int dataStart = align(phoff + phdrs.size() * phentsize(is64), 8);
        List<Integer> offsets = new ArrayList<>();
        int pos = dataStart;
        for (Phdr p : phdrs) {
            offsets.add(pos);
            pos = align(pos + p.data.length, 8);
        }

        // symbol tables, if any
        byte[] symtab = new byte[0];
        byte[] strtab = new byte[0];
        byte[] shstrtab = new byte[0];
        int symtabOff = pos;
        int strtabOff = pos;
        int shstrtabOff = pos;
        int shoff = 0;
        int shnum = 0;
        if (!syms.isEmpty()) {
            ByteArrayOutputStream names = new ByteArrayOutputStream();
            names.write(0);
            Out st = new Out();
            writeSym(st, 0, 0, 0, 0, 0, 0);
            for (Sym s : syms) {
                int nameIndex = names.size();
                names.writeBytes(s.name.getBytes(StandardCharsets.US_ASCII));
                names.write(0);
                writeSym(st, nameIndex, s.value, s.size, (s.bind << 4) | s.type, s.shndx, 0);
            }
            symtab = st.toByteArray();
            strtab = names.toByteArray();
            shstrtab = "\0.symtab\0.strtab\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
            symtabOff = pos;
            strtabOff = align(symtabOff + symtab.length, 8);
            shstrtabOff = align(strtabOff + strtab.length, 8);
            shoff = align(shstrtabOff + shstrtab.length, 8);
            shnum = 4;
        }

        // ELF header
        out.bytes(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), 1, 1, 0});
        out.pad(16);
        out.u16(type);
        out.u16(machine);
        out.u32(1);
        out.word(entry);
        out.word(phdrs.isEmpty() ? 0 : phoff);
        out.word(shoff);
        out.u32(0);
        out.u16(ehsize());
        out.u16(phentsize(is64));
        out.u16(phdrs.size());
        out.u16(shentsize(is64));
        out.u16(shnum);
        out.u16(shnum == 0 ? 0 : 3);

        for (int i = 0; i < phdrs.size(); i++) {
            Phdr p = phdrs.get(i);
            int flags = 7;
            out.u32(p.type);
            if (is64) {
                out.u32(flags);
            }
            out.word(offsets.get(i));
            out.word(p.vaddr);
            out.word(p.paddr);
            out.word(p.data.length);
            out.word(p.memsz);
            if (!is64) {
                out.u32(flags);
            }
            out.word(8);
        }
        for (int i = 0; i < phdrs.size(); i++) {
            out.pad(offsets.get(i));
            out.bytes(phdrs.get(i).data);
        }
        if (shnum != 0) {
            out.pad(symtabOff);
            out.bytes(symtab);
            out.pad(strtabOff);
            out.bytes(strtab);
            out.pad(shstrtabOff);
            out.bytes(shstrtab);
            out.pad(shoff);
            writeShdr(out, 0, 0, 0, 0, 0, 0, 0);
            writeShdr(out, 1, 2, symtabOff, symtab.length, 2, 1, is64 ? 24 : 16);
            writeShdr(out, 9, 3, strtabOff, strtab.length, 0, 0, 0);
            writeShdr(out, 17, 3, shstrtabOff, shstrtab.length, 0, 0, 0);
        }
        return out.toByteArray();
    }

    private void writeSym(Out out, int name, long value, long size, int info, int shndx, int other) {
        out.u32(name);
        if (is64) {
            out.u8(info);
            out.u8(other);
            out.u16(shndx);
            out.word(value);
            out.word(size);
        } else {
            out.word(value);
            out.word(size);
            out.u8(info);
            out.u8(other);
            out.u16(shndx);
        }
    }

    private void writeShdr(Out out, int name, int shType, long offset, long size, int link, int info, long entsize) {
        out.u32(name);
        out.u32(shType);
        out.word(0); // flags
        out.word(0); // addr
        out.word(offset);
        out.word(size);
        out.u32(link);
        out.u32(info);
        out.word(is64 ? 8 : 4);
        out.word(entsize);
    }

    private static int align(int value, int alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    /** A little-endian byte sink. */
    private final class Out extends ByteArrayOutputStream {
        void u8(int v) {
            write(v);
        }

        void u16(int v) {
            u8(v);
            u8(v >>> 8);
        }

        void u32(int v) {
            u16(v);
            u16(v >>> 16);
        }

        void u64(long v) {
            u32((int) v);
            u32((int) (v >>> 32));
        }

        void word(long v) {
            if (is64) {
                u64(v);
            } else {
                u32((int) v);
            }
        }

        void bytes(byte[] b) {
            writeBytes(b);
        }

        void pad(int to) {
            if (size() > to) {
                throw new IllegalStateException("layout error: at " + size() + ", want " + to);
            }
            while (size() < to) {
                write(0);
            }
        }
    }
}
