package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepeatedStringsTest {

    private final RepeatedStrings strings = new RepeatedStrings();

    private String get(String text) {
        char[] padded = ("<<" + text + ">>").toCharArray();
        return strings.get(padded, 2, text.length());
    }

    @Test
    void textSeenAgainIsTheSameString() {
        String first = get("EURUSD");
        assertThat(get("EURUSD")).isEqualTo("EURUSD").isSameAs(first);
    }

    @Test
    void differentTextIsNeverMixedUpWhateverTheTableHolds() {
        // far more distinct values than the table has slots: collisions replace entries, never answer wrongly
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 20_000; i++) {
                String text = "SYM" + i;
                assertThat(get(text)).isEqualTo(text);
            }
        }
        assertThat(get("")).isEmpty();
    }

    @Test
    void longTextIsCopiedNotShared() {
        String text = "x".repeat(RepeatedStrings.MAX_LENGTH + 1);
        String first = get(text);
        assertThat(get(text)).isEqualTo(text).isNotSameAs(first);
    }

    @Test
    void unicodeTextIsKeptExactly() {
        assertThat(get("€uro-Ñ")).isEqualTo("€uro-Ñ");
        assertThat(get("€uro-Ñ")).isSameAs(get("€uro-Ñ"));
    }
}
