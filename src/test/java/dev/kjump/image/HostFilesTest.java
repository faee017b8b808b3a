package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host file errors read as errnos, never as Java class names (issue 13 finding 8). */
class HostFilesTest {
    @Test
    void ioExceptionsReadAsErrnos() {
        assertThat(HostFiles.errno(new NoSuchFileException("/x"))).isEqualTo("ENOENT (No such file or directory)");
        assertThat(HostFiles.errno(new AccessDeniedException("/x"))).isEqualTo("EACCES (Permission denied)");
        assertThat(HostFiles.errno(new FileSystemException("/x", null, "Is a directory")))
                .isEqualTo("EISDIR (Is a directory)");
        assertThat(HostFiles.errno(new FileSystemException("/x", null, "Read-only file system")))
                .isEqualTo("EROFS (Read-only file system)");
        assertThat(HostFiles.errno(new IOException("Input/output error"))).isEqualTo("EIO (Input/output error)");
        assertThat(HostFiles.errno(new IOException())).isEqualTo("EIO (Input/output error)");
        assertThat(HostFiles.errno(new FileSystemException("/x", null, "Stale file handle")))
                .isEqualTo("Stale file handle");
    }

    @Test
    void readRefusesWhatIsNotARegularFileAndNamesMissingOnes(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> HostFiles.read(dir, "initrd", 100))
                .hasMessage(dir + ": the initrd is not a regular file (a directory)");
        assertThatThrownBy(() -> HostFiles.read(Path.of("/dev/null"), "image", 100))
                .hasMessage("/dev/null: the image is not a regular file (a device, FIFO or socket)");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> HostFiles.read(missing, "image", 100))
                .hasMessage(missing + ": ENOENT (No such file or directory)");
        Path big = Files.write(dir.resolve("big"), new byte[101]);
        assertThatThrownBy(() -> HostFiles.read(big, "image", 100))
                .hasMessage(big + ": the image is too large (101 bytes; at most 100)");
        assertThat(HostFiles.read(Files.write(dir.resolve("ok"), new byte[100]), "image", 100)).hasSize(100);
    }
}
