package io.vnet4j.cli;

import io.vnet4j.base.HostText;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import picocli.CommandLine;

/**
 * {@code --http}'s value: {@code PORT} or {@code :PORT} (127.0.0.1, this host alone), {@code ADDR:PORT} or
 * {@code [IPV6]:PORT}. A bad value is picocli's one-line error naming the option (exit code 2).
 */
final class HttpAddress implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String portText = value.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.TypeConversionException("expected [ADDR:]PORT with a port from 0 to 65535, got '" + value + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new CommandLine.TypeConversionException("an IPv6 address goes in brackets ([::1]:" + port + "), got '" + value + "'");
        }
        try {
            return new InetSocketAddress(host.isEmpty() ? InetAddress.getLoopbackAddress() : HostText.resolve(host), port);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        } catch (UnknownHostException e) {
            throw new CommandLine.TypeConversionException("unknown host '" + host + "' in '" + value + "'");
        }
    }
}
