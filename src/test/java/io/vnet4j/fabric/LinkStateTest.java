package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A port's link: the backend's carrier and QEMU's set_link (link_down) together, and what a template hands on. */
class LinkStateTest {
    /** A port that keeps what it is offered and reports set_link's changes. */
    private static final class Recording extends Port {
        final List<Boolean> changes = new ArrayList<>();
        int offered;

        Recording(String id) {
            super(id, "test");
        }

        void carrier(boolean up) {
            setCarrier(up);
        }

        void send(int length) {
            deliver(ByteBuffer.allocate(length), 0, length);
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        protected boolean enqueue(ByteBuffer frame, int offset, int length, int segmentSize) {
            offered++;
            return true;
        }

        @Override
        protected void linkStatusChanged(boolean down) {
            changes.add(down);
        }
    }

    @Test
    void theLinkIsUpOnlyWithCarrierAndWithoutSetLinkOff() {
        Recording p = new Recording("p");
        assertThat(p.linkUp()).isTrue();
        p.setLinkDown(true);
        assertThat(p.linkUp()).isFalse();
        p.carrier(false);
        p.setLinkDown(false);
        assertThat(p.linkUp()).as("no carrier still").isFalse();
        p.carrier(true);
        assertThat(p.linkUp()).isTrue();
        p.setLinkDown(true);
        p.carrier(true);
        assertThat(p.linkUp()).as("carrier does not lift set_link off").isFalse();
    }

    @Test
    void theBackendHearsOfEachChangeOnce() {
        Recording p = new Recording("p");
        p.setLinkDown(false);
        p.setLinkDown(true);
        p.setLinkDown(true);
        p.setLinkDown(false);
        assertThat(p.changes).containsExactly(true, false);
    }

    @Test
    void aDownLinkNeitherSendsNorReceivesAndCountsWhatTheHubOffered() {
        Hub hub = new Hub(0);
        Recording a = new Recording("a");
        Recording b = new Recording("b");
        hub.attach(a);
        hub.attach(b);
        b.setLinkDown(true);
        a.send(60);
        b.send(60);
        assertThat(b.offered).isZero();
        assertThat(a.offered).isZero();
        assertThat(b.counters().snapshot()).isEqualTo(new PortCounters.Snapshot(0, 0, 0, 0, 1, 0));
        b.setLinkDown(false);
        a.send(60);
        b.send(60);
        assertThat(b.offered).isEqualTo(1);
        assertThat(a.offered).isEqualTo(1);
    }

    /** A port whose writer is stuck (a peer that does not read): its frames wait in its queue. */
    private static final class Stuck extends QueuedPort {
        Stuck(String id) {
            super(id, "test", DEFAULT_QUEUE_BYTES);
        }

        @Override
        public String describe() {
            return "stuck";
        }
    }

    /**
     * set_link off is a pulled cable: frames that waited in the port's queue for a peer that read slowly do not
     * leave after it, as QEMU drops a link-down client's queued packets when it flushes them. They went on leaving
     * (a stream peer that read again after set_link off got the megabyte that had waited for it).
     */
    @Test
    void setLinkOffDropsWhatWaitedInTheQueueAndCountsIt() throws InterruptedException {
        Hub hub = new Hub(0);
        Recording a = new Recording("a");
        Stuck b = new Stuck("b");
        hub.attach(a);
        hub.attach(b);
        for (int i = 0; i < 5; i++) {
            a.send(60);
        }
        assertThat(b.queuedBytes()).isPositive();
        b.setLinkDown(true);
        assertThat(b.queuedBytes()).isZero();
        assertThat(b.counters().snapshot().txDropped()).isEqualTo(5);
        b.setLinkDown(false);
        a.send(60);
        List<Integer> left = new ArrayList<>();
        b.queue.drain((ring, off, len, seg) -> left.add(len), Integer.MAX_VALUE, Integer.MAX_VALUE, 0);
        assertThat(left).as("only the frame sent after set_link on").containsExactly(60);
    }

    /** A netdev of ports made as peers come, with the ports it has now in a list. */
    private static final class Peers extends PeerPortsNetdev {
        final List<Recording> now = new ArrayList<>();

        Peers() {
            super("peers", "test", new Hub(0));
        }

        void come(Recording port) {
            now.add(port);
            adopt(port);
        }

        @Override
        protected List<? extends Port> portsNow() {
            return now;
        }

        @Override
        public String describe() {
            return "peers";
        }

        @Override
        public List<Port> ports() {
            return List.copyOf(now);
        }

        @Override
        public void start() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aNetdevGivesAPeersNewPortTheLinkStateAndEachTapOnce() {
        Peers netdev = new Peers();
        Recording first = new Recording("first");
        netdev.come(first);
        List<Integer> seen = new ArrayList<>();
        FrameTap tap = (f, off, len) -> seen.add(len);
        netdev.addTap(tap);
        netdev.setLinkDown(true);
        assertThat(first.linkDown()).isTrue();

        Recording later = new Recording("later");
        later.addTap(tap); // a change that raced the port's arrival reached it already
        netdev.come(later);
        assertThat(later.linkDown()).isTrue();
        later.setLinkDown(false);
        later.send(61);
        assertThat(seen).as("one tap, not two").containsExactly(61);
    }

    /** An in-JVM NIC waits for a frame holding its own monitor: set_link and a capture must not wait behind it. */
    @Test
    @org.junit.jupiter.api.Timeout(10)
    void setLinkAndATapDoNotWaitForAReceiverBlockedOnThePort() throws Exception {
        io.vnet4j.port.nic.VirtualNic nic = new io.vnet4j.port.nic.VirtualNic("nic", new Hub(0));
        nic.start();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                nic.receive(ByteBuffer.allocate(io.vnet4j.port.nic.VirtualNic.MAX_FRAME), 60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        while (receiver.getState() != Thread.State.TIMED_WAITING && receiver.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        nic.setLinkDown(true);
        nic.addTap((f, off, len) -> { });
        assertThat(nic.linkDown()).isTrue();
        receiver.interrupt();
        receiver.join();
        nic.close();
    }
}
