package io.vnet4j.port.vde;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/** The group of {@code group=} (vde_switch's and vde_plug's option) for the sockets a VDE port makes. */
final class GroupLookup {
    private GroupLookup() {}

    /**
     * The group named {@code group}.
     *
     * @throws IOException "group=NAME: no such group" when there is none (the JDK's exception has no message)
     */
    static GroupPrincipal of(Path file, String group) throws IOException {
        try {
            return file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("group=" + group + ": no such group", e);
        }
    }
}
