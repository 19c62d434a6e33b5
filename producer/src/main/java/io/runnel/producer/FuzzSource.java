package io.runnel.producer;

import io.runnel.common.fuzz.FuzzCorpus;
import io.runnel.common.fuzz.HostileRecord;
import io.runnel.common.fuzz.HostileRecords;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Hostile records ({@link HostileRecords}) as Kafka records: first the corpus' cases, then the
 * generator's, each with its own key bytes, headers and topic (events or products). Counts what it
 * gave by case, by what the contract says and by topic.
 */
final class FuzzSource implements RecordSource {
  private final Iterator<HostileRecord> corpus;
  private final HostileRecords generator;
  private final String productsTopic;
  private final boolean printable;
  private final Map<String, Long> byCase = new TreeMap<>();
  private final Map<HostileRecord.Contract, Long> byContract =
      new EnumMap<>(HostileRecord.Contract.class);
  private long fromCorpus;
  private long products;

  /**
   * @param corpus cases sent first, in order
   * @param productsTopic where records meant for the products topic go
   * @param printable whether records carry their corpus line, for a dry run to print
   */
  FuzzSource(List<HostileRecord> corpus, long seed, String productsTopic, boolean printable) {
    this.corpus = new ArrayList<>(corpus).iterator();
    // The time is given with each record; the generator's own is never used.
    this.generator = new HostileRecords(seed, 0);
    this.productsTopic = productsTopic;
    this.printable = printable;
    for (HostileRecord.Contract c : HostileRecord.Contract.values()) {
      byContract.put(c, 0L);
    }
  }

  @Override
  public OutgoingRecord next(long sendTimeMillis) {
    HostileRecord r;
    if (corpus.hasNext()) {
      r = corpus.next();
      fromCorpus++;
    } else {
      r = generator.next(sendTimeMillis);
      byCase.merge(r.label(), 1L, Long::sum);
    }
    byContract.merge(r.contract(), 1L, Long::sum);
    boolean product = r.topic() == HostileRecord.Topic.PRODUCTS;
    if (product) {
      products++;
    }
    return new OutgoingRecord(
        null,
        r.value(),
        new OutgoingRecord.Raw(
            r.key(),
            kafkaHeaders(r.headers()),
            product ? productsTopic : null,
            printable ? FuzzCorpus.line(r) : null));
  }

  static List<Header> kafkaHeaders(List<HostileRecord.Header> headers) {
    List<Header> kafka = new ArrayList<>(headers.size());
    for (HostileRecord.Header h : headers) {
      kafka.add(new RecordHeader(h.name(), h.value()));
    }
    return kafka;
  }

  /** Each record brings its own headers. */
  @Override
  public List<Header> headers() {
    return List.of();
  }

  /** From the corpus, to the products topic, by the contract's verdict, then by case. */
  @Override
  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("from the corpus", fromCorpus);
    counts.put("to " + productsTopic, products);
    byContract.forEach((c, n) -> counts.put("contract " + c.label(), n));
    byCase.forEach((label, n) -> counts.put("case " + label, n));
    return counts;
  }
}
