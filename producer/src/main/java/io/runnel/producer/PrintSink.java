package io.runnel.producer;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * A dry run: each record as one line {@code key<TAB>value} on standard output, or as the line a
 * hostile record brings ({@link OutgoingRecord.Raw#line}).
 */
final class PrintSink implements Sink {
  private final PrintStream out;
  private long sent;

  PrintSink(OutputStream out) {
    this.out = new PrintStream(out, false, StandardCharsets.UTF_8);
  }

  @Override
  public void send(OutgoingRecord record, List<Header> headers) {
    if (record.raw() != null && record.raw().line() != null) {
      out.print(record.raw().line());
    } else {
      out.print(record.key());
      out.print('\t');
      if (record.value() != null) {
        out.write(record.value(), 0, record.value().length);
      }
    }
    out.print('\n');
    sent++;
  }

  @Override
  public long acked() {
    return sent;
  }

  @Override
  public long failed() {
    return 0;
  }

  @Override
  public Throwable fatal() {
    return out.checkError() ? new java.io.IOException("standard output is closed") : null;
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void close() {
    out.flush();
  }
}
