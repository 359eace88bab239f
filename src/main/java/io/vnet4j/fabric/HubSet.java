package io.vnet4j.fabric;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The hubs of one process, by number; a hub comes into being when something first attaches to it. */
public final class HubSet {
    private final ConcurrentMap<Integer, Hub> hubs = new ConcurrentHashMap<>();

    public Hub hub(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("hub id must be >= 0: " + id);
        }
        return hubs.computeIfAbsent(id, Hub::new);
    }

    public List<Hub> all() {
        List<Hub> list = new ArrayList<>(hubs.values());
        list.sort(Comparator.comparingInt(Hub::id));
        return list;
    }
}
