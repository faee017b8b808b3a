package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kjump's output is the same in every locale: numbers as Linux prints them, whatever the user's language. */
class LocaleTest {
    @Test
    void aGermanLocaleStillPrintsDecimalPoints(@TempDir Path tmp) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path err = tmp.resolve("err");
        Process p = new ProcessBuilder(java, "-Duser.language=de", "-Duser.country=DE", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", "images/elf/hello-O2.elf")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        List<String> lines = Files.readAllLines(err);
        assertThat(lines).isNotEmpty();
        assertThat(lines.get(0)).matches("\\[ *\\d+\\.\\d{6}\\] Linux version .*");
        assertThat(lines.get(lines.size() - 1)).matches(".*integrity held; \\d+\\.\\d{3} ms in jumps");
    }
}
