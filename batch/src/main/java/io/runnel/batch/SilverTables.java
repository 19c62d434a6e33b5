package io.runnel.batch;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import io.runnel.spark.TableCreation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Silver Delta tables: their columns, keys and properties. SilverJob creates and writes them;
 * WarehouseLoadJob mirrors them into PostgreSQL schema {@code silver} (same column names, plus
 * {@code loaded_at}; the DDL is in the platform module's migrations).
 *
 * <p>Every table has Delta's change data feed on: the loader reads inserts and updates from it
 * incrementally (a plain Delta stream refuses the updates a MERGE makes). Deletion vectors stay off
 * so that Trino 476 reads the tables correctly.
 */
public final class SilverTables {
  /** Money: the contract allows at most two fractional digits. */
  public static final DecimalType MONEY = DataTypes.createDecimalType(12, 2);

  /** Where a row came from in Kafka (through Bronze): topic, partition, offset. */
  public static final List<String> COORDINATES =
      List.of("source_topic", "source_partition", "source_offset");

  /**
   * Top-level fields outside the contract, as one JSON object's text (null: none). Last, so a table
   * created before it gains it by an ALTER TABLE that appends it ({@link Table#createIfMissing}).
   */
  private static final StructField EXTRA = field("extra", DataTypes.StringType, true);

  public static final Map<String, String> PROPERTIES =
      Map.of(
          "delta.enableChangeDataFeed", "true",
          "delta.enableDeletionVectors", "false");

  /**
   * One row per event_id: the contract's typed fields, the winner's Kafka coordinates and times.
   */
  public static final Table EVENTS =
      new Table(
          "events",
          List.of("event_id"),
          "event_date",
          // Min/max statistics only where a reader filters (time): computing them for every
          // string column of every row costs the writer more than any reader gains.
          List.of("ts", "kafka_ts", "ingested_at", "silver_at"),
          struct(
              field("event_id", DataTypes.StringType),
              field("event_type", DataTypes.StringType),
              field("user_id", DataTypes.StringType),
              field("product_id", DataTypes.StringType),
              field("price", MONEY),
              field("currency", DataTypes.StringType),
              field("quantity", DataTypes.IntegerType),
              field("session_id", DataTypes.StringType),
              field("ts", DataTypes.TimestampType),
              field("user_agent", DataTypes.StringType),
              field("event_date", DataTypes.DateType),
              field("is_late", DataTypes.BooleanType),
              field("schema_version", DataTypes.StringType, true),
              field("source_topic", DataTypes.StringType),
              field("source_partition", DataTypes.IntegerType),
              field("source_offset", DataTypes.LongType),
              field("kafka_ts", DataTypes.TimestampType),
              field("ingested_at", DataTypes.TimestampType),
              field("silver_at", DataTypes.TimestampType),
              EXTRA));

  /** Every Bronze row that failed a rule, with all the rules it failed and the raw payload. */
  public static final Table QUARANTINE =
      new Table(
          "events_quarantine",
          COORDINATES,
          "ingest_date",
          List.of(),
          struct(
              field("source_topic", DataTypes.StringType),
              field("source_partition", DataTypes.IntegerType),
              field("source_offset", DataTypes.LongType),
              field("error_reasons", DataTypes.createArrayType(DataTypes.StringType, false)),
              field("key", DataTypes.StringType, true),
              field("value", DataTypes.StringType, true),
              field("value_bytes", DataTypes.BinaryType, true),
              field("schema_version", DataTypes.StringType, true),
              field("kafka_ts", DataTypes.TimestampType),
              field("ingested_at", DataTypes.TimestampType),
              field("ingest_date", DataTypes.DateType),
              field("silver_at", DataTypes.TimestampType)));

  private static StructField[] productFields(String timeColumn) {
    return new StructField[] {
      field("product_id", DataTypes.StringType),
      field("name", DataTypes.StringType),
      field("category", DataTypes.StringType),
      field("description", DataTypes.StringType, true),
      field("price", MONEY),
      field("currency", DataTypes.StringType),
      field(timeColumn, DataTypes.TimestampType),
      field("source_topic", DataTypes.StringType),
      field("source_partition", DataTypes.IntegerType),
      field("source_offset", DataTypes.LongType),
      field("ingested_at", DataTypes.TimestampType),
      field("silver_at", DataTypes.TimestampType),
      EXTRA
    };
  }

  /** The latest version of each product (the newest updated_at wins). */
  public static final Table PRODUCTS =
      new Table(
          "products", List.of("product_id"), null, List.of(), struct(productFields("updated_at")));

  /**
   * Every version of every product, keyed by the time it took effect: the history a slowly changing
   * dimension is built from.
   */
  public static final Table PRODUCTS_HISTORY =
      new Table(
          "products_history",
          List.of("product_id", "valid_from"),
          null,
          List.of(),
          struct(productFields("valid_from")));

  public static final List<Table> ALL = List.of(EVENTS, QUARANTINE, PRODUCTS, PRODUCTS_HISTORY);

  private SilverTables() {}

  /**
   * One Silver table.
   *
   * @param name the table's name: its folder under the Silver root and its name in PostgreSQL
   * @param key the columns that identify a row (the MERGE condition and the PostgreSQL primary key)
   * @param partitionColumn the Delta partition column, or null
   * @param statsColumns the columns Delta keeps min/max statistics of (empty: Delta's default, the
   *     first 32); set when the table is created
   */
  public record Table(
      String name,
      List<String> key,
      String partitionColumn,
      List<String> statsColumns,
      StructType schema) {
    public String path(String silverRoot) {
      return silverRoot + "/" + name;
    }

    public List<String> columns() {
      return List.of(schema.fieldNames());
    }

    /**
     * Creates the table at {@code location} unless it exists (an explicit schema, not inferred),
     * also when an earlier creation was interrupted before its first commit.
     */
    public void createIfMissing(SparkSession spark, String location) {
      TableCreation.clearInterrupted(spark, location);
      if (DeltaTable.isDeltaTable(spark, location)) {
        addMissingColumns(spark, location);
        return;
      }
      DeltaTableBuilder builder =
          DeltaTable.createIfNotExists(spark).location(location).addColumns(schema);
      if (partitionColumn != null) {
        builder = builder.partitionedBy(partitionColumn);
      }
      for (Map.Entry<String, String> p : PROPERTIES.entrySet()) {
        builder = builder.property(p.getKey(), p.getValue());
      }
      if (!statsColumns.isEmpty()) {
        builder =
            builder.property("delta.dataSkippingStatsColumns", String.join(",", statsColumns));
      }
      builder.execute();
    }

    /**
     * Appends the nullable columns a table made by an older Runnel lacks ({@code extra}); its old
     * rows read them as null. A missing non-null column is an error: no value could fill the rows.
     */
    private void addMissingColumns(SparkSession spark, String location) {
      Set<String> present =
          Set.of(DeltaTable.forPath(spark, location).toDF().schema().fieldNames());
      for (StructField f : schema.fields()) {
        if (present.contains(f.name())) {
          continue;
        }
        if (!f.nullable()) {
          throw new IllegalStateException(
              location + " lacks the column " + f.name() + ", which old rows cannot be given");
        }
        spark.sql(
            "ALTER TABLE delta.`%s` ADD COLUMNS (%s %s)"
                .formatted(location, f.name(), f.dataType().sql()));
      }
    }
  }

  private static StructType struct(StructField... fields) {
    return new StructType(fields);
  }

  private static StructField field(String name, org.apache.spark.sql.types.DataType type) {
    return field(name, type, false);
  }

  private static StructField field(
      String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
    return DataTypes.createStructField(name, type, nullable);
  }
}
