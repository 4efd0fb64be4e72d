package dev.herald.server;

import dev.herald.server.config.HeraldConfig;
import dev.herald.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data dir holds every notification and chat message: a node keeps it and the database
 * files in it private to the user it runs as.
 */
class DataDirPermissionsEndToEndTest {
    @TempDir
    Path parent;

    @Test
    void aDataDirHeraldCreatesIsOwnerOnlyAndSoIsEveryDatabaseFileInIt() throws Exception {
        Path dataDir = parent.resolve("data");

        try (HeraldServer server = start(dataDir)) {
            assertThat(mode(dataDir)).isEqualTo("rwx------");
            assertThat(mode(dataDir.resolve("herald.mv.db"))).isEqualTo("rw-------");
        }
        assertThat(files(dataDir)).isNotEmpty().allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
    }

    @Test
    void databaseFilesAnOlderNodeLeftReadableAreMadeOwnerOnlyAndTheOperatorsDirIsLeftAsItIs() throws Exception {
        Path dataDir = Files.createDirectory(parent.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (HeraldServer server = start(dataDir)) {
            // The database exists now; play the older node that left it world-readable.
        }
        Files.setPosixFilePermissions(dataDir.resolve("herald.mv.db"), PosixFilePermissions.fromString("rw-r--r--"));

        try (HeraldServer server = start(dataDir)) {
            assertThat(mode(dataDir.resolve("herald.mv.db"))).isEqualTo("rw-------");
            assertThat(mode(dataDir)).isEqualTo("rwxr-xr-x");
        }
    }

    private static HeraldServer start(Path dataDir) {
        return new HeraldServer(HeraldConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .dataDir(dataDir)
                .jwtSecret(TestServer.SECRET)
                .apiKey(TestServer.API_KEY)
                .build()).start();
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
