package io.runnel.common;

import java.util.List;

/**
 * The top-level field names of the contracts (contract/event.schema.json and product.schema.json),
 * in one place for the producer, Silver's rules and the fuzzer. HostileRecordsTest checks them
 * against the schema files.
 */
public final class ContractFields {
  /** Every event field; all of them are required. */
  public static final List<String> EVENT =
      List.of(
          "event_id",
          "event_type",
          "user_id",
          "product_id",
          "price",
          "currency",
          "quantity",
          "session_id",
          "ts",
          "user_agent");

  /** The product fields a record must have. */
  public static final List<String> PRODUCT_REQUIRED =
      List.of("product_id", "name", "category", "price", "currency", "updated_at");

  /** Every product field: the required ones and the optional description. */
  public static final List<String> PRODUCT =
      List.of("product_id", "name", "category", "description", "price", "currency", "updated_at");

  private ContractFields() {}
}
