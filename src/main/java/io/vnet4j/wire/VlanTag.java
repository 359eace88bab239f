package io.vnet4j.wire;

/** The tag control information of an 802.1Q tag: priority, drop eligibility and VLAN identifier. */
public record VlanTag(int pcp, boolean dei, int vlanId) {}
