package dev.kjump.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import net.fornwall.jelf.ElfFile;
import net.fornwall.jelf.ElfStringTable;
import net.fornwall.jelf.ElfSymbol;
import net.fornwall.jelf.ElfSymbolTableSection;

/**
 * A kexec image: an i386 ELF executable read into the {@link Segment}s that {@code kexec_load} takes, plus its
 * entry point and symbols.
 *
 * <p>Two forms are accepted: a plain ELF32 i386 executable ({@code EM_386}), and the ELF64 container that the kexec
 * jump-back protocol calls a jump-back image: 32-bit i386 code wrapped by {@code objcopy -O elf64-x86-64}, whose
 * {@code e_machine} is {@code EM_X86_64} (or {@code EM_386}). Both are loaded the same way: every {@code PT_LOAD}
 * program header becomes one segment at its physical address {@code p_paddr}. The CPU is 32-bit, so every segment
 * and the entry point must lie below 4 GiB.
 *
 * <p>The ELF header and program headers are read and checked here; the section and symbol tables are read with
 * jelf after their bounds have been checked. Instances are immutable.
 */
public final class Image {
    /** {@code e_machine} of Intel 80386. */
    public static final int EM_386 = 3;
    /** {@code e_machine} of AMD x86-64. */
    public static final int EM_X86_64 = 62;

    private static final long FOUR_GIB = 1L << 32;
    private static final int ET_EXEC = 2;
    private static final int PT_LOAD = 1;
    private static final int SHT_NULL = 0;
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_HASH = 5;
    private static final int SHT_NOTE = 7;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_GNU_HASH = 0x6ffffff6;
    private static final int SHT_DYNSYM = 11;
    private static final int SHN_UNDEF = 0;
    private static final int MAX_JELF_SECTIONS = Short.MAX_VALUE;

    private final String name;
    private final int elfClass;
    private final int machine;
    private final long entry;
    private final List<Segment> segments;
    /** Defined function and object symbols, sorted by value; globals before locals of the same value. */
    private final List<Symbol> symbols;

    /** A defined function or object symbol; {@code size} 0 means unknown. */
    private record Symbol(String name, long value, long size, boolean function, boolean global) {
    }

    private Image(String name, int elfClass, int machine, long entry, List<Segment> segments, List<Symbol> symbols) {
        this.name = name;
        this.elfClass = elfClass;
        this.machine = machine;
        this.entry = entry;
        this.segments = List.copyOf(segments);
        this.symbols = List.copyOf(symbols);
    }

    /**
     * Reads and parses the file at {@code path}.
     *
     * @param path the ELF file
     * @return the image
     * @throws ImageException if the file cannot be read ({@code PATH: ENOENT (No such file or directory)}) or is not
     *     a valid image; the message names the file
     */
    public static Image load(Path path) throws ImageException {
        return parse(HostFiles.read(path, "image", Integer.MAX_VALUE - 16), path.toString());
    }

    /**
     * Parses an ELF file held in memory.
     *
     * @param bytes the whole file; it is not kept, segment data is copied out of it
     * @param name  the name to report in errors and {@link #name()}, usually the file name
     * @return the image
     * @throws ImageException if the bytes are not a valid image; the message starts with {@code name}
     */
    public static Image parse(byte[] bytes, String name) throws ImageException {
        return new Parser(bytes, name).parse();
    }

    /**
     * The name given to {@link #parse} or the path given to {@link #load}.
     *
     * @return the image's name
     */
    public String name() {
        return name;
    }

    /**
     * The ELF class of the container.
     *
     * @return 32 for ELF32, 64 for ELF64
     */
    public int elfClass() {
        return elfClass;
    }

    /**
     * The ELF {@code e_machine}.
     *
     * @return {@link #EM_386} or {@link #EM_X86_64}
     */
    public int machine() {
        return machine;
    }

    /**
     * The entry point {@code e_entry}, below 4 GiB.
     *
     * @return the entry address
     */
    public long entry() {
        return entry;
    }

    /**
     * The {@code PT_LOAD} segments with a non-zero memory size, sorted by physical address; they do not overlap and
     * end at or below 4 GiB.
     *
     * @return the immutable segment list, never empty
     */
    public List<Segment> segments() {
        return segments;
    }

    /**
     * The size of a defined function or object symbol, as {@link #symbol(String)} chooses it.
     *
     * @return its size in bytes (0 when the symbol table gives none), or empty if there is no such symbol
     */
    public OptionalLong symbolSize(String symbolName) {
        Symbol best = null;
        for (Symbol s : symbols) {
            if (s.name.equals(symbolName) && (best == null || (s.global && !best.global))) {
                best = s;
            }
        }
        return best == null ? OptionalLong.empty() : OptionalLong.of(best.size);
    }

    /**
     * Looks up a defined function or object symbol by name in {@code .symtab} and {@code .dynsym}. When several
     * have the name, a global (or weak) one wins over a local one, then the lowest address.
     *
     * @param symbolName the symbol name
     * @return its value (the link-time address), or empty if there is no such symbol
     */
    public OptionalLong symbol(String symbolName) {
        Symbol best = null;
        for (Symbol s : symbols) {
            if (s.name.equals(symbolName) && (best == null || (s.global && !best.global))) {
                best = s;
            }
        }
        return best == null ? OptionalLong.empty() : OptionalLong.of(best.value);
    }

    /**
     * Names the function containing {@code addr}, as {@code name+0xoffset} (for example {@code kmain+0x12}, or
     * {@code kmain+0x0} at its first byte): the nearest function symbol at or below {@code addr}. A symbol with a
     * size covers {@code [value, value + size)} only; a symbol without a size (as assembly labels often are) covers
     * up to the end of the loaded segment it lies in.
     *
     * <p>Addresses are symbol values, i.e. the addresses the code was linked to run at; for the images this package
     * is meant for, linked with equal virtual and physical addresses, these are the physical addresses.
     *
     * @param addr the address, for example a fault's instruction pointer
     * @return the symbolic form, or empty if no function covers {@code addr}
     */
    public Optional<String> symbolAt(long addr) {
        Symbol best = null;
        for (Symbol s : symbols) {
            if (!s.function || Long.compareUnsigned(s.value, addr) > 0) {
                continue;
            }
            // symbols are sorted by value: a later one is nearer, or at the same value and maybe global
            if (best == null || s.value != best.value || (s.global && !best.global)) {
                best = s;
            }
        }
        if (best == null || !covers(best, addr)) {
            return Optional.empty();
        }
        return Optional.of(best.name + "+0x" + Long.toHexString(addr - best.value));
    }

    private boolean covers(Symbol s, long addr) {
        if (s.size > 0) {
            return Long.compareUnsigned(addr - s.value, s.size) < 0;
        }
        for (Segment seg : segments) {
            if (s.value >= seg.physAddr() && s.value < seg.end()) {
                return addr < seg.end();
            }
        }
        return addr == s.value;
    }

    /**
     * A one-line description: name, class, machine, entry and segment count.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "Image[" + name + ", ELF" + elfClass + ", machine " + machine + ", entry 0x" + Long.toHexString(entry)
                + ", " + segments.size() + " segment(s)]";
    }

    /** Reads one file; every method either returns consistent data or throws {@link ImageException}. */
    private static final class Parser {
        private final byte[] bytes;
        private final ByteBuffer buf;
        private final String name;
        private boolean is64;

        Parser(byte[] bytes, String name) {
            this.bytes = bytes;
            this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            this.name = name;
        }

        private ImageException error(String problem) {
            return new ImageException(name, problem);
        }

        Image parse() throws ImageException {
            if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
                throw error("not an ELF file (bad magic)");
            }
            if (bytes.length < 16) {
                throw error("truncated file: ELF identification needs 16 bytes, file has " + bytes.length);
            }
            int elfClass = bytes[4] & 0xff;
            if (elfClass != 1 && elfClass != 2) {
                throw error("unsupported ELF class " + elfClass + " (expected 1 for ELF32 or 2 for ELF64)");
            }
            is64 = elfClass == 2;
            if (bytes[5] != 1) {
                throw error("not little-endian (EI_DATA is " + (bytes[5] & 0xff) + ", expected 1)");
            }
            if (bytes[6] != 1) {
                throw error("unsupported ELF version " + (bytes[6] & 0xff) + " (expected 1)");
            }
            int headerSize = is64 ? 64 : 52;
            if (bytes.length < headerSize) {
                throw error("truncated file: ELF header needs " + headerSize + " bytes, file has " + bytes.length);
            }
            int type = u16(16);
            int machine = u16(18);
            if (type != ET_EXEC) {
                throw error("not an executable (e_type is " + type + ", expected ET_EXEC = 2)");
            }
            boolean machineOk = is64 ? machine == EM_X86_64 || machine == EM_386 : machine == EM_386;
            if (!machineOk) {
                throw error("wrong machine " + machine + " for ELF" + (is64 ? 64 : 32) + " (expected "
                        + (is64 ? "EM_X86_64 = 62 or EM_386 = 3" : "EM_386 = 3") + ")");
            }
            long entry = word(24);
            long phoff = word(is64 ? 32 : 28);
            long shoff = word(is64 ? 40 : 32);
            int phentsize = u16(is64 ? 54 : 42);
            int phnum = u16(is64 ? 56 : 44);
            int shentsize = u16(is64 ? 58 : 46);
            int shnum = u16(is64 ? 60 : 48);
            int shstrndx = u16(is64 ? 62 : 50);

            List<Segment> segments = readSegments(phoff, phentsize, phnum);
            if (Long.compareUnsigned(entry, FOUR_GIB) >= 0) {
                throw error("entry point 0x" + Long.toHexString(entry) + " is above 4 GiB");
            }
            List<Symbol> symbols = shnum == 0 ? List.of() : readSymbols(shoff, shentsize, shnum, shstrndx);
            return new Image(name, is64 ? 64 : 32, machine, entry, segments, symbols);
        }

        private List<Segment> readSegments(long phoff, int phentsize, int phnum) throws ImageException {
            int expectedSize = is64 ? 56 : 32;
            if (phnum != 0 && phentsize != expectedSize) {
                throw error("bad program header entry size " + phentsize + " (expected " + expectedSize + ")");
            }
            checkInFile(phoff, (long) phnum * phentsize, "program header table");
            List<Segment> segments = new ArrayList<>();
            for (int i = 0; i < phnum; i++) {
                int ph = (int) phoff + i * phentsize;
                if (u32(ph) != PT_LOAD) {
                    continue;
                }
                long offset = word(ph + (is64 ? 8 : 4));
                long paddr = word(ph + (is64 ? 24 : 12));
                long filesz = word(ph + (is64 ? 32 : 16));
                long memsz = word(ph + (is64 ? 40 : 20));
                String what = "segment " + i;
                if (Long.compareUnsigned(filesz, memsz) > 0) {
                    throw error(what + ": p_filesz 0x" + Long.toHexString(filesz) + " > p_memsz 0x"
                            + Long.toHexString(memsz));
                }
                if (Long.compareUnsigned(filesz, bytes.length) > 0
                        || Long.compareUnsigned(offset, bytes.length - filesz) > 0) {
                    throw error(what + ": file data at offset 0x" + Long.toHexString(offset) + " size 0x"
                            + Long.toHexString(filesz) + " lies outside the file (" + bytes.length + " bytes)");
                }
                if (Long.compareUnsigned(paddr, FOUR_GIB) >= 0
                        || Long.compareUnsigned(memsz, FOUR_GIB - paddr) > 0) {
                    throw error(what + " " + range(paddr, paddr + memsz) + " is above 4 GiB");
                }
                if (memsz == 0) {
                    continue;
                }
                byte[] data = Arrays.copyOfRange(bytes, (int) offset, (int) (offset + filesz));
                segments.add(new Segment(paddr, data, memsz));
            }
            if (segments.isEmpty()) {
                throw error("no PT_LOAD segment");
            }
            segments.sort(Comparator.comparingLong(Segment::physAddr));
            for (int i = 1; i < segments.size(); i++) {
                Segment a = segments.get(i - 1);
                Segment b = segments.get(i);
                if (b.physAddr() < a.end()) {
                    throw error("overlapping segments " + range(a.physAddr(), a.end()) + " and "
                            + range(b.physAddr(), b.end()));
                }
            }
            return segments;
        }

        /**
         * Checks the section headers well enough that jelf cannot run off the file, allocate from a bogus size or
         * look names up out of range, then reads the symbols with jelf, turning any of its exceptions into
         * {@link ImageException}. A file without a section name table ({@code e_shstrndx} 0) has no usable symbols.
         */
        private List<Symbol> readSymbols(long shoff, int shentsize, int shnum, int shstrndx) throws ImageException {
            int expectedSize = is64 ? 64 : 40;
            if (shentsize != expectedSize) {
                throw error("bad section header entry size " + shentsize + " (expected " + expectedSize + ")");
            }
            if (shnum > MAX_JELF_SECTIONS) {
                throw error("too many sections (" + shnum + ", at most " + MAX_JELF_SECTIONS + " supported)");
            }
            checkInFile(shoff, (long) shnum * shentsize, "section header table");
            if (shstrndx >= shnum) {
                throw error("section name table index " + shstrndx + " out of range (" + shnum + " sections)");
            }
            if (shstrndx == SHN_UNDEF) {
                return List.of();
            }
            int symSize = is64 ? 24 : 16;
            for (int i = 0; i < shnum; i++) {
                int sh = section(shoff, i);
                int type = u32(sh + 4);
                if (type == SHT_NULL || type == SHT_NOBITS) {
                    continue;
                }
                checkInFile(word(sh + (is64 ? 24 : 16)), sectionSize(sh), "section " + i + " data");
                checkSizedByItsData(i, type, (int) word(sh + (is64 ? 24 : 16)), sectionSize(sh));
                long entsize = word(sh + (is64 ? 56 : 36));
                if ((type == SHT_SYMTAB || type == SHT_DYNSYM) && entsize != symSize) {
                    throw error("bad symbol table entry size " + entsize + " in section " + i + " (expected "
                            + symSize + ")");
                }
            }
            int names = section(shoff, shstrndx);
            if (u32(names + 4) != SHT_STRTAB) {
                throw error("section name table (section " + shstrndx + ") is not a string table");
            }
            for (int i = 0; i < shnum; i++) {
                long nameOffset = u32(section(shoff, i)) & 0xffff_ffffL;
                if (nameOffset >= sectionSize(names)) {
                    throw error("section " + i + " name offset 0x" + Long.toHexString(nameOffset)
                            + " outside the section name table");
                }
            }
            try {
                ElfFile elf = ElfFile.from(bytes);
                List<Symbol> symbols = new ArrayList<>();
                addSymbols(elf.getSymbolTableSection(), elf::getStringTable, ".strtab", symbols);
                addSymbols(elf.getDynamicSymbolTableSection(), elf::getDynamicStringTable, ".dynstr", symbols);
                symbols.sort((a, b) -> Long.compareUnsigned(a.value, b.value));
                return symbols;
            } catch (RuntimeException e) {
                // the cause stays attached; the message is for people, without the reader's class names
                throw new ImageException(name, "malformed section or symbol table (the ELF reader cannot follow "
                        + "its section headers)", e);
            }
        }

        /** Adds the named function and object symbols of {@code table}, whose names are in the string table. */
        private void addSymbols(ElfSymbolTableSection table, Supplier<ElfStringTable> strings, String stringsName,
                                List<Symbol> out) throws ImageException {
            if (table == null) {
                return;
            }
            ElfStringTable stringTable;
            try {
                stringTable = strings.get();
            } catch (ClassCastException e) {
                // jelf finds the string table by name and casts the section it finds
                throw error("section " + stringsName + " is not a string table");
            }
            if (stringTable == null) {
                throw error("symbol table without its string table " + stringsName);
            }
            for (int i = 0; i < table.symbols.length; i++) {
                ElfSymbol s = table.symbols[i];
                int type = s.getType();
                if ((type != ElfSymbol.STT_FUNC && type != ElfSymbol.STT_OBJECT) || s.st_shndx == SHN_UNDEF) {
                    continue;
                }
                long nameOffset = s.st_name & 0xffff_ffffL;
                if (nameOffset >= stringTable.header.sh_size) {
                    throw error("symbol " + i + " name offset 0x" + Long.toHexString(nameOffset)
                            + " outside the string table " + stringsName);
                }
                String symbolName = s.getName();
                if (symbolName == null || symbolName.isEmpty()) {
                    continue;
                }
                boolean global = s.getBinding() != ElfSymbol.BINDING_LOCAL;
                // jelf sign-extends ELF32 values
                long value = is64 ? s.st_value : s.st_value & 0xffff_ffffL;
                long size = is64 ? s.st_size : s.st_size & 0xffff_ffffL;
                out.add(new Symbol(symbolName, value, size, type == ElfSymbol.STT_FUNC, global));
            }
        }

        /**
         * The sections jelf sizes by counts in their own data — a hash table's bucket and chain counts, a GNU hash
         * table's bloom filter and buckets, a note's name and descriptor sizes — must fit their section, or jelf
         * would allocate whatever a corrupt count says (gigabytes) before noticing anything.
         */
        private void checkSizedByItsData(int i, int type, int data, long size) throws ImageException {
            long need;
            if (type == SHT_HASH) {
                need = size < 8 ? 8 : 8 + 4 * ((u32(data) & 0xffff_ffffL) + (u32(data + 4) & 0xffff_ffffL));
            } else if (type == SHT_GNU_HASH) {
                need = size < 16 ? 16 : 16 + (is64 ? 8 : 4) * (u32(data + 8) & 0xffff_ffffL)
                        + 4 * (u32(data) & 0xffff_ffffL);
            } else if (type == SHT_NOTE) {
                need = size < 12 ? 12 : 12 + ((u32(data) & 0xffff_ffffL) + 3 & ~3L)
                        + ((u32(data + 4) & 0xffff_ffffL) + 3 & ~3L);
            } else {
                return;
            }
            if (need > size) {
                throw error(String.format("section %d (%s) needs 0x%x bytes by its own counts but holds 0x%x", i,
                        type == SHT_HASH ? "hash table" : type == SHT_NOTE ? "note" : "GNU hash table", need, size));
            }
        }

        /** File offset of section header {@code i}; the table has been checked to lie in the file. */
        private int section(long shoff, int i) {
            return (int) shoff + i * (is64 ? 64 : 40);
        }

        private long sectionSize(int sh) {
            return word(sh + (is64 ? 32 : 20));
        }

        /** Fails with "truncated file" unless {@code [offset, offset + size)} lies in the file. */
        private void checkInFile(long offset, long size, String what) throws ImageException {
            if (Long.compareUnsigned(size, bytes.length) > 0
                    || Long.compareUnsigned(offset, bytes.length - size) > 0) {
                throw error("truncated file: " + what + " at offset 0x" + Long.toHexString(offset) + " size 0x"
                        + Long.toHexString(size) + " extends beyond the end of the file (" + bytes.length
                        + " bytes)");
            }
        }

        private static String range(long start, long end) {
            return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")";
        }

        private int u16(int at) {
            return buf.getShort(at) & 0xffff;
        }

        private int u32(int at) {
            return buf.getInt(at);
        }

        /** An address-sized field: 4 bytes unsigned in ELF32, 8 bytes in ELF64. */
        private long word(int at) {
            return is64 ? buf.getLong(at) : buf.getInt(at) & 0xffff_ffffL;
        }
    }
}
