package io.runnel.batch.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.common.Env;
import io.runnel.common.PostgresSettings;
import io.runnel.common.ServiceUnavailableException;
import io.runnel.common.testing.ServiceEnv;
import io.runnel.common.testing.SparkSubmit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A dead warehouse, or a half-open connection to it, fails the load within the timeouts with one
 * line (issue 21): the connection path of {@link PostgresWriter} against a server that accepts and
 * never answers, and through a proxy to the real PostgreSQL that goes silent mid-session; the real
 * job once against the silent server.
 */
class PostgresTimeoutIT {
  /**
   * Connect 5 s, statement 2 s, socket 4 s. The connect timeout had been 2 s: in a CI run where
   * every suite started at once, a real login through the proxy took longer than that, and the
   * connect to the silent server ended after 6.3 s (the driver's own start-up on top of its 2 s).
   */
  private static final PostgresSettings.Timeouts SHORT =
      new PostgresSettings.Timeouts(
          Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(4));

  private final Env env = ServiceEnv.get();
  private final PostgresSettings loader =
      PostgresSettings.fromEnv(
              env,
              WarehouseSettings.LOADER_USER,
              "runnel_loader",
              WarehouseSettings.LOADER_PASSWORD)
          .with(SHORT);

  @Test
  void aServerThatAcceptsAndNeverAnswersFailsTheConnectionWithinTheLoginTimeout() throws Exception {
    try (Silent silent = new Silent()) {
      // The driver's classes loaded first, by a port nothing listens on (refused at once): a CI
      // run under full load took 15.7 s for the first connect otherwise, most of it class loading.
      try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        PostgresSettings refused = at(closed.getLocalPort());
        closed.close();
        assertThatThrownBy(() -> PostgresWriter.connect(refused).close())
            .isInstanceOf(SQLException.class);
      }
      PostgresSettings pg = at(silent.port());
      long started = System.nanoTime();
      assertThatThrownBy(() -> PostgresWriter.connect(pg).close())
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));
      // The 5 s login timeout, and slack for a machine whose two cores every suite keeps busy.
      assertThat(seconds(started)).isBetween(4.5, 20.0);

      started = System.nanoTime();
      assertThatThrownBy(() -> PostgresWriter.preflight(pg, List.of(), Duration.ofSeconds(3)))
          .isInstanceOf(ServiceUnavailableException.class)
          .hasMessageStartingWith(
              "PostgreSQL at 127.0.0.1:" + silent.port() + "/runnel did not answer within 3 s: ");
      // The preflight's deadline plus at most one attempt's login timeout (and slack for a busy
      // machine: the bound is what matters, not its precision).
      assertThat(seconds(started)).isLessThan(3 + 5 + 5.0);
    }
  }

  @Test
  void aConnectionThatGoesSilentFailsItsStatementWithinTheSocketTimeout() throws Exception {
    try (Proxy proxy = new Proxy(loader.port())) {
      PostgresSettings pg = at(proxy.port());
      try (Connection c = PostgresWriter.connect(pg);
          Statement s = c.createStatement()) {
        // The timeouts and the loader's own server settings, both from the URL.
        assertThat(
                PostgresWriter.single(
                    s,
                    "SELECT extract(epoch FROM current_setting('statement_timeout')::interval)"
                        + " + pg_size_bytes(current_setting('work_mem'))"))
            .isEqualTo(2 + 256L * 1024 * 1024);
        long started = System.nanoTime();
        SQLException slow = catchSql(() -> s.execute("SELECT pg_sleep(30)"));
        assertThat(seconds(started)).isBetween(1.5, 6.0);
        assertThat(pg.unavailable(slow, "merging", "run the load again").getMessage())
            .startsWith(
                "PostgreSQL at 127.0.0.1:"
                    + proxy.port()
                    + "/runnel cancelled a statement after 2 s"
                    + " (RUNNEL_PG_STATEMENT_TIMEOUT_SECONDS) while merging: ");
        assertThat(PostgresWriter.single(s, "SELECT 1")).isEqualTo(1);

        proxy.freeze();
        started = System.nanoTime();
        SQLException silent = catchSql(() -> s.execute("SELECT 1"));
        assertThat(seconds(started)).isBetween(3.5, 9.0);
        assertThat(pg.unavailable(silent, "loading batch 0 of silver.events", "run the load again"))
            .hasMessage(
                "PostgreSQL at 127.0.0.1:"
                    + proxy.port()
                    + "/runnel sent nothing for 4 s (RUNNEL_PG_SOCKET_TIMEOUT_SECONDS) while"
                    + " loading batch 0 of silver.events: the server, or the network to it, is"
                    + " down or the connection half-open; check them, then run the load again");
      }
    }
  }

  @Test
  void theLoadAgainstASilentServerEndsWithOneLineAndStatus3() throws Exception {
    try (Silent silent = new Silent()) {
      long started = System.nanoTime();
      SparkSubmit.Result r =
          SparkSubmit.ofModuleJar(env)
              .run(
                  WarehouseLoadJob.class.getName(),
                  Map.of(
                      "RUNNEL_PG_PORT", String.valueOf(silent.port()),
                      "RUNNEL_PG_CONNECT_TIMEOUT_SECONDS", "2",
                      "RUNNEL_PREFLIGHT_SECONDS", "3"),
                  Duration.ofSeconds(120),
                  "--available-now");
      System.out.printf("load against a silent server: exit after %.1f s%n", seconds(started));
      assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
      String[] lines = r.output().strip().split("\n");
      assertThat(lines[lines.length - 1])
          .startsWith(
              "load: PostgreSQL at 127.0.0.1:"
                  + silent.port()
                  + "/runnel did not answer within 3 s: PSQLException: ");
    }
  }

  private PostgresSettings at(int port) {
    return new PostgresSettings(
        "127.0.0.1", port, loader.database(), loader.user(), loader.password(), SHORT);
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static SQLException catchSql(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      return e;
    }
    throw new AssertionError("no SQLException");
  }

  /** Accepts connections and never answers: a server hung, or a network that drops the replies. */
  private static final class Silent implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    Silent() throws IOException {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(server.accept());
                  }
                } catch (IOException closed) {
                  // closed by the test
                }
              },
              "silent-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  /** Forwards to PostgreSQL until frozen; then holds every byte and keeps the sockets open. */
  private static final class Proxy implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch frozen = new CountDownLatch(1);
    private volatile boolean isFrozen;

    Proxy(int upstreamPort) throws IOException {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                  }
                } catch (IOException closed) {
                  // closed by the test
                }
              },
              "proxy");
      t.setDaemon(true);
      t.start();
    }

    private void pump(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                byte[] buffer = new byte[8192];
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (isFrozen) {
                      frozen.await(); // forever: released only when the test closes
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                  }
                } catch (IOException | InterruptedException closed) {
                  // closed by the test
                }
              },
              "proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    void freeze() {
      isFrozen = true;
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
