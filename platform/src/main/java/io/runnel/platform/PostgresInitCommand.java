package io.runnel.platform;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.Readiness;
import io.runnel.common.SettingsException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "pg-init",
    mixinStandardHelpOptions = true,
    description = {
      "Waits until PostgreSQL answers, creates the database if missing, applies the versioned",
      "migrations (roles, schemas, tables) and sets each role's password from the environment."
    })
final class PostgresInitCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresInitCommand.class);

  @Option(names = "--timeout-seconds", defaultValue = "60", description = "Give up after this.")
  int timeoutSeconds;

  /** Everything pg-init needs, read once. */
  record Settings(PostgresSettings admin, Map<WarehouseRoles, String> passwords) {
    static Settings fromEnv(Env env) {
      PostgresSettings admin =
          PostgresSettings.fromEnv(
              env, WarehouseRoles.ADMIN_USER, "runnel_admin", WarehouseRoles.ADMIN_PASSWORD);
      Map<WarehouseRoles, String> passwords = new EnumMap<>(WarehouseRoles.class);
      for (WarehouseRoles r : WarehouseRoles.all()) {
        String password = env.required(r.passwordVariable);
        if (password.length() < 12) {
          throw new SettingsException(r.passwordVariable + " must be at least 12 characters");
        }
        passwords.put(r, password);
      }
      return new Settings(admin, passwords);
    }
  }

  @Override
  public Integer call() throws SQLException {
    Settings settings = Settings.fromEnv(Env.system());
    PostgresSettings admin = settings.admin();
    Readiness.await(
        "PostgreSQL at " + admin.host() + ":" + admin.port() + " (" + PostgresSettings.PORT + ")",
        Duration.ofSeconds(timeoutSeconds),
        () -> {
          try (Connection c = connect(admin, "postgres")) {
            return c.isValid(5);
          }
        });
    createDatabaseIfMissing(admin);
    MigrateResult result = migrate(admin);
    LOG.info(
        "database {}: {} migration(s) applied now, schema version {}",
        admin.database(),
        result.migrationsExecuted,
        result.targetSchemaVersion == null
            ? result.initialSchemaVersion
            : result.targetSchemaVersion);
    setPasswords(admin, settings.passwords());
    return 0;
  }

  static Connection connect(PostgresSettings s, String database) throws SQLException {
    return DriverManager.getConnection(s.jdbcUrl(database), s.user(), s.password());
  }

  /** CREATE DATABASE cannot run inside a migration's transaction, so it happens here, once. */
  static void createDatabaseIfMissing(PostgresSettings admin) throws SQLException {
    try (Connection c = connect(admin, "postgres");
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, admin.database());
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        // The name was validated as an identifier by Env.identifier; quoting keeps it exact.
        create.execute(
            "CREATE DATABASE \"" + admin.database() + "\" ENCODING 'UTF8' TEMPLATE template0");
      }
      LOG.info("created database {}", admin.database());
    }
  }

  static MigrateResult migrate(PostgresSettings admin) {
    return Flyway.configure()
        .dataSource(admin.jdbcUrl(), admin.user(), admin.password())
        .locations("classpath:db/migration")
        // A changed, already-applied migration is an error, never silently re-run.
        .validateOnMigrate(true)
        .cleanDisabled(true)
        .load()
        .migrate();
  }

  /**
   * Passwords live in the environment, not in migrations. The driver hashes them (SCRAM) on the
   * client, so the plain text never reaches the server or its logs.
   */
  static void setPasswords(PostgresSettings admin, Map<WarehouseRoles, String> passwords)
      throws SQLException {
    try (Connection c = connect(admin, admin.database())) {
      PGConnection pg = c.unwrap(PGConnection.class);
      for (Map.Entry<WarehouseRoles, String> e : passwords.entrySet()) {
        pg.alterUserPassword(e.getKey().role, e.getValue().toCharArray(), "scram-sha-256");
      }
    }
    LOG.info("passwords set for {}", passwords.keySet().stream().map(r -> r.role).toList());
  }
}
