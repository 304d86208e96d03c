package io.ticksink.tools;

import java.util.Locale;
import java.util.Set;

/**
 * The statement {@code sql} is given, checked before SQLite sees it: exactly one statement, and
 * one that reads. SQLite's read-only connection and {@code PRAGMA query_only} already refuse
 * writes to the day files; this check also refuses what those let through ({@code PRAGMA
 * query_only=0}, {@code VACUUM INTO} a new file, a second statement after a {@code ;}, which the
 * JDBC driver would silently drop). Pure functions, thread safe.
 */
final class SqlStatement {

    /** The words a read-only statement may start with. */
    static final Set<String> READING = Set.of("SELECT", "WITH", "VALUES", "EXPLAIN");

    /** The statement cannot run: the message says why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private SqlStatement() {
    }

    /**
     * The one statement of {@code sql}, without its trailing {@code ;}.
     *
     * @throws Refused when {@code sql} holds no statement, more than one, or one that does not
     *     start with a word of {@link #READING}
     */
    static String check(String sql) throws Refused {
        int end = endOfFirst(sql);
        String first = sql.substring(0, end);
        if (end < sql.length() && hasCode(sql.substring(end + 1))) {
            throw new Refused("one statement at a time: found more after the ';' that ends the first");
        }
        String word = firstWord(first);
        if (word.isEmpty()) {
            throw new Refused("no SQL statement given");
        }
        if (!READING.contains(word.toUpperCase(Locale.ROOT))) {
            throw new Refused("only a read-only query can run (SELECT, WITH, VALUES or EXPLAIN); refused: "
                    + word.toUpperCase(Locale.ROOT));
        }
        return first;
    }

    /** The index of the first {@code ;} outside strings, quoted names and comments, or the length. */
    static int endOfFirst(String sql) {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == ';') {
                return i;
            }
            i = skip(sql, i);
        }
        return sql.length();
    }

    /** Whether {@code sql} holds anything but blanks, comments and {@code ;}. */
    private static boolean hasCode(String sql) {
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (!Character.isWhitespace(c) && c != ';' && !startsComment(sql, i)) {
                return true;
            }
            i = skip(sql, i);
        }
        return false;
    }

    /** The first word of the statement, after blanks and comments; empty when there is none. */
    private static String firstWord(String sql) {
        int i = 0;
        while (i < sql.length() && (Character.isWhitespace(sql.charAt(i)) || startsComment(sql, i))) {
            i = skip(sql, i);
        }
        int start = i;
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
            i++;
        }
        // a statement starting with a symbol ("(", a quoted name...) has no word: SQLite rejects it
        return start < sql.length() && start == i ? sql.substring(start, start + 1) : sql.substring(start, i);
    }

    private static boolean startsComment(String sql, int i) {
        return sql.startsWith("--", i) || sql.startsWith("/*", i);
    }

    /** The index just past the token at {@code i}: a string, quoted name or comment whole, else one character. */
    private static int skip(String sql, int i) {
        char c = sql.charAt(i);
        if (sql.startsWith("--", i)) {
            int eol = sql.indexOf('\n', i);
            return eol < 0 ? sql.length() : eol + 1;
        }
        if (sql.startsWith("/*", i)) {
            int close = sql.indexOf("*/", i + 2);
            return close < 0 ? sql.length() : close + 2;
        }
        char close = switch (c) {
            case '\'', '"', '`' -> c;
            case '[' -> ']';
            default -> 0;
        };
        if (close == 0) {
            return i + 1;
        }
        int j = i + 1;
        while (j < sql.length()) {
            if (sql.charAt(j) == close) {
                // a doubled quote inside a string or quoted name stands for itself
                if (close != ']' && j + 1 < sql.length() && sql.charAt(j + 1) == close) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return sql.length();
    }
}
