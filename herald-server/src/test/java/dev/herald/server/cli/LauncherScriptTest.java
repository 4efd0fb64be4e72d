package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the repository's {@code ./herald} launcher with a controlled PATH and JDK directory. */
class LauncherScriptTest {
    private static final Path SCRIPT = Path.of("..", "herald").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void withoutAJdk21TheLauncherSaysWhatItFoundAndWhatToInstall() throws Exception {
        Path jvms = Files.createDirectories(dir.resolve("jvm"));
        fakeJava(jvms.resolve("java-8"), "java version \"1.8.0_392\"");
        fakeJava(jvms.resolve("java-17"), "openjdk version \"17.0.15\" 2025-04-15");
        Path bin = toolsOnly();

        Result result = launch(bin, jvms, "/nonexistent-jdk");

        assertThat(result.code).isEqualTo(1);
        assertThat(result.output)
                .contains("herald: ignoring JAVA_HOME=/nonexistent-jdk (no Java 21+ there)")
                .contains("Java 21 or newer is required")
                .contains("Java 8 in " + jvms.resolve("java-8"))
                .contains("Java 17 in " + jvms.resolve("java-17"))
                .contains("Install a JDK 21+");
    }

    private Result launch(Path bin, Path jvms, String javaHome) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(bin.resolve("bash").toString(), SCRIPT.toString(), "--help")
                .directory(dir.toFile())
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", bin.toString());
        builder.environment().put("JAVA_HOME", javaHome);
        builder.environment().put("HERALD_JVM_DIR", jvms.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("launcher finished").isTrue();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), output);
        } finally {
            process.destroyForcibly();
        }
    }

    /** A PATH with the tools the launcher uses and no java. */
    private Path toolsOnly() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("bash", "sed", "head", "cut", "readlink", "dirname", "find", "sort")) {
            Path real = which(tool);
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        return bin;
    }

    private static Path which(String tool) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(tool + " not found");
    }

    private static void fakeJava(Path home, String versionLine) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '" + versionLine + "' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int code, String output) {
    }
}
