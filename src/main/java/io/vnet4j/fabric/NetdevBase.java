package io.vnet4j.fabric;

/** What every netdev that is not itself a port holds: its name, its type and its hub. */
public abstract class NetdevBase implements Netdev {
    protected final String id;
    protected final String type;
    protected final Hub hub;

    protected NetdevBase(String id, String type, Hub hub) {
        this.id = id;
        this.type = type;
        this.hub = hub;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Hub hub() {
        return hub;
    }
}
