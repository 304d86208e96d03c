package io.ticksink.tools;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A 64-bit digest of a record's key and value (the first 8 bytes of their SHA-256): tells a dead
 * letter of this record from one of another record that had the same coordinates (the offsets of
 * a topic deleted and created again, which dead-letter headers do not tell apart). Pure; not
 * thread safe (one instance per thread).
 */
final class RecordDigest {

    private final MessageDigest sha256;

    RecordDigest() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    long of(byte[] key, ByteBuffer value) {
        sha256.reset();
        part(key == null ? null : ByteBuffer.wrap(key));
        part(value);
        return ByteBuffer.wrap(sha256.digest()).getLong();
    }

    /** A null part and an empty one differ: a length prefix, -1 for null. */
    private void part(ByteBuffer bytes) {
        int length = bytes == null ? -1 : bytes.remaining();
        sha256.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        if (bytes != null) {
            sha256.update(bytes.duplicate());
        }
    }
}
