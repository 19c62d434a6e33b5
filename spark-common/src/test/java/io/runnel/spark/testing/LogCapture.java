package io.runnel.spark.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.commons.io.output.TeeOutputStream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * What a job run in the test's JVM prints: its log lines (through Log4j 2, as under spark-submit)
 * and its standard output, for the same assertions a spark-submit run's output gets. Standard
 * output still reaches the console too.
 */
public final class LogCapture implements AutoCloseable {
  private final StringWriter log = new StringWriter();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final PrintStream originalOut = System.out;
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final LoggerConfig root = context.getConfiguration().getRootLogger();
  private final WriterAppender appender;

  public LogCapture() {
    appender =
        WriterAppender.newBuilder()
            .setName("runnel-test-capture-" + UUID.randomUUID())
            .setTarget(log)
            .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build())
            .build();
    appender.start();
    root.addAppender(appender, null, null);
    context.updateLoggers();
    System.setOut(
        new PrintStream(new TeeOutputStream(originalOut, stdout), true, StandardCharsets.UTF_8));
  }

  /** A run of this JVM's code whose output a test checks. */
  @FunctionalInterface
  public interface Run {
    void run() throws Exception;
  }

  /** What {@code run} logged and printed, captured while it ran. */
  public static String of(Run run) throws Exception {
    try (LogCapture capture = new LogCapture()) {
      run.run();
      return capture.output();
    }
  }

  /** Everything captured so far: the log lines, then standard output. */
  public String output() {
    return log + stdout.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.out.flush();
    System.setOut(originalOut);
    root.removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
