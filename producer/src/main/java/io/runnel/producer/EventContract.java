package io.runnel.producer;

import io.runnel.common.ContractFields;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The event contract's constants. The contract itself is {@code contract/event.schema.json} at the
 * repository root (a copy ships in the jar); a unit test keeps the two in step.
 */
final class EventContract {
  /** Kafka header naming the schema a record follows: {@code event} or {@code product}. */
  static final String SCHEMA_HEADER = "runnel-schema";

  /** Kafka header carrying the schema version, so later changes are additive and detectable. */
  static final String VERSION_HEADER = "runnel-schema-version";

  static final int EVENT_SCHEMA_VERSION = 1;
  static final int PRODUCT_SCHEMA_VERSION = 1;

  static final String EVENT_SCHEMA_RESOURCE = "/contract/event.schema.json";
  static final String PRODUCT_SCHEMA_RESOURCE = "/contract/product.schema.json";

  /** The event types, by their name on the wire. */
  static final List<String> EVENT_TYPES =
      List.of("view", "click", "add_to_cart", "remove_from_cart", "purchase");

  static final List<String> REQUIRED_FIELDS = ContractFields.EVENT;

  private EventContract() {}

  static List<Header> headers(String schema, int version) {
    return List.of(
        new RecordHeader(SCHEMA_HEADER, schema.getBytes(StandardCharsets.UTF_8)),
        new RecordHeader(
            VERSION_HEADER, Integer.toString(version).getBytes(StandardCharsets.UTF_8)));
  }
}
