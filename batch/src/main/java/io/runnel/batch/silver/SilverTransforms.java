package io.runnel.batch.silver;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_valid_utf8;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.runnel.batch.SilverTables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF5;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Bronze rows to Silver rows: each record checked by {@link SilverRules} once, then split into
 * events, product versions and quarantine, and duplicates collapsed to a deterministic winner.
 * Functions of Datasets only; the job does the writing.
 */
public final class SilverTransforms {
  static final String KIND_EVENT = "event";
  static final String KIND_PRODUCT = "product";
  static final String KIND_BAD = "bad";

  private static final StructType EVENT =
      new StructType(
          new StructField[] {
            nonNull("event_id", DataTypes.StringType),
            nonNull("event_type", DataTypes.StringType),
            nonNull("user_id", DataTypes.StringType),
            nonNull("product_id", DataTypes.StringType),
            nonNull("price", SilverTables.MONEY),
            nonNull("currency", DataTypes.StringType),
            nonNull("quantity", DataTypes.IntegerType),
            nonNull("session_id", DataTypes.StringType),
            nonNull("ts", DataTypes.TimestampType),
            nonNull("user_agent", DataTypes.StringType),
            nonNull("is_late", DataTypes.BooleanType),
            DataTypes.createStructField("extra", DataTypes.StringType, true)
          });

  private static final StructType PRODUCT =
      new StructType(
          new StructField[] {
            nonNull("product_id", DataTypes.StringType),
            nonNull("name", DataTypes.StringType),
            nonNull("category", DataTypes.StringType),
            DataTypes.createStructField("description", DataTypes.StringType, true),
            nonNull("price", SilverTables.MONEY),
            nonNull("currency", DataTypes.StringType),
            nonNull("updated_at", DataTypes.TimestampType),
            DataTypes.createStructField("extra", DataTypes.StringType, true)
          });

  /** What the check adds to each Bronze row. */
  static final StructType CHECKED =
      new StructType(
          new StructField[] {
            nonNull("kind", DataTypes.StringType),
            DataTypes.createStructField("event", EVENT, true),
            DataTypes.createStructField("product", PRODUCT, true),
            nonNull("reasons", DataTypes.createArrayType(DataTypes.StringType, false))
          });

  private SilverTransforms() {}

  /**
   * Checks Bronze rows: the columns {@code kind} and {@code reasons}, the event's fields ({@code
   * e_event_id}, ...) or the product's ({@code p_product_id}, ...), null for other kinds, and the
   * Bronze columns Silver takes. Records of a topic that is neither an event nor a product topic
   * are bad ({@code unknown_topic}).
   */
  public static Dataset<Row> check(
      Dataset<Row> bronze, SilverRules rules, Set<String> eventTopics, Set<String> productTopics) {
    UserDefinedFunction udf =
        functions
            .udf(new Check(rules, Set.copyOf(eventTopics), Set.copyOf(productTopics)), CHECKED)
            // Each row is checked once: a deterministic UDF may be inlined into every field read
            // from its result, parsing the JSON once per field.
            .asNondeterministic();
    Column isBad = col("checked.kind").equalTo(KIND_BAD);
    List<Column> out = new ArrayList<>();
    // Flat columns, not the struct: each table's select takes its fields as they are.
    out.add(col("checked.kind").as("kind"));
    out.add(col("checked.reasons").as("reasons"));
    for (String f : EVENT.fieldNames()) {
      out.add(col("checked.event." + f).as("e_" + f));
    }
    for (String f : PRODUCT.fieldNames()) {
      out.add(col("checked.product." + f).as("p_" + f));
    }
    out.addAll(
        List.of(
            col("topic"),
            col("kafka_partition"),
            col("kafka_offset"),
            col("kafka_ts"),
            col("ingested_at"),
            col("ingest_date"),
            // Valid UTF-8 for the warehouse's text: Bronze before issue 20 kept a version header's
            // bytes as they came (its exact bytes are in Bronze's headers).
            make_valid_utf8(col("schema_version")).as("schema_version"),
            when(isBad, col("key")).as("key"),
            when(isBad, col("value")).as("value"),
            // The exact bytes also when the text holds U+0000, which the warehouse's text cannot.
            when(
                    isBad,
                    coalesce(
                        col("value_bytes"),
                        when(
                            functions.instr(col("value"), "\u0000").gt(0),
                            col("value").cast(DataTypes.BinaryType))))
                .as("value_bytes")));
    return bronze
        .withColumn(
            "checked",
            udf.apply(
                col("topic"),
                // The payload's UTF-8 bytes as they are stored: the parser reads them directly.
                col("value").cast(DataTypes.BinaryType),
                col("value_bytes"),
                col("schema_version"),
                col("kafka_ts")))
        // Only what the Silver tables take: the payload is kept for quarantined rows only, so a
        // kept batch is a fraction of Bronze's size.
        .select(out.toArray(Column[]::new));
  }

  /** Valid events in the Silver events table's columns (duplicates not yet collapsed). */
  public static Dataset<Row> events(Dataset<Row> checked, Timestamp silverAt) {
    return checked
        .where(col("kind").equalTo(KIND_EVENT))
        .select(
            columns(
                SilverTables.EVENTS,
                List.of(
                    col("e_event_id"),
                    col("e_event_type"),
                    col("e_user_id"),
                    col("e_product_id"),
                    col("e_price"),
                    col("e_currency"),
                    col("e_quantity"),
                    col("e_session_id"),
                    col("e_ts"),
                    col("e_user_agent"),
                    // Event dates are UTC dates: the session time zone is UTC (LakeSession).
                    to_date(col("e_ts")),
                    col("e_is_late"),
                    col("schema_version"),
                    col("topic"),
                    col("kafka_partition"),
                    col("kafka_offset"),
                    col("kafka_ts"),
                    col("ingested_at"),
                    lit(silverAt),
                    col("e_extra"))));
  }

  /** Valid product versions in the product history table's columns. */
  public static Dataset<Row> productVersions(Dataset<Row> checked, Timestamp silverAt) {
    return checked
        .where(col("kind").equalTo(KIND_PRODUCT))
        .select(
            columns(
                SilverTables.PRODUCTS_HISTORY,
                List.of(
                    col("p_product_id"),
                    col("p_name"),
                    col("p_category"),
                    col("p_description"),
                    col("p_price"),
                    col("p_currency"),
                    col("p_updated_at"),
                    col("topic"),
                    col("kafka_partition"),
                    col("kafka_offset"),
                    col("ingested_at"),
                    lit(silverAt),
                    col("p_extra"))));
  }

  /** Records that failed a rule, with every reason, in the quarantine table's columns. */
  public static Dataset<Row> quarantine(Dataset<Row> checked, Timestamp silverAt) {
    return checked
        .where(col("kind").equalTo(KIND_BAD))
        .select(
            columns(
                SilverTables.QUARANTINE,
                List.of(
                    col("topic"),
                    col("kafka_partition"),
                    col("kafka_offset"),
                    col("reasons"),
                    col("key"),
                    col("value"),
                    col("value_bytes"),
                    col("schema_version"),
                    col("kafka_ts"),
                    col("ingested_at"),
                    col("ingest_date"),
                    lit(silverAt))));
  }

  /**
   * One row per key: the one with the lowest Kafka coordinates (topic, partition, offset). The same
   * rule decides between a new row and the one already in Silver (see {@link #classify}), so the
   * winner does not depend on how records were batched.
   */
  public static Dataset<Row> winners(Dataset<Row> rows, List<String> key) {
    Column[] keys = key.stream().map(functions::col).toArray(Column[]::new);
    return rows.withColumn(
            "_rank",
            row_number()
                .over(
                    Window.partitionBy(keys)
                        .orderBy(
                            col("source_topic"), col("source_partition"), col("source_offset"))))
        .where(col("_rank").equalTo(1))
        .drop("_rank");
  }

  /** The column {@link #classify} adds: what a winner is to the table's row for its key. */
  static final String STATUS = "_status";

  /** No row for the key yet: appended. */
  static final String NEW = "new";

  /** The table's row has later Kafka coordinates: this row replaces it. */
  static final String REPLACES = "replaces";

  /** This very Kafka record is the table's row (a re-run batch, or a replay): nothing to write. */
  static final String PRESENT = "present";

  /** The table's row has earlier coordinates and stays: a duplicate. */
  static final String LOSES = "loses";

  /**
   * Each winner ({@link #winners}) against the row {@code existing} holds for its key: the column
   * {@link #STATUS}. {@code existing} needs only the key and the coordinates columns.
   */
  public static Dataset<Row> classify(
      Dataset<Row> winners, Dataset<Row> existing, List<String> key) {
    List<String> coordinates = SilverTables.COORDINATES;
    Dataset<Row> held =
        existing.select(
            Stream.concat(key.stream(), coordinates.stream())
                .map(c -> col(c).as("_t_" + c))
                .toArray(Column[]::new));
    Function<String, Column> t = c -> held.col("_t_" + c);
    Dataset<Row> joined = winners.join(held, equal(key, winners::col, t), "left");
    Column same = equal(coordinates, winners::col, t);
    return joined
        .withColumn(
            STATUS,
            when(held.col("_t_" + key.get(0)).isNull(), lit(NEW))
                .when(same, lit(PRESENT))
                .when(earlier(winners::col, t), lit(REPLACES))
                .otherwise(lit(LOSES)))
        .drop(held.columns());
  }

  /**
   * The latest version of each product: the newest {@code valid_from}, then the lowest coordinates;
   * in the products table's columns.
   */
  public static Dataset<Row> latestProducts(Dataset<Row> versions) {
    Dataset<Row> ranked =
        versions
            .withColumn(
                "_rank",
                row_number()
                    .over(
                        Window.partitionBy(col("product_id"))
                            .orderBy(
                                col("valid_from").desc(),
                                col("source_topic"),
                                col("source_partition"),
                                col("source_offset"))))
            .where(col("_rank").equalTo(1))
            .withColumnRenamed("valid_from", "updated_at");
    return ranked.select(
        SilverTables.PRODUCTS.columns().stream().map(functions::col).toArray(Column[]::new));
  }

  /**
   * The row whose columns {@code s} names comes before the one {@code t} names in Kafka (topic,
   * partition, offset), e.g. {@code earlier(c -> col("s." + c), c -> col("t." + c))}.
   */
  public static Column earlier(Function<String, Column> s, Function<String, Column> t) {
    List<String> c = SilverTables.COORDINATES;
    Column before = s.apply(c.get(c.size() - 1)).lt(t.apply(c.get(c.size() - 1)));
    for (int i = c.size() - 2; i >= 0; i--) {
      Column a = s.apply(c.get(i));
      Column b = t.apply(c.get(i));
      before = a.lt(b).or(a.equalTo(b).and(before));
    }
    return before;
  }

  /** Every one of {@code columns} is equal in the rows {@code s} and {@code t} name. */
  public static Column equal(
      List<String> columns, Function<String, Column> s, Function<String, Column> t) {
    return columns.stream()
        .map(c -> s.apply(c).equalTo(t.apply(c)))
        .reduce(Column::and)
        .orElseThrow();
  }

  /** {@link #earlier} for the aliases {@code s} and {@code t} of a MERGE. */
  public static Column earlier(String s, String t) {
    return earlier(c -> col(s + "." + c), c -> col(t + "." + c));
  }

  private static Column[] columns(SilverTables.Table table, List<Column> values) {
    List<String> names = table.columns();
    if (names.size() != values.size()) {
      throw new IllegalStateException(table.name() + ": " + names + " vs " + values.size());
    }
    List<Column> out = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      StructField field = table.schema().fields()[i];
      out.add(values.get(i).cast(field.dataType()).as(names.get(i)));
    }
    return out.toArray(Column[]::new);
  }

  private static StructField nonNull(String name, org.apache.spark.sql.types.DataType type) {
    return DataTypes.createStructField(name, type, false);
  }

  /** The per-row check, as a Spark UDF. */
  static final class Check implements UDF5<String, byte[], byte[], String, Timestamp, Row> {
    private static final long serialVersionUID = 1L;
    private final SilverRules rules;
    private final Set<String> eventTopics;
    private final Set<String> productTopics;

    Check(SilverRules rules, Set<String> eventTopics, Set<String> productTopics) {
      this.rules = rules;
      this.eventTopics = eventTopics;
      this.productTopics = productTopics;
    }

    /**
     * The checked row; a record that makes the rules or the building of its row throw is
     * quarantined with {@code unprocessable:<exception>} rather than failing the batch, so that one
     * record can never stop Silver. Spark converts the row's times after this returns: the rules'
     * bounds (not before 1900, at most days past the Kafka timestamp) keep every accepted time far
     * inside what Spark holds, so that conversion cannot overflow.
     */
    @Override
    public Row call(String topic, byte[] value, byte[] bytes, String version, Timestamp kafkaTs) {
      try {
        return checked(topic, value, bytes, version, kafkaTs.toInstant());
      } catch (RuntimeException | StackOverflowError e) {
        return bad(List.of("unprocessable:" + e.getClass().getSimpleName()));
      }
    }

    Row checked(String topic, byte[] value, byte[] bytes, String version, Instant kafkaTs) {
      if (eventTopics.contains(topic)) {
        SilverRules.Checked<SilverRules.Event> c = rules.event(value, bytes, version, kafkaTs);
        if (!c.ok()) {
          return bad(c.reasons());
        }
        SilverRules.Event e = c.value();
        Row event =
            RowFactory.create(
                e.eventId(),
                e.eventType(),
                e.userId(),
                e.productId(),
                e.price(),
                e.currency(),
                e.quantity(),
                e.sessionId(),
                Timestamp.from(e.ts()),
                e.userAgent(),
                e.late(),
                e.extra());
        return RowFactory.create(KIND_EVENT, event, null, List.of());
      }
      if (productTopics.contains(topic)) {
        SilverRules.Checked<SilverRules.Product> c = rules.product(value, bytes, version, kafkaTs);
        if (!c.ok()) {
          return bad(c.reasons());
        }
        SilverRules.Product p = c.value();
        Row product =
            RowFactory.create(
                p.productId(),
                p.name(),
                p.category(),
                p.description(),
                p.price(),
                p.currency(),
                Timestamp.from(p.updatedAt()),
                p.extra());
        return RowFactory.create(KIND_PRODUCT, null, product, List.of());
      }
      return bad(List.of("unknown_topic"));
    }

    private static Row bad(List<String> reasons) {
      return RowFactory.create(KIND_BAD, null, null, reasons);
    }
  }
}
