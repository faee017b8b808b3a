package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite: every gcc-built test program in {@code images/elf} (each at -O0, -O2, -Os, as ELF32
 * and ELF64) runs on kjump's CPU and must print byte for byte the COM1 transcript QEMU printed for the same
 * program ({@code images/expected}, recorded by {@code make -C images expected}; CI re-checks it against a live
 * {@code qemu-system-i386}).
 */
class ConformanceTest {
    static final Path ELF_DIR = Path.of("images/elf");
    static final Path EXPECTED_DIR = Path.of("images/expected");

    static List<Path> images() throws IOException {
        try (Stream<Path> s = Files.list(ELF_DIR)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".elf") && !n.endsWith(".mb.elf")) || n.endsWith(".elf64");
            }).sorted().toList();
        }
    }

    static String baseName(Path image) {
        String n = image.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    @Test
    void suiteCoversEveryProgramAtEveryLevelInBothContainers() throws IOException {
        List<Path> all = images();
        List<String> programs = all.stream().map(p -> baseName(p).replaceAll("-O[02s]$", "")).distinct().toList();
        assertThat(programs).hasSizeGreaterThanOrEqualTo(11)
                .contains("arith", "math64", "strings", "switch", "funcptr", "recursion", "structs", "bitfields",
                        "hash", "paging", "faults");
        for (String p : programs) {
            for (String opt : List.of("O0", "O2", "Os")) {
                assertThat(ELF_DIR.resolve(p + "-" + opt + ".elf")).exists();
                assertThat(ELF_DIR.resolve(p + "-" + opt + ".elf64")).exists();
                assertThat(ELF_DIR.resolve(p + "-" + opt + ".mb.elf")).exists();
                assertThat(EXPECTED_DIR.resolve(p + "-" + opt + ".txt")).exists();
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> eachImagePrintsWhatQemuPrinted() throws IOException {
        return images().stream().map(img -> DynamicTest.dynamicTest(img.getFileName().toString(), () -> {
            Path expectedFile = EXPECTED_DIR.resolve(baseName(img) + ".txt");
            assertThat(expectedFile).as("QEMU transcript for %s", img).exists();
            String expected = Files.readString(expectedFile, StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream com1 = new ByteArrayOutputStream();
            Machine m = new Machine(Machine.DEFAULT_MEMORY, com1);
            DirectRun.Result r = DirectRun.run(m, Image.load(img), 2_000_000_000L, 0);
            String got = com1.toString(StandardCharsets.ISO_8859_1);
            assertThat(r.outcome()).as("%s: %s", img, r.stop().message()).isEqualTo(DirectRun.Outcome.RETURNED);
            assertThat(r.returnValue()).as("kmain's return value").isZero();
            assertThat(r.protocolViolations()).isEmpty();
            assertThat(got).isEqualTo(expected);
        }));
    }
}
