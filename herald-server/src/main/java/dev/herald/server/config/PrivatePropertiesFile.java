package dev.herald.server.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * A properties file of secrets in the data directory ({@link DevCredentials}, the Web Push VAPID
 * keys), read whole and written whole.
 *
 * <p>Writing is atomic (a temp file in the same directory, then a rename), so a crash leaves the
 * old file or the new one, never half of one; and the file is owner-only (0600) from its first
 * byte on POSIX file systems: the temp file is created with those permissions, not chmod-ed later.
 * Failures are {@link HeraldStartupException}s naming the file and what it holds, never its
 * contents. Stateless; concurrent writers of one file are the caller's business (the last rename
 * wins).
 */
public final class PrivatePropertiesFile {
    private PrivatePropertiesFile() {
    }

    /**
     * The file's properties, or none when it does not exist.
     *
     * @param what what the file holds, for the error message ("development credentials")
     * @throws HeraldStartupException when it exists but cannot be read or parsed
     */
    public static Properties read(Path file, String what) {
        Properties properties = new Properties();
        if (!Files.exists(file)) {
            return properties;
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new HeraldStartupException("Cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
        return properties;
    }

    /**
     * Replaces the file with these properties, atomically and owner-only.
     *
     * @param comment the file's header comment (what it is, how to replace it)
     * @param what    what the file holds, for the error message ("development credentials")
     * @throws HeraldStartupException when it cannot be written; no temp file is left behind
     */
    public static void write(Path file, Properties properties, String comment, String what) {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = "." + file.getFileName();
        Path temp = null;
        try {
            temp = posix(dir)
                    ? Files.createTempFile(dir, prefix, ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, prefix, ".tmp");
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                properties.store(writer, comment);
            }
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The original failure is the one to report.
                }
            }
            throw new HeraldStartupException("Cannot save " + what + " to " + file + ": " + DataDirectory.reason(e), e);
        }
    }

    private static boolean posix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
