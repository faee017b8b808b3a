package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kjump.image.Image;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite: every gcc-built test program in {@code images/elf} (each at -O0, -O2, -Os, as ELF32
 * and ELF64) runs on kjump's CPU and must print byte for byte the COM1 transcript QEMU printed for the same
 * program ({@code images/expected}, recorded by {@code make -C images expected}; CI re-checks it against a live
 * {@code qemu-system-i386}).
 */
class ConformanceTest {
    static final Path ELF_DIR = Path.of("images/elf");
    static final Path EXPECTED_DIR = Path.of("images/expected");
    /** Disk size of the ata-* programs: 1 MiB, 2048 sectors. */
    static final int ATA_DISK_SECTORS = 2048;
    /** The disk {@code make -C images disk} builds for QEMU (not committed; may be absent). */
    static final Path QEMU_ATA_DISK = Path.of("images/build/ata-disk.img");

    static String program(Path image) {
        return baseName(image).replaceAll("-O[02s]$", "");
    }

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

    /** Programs named {@code ata-*} drive an ATA disk: each run gets a fresh copy of {@link #writeAtaDisk}. */
    static boolean needsDisk(Path image) {
        return image.getFileName().toString().startsWith("ata-");
    }

    /**
     * Writes the disk the ata-* programs expect to {@code file} and returns it: the same bytes as
     * {@code images/tools/ata-disk.c} (which makes QEMU's copy): byte i of sector s is (s*31 + i*7) &amp; 0xff.
     */
    static Path writeAtaDisk(Path file) throws IOException {
        byte[] image = new byte[ATA_DISK_SECTORS * 512];
        for (int s = 0; s < ATA_DISK_SECTORS; s++) {
            for (int i = 0; i < 512; i++) {
                image[s * 512 + i] = (byte) (s * 31 + i * 7);
            }
        }
        return Files.write(file, image);
    }

    @Test
    void suiteCoversEveryProgramAtEveryLevelInBothContainers() throws IOException {
        List<Path> all = images();
        List<String> programs = all.stream().map(ConformanceTest::program).distinct().toList();
        assertThat(programs).hasSizeGreaterThanOrEqualTo(11)
                .contains("arith", "math64", "strings", "switch", "funcptr", "recursion", "structs", "bitfields",
                        "hash", "paging", "faults", "ata");
        for (String p : programs) {
            for (String opt : List.of("O0", "O2", "Os")) {
                assertThat(ELF_DIR.resolve(p + "-" + opt + ".elf")).exists();
                assertThat(ELF_DIR.resolve(p + "-" + opt + ".elf64")).exists();
                assertThat(ELF_DIR.resolve(p + "-" + opt + ".mb.elf")).exists();
                assertThat(EXPECTED_DIR.resolve(p + "-" + opt + ".txt")).exists();
            }
        }
    }

    @Test
    void ataDiskIsTheOneQemuGetsWhenThatHasBeenBuilt(@TempDir Path tmp) throws IOException {
        assumeTrue(Files.exists(QEMU_ATA_DISK), "images/build/ata-disk.img not built");
        assertThat(Files.mismatch(writeAtaDisk(tmp.resolve("disk.img")), QEMU_ATA_DISK)).isEqualTo(-1L);
    }

    @TestFactory
    Stream<DynamicTest> eachImagePrintsWhatQemuPrinted() throws IOException {
        return images().stream().map(img -> DynamicTest.dynamicTest(img.getFileName().toString(), () -> {
            Path expectedFile = EXPECTED_DIR.resolve(baseName(img) + ".txt");
            assertThat(expectedFile).as("QEMU transcript for %s", img).exists();
            String expected = Files.readString(expectedFile, StandardCharsets.ISO_8859_1);
            ByteArrayOutputStream com1 = new ByteArrayOutputStream();
            Path disk = needsDisk(img) ? writeAtaDisk(Files.createTempFile("kjump-ata-disk", ".img")) : null;
            DirectRun.Result r;
            try {
                Machine m = new Machine(Machine.DEFAULT_MEMORY, com1, disk);
                try {
                    r = DirectRun.run(m, Image.load(img), 2_000_000_000L, 0);
                } finally {
                    if (m.disk() != null) {
                        m.disk().close();
                    }
                }
            } finally {
                if (disk != null) {
                    Files.delete(disk);
                }
            }
            String got = com1.toString(StandardCharsets.ISO_8859_1);
            assertThat(r.outcome()).as("%s: %s", img, r.stop().message()).isEqualTo(DirectRun.Outcome.RETURNED);
            assertThat(r.returnValue()).as("kmain's return value").isZero();
            assertThat(r.protocolViolations()).isEmpty();
            assertThat(got).isEqualTo(expected);
        }));
    }
}
