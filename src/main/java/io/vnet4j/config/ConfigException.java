package io.vnet4j.config;

/** A command-line option that cannot be used; the message is one line naming it and what was expected. */
public final class ConfigException extends Exception {
    private final String reason;

    /**
     * An error about an option.
     *
     * @param message one line naming the option and what was expected
     */
    public ConfigException(String message) {
        super(message);
        this.reason = message;
    }

    /**
     * An error about one option's argument: the message is {@code option: reason}.
     *
     * @param option the option as given, e.g. {@code -netdev tap,id=t,ifname=.}
     * @param reason what is wrong with it and what was expected
     */
    public ConfigException(String option, String reason) {
        super(option + ": " + reason);
        this.reason = reason;
    }

    /**
     * What is wrong, without the option it is about: for a caller that wrote the option itself, which the
     * user never saw (the slirp4netns drop-in). The whole message when it names no single option.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }
}
