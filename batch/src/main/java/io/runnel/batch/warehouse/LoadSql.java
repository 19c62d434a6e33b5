package io.runnel.batch.warehouse;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The SQL of one warehouse load, built from a table's columns and key. Pure: no connection, so the
 * statements are unit-tested as text. Every identifier is checked before it is spliced in (they
 * come from code, but a check costs nothing and keeps SQL injection impossible by construction).
 *
 * @param schema the PostgreSQL schema of the target table
 * @param table the target table (and the Silver table's name)
 * @param columns the columns the loader writes, in COPY order (the Silver table's columns)
 * @param key the columns of the target's primary key
 */
public record LoadSql(String schema, String table, List<String> columns, List<String> key) {
  /** The Delta change-data-feed column that orders versions of a key within a batch. */
  public static final String VERSION_COLUMN = "_commit_version";

  /** The load log: one row per committed batch (migrations V3, V4). */
  public static final String LOAD_LOG = "runnel.load_log";

  /** Set on every row the load writes; its DEFAULT covers inserts. */
  static final String LOADED_AT = "loaded_at";

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  /** Room for the staging tables' prefix and suffix within PostgreSQL's 63-byte names. */
  private static final int MAX_TABLE_NAME = 50;

  public LoadSql {
    identifier(schema);
    identifier(table);
    if (table.length() > MAX_TABLE_NAME) {
      throw new IllegalArgumentException(
          "table name '" + table + "' is longer than " + MAX_TABLE_NAME + " characters");
    }
    columns = List.copyOf(columns);
    key = List.copyOf(key);
    columns.forEach(LoadSql::identifier);
    if (key.isEmpty() || !columns.containsAll(key)) {
      throw new IllegalArgumentException("key " + key + " must be among the columns " + columns);
    }
    if (columns.contains(VERSION_COLUMN) || columns.contains(LOADED_AT)) {
      throw new IllegalArgumentException(
          VERSION_COLUMN + " and " + LOADED_AT + " are the loader's own columns");
    }
  }

  public String target() {
    return schema + "." + table;
  }

  /**
   * The staging table of a batch's inserts, one partition at a time; a name per target, so one
   * session could stage several.
   */
  public String staging() {
    return "load_" + table;
  }

  /**
   * The staging table of a batch's updates (rows Silver replaced or changed), gathered over the
   * whole batch and merged after all its inserts: an update is always newer than its row's insert.
   */
  public String updatesStaging() {
    return "load_" + table + "_updates";
  }

  /**
   * A staging table: the target's column types (so COPY parses exactly as the target would), no
   * constraints or indexes (COPY into it runs at full speed), dropped at the end of the transaction
   * whether it commits or not.
   */
  public String createStaging(String staging) {
    return "CREATE TEMPORARY TABLE "
        + identifier(staging)
        + " ON COMMIT DROP AS SELECT "
        + list(columns)
        + ", 0::bigint AS "
        + VERSION_COLUMN
        + " FROM "
        + target()
        + " WITH NO DATA";
  }

  /** The COPY that fills a staging table from binary tuples in {@link CopyRows}' order. */
  public String copy(String staging) {
    return "COPY "
        + identifier(staging)
        + " ("
        + list(columns)
        + ", "
        + VERSION_COLUMN
        + ") FROM STDIN WITH (FORMAT binary)";
  }

  /** Empties the inserts' staging table for the next chunk. */
  public String truncateStaging() {
    return "TRUNCATE " + staging();
  }

  /**
   * The type names ({@code pg_type.typname}) of the target's columns: parameter, the target. The
   * binary COPY sends each value in its column type's own form.
   */
  public static String columnTypes() {
    return "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped";
  }

  /**
   * Of the keys in the updates' staging table, how many rows of the target this transaction has
   * written (inserted or changed): the load counts a row once even when one chunk inserts it and
   * the updates, merged last, change it again.
   */
  public String writtenByThisTransaction() {
    return "SELECT count(*) FROM "
        + target()
        + " t WHERE t.xmin = pg_current_xact_id()::xid AND ("
        + prefixed("t.", key)
        + ") IN (SELECT "
        + list(key)
        + " FROM "
        + updatesStaging()
        + ")";
  }

  /**
   * Moves a staging table into a target that holds none of its keys yet: one row per key (the
   * newest Delta version wins: a batch can span several versions of a row). A plain INSERT: the
   * speculative insertion that ON CONFLICT makes for every row costs a fifth of the merge
   * (BENCHMARKS.md), and new rows are what a load almost always brings. A key the target already
   * holds fails it with a unique violation; the writer then merges with {@link #upsert} instead.
   * Sorting by key also makes the primary-key index fill in order.
   */
  public String insert(String staging) {
    return "INSERT INTO "
        + target()
        + " AS t ("
        + list(columns)
        + ") SELECT DISTINCT ON ("
        + list(key)
        + ") "
        + list(columns)
        + " FROM "
        + identifier(staging)
        + " ORDER BY "
        + list(key)
        + ", "
        + VERSION_COLUMN
        + " DESC";
  }

  /**
   * Merges a staging table into the target: {@link #insert}, and a key the target already holds is
   * updated. A row whose values did not change is left alone, so a re-load of the same data changes
   * nothing, not even loaded_at.
   */
  public String upsert(String staging) {
    List<String> nonKey = columns.stream().filter(c -> !key.contains(c)).toList();
    String set =
        nonKey.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
            + ", "
            + LOADED_AT
            + " = now()";
    return insert(staging)
        + " ON CONFLICT ("
        + list(key)
        + ") DO UPDATE SET "
        + set
        + " WHERE ("
        + prefixed("t.", nonKey)
        + ") IS DISTINCT FROM ("
        + prefixed("EXCLUDED.", nonKey)
        + ")";
  }

  /** The newest Delta version in a staging table: what the batch brought the target up to. */
  public String sourceVersion(String staging) {
    return "SELECT max(" + VERSION_COLUMN + ") FROM " + identifier(staging);
  }

  /** Whether (job, query id, batch id) was committed before: parameters job, query_id, batch_id. */
  public static String findBatch() {
    return "SELECT rows_loaded FROM "
        + LOAD_LOG
        + " WHERE job = ? AND query_id = ? AND batch_id = ?";
  }

  /** Records a batch: parameters job, query_id, batch_id, rows_loaded, source_version. */
  public static String logBatch() {
    return "INSERT INTO "
        + LOAD_LOG
        + " (job, query_id, batch_id, rows_loaded, source_version) VALUES (?, ?, ?, ?, ?)";
  }

  static String identifier(String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain lower-case SQL identifier: '" + name + "'");
    }
    return name;
  }

  private static String list(List<String> names) {
    return String.join(", ", names);
  }

  private static String prefixed(String prefix, List<String> names) {
    return names.stream().map(n -> prefix + n).collect(Collectors.joining(", "));
  }
}
