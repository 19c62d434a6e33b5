package io.runnel.common;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;

/**
 * How every Runnel command line ends when something goes wrong: one line naming the cause on stderr
 * and an exit status a script can act on, never a wall of stack trace.
 */
public final class Exits {
  public static final int OK = 0;
  public static final int FAILED = 1;

  /** A missing or invalid setting, or bad usage. */
  public static final int SETTINGS = 2;

  /** A service (Kafka, S3, PostgreSQL) did not answer. */
  public static final int UNAVAILABLE = 3;

  /** Another writer holds the table. */
  public static final int REFUSED = 4;

  /**
   * This writer was paused past its lease and a successor took over: it committed nothing and
   * stopped ({@link Fence.FencedException}).
   */
  public static final int FENCED = 5;

  private Exits() {}

  /** Runs a picocli command with this exit convention; {@code name} prefixes the error line. */
  public static int execute(String name, Object command, String... args) {
    return new CommandLine(command).setExecutionExceptionHandler(handler(name)).execute(args);
  }

  static IExecutionExceptionHandler handler(String name) {
    return (e, cmd, parsed) -> {
      int status = statusOf(e);
      if (status == FAILED) {
        // Unexpected: keep the trace for the bug report, but end with the one line.
        e.printStackTrace(cmd.getErr());
      }
      cmd.getErr().println(name + ": " + messageOf(e));
      return status;
    };
  }

  static int statusOf(Throwable e) {
    if (fenced(e) != null) {
      return FENCED;
    }
    if (e instanceof SettingsException) {
      return SETTINGS;
    }
    if (e instanceof ServiceUnavailableException) {
      return UNAVAILABLE;
    }
    if (e instanceof WriterLease.LeaseRefusedException) {
      return REFUSED;
    }
    return FAILED;
  }

  static String messageOf(Throwable e) {
    Fence.FencedException fenced = fenced(e);
    if (fenced != null) {
      return fenced.getMessage();
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BatchFailedException located) {
        return located.getMessage();
      }
    }
    return statusOf(e) == FAILED ? Readiness.rootMessage(e) : e.getMessage();
  }

  /** The fencing behind a failure, wrapped as deep as Spark wraps a batch's failure; or null. */
  private static Fence.FencedException fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Fence.FencedException f) {
        return f;
      }
    }
    return null;
  }
}
