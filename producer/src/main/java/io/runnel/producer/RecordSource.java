package io.runnel.producer;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;

/** Where records come from: the synthetic generator or a CSV file. */
interface RecordSource extends AutoCloseable {

  /**
   * The next record, or null when the source is exhausted.
   *
   * @param sendTimeMillis when this record is meant to be sent (the open-loop schedule): synthetic
   *     events and re-stamped rows take it as their event time
   */
  OutgoingRecord next(long sendTimeMillis) throws Exception;

  /** The Kafka headers every record of this source carries. */
  List<Header> headers();

  /** Counts for the run summary, e.g. bad records injected by kind or malformed rows skipped. */
  Map<String, Long> counts();

  @Override
  default void close() throws Exception {}
}
