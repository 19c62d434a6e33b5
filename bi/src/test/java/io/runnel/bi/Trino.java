package io.runnel.bi;

import io.runnel.common.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The local Trino as the BI tests reach it: HTTPS, password authentication, its self-signed
 * certificate checked against the PEM that ./runnel wrote.
 */
final class Trino {
  private final Env env;

  Trino(Env env) {
    this.env = env;
  }

  Connection bi() throws SQLException {
    return connect(
        env.string("RUNNEL_TRINO_BI_USER", "runnel_bi"), env.required("RUNNEL_TRINO_BI_PASSWORD"));
  }

  Connection admin() throws SQLException {
    return connect(
        env.string("RUNNEL_TRINO_ADMIN_USER", "runnel"),
        env.required("RUNNEL_TRINO_ADMIN_PASSWORD"));
  }

  Connection connect(String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("SSL", "true");
    p.setProperty("SSLTrustStorePath", env.required("RUNNEL_TRINO_CA_FILE"));
    return DriverManager.getConnection(url(), p);
  }

  String url() {
    String https = env.required("RUNNEL_TRINO_URL");
    return "jdbc:trino://" + https.replaceFirst("^https://", "");
  }

  /** Every row of a query, each as column label to value, in the query's order. */
  static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(md.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  static long scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** A query file as the CLI runs it, without the terminating semicolon JDBC does not take. */
  static String queryFile(Path file) throws IOException {
    return Files.readString(file).strip().replaceFirst(";$", "");
  }
}
