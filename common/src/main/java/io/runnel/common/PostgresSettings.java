package io.runnel.common;

import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How to reach the warehouse database as one role, and how long to wait for it.
 *
 * @param user the role to log in as; each job uses the least-privileged role that can do its work
 * @param timeouts how long a connection attempt, a read and a statement may take: every JDBC
 *     connection Runnel opens carries them in its URL ({@link #jdbcUrl()}), so that a dead server
 *     or a half-open connection fails the work instead of hanging it
 */
public record PostgresSettings(
    String host, int port, String database, String user, String password, Timeouts timeouts) {

  public static final String HOST = "RUNNEL_PG_HOST";
  public static final String PORT = "RUNNEL_PG_PORT";
  public static final String DATABASE = "RUNNEL_PG_DATABASE";
  public static final String CONNECT_TIMEOUT = "RUNNEL_PG_CONNECT_TIMEOUT_SECONDS";
  public static final String STATEMENT_TIMEOUT = "RUNNEL_PG_STATEMENT_TIMEOUT_SECONDS";
  public static final String SOCKET_TIMEOUT = "RUNNEL_PG_SOCKET_TIMEOUT_SECONDS";

  /**
   * @param connect TCP connect and the whole login (pgJDBC {@code connectTimeout} and {@code
   *     loginTimeout}): a server that accepts and never answers fails the attempt after this
   * @param statement the server cancels a statement that runs longer ({@code statement_timeout})
   * @param socket the client gives up on a read that waits longer ({@code socketTimeout}): a
   *     half-open connection; longer than {@code statement}, so that a slow statement ends with the
   *     server's own error and only a silent server with this one
   */
  public record Timeouts(Duration connect, Duration statement, Duration socket) {
    public Timeouts {
      if (socket.compareTo(statement) <= 0) {
        throw new SettingsException(
            SOCKET_TIMEOUT
                + " must be longer than "
                + STATEMENT_TIMEOUT
                + " ("
                + statement.toSeconds()
                + " s), got "
                + socket.toSeconds()
                + " s");
      }
    }

    /**
     * The defaults: a login in 10 s; a statement up to 5 minutes (the largest measured merge, a
     * reload of 1M rows with ON CONFLICT, takes 24 s: BENCHMARKS.md); a silent server noticed after
     * 6 minutes.
     */
    public static Timeouts defaults() {
      return new Timeouts(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(6));
    }

    static Timeouts fromEnv(Env env) {
      Timeouts d = defaults();
      return new Timeouts(
          Duration.ofSeconds(env.integer(CONNECT_TIMEOUT, (int) d.connect.toSeconds(), 1, 600)),
          Duration.ofSeconds(
              env.integer(STATEMENT_TIMEOUT, (int) d.statement.toSeconds(), 1, 86_400)),
          Duration.ofSeconds(env.integer(SOCKET_TIMEOUT, (int) d.socket.toSeconds(), 2, 86_400)));
    }
  }

  /** Reads host, port, database and timeouts; the role and its password come from the caller. */
  public static PostgresSettings fromEnv(
      Env env, String userVariable, String defaultUser, String passwordVariable) {
    return new PostgresSettings(
        env.string(HOST, "127.0.0.1"),
        env.port(PORT, 15432),
        env.identifier(DATABASE, "runnel"),
        env.identifier(userVariable, defaultUser),
        env.required(passwordVariable),
        Timeouts.fromEnv(env));
  }

  public String jdbcUrl() {
    return jdbcUrl(database);
  }

  public String jdbcUrl(String otherDatabase) {
    return jdbcUrl(otherDatabase, Map.of());
  }

  /**
   * The URL of {@code otherDatabase} with the timeouts, and {@code serverSettings} set at
   * connection (PostgreSQL's {@code -c name=value} options: in the URL, since pgJDBC lets the URL
   * override the properties a caller passes).
   */
  public String jdbcUrl(String otherDatabase, Map<String, String> serverSettings) {
    Map<String, String> server = new LinkedHashMap<>();
    server.put("statement_timeout", timeouts.statement().toMillis() + "ms");
    server.putAll(serverSettings);
    Map<String, String> params = new LinkedHashMap<>();
    params.put("connectTimeout", String.valueOf(timeouts.connect().toSeconds()));
    params.put("loginTimeout", String.valueOf(timeouts.connect().toSeconds()));
    params.put("socketTimeout", String.valueOf(timeouts.socket().toSeconds()));
    // Lets the kernel notice a peer that vanished while the connection sits idle.
    params.put("tcpKeepAlive", "true");
    params.put(
        "options",
        server.entrySet().stream()
            .map(e -> "-c " + e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(" ")));
    return "jdbc:postgresql://"
        + host
        + ":"
        + port
        + "/"
        + otherDatabase
        + "?"
        + params.entrySet().stream()
            .map(e -> e.getKey() + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public PostgresSettings as(String otherUser, String otherPassword) {
    return new PostgresSettings(host, port, database, otherUser, otherPassword, timeouts);
  }

  public PostgresSettings with(Timeouts otherTimeouts) {
    return new PostgresSettings(host, port, database, user, password, otherTimeouts);
  }

  /** Where, for messages: {@code PostgreSQL at host:port/database}. */
  public String where() {
    return "PostgreSQL at " + host + ":" + port + "/" + database;
  }

  /**
   * A failure of the server or of the way to it, as the one line a job ends with ({@link Exits}):
   * what happened, which setting bounded it, what to do. {@code null} for other errors (a refused
   * row, a missing privilege), which the caller handles or reports as they are.
   *
   * @param doing what the job was doing, e.g. "loading batch 3 of silver.events"
   * @param rerun what happens when the operator runs the job again
   */
  public ServiceUnavailableException unavailable(SQLException e, String doing, String rerun) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (hasCause(e, SocketTimeoutException.class)) {
      return new ServiceUnavailableException(
          where()
              + " sent nothing for "
              + timeouts.socket().toSeconds()
              + " s ("
              + SOCKET_TIMEOUT
              + ") while "
              + doing
              + ": the server, or the network to it, is down or the connection half-open; check"
              + " them, then "
              + rerun);
    }
    if ("57014".equals(state) && String.valueOf(e.getMessage()).contains("statement timeout")) {
      return new ServiceUnavailableException(
          where()
              + " cancelled a statement after "
              + timeouts.statement().toSeconds()
              + " s ("
              + STATEMENT_TIMEOUT
              + ") while "
              + doing
              + ": raise it if the server is merely slow, or look for what blocks it (locks,"
              + " pg_stat_activity); then "
              + rerun);
    }
    if (state.startsWith("08")) {
      return new ServiceUnavailableException(
          where()
              + " failed while "
              + doing
              + " ("
              + Readiness.rootMessage(e)
              + "): check the server and the network to it, then "
              + rerun);
    }
    return null;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "PostgresSettings[" + user + "@" + host + ":" + port + "/" + database + "]";
  }
}
