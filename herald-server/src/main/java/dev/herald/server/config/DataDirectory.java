package dev.herald.server.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before anything starts, that the data directory exists (creating it if needed) and
 * can be read and written, so an operator gets one clear sentence instead of a failure deep in
 * the store. Writability is probed by creating and deleting a file, because permission bits lie
 * for root and on read-only mounts.
 *
 * <p>The directory holds the database (every notification and chat message) and the development
 * credentials, so it is private to the user Herald runs as: created owner-only (0700), and the
 * files Herald puts in it are owner-only (0600, {@link #ownerOnly}). An existing directory that
 * group or others may enter is left as the operator made it (it may be shared on purpose, say
 * with a backup group) but logged as a warning at startup. On file systems without POSIX
 * permissions none of this applies.
 */
public final class DataDirectory {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private DataDirectory() {
    }

    /** @throws HeraldStartupException saying what is wrong with {@code dir} */
    public static void prepare(Path dir) {
        Path shown = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new HeraldStartupException("Data directory " + shown + " exists but is not a directory");
        }
        boolean created = !Files.exists(dir);
        try {
            createPrivate(dir);
        } catch (IOException e) {
            throw new HeraldStartupException("Cannot create data directory " + shown + ": " + reason(e), e);
        }
        if (!created) {
            warnIfShared(dir, shown);
        }
        try (Stream<Path> entries = Files.list(dir)) {
            entries.findAny();
        } catch (IOException e) {
            throw new HeraldStartupException("Data directory " + shown + " is not readable: " + reason(e), e);
        }
        try {
            Path probe = Files.createTempFile(dir, ".herald-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new HeraldStartupException("Data directory " + shown + " is not writable: " + reason(e), e);
        }
    }

    /** Creates the directory's missing parents as usual and the directory itself owner-only (0700). */
    private static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (posix(parent == null ? dir : parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    private static void warnIfShared(Path dir, Path shown) {
        if (!posix(dir)) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.stream().anyMatch(GROUP_OR_OTHER::contains)) {
                log.warn("data directory {} is {}: other users may be able to reach the database and credentials in it;"
                        + " make it private with: chmod 700 {}", shown, PosixFilePermissions.toString(perms), shown);
            }
        } catch (IOException e) {
            log.debug("cannot read permissions of {}: {}", shown, e.toString());
        }
    }

    /**
     * Makes a file Herald created owner-only (0600). A no-op where permissions are not POSIX or
     * the file is gone.
     *
     * @throws IOException when the permissions cannot be set
     */
    public static void ownerOnly(Path file) throws IOException {
        if (posix(file) && Files.isRegularFile(file)) {
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (NoSuchFileException e) {
                // Deleted meanwhile (an H2 temp file): nothing left to protect.
            }
        }
    }

    private static boolean posix(Path path) {
        return Files.getFileAttributeView(path, PosixFileAttributeView.class) != null;
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "a parent directory is missing or cannot hold directories";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
}
