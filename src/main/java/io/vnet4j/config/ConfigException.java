package io.vnet4j.config;

/** A command-line option that cannot be used; the message is one line naming it and what was expected. */
public final class ConfigException extends Exception {
    private final String reason;
    private final String duplicateId;

    /**
     * An error about an option.
     *
     * @param message one line naming the option and what was expected
     */
    public ConfigException(String message) {
        super(message);
        this.reason = message;
        this.duplicateId = null;
    }

    /**
     * An error about one option's argument: the message is {@code option: reason}.
     *
     * @param option the option as given, e.g. {@code -netdev tap,id=t,ifname=.}
     * @param reason what is wrong with it and what was expected
     */
    public ConfigException(String option, String reason) {
        this(option, reason, null);
    }

    private ConfigException(String option, String reason, String duplicateId) {
        super(option + ": " + reason);
        this.reason = reason;
        this.duplicateId = duplicateId;
    }

    /**
     * A netdev added while the network runs whose id a running netdev has: {@code option: Duplicate ID 'ID' for
     * netdev (it runs already)}, QEMU's words; the control socket words it as QEMU's QMP and monitor do
     * ({@link #duplicateId}).
     *
     * @param option the option as given
     * @param id the id in use
     */
    public static ConfigException duplicateId(String option, String id) {
        return new ConfigException(option, "Duplicate ID '" + id + "' for netdev (it runs already)", id);
    }

    /** The id a running netdev has already, when this is {@link #duplicateId(String, String)}'s refusal; else null. */
    public String duplicateId() {
        return duplicateId;
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
