package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link KernelRandom}: getrandom(2)'s words, and RandomGenerator's bounded draws made from them. */
class KernelRandomTest {
    @Test
    void drawsDifferentWordsWithBitsInBothHalves() {
        KernelRandom random = new KernelRandom();
        Set<Long> words = new HashSet<>();
        long high = 0;
        long low = 0;
        for (int i = 0; i < 64; i++) {
            long w = random.nextLong();
            words.add(w);
            high |= w >>> 32;
            low |= w & 0xFFFF_FFFFL;
        }
        assertThat(words).hasSize(64);
        assertThat(high).isEqualTo(0xFFFF_FFFFL);
        assertThat(low).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void boundedDrawsStayInTheirBounds() {
        KernelRandom random = new KernelRandom();
        for (int i = 0; i < 1000; i++) {
            assertThat(random.nextInt(10)).isBetween(0, 9);
            assertThat(random.nextLong(1000, 2000)).isBetween(1000L, 1999L);
        }
    }
}
