package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void missingNestedDirectoriesAreCreated() {
        Path nested = dir.resolve("a/b/c");

        DataDirectory.prepare(nested);

        assertThat(nested).isDirectory();
        assertThat(nested).isEmptyDirectory();
    }

    @Test
    void aDirectoryItCreatesIsOwnerOnly() throws Exception {
        Path nested = dir.resolve("a/data");

        DataDirectory.prepare(nested);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nested))).isEqualTo("rwx------");
    }

    @Test
    void ownerOnlyMakesAFileReadableByItsOwnerAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("herald.trace.db"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        DataDirectory.ownerOnly(file);
        DataDirectory.ownerOnly(dir.resolve("gone.db"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "x");

        assertThatThrownBy(() -> DataDirectory.prepare(file))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessage("Data directory " + file + " exists but is not a directory");
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsRefusedWithTheReason() throws Exception {
        Path blocker = Files.writeString(dir.resolve("blocker"), "x");

        assertThatThrownBy(() -> DataDirectory.prepare(blocker.resolve("data")))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("Cannot create data directory " + blocker.resolve("data"));
    }

    @Test
    void aReadOnlyFileSystemIsNotWritable() {
        Path readOnly = Path.of("/proc/self");
        // /proc/self exists and is listable even for root, but no file can be created in it.
        assertThatThrownBy(() -> DataDirectory.prepare(readOnly))
                .isInstanceOf(HeraldStartupException.class)
                .hasMessageStartingWith("Data directory /proc/self is not writable: ");
    }
}
