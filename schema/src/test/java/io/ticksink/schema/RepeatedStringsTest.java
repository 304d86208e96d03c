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

    /** Two texts of one slot, as EURGBP and SYM45 were in a table of one entry per slot: both stay shared. */
    @Test
    void twoTextsOfOneSlotAreBothKept() {
        String first = "S0";
        String second = null;
        for (int i = 1; second == null; i++) {
            if (RepeatedStrings.slotOf(("S" + i).hashCode()) == RepeatedStrings.slotOf(first.hashCode())) {
                second = "S" + i;
            }
        }
        String a = get(first);
        String b = get(second);
        for (int round = 0; round < 3; round++) {
            assertThat(get(first)).isSameAs(a);
            assertThat(get(second)).isSameAs(b);
            byte[] ascii = ("<" + second + ">").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(strings.get(ascii, 1, second.length())).isSameAs(b);
        }
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
