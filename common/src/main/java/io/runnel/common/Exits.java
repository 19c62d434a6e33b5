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

  /** Input was deleted before it was read (Kafka retention overtook Bronze). */
  public static final int DATA_LOSS = 5;

  /**
   * This writer lost its lease (paused past it, cut off from S3, or taken over by a successor): it
   * committed nothing more and stopped ({@link Fence.FencedException}).
   */
  public static final int FENCED = 6;

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
    if (find(e, Fence.FencedException.class) != null) {
      return FENCED;
    }
    if (e instanceof SettingsException) {
      return SETTINGS;
    }
    // Also inside the StreamingQueryException Spark wraps a failed micro-batch's error in.
    if (find(e, ServiceUnavailableException.class) != null) {
      return UNAVAILABLE;
    }
    if (e instanceof WriterLease.LeaseRefusedException) {
      return REFUSED;
    }
    if (find(e, DataLossException.class) != null) {
      return DATA_LOSS;
    }
    return FAILED;
  }

  /** One line, whatever the exception's message holds (a server error's detail lines). */
  static String messageOf(Throwable e) {
    return rawMessageOf(e).strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static String rawMessageOf(Throwable e) {
    Fence.FencedException fenced = find(e, Fence.FencedException.class);
    if (fenced != null) {
      return fenced.getMessage();
    }
    BatchFailedException located = find(e, BatchFailedException.class);
    if (located != null) {
      return located.getMessage();
    }
    DataLossException lost = find(e, DataLossException.class);
    if (lost != null) {
      return lost.getMessage();
    }
    ServiceUnavailableException unavailable = find(e, ServiceUnavailableException.class);
    if (unavailable != null) {
      return unavailable.getMessage();
    }
    return statusOf(e) == FAILED ? Readiness.rootMessage(e) : String.valueOf(e.getMessage());
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
