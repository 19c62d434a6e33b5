package io.runnel.producer;

/**
 * One Kafka record to send: the key (may be null) and the value's bytes (not always valid UTF-8 or
 * JSON: bad records are bytes too).
 */
record OutgoingRecord(String key, byte[] value) {}
