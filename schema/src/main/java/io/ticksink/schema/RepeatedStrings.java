package io.ticksink.schema;

import java.nio.charset.StandardCharsets;

/**
 * Hands out one shared {@link String} for text seen again: a tick's symbol, liquidity provider
 * and broker repeat across millions of ticks, and a batch waiting to be written then holds one
 * copy of each instead of one per tick.
 *
 * <p>A fixed table indexed by hash, two entries per hash, so that two texts of the same slot
 * (such as {@code EURGBP} and {@code SYM45}) are both kept; a third replaces one of them, so
 * memory stays bounded whatever the input. Thread safe without locks: entries are immutable
 * strings, and a lost race only costs a duplicate string.
 */
final class RepeatedStrings {

    /** Longer text is rarely repeated and not worth comparing. */
    static final int MAX_LENGTH = 64;
    private static final int SIZE = 8192;

    private final String[] table = new String[SIZE];

    /** The text of {@code chars[offset, offset + length)}, shared with earlier calls when seen before. */
    String get(char[] chars, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(chars, offset, length);
        }
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + chars[i];
        }
        int slot = slotOf(hash);
        for (int way = 0; way < 2; way++) {
            String cached = table[slot ^ way];
            if (cached != null && matches(cached, chars, offset, length)) {
                return cached;
            }
        }
        return remember(slot, new String(chars, offset, length));
    }

    /** The same for ASCII text in {@code bytes[offset, offset + length)}: its slot is the same as the characters'. */
    String get(byte[] ascii, int offset, int length) {
        if (length > MAX_LENGTH) {
            return new String(ascii, offset, length, StandardCharsets.ISO_8859_1);
        }
        int hash = 0;
        for (int i = offset; i < offset + length; i++) {
            hash = 31 * hash + ascii[i];
        }
        int slot = slotOf(hash);
        for (int way = 0; way < 2; way++) {
            String cached = table[slot ^ way];
            if (cached != null && matches(cached, ascii, offset, length)) {
                return cached;
            }
        }
        return remember(slot, new String(ascii, offset, length, StandardCharsets.ISO_8859_1));
    }

    /** The first of the two entries of the text's {@link String#hashCode()}. */
    static int slotOf(int hash) {
        return (hash ^ (hash >>> 12)) & (SIZE - 2);
    }

    /** Keeps new text in a free entry of its pair, else in place of the first. */
    private String remember(int slot, String text) {
        table[table[slot] == null || table[slot + 1] != null ? slot : slot + 1] = text;
        return text;
    }

    private static boolean matches(String cached, byte[] ascii, int offset, int length) {
        if (cached.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (cached.charAt(i) != ascii[offset + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(String cached, char[] chars, int offset, int length) {
        if (cached.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (cached.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }
}
