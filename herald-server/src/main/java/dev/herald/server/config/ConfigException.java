package dev.herald.server.config;

/**
 * A configuration value is missing or invalid. The message names where the value came from
 * (option, environment variable or config file key) and what is wrong, in words an operator can
 * act on; it never contains a secret.
 */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
