package dev.herald.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One raw setting and where it came from, with typed readers that fail with a
 * {@link ConfigException} naming the origin, e.g.
 * {@code Invalid value for option '--port': 'abc' is not a port number (0-65535)}.
 * Values of secret settings are never echoed.
 *
 * @param name   the option name without dashes, e.g. {@code port}
 * @param raw    the value as given, trimmed, never blank
 * @param origin where it came from, e.g. {@code option '--port'} or {@code environment variable HERALD_PORT}
 */
public record ConfigValue(String name, String raw, String origin) {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    /** Whether the value must never appear in messages. */
    public boolean secret() {
        return name.equals("jwt-secret") || name.equals("api-key") || name.equals("push-vapid-private-key");
    }

    public String asString() {
        return raw;
    }

    public int asPort() {
        return wholeNumber(0, 65535, "is not a port number (0-65535; 0 picks a free port)");
    }

    /** A whole number from 1 to 1,000,000. */
    public int asPositiveInt() {
        return wholeNumber(1, 1_000_000, "is not a whole number from 1 to 1000000");
    }

    /** A whole number from 0 (where 0 means "none" or "no limit", as the option says) to 1,000,000. */
    public int asNonNegativeInt() {
        return wholeNumber(0, 1_000_000, "is not a whole number from 0 to 1000000");
    }

    private int wholeNumber(int min, int max, String complaint) {
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted range.
        }
        throw invalid(complaint);
    }

    /**
     * A positive byte count: a plain number or one with a binary unit, e.g. {@code 65536},
     * {@code 64k}, {@code 64KiB}, {@code 4m}, {@code 1g} (k = 1024). At most 2 GiB - 1.
     */
    public int asBytes() {
        Matcher m = SIZE.matcher(raw.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid("is not a size; use e.g. 65536, 64k, 4m");
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        long multiplier = switch (unit.charAt(0)) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        long value;
        try {
            value = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalid("is too large (at most 2147483647 bytes)");
        }
        if (value <= 0) {
            throw invalid("must be positive");
        }
        if (value > Integer.MAX_VALUE) {
            throw invalid("is too large (at most 2147483647 bytes)");
        }
        return (int) value;
    }

    /**
     * A positive duration: number-unit parts with units ms, s, m, h, d ({@code 25s}, {@code 1m30s},
     * {@code 500ms}) or ISO-8601 ({@code PT25S}).
     */
    public Duration asDuration() {
        String text = raw.toLowerCase(Locale.ROOT);
        Duration total;
        if (text.startsWith("pt") || text.startsWith("p")) {
            try {
                total = Duration.parse(raw.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw invalid("is not a duration; use e.g. 25s, 1m, 500ms");
            }
        } else {
            Matcher m = DURATION_PART.matcher(text);
            total = Duration.ZERO;
            int end = 0;
            while (m.lookingAt()) {
                long amount;
                try {
                    amount = Long.parseLong(m.group(1));
                    total = total.plus(switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        default -> Duration.ofDays(amount);
                    });
                } catch (ArithmeticException | NumberFormatException e) {
                    throw invalid("is too long");
                }
                end = m.end();
                m.region(end, text.length());
            }
            if (end == 0 || end != text.length()) {
                throw invalid("is not a duration; use e.g. 25s, 1m, 500ms");
            }
        }
        if (total.isNegative() || total.isZero()) {
            throw invalid("must be positive");
        }
        return total;
    }

    /** A log level: TRACE, DEBUG, INFO, WARN or ERROR, in any case; returned in upper case. */
    public String asLogLevel() {
        String level = raw.toUpperCase(Locale.ROOT);
        if (!HeraldConfig.LOG_LEVELS.contains(level)) {
            throw invalid("is not a log level (TRACE, DEBUG, INFO, WARN, ERROR)");
        }
        return level;
    }

    public boolean asBoolean() {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid("is not a boolean (true or false)");
        };
    }

    public Path asPath() {
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw invalid("is not a valid path");
        }
    }

    /** An absolute http or https URL. */
    public URI asHttpUrl() {
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below.
        }
        throw invalid("is not an http(s) URL");
    }

    /** Comma separated, each part trimmed, empty parts dropped. */
    public List<String> asList() {
        return Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** An exception saying this value {@code problem}, e.g. "must be positive". */
    public ConfigException invalid(String problem) {
        String shown = secret() ? "(value hidden)" : "'" + raw + "'";
        return new ConfigException("Invalid value for " + origin + ": " + shown + " " + problem);
    }
}
