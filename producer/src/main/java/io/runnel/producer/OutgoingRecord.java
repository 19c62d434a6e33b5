package io.runnel.producer;

import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * One Kafka record to send: the key (may be null) and the value's bytes (not always valid UTF-8 or
 * JSON: bad records are bytes too; null for a tombstone).
 *
 * @param raw what a hostile record sets itself, or null (every other record: the run's topic and
 *     headers, a text key)
 */
record OutgoingRecord(String key, byte[] value, Raw raw) {
  OutgoingRecord(String key, byte[] value) {
    this(key, value, null);
  }

  /**
   * A record sent as it is (the fuzz command): its key's bytes, its own headers and topic.
   *
   * @param key any bytes, or null for no key (the record's text key is then ignored)
   * @param headers this record's headers, in place of the run's
   * @param topic where it goes, or null for the run's topic
   * @param line how a dry run prints it (one line), or null for key, tab, value
   */
  record Raw(byte[] key, List<Header> headers, String topic, String line) {}
}
