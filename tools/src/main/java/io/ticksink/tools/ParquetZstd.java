package io.ticksink.tools;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet's ZSTD codec on zstd-jni, which the tools already ship for {@code retention}.
 * parquet-java's own codec factory reaches ZSTD through Hadoop's {@code CompressionCodec}
 * classes; this one keeps Hadoop off the write path. Pages are compressed one at a time, each as
 * one zstd frame, which is what the Parquet format asks of ZSTD pages. Thread safe: it holds no
 * state.
 */
final class ParquetZstd implements CompressionCodecFactory {

    /** zstd's own default level: the measured file sizes in BENCHMARKS.md are at this level. */
    static final int LEVEL = 3;

    private final Compressor compressor = new Compressor();
    private final Decompressor decompressor = new Decompressor();

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        requireZstd(codec);
        return compressor;
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        requireZstd(codec);
        return decompressor;
    }

    @Override
    public void release() {
        // nothing pooled
    }

    private static void requireZstd(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD) {
            throw new IllegalArgumentException("only ZSTD is built in, not " + codec);
        }
    }

    private static byte[] bytesOf(BytesInput in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(Math.toIntExact(in.size()));
        in.writeAllTo(buffer);
        return buffer.toByteArray();
    }

    private static final class Compressor implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return BytesInput.from(Zstd.compress(bytesOf(bytes), LEVEL));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            // stateless
        }
    }

    private static final class Decompressor implements BytesInputDecompressor {
        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            byte[] out = Zstd.decompress(bytesOf(bytes), uncompressedSize);
            if (out.length != uncompressedSize) {
                throw new IOException("zstd page: " + out.length + " bytes, the page header says " + uncompressedSize);
            }
            return BytesInput.from(out);
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
                throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(Zstd.decompress(in, decompressedSize));
        }

        @Override
        public void release() {
            // stateless
        }
    }
}
