package io.runnel.producer;

import io.runnel.common.SettingsException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records to one Kafka topic (a hostile record may name another) and counts what the broker
 * confirmed. Retriable errors are left to the client, which retries them until {@code
 * delivery.timeout.ms} (the outage the run rides out, {@link ProducerSettings#maxOutage}); a record
 * that still fails is counted as failed, as is a record the broker refuses for what it is (too
 * large, invalid). Any other error is fatal: the run stops with it. Every record sent ends
 * acknowledged or failed, never silently dropped: acked + failed = sent once flushed.
 */
final class EventPublisher implements Sink, Callback {
  private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final LongAdder acked = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();

  EventPublisher(
      String bootstrap, String topic, Duration maxOutage, Map<String, String> overrides) {
    this.producer =
        new KafkaProducer<>(
            properties(bootstrap, maxOutage, overrides),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.topic = topic;
  }

  /** The producer's configuration: every choice that matters is explicit, with its reason. */
  static Properties properties(
      String bootstrap, Duration maxOutage, Map<String, String> overrides) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "runnel-producer");
    // A record counts as sent only once every in-sync replica has it: nothing acked is lost.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Retries never write a record twice or out of order within a partition.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // The most in-flight requests idempotence allows while keeping per-partition order.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // Retriable errors (a broker down, a leader moving) are retried by the client until
    // delivery.timeout.ms, then the record fails: that is the outage the run rides out.
    p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) maxOutage.toMillis());
    // When the buffer is full during an outage, send() blocks (backpressure) instead of failing
    // the record; and at start it waits this long for the topic's metadata.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxOutage.toMillis());
    // lz4: the cheapest CPU per byte on 2 cores (zstd measured ~30% slower end to end here).
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    // Wait up to 20 ms to fill a batch: throughput over a few milliseconds of latency.
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // 256 KiB batches: fewer, larger requests (about a thousand 250-byte events each).
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // Room for the batches of every partition in flight at 150k events/s.
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    // An oversized test record is 256 KiB; Kafka's own limit (1 MiB) stays in force.
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024);
    // Overrides from --kafka-property come last: the caller knows best.
    p.putAll(overrides);
    long linger = Long.parseLong(p.get(ProducerConfig.LINGER_MS_CONFIG).toString());
    Object request = p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
    long requestTimeout = request == null ? 30_000 : Long.parseLong(request.toString());
    long delivery = Long.parseLong(p.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG).toString());
    if (delivery < linger + requestTimeout) {
      // The client would refuse it with a stack trace; say which setting to change.
      throw new SettingsException(
          "--max-outage ("
              + delivery
              + " ms) must be at least linger.ms + request.timeout.ms ("
              + (linger + requestTimeout)
              + " ms)");
    }
    return p;
  }

  @Override
  public void send(OutgoingRecord record, List<Header> headers) {
    OutgoingRecord.Raw raw = record.raw();
    if (raw == null) {
      // The key's bytes as StringSerializer would make them: the same one allocation.
      byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(topic, null, null, key, record.value(), headers), this);
    } else {
      String to = raw.topic() == null ? topic : raw.topic();
      producer.send(
          new ProducerRecord<>(to, null, null, raw.key(), record.value(), raw.headers()), this);
    }
  }

  /** Called by the client's I/O thread once per record. */
  @Override
  public void onCompletion(RecordMetadata metadata, Exception e) {
    if (e == null) {
      acked.increment();
      return;
    }
    failed.increment();
    if (e instanceof RetriableException) {
      // The client retried until delivery.timeout.ms (the broker was away longer than
      // --max-outage), or a full buffer blocked send() that long; report the first few.
      if (failed.sum() <= 10) {
        LOG.warn("a record failed after the client's retries: {}", e.toString());
      }
    } else if (refused(e)) {
      // This record's fault, not the run's: the next record may well be fine.
      if (failed.sum() <= 10) {
        LOG.warn("Kafka refused a record: {}", e.toString());
      }
    } else {
      fatal.compareAndSet(null, e);
    }
  }

  /** An error about one record (its size, its content), which others need not share. */
  static boolean refused(Exception e) {
    return e instanceof RecordTooLargeException
        || e instanceof RecordBatchTooLargeException
        || e instanceof InvalidRecordException;
  }

  @Override
  public long acked() {
    return acked.sum();
  }

  @Override
  public long failed() {
    return failed.sum();
  }

  @Override
  public Throwable fatal() {
    return fatal.get();
  }

  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
