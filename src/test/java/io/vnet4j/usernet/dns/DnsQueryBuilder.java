package io.vnet4j.usernet.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds DNS queries for tests: header fields, questions from dotted names or raw wire names, an EDNS OPT record. */
final class DnsQueryBuilder {
    /** An EDNS OPT record (RFC 6891) as dig appends it: root name, UDP size 1232, no options. */
    private static final byte[] OPT_RECORD = {0, 0, 41, 0x04, (byte) 0xd0, 0, 0, 0, 0, 0, 0};
    private int id = 0x1234;
    private int flags = DnsMessage.FLAG_RD;
    private int questionCount;
    private final ByteArrayOutputStream questions = new ByteArrayOutputStream();
    private boolean edns;

    DnsQueryBuilder id(int value) {
        id = value;
        return this;
    }

    /** The whole flags word; {@link DnsMessage#FLAG_RD} alone unless set. */
    DnsQueryBuilder flags(int value) {
        flags = value;
        return this;
    }

    /** A question of class IN for a dotted ASCII name. */
    DnsQueryBuilder question(String name, int type) {
        return question(name, type, DnsClass.IN);
    }

    DnsQueryBuilder question(String name, int type, int qclass) {
        return rawQuestion(wireName(name), type, qclass);
    }

    /** A question whose name is given in wire form, as it is. */
    DnsQueryBuilder rawQuestion(byte[] name, int type, int qclass) {
        questions.writeBytes(name);
        questions.write(type >>> 8);
        questions.write(type);
        questions.write(qclass >>> 8);
        questions.write(qclass);
        questionCount++;
        return this;
    }

    /** Appends an EDNS OPT record in the additional section, as dig does. */
    DnsQueryBuilder edns() {
        edns = true;
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int word : new int[] {id, flags, questionCount, 0, 0, edns ? 1 : 0}) {
            out.write(word >>> 8);
            out.write(word);
        }
        out.writeBytes(questions.toByteArray());
        if (edns) {
            out.writeBytes(OPT_RECORD);
        }
        return out.toByteArray();
    }

    /** A dotted ASCII name in wire form: length-prefixed labels and the zero byte. */
    static byte[] wireName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
        return out.toByteArray();
    }
}
