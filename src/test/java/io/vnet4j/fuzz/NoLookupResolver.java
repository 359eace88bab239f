package io.vnet4j.fuzz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test JVM's name resolver (registered in META-INF/services): the JDK's own, except while
 * {@link #refuseLookups} is set, when every name but {@code localhost} is unknown without asking DNS.
 * A harness that feeds fuzzed host names to code calling {@link InetAddress#getByName} sets it, so no
 * fuzzed name leaves the machine as a DNS query. Address literals never reach a resolver.
 */
public final class NoLookupResolver extends InetAddressResolverProvider {
    private static volatile boolean refuseLookups;
    private static final AtomicLong LOOKUPS = new AtomicLong();

    /** Refuses (true) or allows again (false) lookups of names other than localhost. */
    public static void refuseLookups(boolean refuse) {
        refuseLookups = refuse;
    }

    /** A test class's extension ({@code @ExtendWith}): lookups refused while its tests run. */
    public static final class Refusing implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            refuseLookups(true);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            refuseLookups(false);
        }
    }

    /** How many names this JVM has asked a resolver for (refused ones too): a test's proof that it asked none. */
    public static long lookups() {
        return LOOKUPS.get();
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                LOOKUPS.incrementAndGet();
                if (refuseLookups && !host.equalsIgnoreCase("localhost")) {
                    throw new UnknownHostException(host + " (lookups refused while fuzzing)");
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                if (refuseLookups) {
                    throw new UnknownHostException("reverse lookups refused while fuzzing");
                }
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "vnet4j-fuzz-no-lookup";
    }
}
