package dev.herald.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code herald} command: {@code herald start} runs a node, {@code herald token} prints a
 * development user token; no arguments means {@code start}.
 *
 * <p>Exit codes: 0 normal end; 1 the node could not start or a credential is missing (the
 * reason on stderr); 2 a bad option or setting (message plus a usage hint on stderr). Never
 * prints a stack trace.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Self-hosted real-time notification and chat server.",
        footer = {"", "Run 'herald start --help' for the server's options. Each option can also be",
                "set by an environment variable HERALD_<NAME> (e.g. HERALD_PORT) or a config",
                "file (--config FILE)."})
public final class Main implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        String[] effective = args.length == 0 ? new String[] {"start"} : args;
        int code = execute(effective, System.getenv(), NodeRunner.SERVER,
                new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        System.exit(code);
    }

    /** Runs one command line with the given environment and streams; returns the exit code. */
    static int execute(String[] args, Map<String, String> env, NodeRunner runner, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new Main())
                .addSubcommand("start", new StartCommand(env, runner, new SecureRandom()))
                .addSubcommand("token", new TokenCommand(env))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(Main::handleBadInput)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    log.debug("unexpected failure", e);
                    commandLine.getErr().println("herald: unexpected error: " + e);
                    return 1;
                });
        return cmd.execute(args);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: use 'start' or 'token'");
    }

    private static int handleBadInput(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("herald: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The version Maven recorded in the JAR, or "development build" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = "development build";
            try (InputStream in = Main.class.getResourceAsStream(
                    "/META-INF/maven/dev.herald/herald-server/pom.properties")) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    version = properties.getProperty("version", version);
                }
            } catch (IOException e) {
                // Keep the fallback; a version string is not worth failing over.
            }
            return new String[] {"Herald " + version + " (Java " + Runtime.version() + ")"};
        }
    }
}
