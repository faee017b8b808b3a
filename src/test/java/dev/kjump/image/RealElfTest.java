package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parses ELF files made by gcc and objcopy: the committed fixtures, and fresh ones when gcc is installed. */
class RealElfTest {
    private static final String[] GCC_FLAGS = {"-m32", "-ffreestanding", "-nostdlib", "-fno-pic", "-static",
        "-Wl,--build-id=none", "-Wl,-Ttext=0x400000"};
    private static final String[] SYMBOLS = {"_start", "kmain", "add", "counter", "scratch"};

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = RealElfTest.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name).readAllBytes();
        }
    }

    @Test
    void committedElf32() throws Exception {
        Image image = Image.parse(resource("kjump-test.elf32"), "kjump-test.elf32");
        assertThat(image.elfClass()).isEqualTo(32);
        assertThat(image.machine()).isEqualTo(Image.EM_386);
        assertThat(image.entry()).isEqualTo(0x40004a);
        assertThat(image.symbol("_start")).isEqualTo(OptionalLong.of(0x40004a));
        assertThat(image.symbol("kmain")).isEqualTo(OptionalLong.of(0x400014));
        assertThat(image.symbol("add")).as("a local function").isEqualTo(OptionalLong.of(0x400000));
        assertThat(image.symbol("counter")).isEqualTo(OptionalLong.of(0x402000));
        assertThat(image.symbol("scratch")).isEqualTo(OptionalLong.of(0x402020));
        assertThat(image.symbol("__bss_start")).as("untyped linker symbol").isEmpty();
        assertThat(image.symbolAt(0x400026)).contains("kmain+0x12");
        assertThat(image.symbolAt(0x40004a)).contains("_start+0x0");

        assertThat(image.segments()).extracting(Segment::physAddr)
                .containsExactly(0x3ff000L, 0x400000L, 0x401000L, 0x402000L);
        Segment data = image.segments().get(3);
        assertThat(data.data()).containsExactly(3, 0, 0, 0);
        assertThat(data.memSize()).isEqualTo(0x1020);
        assertThat(image.segments().get(0).data()).startsWith(0x7f, 'E', 'L', 'F');
    }

    @Test
    void committedElf64IsTheSameImage() throws Exception {
        Image elf32 = Image.parse(resource("kjump-test.elf32"), "kjump-test.elf32");
        Image elf64 = Image.parse(resource("kjump-test.elf64"), "kjump-test.elf64");
        assertThat(elf64.elfClass()).isEqualTo(64);
        assertThat(elf64.machine()).isEqualTo(Image.EM_X86_64);
        assertSameImage(elf32, elf64);
    }

    @Test
    void freshlyCompiledElf(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("kjump-test.c");
        Files.write(source, resource("kjump-test.c"));
        Path elf32 = dir.resolve("fresh.elf32");
        List<String> gcc = new ArrayList<>(List.of("gcc"));
        gcc.addAll(List.of(GCC_FLAGS));
        gcc.addAll(List.of("-o", elf32.toString(), source.toString()));
        assumeTrue(run(dir, gcc), "gcc with -m32 support is not available");

        Image image = Image.load(elf32);
        assertThat(image.elfClass()).isEqualTo(32);
        assertThat(image.machine()).isEqualTo(Image.EM_386);
        assertThat(image.symbol("_start")).isEqualTo(OptionalLong.of(image.entry()));
        assertThat(image.symbolAt(image.entry())).contains("_start+0x0");
        long kmain = image.symbol("kmain").orElseThrow();
        assertThat(image.symbolAt(kmain + 1)).contains("kmain+0x1");
        long scratch = image.symbol("scratch").orElseThrow();
        Segment bss = image.segments().stream()
                .filter(s -> s.physAddr() <= scratch && scratch < s.end()).findFirst().orElseThrow();
        assertThat(bss.memSize()).isGreaterThan(bss.data().length);

        Path elf64 = dir.resolve("fresh.elf64");
        assumeTrue(run(dir, List.of("objcopy", "-O", "elf64-x86-64", elf32.toString(), elf64.toString())),
                "objcopy is not available");
        assertSameImage(image, Image.load(elf64));
    }

    /** Entry, symbols and segments agree, except the contents of the segment holding each file's own headers. */
    private static void assertSameImage(Image elf32, Image elf64) {
        assertThat(elf64.entry()).isEqualTo(elf32.entry());
        for (String symbol : SYMBOLS) {
            assertThat(elf64.symbol(symbol)).as(symbol).isEqualTo(elf32.symbol(symbol)).isPresent();
            long address = elf32.symbol(symbol).orElseThrow();
            assertThat(elf64.symbolAt(address + 2)).isEqualTo(elf32.symbolAt(address + 2));
        }
        assertThat(elf64.segments()).hasSameSizeAs(elf32.segments());
        for (int i = 0; i < elf32.segments().size(); i++) {
            Segment a = elf32.segments().get(i);
            Segment b = elf64.segments().get(i);
            assertThat(b.physAddr()).isEqualTo(a.physAddr());
            if (startsWithElfMagic(a)) {
                assertThat(startsWithElfMagic(b)).isTrue();
            } else {
                assertThat(b).isEqualTo(a);
            }
        }
    }

    private static boolean startsWithElfMagic(Segment s) {
        byte[] d = s.data();
        return d.length >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
    }

    /** Runs a command; false if it cannot be started or fails. */
    private static boolean run(Path dir, List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("out.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
