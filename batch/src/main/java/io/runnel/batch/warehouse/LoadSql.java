package io.runnel.batch.warehouse;

import io.runnel.batch.SilverTables;
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

  /** The rows PostgreSQL refused, one per refused row version (migration V7). */
  public static final String REJECTS = "runnel.load_rejects";

  /**
   * The Silver Delta version of each row the load writes ({@link #VERSION_COLUMN}; migration V8):
   * what keeps an older version from replacing a newer one ({@link #upsert}).
   */
  public static final String SOURCE_VERSION = "source_version";

  /** Each loader's fencing token: one row per set of checkpoints (migration V8). */
  public static final String WRITER_FENCE = "runnel.writer_fence";

  /** Set on every row the load writes; its DEFAULT covers inserts. */
  static final String LOADED_AT = "loaded_at";

  /** A refused row's reason: the field {@link CopyRows} adds to a {@code REFUSED} tuple. */
  static final String REASON_COLUMN = "_reason";

  /** A winner's number in {@link #winners()}: what isolation probes ranges of. */
  static final String ROW_COLUMN = "_row";

  /** Where a winner came from in its staging table (its ctid), to remove it from there. */
  private static final String CTID_COLUMN = "_ctid";

  private static final List<String> COORDINATES = SilverTables.COORDINATES;

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
    if (columns.contains(VERSION_COLUMN)
        || columns.contains(LOADED_AT)
        || columns.contains(SOURCE_VERSION)) {
      throw new IllegalArgumentException(
          VERSION_COLUMN
              + ", "
              + SOURCE_VERSION
              + " and "
              + LOADED_AT
              + " are the loader's own columns");
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

  /** The staging table of the rows the executors refused ({@link CopyRows.Part#REFUSED}). */
  public String refusedStaging() {
    return "load_" + table + "_refused";
  }

  /** The newest version of each key of a staging table, numbered, while a batch is isolated. */
  public String winners() {
    return "load_" + table + "_rows";
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

  /**
   * A staging table whose columns have the target's types without their modifiers ({@code numeric},
   * not {@code numeric(12,2)}; {@code bpchar}, not {@code char(3)}), and, for the refused rows,
   * {@link #REASON_COLUMN}: a value too long or too large for its column is then refused by the
   * INSERT into the target, row by row, rather than by the COPY, for the whole batch. Used only for
   * refused rows and a batch being isolated: the COPY into it is as fast, but the INSERT that
   * applies the modifiers is not.
   *
   * @param types the type names ({@code pg_type.typname}) of the columns, then of {@link
   *     #VERSION_COLUMN}
   */
  public String createLooseStaging(String staging, List<String> types, boolean refused) {
    if (types.size() != columns.size() + 1) {
      throw new IllegalArgumentException("types " + types + " for columns " + columns);
    }
    StringBuilder ddl =
        new StringBuilder("CREATE TEMPORARY TABLE ").append(identifier(staging)).append(" (");
    for (int i = 0; i < columns.size(); i++) {
      ddl.append(columns.get(i)).append(' ').append(identifier(types.get(i))).append(", ");
    }
    ddl.append(VERSION_COLUMN).append(' ').append(identifier(types.get(columns.size())));
    if (refused) {
      ddl.append(", ").append(REASON_COLUMN).append(" text");
    }
    return ddl.append(") ON COMMIT DROP").toString();
  }

  /** The COPY that fills a staging table from binary tuples in {@link CopyRows}' order. */
  public String copy(String staging) {
    return "COPY "
        + identifier(staging)
        + " ("
        + list(columns)
        + ", "
        + VERSION_COLUMN
        + (staging.equals(refusedStaging()) ? ", " + REASON_COLUMN : "")
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
    return insertInto() + " " + newestPerKey(list(columns) + ", " + VERSION_COLUMN, staging);
  }

  /** The newest Delta version of each key in a staging table, as {@code selected}. */
  private String newestPerKey(String selected, String staging) {
    return "SELECT DISTINCT ON ("
        + list(key)
        + ") "
        + selected
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
   * updated, unless the target's row is newer. A row whose values did not change is left alone, so
   * a re-load of the same data changes nothing, not even loaded_at.
   *
   * <p>Newer means a later Silver Delta version ({@link #SOURCE_VERSION}, strictly increasing per
   * table): a loader on an older checkpoint (a second loader, a reload that started earlier) never
   * replaces a row with an older version of it. A row whose values did not change keeps its older
   * version, which is safe: every Silver update moves a value that never moves back (the Kafka
   * coordinates of an event's winner, a product's updated_at), so no older version can equal the
   * newest one while one in between differs.
   */
  public String upsert(String staging) {
    return insert(staging) + onConflict();
  }

  private String insertInto() {
    return "INSERT INTO " + target() + " AS t (" + list(columns) + ", " + SOURCE_VERSION + ")";
  }

  /** What makes an insert a merge: a key the target holds is updated, if a value changed. */
  private String onConflict() {
    List<String> nonKey = columns.stream().filter(c -> !key.contains(c)).toList();
    String set =
        nonKey.stream().map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "))
            + ", "
            + SOURCE_VERSION
            + " = EXCLUDED."
            + SOURCE_VERSION
            + ", "
            + LOADED_AT
            + " = now()";
    return " ON CONFLICT ("
        + list(key)
        + ") DO UPDATE SET "
        + set
        // Never an older version over a newer one; rows loaded before V8 have none.
        + " WHERE (t."
        + SOURCE_VERSION
        + " IS NULL OR t."
        + SOURCE_VERSION
        + " <= EXCLUDED."
        + SOURCE_VERSION
        + ") AND ("
        + prefixed("t.", nonKey)
        + ") IS DISTINCT FROM ("
        + prefixed("EXCLUDED.", nonKey)
        + ")";
  }

  /**
   * The newest version of each key in a staging table (as {@link #insert} picks them), numbered in
   * key order from 1, each with its ctid there: {@link #moveWinners} probes them a range at a time.
   */
  public String createWinners(String staging) {
    return "CREATE TEMPORARY TABLE "
        + winners()
        + " ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY "
        + list(key)
        + ") AS "
        + ROW_COLUMN
        + ", w.* FROM ("
        + newestPerKey(
            "ctid AS " + CTID_COLUMN + ", " + list(columns) + ", " + VERSION_COLUMN, staging)
        + ") w";
  }

  /** So that each probe reads its range only. */
  public String indexWinners() {
    return "CREATE INDEX ON " + winners() + " (" + ROW_COLUMN + ")";
  }

  /**
   * {@link #insert}, or with {@code upsert} {@link #upsert}, of the winners numbered from the first
   * parameter to the second.
   */
  public String moveWinners(boolean upsert) {
    return insertInto()
        + " SELECT "
        + list(columns)
        + ", "
        + VERSION_COLUMN
        + " FROM "
        + winners()
        + " WHERE "
        + ROW_COLUMN
        + " BETWEEN ? AND ?"
        + (upsert ? onConflict() : "");
  }

  /** Removes the winners numbered in the parameter (a bigint array) from their staging table. */
  public String removeWinners(String staging) {
    return "DELETE FROM "
        + identifier(staging)
        + " WHERE ctid IN (SELECT "
        + CTID_COLUMN
        + " FROM "
        + winners()
        + " WHERE "
        + ROW_COLUMN
        + " = ANY (?))";
  }

  /**
   * Records a refused winner: parameters reason, job, query_id, batch_id, then the winner's number.
   */
  public String rejectWinner() {
    return reject(winners(), "?", " WHERE r." + ROW_COLUMN + " = ?");
  }

  /** Records every row of {@link #refusedStaging}: parameters job, query_id, batch_id. */
  public String rejectRefused() {
    return reject(refusedStaging(), "r." + REASON_COLUMN, "");
  }

  /**
   * Records refused rows: the key's columns joined by '/' (as text: times in the session's time
   * zone, which the loader sets to UTC), the Kafka coordinates, the row's values as a JSON object.
   * A row version recorded before (a reload from a new checkpoint meets it again) is left alone.
   */
  private String reject(String from, String reason, String where) {
    String coordinates =
        columns.containsAll(COORDINATES) ? prefixed("r.", COORDINATES) : "NULL, NULL, NULL";
    return "INSERT INTO "
        + REJECTS
        + " (target_table, row_key, source_topic, source_partition, source_offset,"
        + " source_version, reason, row_values, job, query_id, batch_id) SELECT '"
        + target()
        + "', concat_ws('/', "
        + prefixed("r.", key)
        + "), "
        + coordinates
        + ", r."
        + VERSION_COLUMN
        + ", "
        + reason
        + ", row_to_json(v), ?, ?, ? FROM "
        + identifier(from)
        + " r, LATERAL (SELECT "
        + prefixed("r.", columns)
        + ") v"
        + where
        + " ON CONFLICT ON CONSTRAINT load_rejects_row_version DO NOTHING";
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

  /**
   * Records a batch: parameters job, query_id, batch_id, rows_loaded, source_version,
   * rows_rejected, fence_epoch.
   */
  public static String logBatch() {
    return "INSERT INTO "
        + LOAD_LOG
        + " (job, query_id, batch_id, rows_loaded, source_version, rows_rejected, fence_epoch)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * Takes a loader's fencing token when it starts (holding the writer lease): the next epoch of the
   * fence, committed at once. Parameters fence, holder; returns the epoch.
   */
  public static String takeFence() {
    return "INSERT INTO "
        + WRITER_FENCE
        + " AS f (fence, epoch, holder) VALUES (?, 1, ?) ON CONFLICT (fence) DO UPDATE SET"
        + " epoch = f.epoch + 1, holder = EXCLUDED.holder, taken_at = now() RETURNING epoch";
  }

  /**
   * The fence's epoch now, in a batch's transaction just before its COMMIT: parameter fence. FOR
   * SHARE: a successor's {@link #takeFence} waits for this transaction to end, and this one sees
   * the successor's epoch once it has taken the fence.
   */
  public static String checkFence() {
    return "SELECT epoch, holder FROM " + WRITER_FENCE + " WHERE fence = ? FOR SHARE";
  }

  /** The fence's epoch and holder now, outside any batch: parameter fence. */
  public static String readFence() {
    return "SELECT epoch, holder FROM " + WRITER_FENCE + " WHERE fence = ?";
  }

  /**
   * Ends the other sessions of this role that carry a loader's application name (parameter: the
   * name), returning their pid, the application name and when their backend started. A role may end
   * its own sessions without any further privilege.
   */
  public static String endSessions() {
    // MATERIALIZED: the planner may not move the termination ahead of the other conditions.
    return "WITH old AS MATERIALIZED (SELECT pid, application_name, backend_start"
        + " FROM pg_stat_activity WHERE application_name = ? AND usename = current_user"
        + " AND pid <> pg_backend_pid())"
        + " SELECT pid, application_name, backend_start FROM old WHERE pg_terminate_backend(pid)";
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
