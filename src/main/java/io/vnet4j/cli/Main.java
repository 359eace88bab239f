package io.vnet4j.cli;

/** Entry point of the vnet4j daemon and its {@code ctl} client. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("vnet4j");
    }
}
