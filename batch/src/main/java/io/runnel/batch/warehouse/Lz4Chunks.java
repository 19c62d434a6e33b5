package io.runnel.batch.warehouse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.Iterator;
import org.apache.spark.SparkConf;
import org.apache.spark.io.CompressionCodec;
import org.apache.spark.io.LZ4CompressionCodec;

/** Spark's own LZ4 codec around the COPY chunks an executor hands the driver. */
final class Lz4Chunks {
  private static final CompressionCodec CODEC = new LZ4CompressionCodec(new SparkConf(false));

  private Lz4Chunks() {}

  /** Where the decompressed bytes go (COPY, which throws SQLException). */
  interface Sink {
    void write(byte[] bytes, int length) throws SQLException;
  }

  static Iterator<CopyRows.Chunk> compress(Iterator<CopyRows.Chunk> chunks) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return chunks.hasNext();
      }

      @Override
      public CopyRows.Chunk next() {
        CopyRows.Chunk chunk = chunks.next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.bytes().length / 3 + 64);
        try (OutputStream lz4 = CODEC.compressedOutputStream(out)) {
          lz4.write(chunk.bytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return new CopyRows.Chunk(chunk.part(), out.toByteArray());
      }
    };
  }

  static void decompress(CopyRows.Chunk chunk, byte[] buffer, Sink sink) throws SQLException {
    try (InputStream in = CODEC.compressedInputStream(new ByteArrayInputStream(chunk.bytes()))) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sink.write(buffer, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
