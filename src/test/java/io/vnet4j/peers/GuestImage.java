package io.vnet4j.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The tiny guest (kernel + initramfs) built once per JVM by src/test/guest/build-guest.sh into target/guest. */
public record GuestImage(Path kernel, Path initrd) {
    private static GuestImage built;

    /** Builds the image if needed (the script is a no-op when target/guest is up to date). */
    public static synchronized GuestImage get() {
        if (built != null) return built;
        PeerTools.require("qemu-system-x86_64", "qemu-system-x86");
        PeerTools.require("cpio", "cpio");
        Path script = PeerTools.basedir().resolve("src/test/guest/build-guest.sh");
        Path out = PeerTools.basedir().resolve("target/guest");
        PeerTools.Exec r = PeerTools.exec(Duration.ofMinutes(2), List.of("bash", script.toString(), out.toString()));
        if (!r.ok()) {
            throw new AssertionError("building the test guest failed (needs packages linux-image-cloud-amd64,"
                    + " busybox-static, cpio):\n" + r.output());
        }
        GuestImage image = new GuestImage(out.resolve("vmlinuz"), out.resolve("initramfs.cpio.gz"));
        if (!Files.isReadable(image.kernel()) || !Files.isReadable(image.initrd())) {
            throw new AssertionError("build-guest.sh left no guest in " + out + ":\n" + r.output());
        }
        built = image;
        return image;
    }
}
