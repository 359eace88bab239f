package io.vnet4j.config;

import io.vnet4j.wire.Ipv4Address;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * Parses QEMU's forwarding rules: {@code hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}
 * and {@code guestfwd=[tcp]:[server]:port-TARGET} with TARGET {@code cmd:COMMAND}, {@code tcp:HOST:PORT}
 * or {@code unix:PATH}. Errors read like QEMU's: {@code Invalid host forwarding rule 'RULE' (REASON)}.
 */
final class ForwardRules {
    private ForwardRules() {}

    static UserConfig.HostForward hostForward(OptionString o, String rule, int defaultGuest) throws ConfigException {
        String[] protoRest = splitFirst(rule, ':');
        if (protoRest == null) {
            throw hostError(o, rule, "No : separators");
        }
        boolean udp;
        switch (protoRest[0]) {
            case "", "tcp" -> udp = false;
            case "udp" -> udp = true;
            default -> throw hostError(o, rule, "Bad protocol name");
        }
        String[] hostRest = splitFirst(protoRest[1], ':');
        if (hostRest == null) {
            throw hostError(o, rule, "Missing : separator");
        }
        InetAddress hostAddress;
        try {
            hostAddress = InetAddress.getByAddress(Ipv4Address.toBytes(
                    hostRest[0].isEmpty() ? Ipv4Address.parse("127.0.0.1") : Ipv4Address.parse(hostRest[0])));
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            throw hostError(o, rule, "Bad host address");
        }
        String[] portRest = splitFirst(hostRest[1], '-');
        if (portRest == null) {
            throw hostError(o, rule, "Bad host port separator");
        }
        int hostPort = number(portRest[0], 0);
        if (hostPort < 0) {
            throw hostError(o, rule, "Bad host port");
        }
        String[] guestRest = splitFirst(portRest[1], ':');
        if (guestRest == null) {
            throw hostError(o, rule, "Missing guest address");
        }
        int guest = defaultGuest;
        if (!guestRest[0].isEmpty()) {
            try {
                guest = Ipv4Address.parse(guestRest[0]);
            } catch (IllegalArgumentException e) {
                throw hostError(o, rule, "Bad guest address");
            }
        }
        int guestPort = number(guestRest[1], 1);
        if (guestPort < 0) {
            throw hostError(o, rule, "Bad guest port");
        }
        return new UserConfig.HostForward(udp, hostAddress, hostPort, guest, guestPort, guestRest[0].isEmpty());
    }

    static UserConfig.GuestForward guestForward(OptionString o, String rule, int defaultServer) throws ConfigException {
        String[] protoRest = splitFirst(rule, ':');
        if (protoRest == null || !(protoRest[0].isEmpty() || protoRest[0].equals("tcp"))) {
            throw guestError(o, rule, "expected [tcp]:[server]:port-TARGET");
        }
        String[] serverRest = splitFirst(protoRest[1], ':');
        if (serverRest == null) {
            throw guestError(o, rule, "missing the server address");
        }
        int server = defaultServer;
        if (!serverRest[0].isEmpty()) {
            try {
                server = Ipv4Address.parse(serverRest[0]);
            } catch (IllegalArgumentException e) {
                throw guestError(o, rule, "bad server address");
            }
        }
        String[] portRest = splitFirst(serverRest[1], '-');
        if (portRest == null) {
            throw guestError(o, rule, "missing '-' before the target");
        }
        int port = number(portRest[0], 1);
        if (port < 0) {
            throw guestError(o, rule, "bad port");
        }
        String target = portRest[1];
        UserConfig.GuestForwardTarget t;
        if (target.startsWith("cmd:") && target.length() > 4) {
            t = new UserConfig.GuestForwardTarget.Command(target.substring(4));
        } else if (target.startsWith("unix:") && target.length() > 5) {
            t = new UserConfig.GuestForwardTarget.Unix(Path.of(target.substring(5)));
        } else if (target.startsWith("tcp:")) {
            int colon = target.lastIndexOf(':');
            int targetPort = colon > 4 ? number(target.substring(colon + 1), 1) : -1;
            if (targetPort < 0 || colon <= 4) {
                throw guestError(o, rule, "expected tcp:HOST:PORT as the target");
            }
            t = new UserConfig.GuestForwardTarget.Tcp(target.substring(4, colon), targetPort);
        } else {
            throw guestError(o, rule, "expected the target cmd:COMMAND, tcp:HOST:PORT or unix:PATH");
        }
        return new UserConfig.GuestForward(server, port, t);
    }

    private static String[] splitFirst(String s, char separator) {
        int i = s.indexOf(separator);
        return i < 0 ? null : new String[] {s.substring(0, i), s.substring(i + 1)};
    }

    /** A port number from {@code min} to 65535, or -1. */
    private static int number(String s, int min) {
        if (!s.matches("\\d{1,5}")) {
            return -1;
        }
        int n = Integer.parseInt(s);
        return n >= min && n <= 65535 ? n : -1;
    }

    private static ConfigException hostError(OptionString o, String rule, String reason) {
        return o.error("Invalid host forwarding rule '" + rule + "' (" + reason + ")");
    }

    private static ConfigException guestError(OptionString o, String rule, String reason) {
        return o.error("Invalid guest forwarding rule '" + rule + "' (" + reason + ")");
    }
}
