package io.vnet4j.cli;

import io.vnet4j.control.ControlServer;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The control sockets of the daemons that share a runtime directory: {@code control.sock} for the first,
 * {@code control-2.sock}, {@code control-3.sock}, ... for the others. The daemon takes the first name that
 * no live daemon answers on; {@code vnet4j ctl} finds the sole daemon that answers.
 */
final class ControlSockets {
    /** Names tried at most: control.sock and control-2.sock to control-{@value}.sock. */
    static final int MAX = 64;

    private ControlSockets() {}

    /** {@code dir/control.sock}, then {@code dir/control-2.sock} up to {@code dir/control-64.sock}, in order. */
    static List<Path> candidates(Path dir) {
        List<Path> paths = new ArrayList<>(MAX);
        paths.add(dir.resolve("control.sock"));
        for (int i = 2; i <= MAX; i++) {
            paths.add(dir.resolve("control-" + i + ".sock"));
        }
        return paths;
    }

    /**
     * Starts a control server on the first candidate in {@code dir} that no live socket holds (a stale one
     * is replaced); {@code server} makes the (unstarted) server for a path.
     *
     * @return the started server
     * @throws IOException when every name is taken, or a socket cannot be bound for another reason
     */
    static ControlServer startFirstFree(Path dir, Function<Path, ControlServer> server) throws IOException {
        for (Path path : candidates(dir)) {
            ControlServer candidate = server.apply(path);
            try {
                candidate.start();
                return candidate;
            } catch (SocketFiles.InUseException e) {
                // a live daemon has this name: try the next
            }
        }
        throw new IOException("no free control socket name in " + dir + " (" + MAX + " daemons answer there); give --control PATH");
    }

    /**
     * The control socket {@code vnet4j ctl} talks to when given none ({@code path}): {@code dir/control.sock}
     * when it answers, else the only numbered one that answers; {@code others}, the numbered ones that answer
     * besides, for ctl to say which daemon it chose.
     */
    record Found(Path path, List<Path> others) {
    }

    /**
     * Finds the control socket {@code vnet4j ctl} talks to when given none.
     *
     * @throws IOException (one line for the user) when none answers, or several numbered ones and not control.sock
     */
    static Found find(Path dir) throws IOException {
        List<Path> candidates = candidates(dir);
        List<Path> live = candidates.stream().filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS) && SocketFiles.answers(p)).toList();
        if (live.size() == 1 || !live.isEmpty() && live.getFirst().equals(candidates.getFirst())) {
            return new Found(live.getFirst(), live.subList(1, live.size()));
        }
        if (live.isEmpty()) {
            throw new IOException("no vnet4j answers on " + candidates.getFirst() + " or " + dir.resolve("control-N.sock")
                    + " (is vnet4j running? for another socket give --control PATH)");
        }
        throw new IOException("several vnet4j daemons answer: "
                + live.stream().map(Path::toString).collect(Collectors.joining(", ")) + "; choose one with --control PATH");
    }
}
