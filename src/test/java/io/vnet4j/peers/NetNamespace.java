package io.vnet4j.peers;

import java.time.Duration;
import java.util.List;

/** A network namespace made for one test class and deleted by {@link #close()}; needs root and iproute2. */
public final class NetNamespace implements AutoCloseable {
    private final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Creates namespace {@code name} (deleting a stale one left by a killed run first). */
    public static NetNamespace create(String name) {
        PeerTools.require("ip", "iproute2");
        PeerTools.exec(Duration.ofSeconds(10), List.of("ip", "netns", "del", name)); // stale, usually absent
        PeerTools.execOk("ip", "netns", "add", name);
        return new NetNamespace(name);
    }

    public String name() {
        return name;
    }

    /** Runs {@code command} inside the namespace; fails unless it exits 0. */
    public String execOk(String... command) {
        String[] all = new String[command.length + 4];
        all[0] = "ip";
        all[1] = "netns";
        all[2] = "exec";
        all[3] = name;
        System.arraycopy(command, 0, all, 4, command.length);
        return PeerTools.execOk(all);
    }

    /** Starts a long-running {@code command} inside the namespace; the caller destroys it. */
    public Process start(String... command) throws java.io.IOException {
        List<String> all = new java.util.ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(command));
        return new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Override
    public void close() {
        PeerTools.execOk("ip", "netns", "del", name);
    }
}
