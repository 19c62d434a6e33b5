package io.runnel.producer;

import java.util.List;
import org.apache.kafka.common.header.Header;

/** Where records go: Kafka, or standard output for a dry run. */
interface Sink extends AutoCloseable {
  void send(OutgoingRecord record, List<Header> headers);

  /** Records the destination has confirmed. */
  long acked();

  /** Records the destination gave up on (after the client's own retries). */
  long failed();

  /** An error after which nothing more can be sent, or null. */
  Throwable fatal();

  /** Blocks until every record sent so far is confirmed or failed. */
  void flush();

  @Override
  void close();
}
