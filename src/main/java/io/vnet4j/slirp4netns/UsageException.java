package io.vnet4j.slirp4netns;

/**
 * A command line vnet4j-slirp4netns cannot run with: the message is one line, slirp4netns's own where it
 * has one. slirp4netns exits with status 1 (EXIT_FAILURE) for every such error.
 */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
