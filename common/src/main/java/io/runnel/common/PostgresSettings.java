package io.runnel.common;

/**
 * How to reach the warehouse database as one role.
 *
 * @param user the role to log in as; each job uses the least-privileged role that can do its work
 */
public record PostgresSettings(
    String host, int port, String database, String user, String password) {

  public static final String HOST = "RUNNEL_PG_HOST";
  public static final String PORT = "RUNNEL_PG_PORT";
  public static final String DATABASE = "RUNNEL_PG_DATABASE";

  /** Reads host, port and database; the role and its password come from the caller's variables. */
  public static PostgresSettings fromEnv(
      Env env, String userVariable, String defaultUser, String passwordVariable) {
    return new PostgresSettings(
        env.string(HOST, "127.0.0.1"),
        env.port(PORT, 15432),
        env.identifier(DATABASE, "runnel"),
        env.identifier(userVariable, defaultUser),
        env.required(passwordVariable));
  }

  public String jdbcUrl() {
    return jdbcUrl(database);
  }

  public String jdbcUrl(String otherDatabase) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + otherDatabase;
  }

  public PostgresSettings as(String otherUser, String otherPassword) {
    return new PostgresSettings(host, port, database, otherUser, otherPassword);
  }

  @Override
  public String toString() {
    return "PostgresSettings[" + user + "@" + host + ":" + port + "/" + database + "]";
  }
}
