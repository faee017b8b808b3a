package dev.kjump.image;

import static dev.kjump.image.ElfWriter.elf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageTest {
    private static final String NAME = "test.elf";

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A valid two-segment image with symbols, of the given class. */
    private static byte[] valid(int elfClass) {
        return elf(elfClass).entry(0x100000)
                .load(0x100000, bytes(0x90, 0x90, 0xf4))
                .load(0x200000, bytes(1, 2, 3, 4), 0x1000)
                .function("_start", 0x100000, 3)
                .object("table", 0x200000, 4)
                .bytes();
    }

    private static ImageException failure(byte[] file) {
        ImageException e = catchThrowableOfType(ImageException.class, () -> Image.parse(file, NAME));
        assertThat(e).as("expected an ImageException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(NAME + ": " + e.problem());
        assertThat(e.source()).isEqualTo(NAME);
        return e;
    }

    private static String problem(byte[] file) {
        return failure(file).problem();
    }

    // ---- valid files

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void parsesSegmentsSortedByPhysicalAddress(int elfClass) throws Exception {
        byte[] file = elf(elfClass).entry(0x100004)
                .load(0x300000, bytes(9, 9), 0x2000)
                .load(0x100000, bytes(0x90, 0x90, 0x90, 0x90, 0xf4))
                .bytes();
        Image image = Image.parse(file, NAME);

        assertThat(image.name()).isEqualTo(NAME);
        assertThat(image.elfClass()).isEqualTo(elfClass);
        assertThat(image.machine()).isEqualTo(elfClass == 32 ? Image.EM_386 : Image.EM_X86_64);
        assertThat(image.entry()).isEqualTo(0x100004);
        assertThat(image.segments()).containsExactly(
                new Segment(0x100000, bytes(0x90, 0x90, 0x90, 0x90, 0xf4), 5),
                new Segment(0x300000, bytes(9, 9), 0x2000));
        assertThat(image.toString()).contains(NAME, "ELF" + elfClass, "0x100004", "2 segment");
    }

    @Test
    void elf64WithEm386IsAccepted() throws Exception {
        Image image = Image.parse(elf(64).machine(Image.EM_386).load(0x1000, bytes(1)).bytes(), NAME);
        assertThat(image.machine()).isEqualTo(Image.EM_386);
        assertThat(image.elfClass()).isEqualTo(64);
    }

    @Test
    void usesPhysicalNotVirtualAddresses() throws Exception {
        byte[] file = elf(32).phdr(ElfWriter.PT_LOAD, 0x100000, 0xc0100000L, bytes(1, 2), 2).bytes();
        assertThat(Image.parse(file, NAME).segments()).containsExactly(new Segment(0x100000, bytes(1, 2), 2));
    }

    @Test
    void ignoresOtherProgramHeadersAndEmptyLoads() throws Exception {
        byte[] file = elf(32)
                .phdr(ElfWriter.PT_NOTE, 0x100000, 0x100000, bytes(7, 7, 7, 7), 4)
                .load(0x100000, bytes(1))
                .load(0x100001, new byte[0], 0)
                .bytes();
        assertThat(Image.parse(file, NAME).segments()).containsExactly(new Segment(0x100000, bytes(1), 1));
    }

    @Test
    void bssOnlySegmentHasNoData() throws Exception {
        Image image = Image.parse(elf(32).load(0x1000, bytes(1)).load(0x2000, new byte[0], 0x100).bytes(), NAME);
        assertThat(image.segments().get(1).data()).isEmpty();
        assertThat(image.segments().get(1).memSize()).isEqualTo(0x100);
    }

    @Test
    void segmentMayEndExactlyAt4GiB() throws Exception {
        Image image = Image.parse(elf(32).entry(0xfffffff0L).load(0xfffff000L, bytes(1), 0x1000).bytes(), NAME);
        assertThat(image.segments().get(0).end()).isEqualTo(1L << 32);
        assertThat(image.entry()).isEqualTo(0xfffffff0L);
    }

    @Test
    void adjacentSegmentsDoNotOverlap() throws Exception {
        Image image = Image.parse(elf(64).load(0x1000, bytes(1), 0x1000).load(0x2000, bytes(2)).bytes(), NAME);
        assertThat(image.segments()).hasSize(2);
    }

    @Test
    void segmentsListIsImmutable() throws Exception {
        List<Segment> segments = Image.parse(valid(32), NAME).segments();
        assertThatThrownBy(() -> segments.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void loadReadsAFile(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("image.elf");
        Files.write(path, valid(64));
        Image image = Image.load(path);
        assertThat(image.name()).isEqualTo(path.toString());
        assertThat(image.segments()).hasSize(2);
    }

    // ---- symbols

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void looksUpFunctionAndObjectSymbols(int elfClass) throws Exception {
        Image image = Image.parse(valid(elfClass), NAME);
        assertThat(image.symbol("_start")).isEqualTo(OptionalLong.of(0x100000));
        assertThat(image.symbol("table")).isEqualTo(OptionalLong.of(0x200000));
        assertThat(image.symbol("missing")).isEmpty();
    }

    @Test
    void skipsUndefinedAndUntypedSymbols() throws Exception {
        byte[] file = elf(32).load(0x1000, bytes(1))
                .symbol("label", 0x1000, 0, ElfWriter.STT_NOTYPE, ElfWriter.STB_GLOBAL, ElfWriter.SHN_ABS)
                .symbol("extern", 0, 0, ElfWriter.STT_FUNC, ElfWriter.STB_GLOBAL, ElfWriter.SHN_UNDEF)
                .bytes();
        Image image = Image.parse(file, NAME);
        assertThat(image.symbol("label")).isEmpty();
        assertThat(image.symbol("extern")).isEmpty();
        assertThat(image.symbolAt(0x1000)).isEmpty();
    }

    @Test
    void globalSymbolWinsOverLocalOfTheSameName() throws Exception {
        byte[] file = elf(32).load(0x1000, new byte[0x100])
                .symbol("f", 0x1000, 4, ElfWriter.STT_FUNC, ElfWriter.STB_LOCAL, ElfWriter.SHN_ABS)
                .function("f", 0x1080, 4)
                .bytes();
        assertThat(Image.parse(file, NAME).symbol("f")).isEqualTo(OptionalLong.of(0x1080));
    }

    @Test
    void symbolValuesAbove2GiBAreUnsignedInElf32() throws Exception {
        byte[] file = elf(32).load(0xc0000000L, new byte[0x40]).function("high", 0xc0000010L, 0x10).bytes();
        Image image = Image.parse(file, NAME);
        assertThat(image.symbol("high")).isEqualTo(OptionalLong.of(0xc0000010L));
        assertThat(image.symbolAt(0xc0000012L)).contains("high+0x2");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void symbolAtNamesTheEnclosingFunction(int elfClass) throws Exception {
        byte[] file = elf(elfClass).load(0x1000, new byte[0x100])
                .function("kmain", 0x1000, 0x20)
                .function("helper", 0x1040, 0x10)
                .object("data", 0x1030, 4)
                .bytes();
        Image image = Image.parse(file, NAME);
        assertThat(image.symbolAt(0x1000)).contains("kmain+0x0");
        assertThat(image.symbolAt(0x1012)).contains("kmain+0x12");
        assertThat(image.symbolAt(0x101f)).contains("kmain+0x1f");
        assertThat(image.symbolAt(0x1020)).as("past kmain's size").isEmpty();
        assertThat(image.symbolAt(0x1031)).as("objects are not functions").isEmpty();
        assertThat(image.symbolAt(0x1045)).contains("helper+0x5");
        assertThat(image.symbolAt(0xfff)).isEmpty();
        assertThat(image.symbolAt(-1)).isEmpty();
    }

    @Test
    void unsizedFunctionCoversTheRestOfItsSegment() throws Exception {
        byte[] file = elf(32).load(0x1000, new byte[0x10], 0x100).load(0x2000, new byte[0x10])
                .function("entry", 0x1010, 0)
                .bytes();
        Image image = Image.parse(file, NAME);
        assertThat(image.symbolAt(0x10ff)).contains("entry+0xef");
        assertThat(image.symbolAt(0x1100)).isEmpty();
        assertThat(image.symbolAt(0x2000)).isEmpty();
    }

    @Test
    void unsizedFunctionOutsideSegmentsCoversOnlyItsAddress() throws Exception {
        byte[] file = elf(32).load(0x1000, new byte[0x10]).function("far", 0x9000, 0).bytes();
        Image image = Image.parse(file, NAME);
        assertThat(image.symbolAt(0x9000)).contains("far+0x0");
        assertThat(image.symbolAt(0x9001)).isEmpty();
    }

    @Test
    void withoutSymbolTableThereAreNoSymbols() throws Exception {
        Image image = Image.parse(elf(32).load(0x1000, bytes(1)).bytes(), NAME);
        assertThat(image.symbol("_start")).isEmpty();
        assertThat(image.symbolAt(0x1000)).isEqualTo(Optional.empty());
    }

    // ---- errors: identification and header

    @Test
    void badMagic() {
        assertThat(problem(new byte[0])).isEqualTo("not an ELF file (bad magic)");
        assertThat(problem(bytes(0x7f, 'E', 'L'))).isEqualTo("not an ELF file (bad magic)");
        assertThat(problem("#!/bin/sh\necho hello\n".getBytes())).isEqualTo("not an ELF file (bad magic)");
        byte[] file = valid(32);
        file[1] = 'e';
        assertThat(problem(file)).isEqualTo("not an ELF file (bad magic)");
    }

    @Test
    void truncatedIdentification() {
        assertThat(problem(Arrays.copyOf(valid(32), 10)))
                .isEqualTo("truncated file: ELF identification needs 16 bytes, file has 10");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 255})
    void unsupportedClass(int elfClass) {
        byte[] file = valid(32);
        file[4] = (byte) elfClass;
        assertThat(problem(file)).isEqualTo("unsupported ELF class " + elfClass
                + " (expected 1 for ELF32 or 2 for ELF64)");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void notLittleEndian(int data) {
        byte[] file = valid(64);
        file[5] = (byte) data;
        assertThat(problem(file)).isEqualTo("not little-endian (EI_DATA is " + data + ", expected 1)");
    }

    @Test
    void unsupportedVersion() {
        byte[] file = valid(32);
        file[6] = 2;
        assertThat(problem(file)).isEqualTo("unsupported ELF version 2 (expected 1)");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void truncatedHeader(int elfClass) {
        int size = elfClass == 64 ? 64 : 52;
        assertThat(problem(Arrays.copyOf(valid(elfClass), 40)))
                .isEqualTo("truncated file: ELF header needs " + size + " bytes, file has 40");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 4})
    void notAnExecutable(int type) {
        byte[] file = elf(32).type(type).load(0x1000, bytes(1)).bytes();
        assertThat(problem(file)).isEqualTo("not an executable (e_type is " + type + ", expected ET_EXEC = 2)");
    }

    @Test
    void wrongMachineForElf32() {
        byte[] file = elf(32).machine(Image.EM_X86_64).load(0x1000, bytes(1)).bytes();
        assertThat(problem(file)).isEqualTo("wrong machine 62 for ELF32 (expected EM_386 = 3)");
    }

    @Test
    void wrongMachineForElf64() {
        byte[] file = elf(64).machine(183).load(0x1000, bytes(1)).bytes();
        assertThat(problem(file)).isEqualTo("wrong machine 183 for ELF64 (expected EM_X86_64 = 62 or EM_386 = 3)");
    }

    @Test
    void entryAbove4GiB() {
        byte[] file = elf(64).entry(0x1_0000_0000L).load(0x1000, bytes(1)).bytes();
        assertThat(problem(file)).isEqualTo("entry point 0x100000000 is above 4 GiB");
        byte[] negative = elf(64).entry(-16).load(0x1000, bytes(1)).bytes();
        assertThat(problem(negative)).isEqualTo("entry point 0xfffffffffffffff0 is above 4 GiB");
    }

    // ---- errors: program headers and segments

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void programHeaderTableBeyondFile(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        ElfWriter.putWord(file, is64, is64 ? 32 : 28, file.length - 8);
        assertThat(problem(file)).startsWith("truncated file: program header table at offset 0x"
                + Integer.toHexString(file.length - 8)).endsWith("extends beyond the end of the file ("
                + file.length + " bytes)");
    }

    @Test
    void programHeaderTableCutOff() {
        byte[] file = Arrays.copyOf(valid(32), 52 + 40);
        assertThat(problem(file)).isEqualTo("truncated file: program header table at offset 0x34 size 0x40 "
                + "extends beyond the end of the file (92 bytes)");
    }

    @Test
    void programHeaderOffsetNearUnsignedMaximum() {
        byte[] file = valid(64);
        ElfWriter.putWord(file, true, 32, -8);
        assertThat(problem(file)).startsWith("truncated file: program header table at offset 0xfffffffffffffff8");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void badProgramHeaderEntrySize(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        ElfWriter.put16(file, is64 ? 54 : 42, 16);
        assertThat(problem(file)).isEqualTo("bad program header entry size 16 (expected " + (is64 ? 56 : 32) + ")");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void segmentFileDataOutsideFile(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        int ph = ElfWriter.phdrAt(is64, 1);
        ElfWriter.putWord(file, is64, ph + ElfWriter.pOffset(is64), file.length - 2);
        assertThat(problem(file)).isEqualTo("segment 1: file data at offset 0x" + Integer.toHexString(file.length - 2)
                + " size 0x4 lies outside the file (" + file.length + " bytes)");
    }

    @Test
    void segmentFileSizeLargerThanFile() {
        byte[] file = valid(64);
        int ph = ElfWriter.phdrAt(true, 1);
        ElfWriter.putWord(file, true, ph + ElfWriter.pFilesz(true), 0xfff);
        assertThat(problem(file)).startsWith("segment 1: file data at offset 0x").contains(" size 0xfff lies outside");
    }

    @Test
    void segmentOffsetNearUnsignedMaximum() {
        byte[] file = valid(64);
        ElfWriter.putWord(file, true, ElfWriter.phdrAt(true, 0) + ElfWriter.pOffset(true), -2);
        assertThat(problem(file)).startsWith("segment 0: file data at offset 0xfffffffffffffffe size 0x3");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void fileSizeAboveMemorySize(int elfClass) {
        byte[] file = elf(elfClass).load(0x1000, bytes(1)).load(0x2000, bytes(1, 2, 3)).bytes();
        boolean is64 = elfClass == 64;
        ElfWriter.putWord(file, is64, ElfWriter.phdrAt(is64, 1) + ElfWriter.pMemsz(is64), 2);
        assertThat(problem(file)).isEqualTo("segment 1: p_filesz 0x3 > p_memsz 0x2");
    }

    @Test
    void noProgramHeaders() {
        assertThat(problem(elf(32).bytes())).isEqualTo("no PT_LOAD segment");
    }

    @Test
    void noLoadSegment() {
        byte[] file = elf(64).phdr(ElfWriter.PT_NOTE, 0, 0, bytes(1, 2, 3, 4), 4).bytes();
        assertThat(problem(file)).isEqualTo("no PT_LOAD segment");
    }

    @Test
    void onlyEmptyLoadSegments() {
        assertThat(problem(elf(32).load(0x1000, new byte[0], 0).bytes())).isEqualTo("no PT_LOAD segment");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void overlappingSegments(int elfClass) {
        byte[] file = elf(elfClass).load(0x3000, bytes(1)).load(0x1000, bytes(1), 0x2001).bytes();
        assertThat(problem(file)).isEqualTo("overlapping segments [0x1000, 0x3001) and [0x3000, 0x3001)");
    }

    @Test
    void segmentAbove4GiB() {
        byte[] file = elf(64).load(0x1_0000_0000L, bytes(1)).bytes();
        assertThat(problem(file)).isEqualTo("segment 0 [0x100000000, 0x100000001) is above 4 GiB");
    }

    @Test
    void segmentCrossing4GiB() {
        byte[] file = elf(32).load(0x1000, bytes(1)).load(0xfffff000L, bytes(1), 0x1001).bytes();
        assertThat(problem(file)).isEqualTo("segment 1 [0xfffff000, 0x100000001) is above 4 GiB");
    }

    @Test
    void segmentWithHugeMemorySize() {
        byte[] file = elf(64).load(0x1000, bytes(1), -1).bytes();
        assertThat(problem(file)).isEqualTo("segment 0 [0x1000, 0xfff) is above 4 GiB");
    }

    // ---- errors: section headers and symbols

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void sectionHeaderTableBeyondFile(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        int shoff = ElfWriter.shoff(file, is64);
        byte[] cut = Arrays.copyOf(file, shoff + 10);
        assertThat(problem(cut)).isEqualTo("truncated file: section header table at offset 0x"
                + Integer.toHexString(shoff) + " size 0x" + Integer.toHexString(4 * ElfWriter.shentsize(is64))
                + " extends beyond the end of the file (" + cut.length + " bytes)");
    }

    @Test
    void badSectionHeaderEntrySize() {
        byte[] file = valid(32);
        ElfWriter.put16(file, 46, 32);
        assertThat(problem(file)).isEqualTo("bad section header entry size 32 (expected 40)");
    }

    @Test
    void tooManySections() {
        byte[] file = valid(64);
        ElfWriter.put16(file, 60, 40000);
        assertThat(problem(file)).isEqualTo("too many sections (40000, at most 32767 supported)");
    }

    @Test
    void sectionNameTableIndexOutOfRange() {
        byte[] file = valid(32);
        ElfWriter.put16(file, 50, 4);
        assertThat(problem(file)).isEqualTo("section name table index 4 out of range (4 sections)");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void sectionDataBeyondFile(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        int strtabHeader = ElfWriter.shoff(file, is64) + 2 * ElfWriter.shentsize(is64);
        ElfWriter.putWord(file, is64, strtabHeader + (is64 ? 32 : 20), 0x100000);
        assertThat(problem(file)).startsWith("truncated file: section 2 data at offset 0x")
                .contains(" size 0x100000 extends beyond the end of the file");
    }

    @Test
    void badSymbolTableEntrySize() {
        byte[] file = valid(64);
        int symtabHeader = ElfWriter.shoff(file, true) + ElfWriter.shentsize(true);
        ElfWriter.putWord(file, true, symtabHeader + 56, 0);
        assertThat(problem(file)).isEqualTo("bad symbol table entry size 0 in section 1 (expected 24)");
    }

    @Test
    void withoutSectionNameTableThereAreNoSymbols() throws Exception {
        byte[] file = valid(32);
        ElfWriter.put16(file, 50, 0);
        Image image = Image.parse(file, NAME);
        assertThat(image.symbol("_start")).isEmpty();
        assertThat(image.segments()).hasSize(2);
    }

    @Test
    void sectionNameTableNotAStringTable() {
        byte[] file = valid(32);
        ElfWriter.put16(file, 50, 1);
        assertThat(problem(file)).isEqualTo("section name table (section 1) is not a string table");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void sectionNameOutsideNameTable(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        ElfWriter.put32(file, ElfWriter.shoff(file, is64) + 2 * ElfWriter.shentsize(is64), 0x1234);
        assertThat(problem(file)).isEqualTo("section 2 name offset 0x1234 outside the section name table");
    }

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void symbolNameOutsideStringTable(int elfClass) {
        boolean is64 = elfClass == 64;
        byte[] file = valid(elfClass);
        int symtabHeader = ElfWriter.shoff(file, is64) + ElfWriter.shentsize(is64);
        int symtab = (int) ElfWriter.getWord(file, is64, symtabHeader + (is64 ? 24 : 16));
        ElfWriter.put32(file, symtab + 2 * (is64 ? 24 : 16), 0x999);
        assertThat(problem(file)).isEqualTo("symbol 2 name offset 0x999 outside the string table .strtab");
    }

    @Test
    void symbolTableWithoutStringTable() {
        byte[] file = valid(64);
        // rename ".strtab" to ".strtaX" in the section name table, so jelf does not find it by name
        int shstrtabHeader = ElfWriter.shoff(file, true) + 3 * ElfWriter.shentsize(true);
        int shstrtab = (int) ElfWriter.getWord(file, true, shstrtabHeader + 24);
        file[shstrtab + 15] = 'X';
        assertThat(problem(file)).isEqualTo("symbol table without its string table .strtab");
    }

    @Test
    void stringTableOfTheWrongType() {
        byte[] file = valid(32);
        // .strtab (section 2) becomes SHT_PROGBITS
        ElfWriter.put32(file, ElfWriter.shoff(file, false) + 2 * ElfWriter.shentsize(false) + 4, 1);
        assertThat(problem(file)).isEqualTo("section .strtab is not a string table");
    }

    @Test
    void otherJelfFailuresAreWrapped() {
        byte[] file = valid(32);
        // .strtab (section 2) becomes SHT_RELA with entry size 0: jelf divides by it while looking for .symtab
        ElfWriter.put32(file, ElfWriter.shoff(file, false) + 2 * ElfWriter.shentsize(false) + 4, 4);
        ImageException e = failure(file);
        assertThat(e.problem()).isEqualTo("malformed section or symbol table (the ELF reader cannot follow its "
                + "section headers)");
        assertThat(e.getCause()).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void sectionsSizedByTheirOwnCountsMustFitThem() {
        // SHT_HASH, SHT_GNU_HASH, SHT_NOTE
        for (int type : new int[] {5, 0x6ffffff6, 7}) {
            for (boolean is64 : new boolean[] {false, true}) {
                byte[] file = valid(is64 ? 64 : 32);
                // .strtab (section 2) becomes such a section whose first count is huge: jelf would allocate
                // gigabytes from it (an OutOfMemoryError found by ElfFuzzTest)
                int sh = ElfWriter.shoff(file, is64) + 2 * ElfWriter.shentsize(is64);
                ElfWriter.put32(file, sh + 4, type);
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int data = (int) (is64 ? b.getLong(sh + 24) : b.getInt(sh + 16));
                ElfWriter.put32(file, data, 0x7fffffff);
                assertThat(problem(file)).as("type %x, ELF%d", type, is64 ? 64 : 32).startsWith("section 2 (")
                        .contains("by its own counts");
            }
        }
    }

    // ---- errors: reading files

    @Test
    void missingFile(@TempDir Path dir) {
        Path path = dir.resolve("missing.elf");
        ImageException e = catchThrowableOfType(ImageException.class, () -> Image.load(path));
        assertThat(e.source()).isEqualTo(path.toString());
        assertThat(e.getMessage()).isEqualTo(path + ": ENOENT (No such file or directory)");
    }

    @Test
    void unreadableFilesAndDirectoriesAreNamedWithoutJavaClassNames(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Image.load(dir)).hasMessage(dir + ": the image is not a regular file (a directory)");
        Path locked = Files.write(dir.resolve("locked.elf"), new byte[] {0x7f, 'E', 'L', 'F'});
        assumeTrue(locked.toFile().setReadable(false) && !Files.isReadable(locked), "running as root: every file is readable");
        assertThatThrownBy(() -> Image.load(locked)).hasMessage(locked + ": EACCES (Permission denied)");
    }

    @Test
    void loadNamesTheFileInParseErrors(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("bad.elf");
        Files.write(path, bytes(1, 2, 3, 4, 5));
        assertThatThrownBy(() -> Image.load(path)).isInstanceOf(ImageException.class)
                .hasMessage(path + ": not an ELF file (bad magic)");
    }
}
