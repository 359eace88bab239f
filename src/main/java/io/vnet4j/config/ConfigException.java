package io.vnet4j.config;

/** A command-line option that cannot be used; the message is one line naming it and what was expected. */
public final class ConfigException extends Exception {
    /**
     * An error about an option.
     *
     * @param message one line naming the option and what was expected
     */
    public ConfigException(String message) {
        super(message);
    }
}
