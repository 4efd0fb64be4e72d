package dev.herald.server.config;

import dev.herald.server.HeraldStartupException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Checks, before anything starts, that the data directory exists (creating it if needed) and
 * can be read and written, so an operator gets one clear sentence instead of a failure deep in
 * the store. Writability is probed by creating and deleting a file, because permission bits lie
 * for root and on read-only mounts.
 */
public final class DataDirectory {
    private DataDirectory() {
    }

    /** @throws HeraldStartupException saying what is wrong with {@code dir} */
    public static void prepare(Path dir) {
        Path shown = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new HeraldStartupException("Data directory " + shown + " exists but is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HeraldStartupException("Cannot create data directory " + shown + ": " + reason(e), e);
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
