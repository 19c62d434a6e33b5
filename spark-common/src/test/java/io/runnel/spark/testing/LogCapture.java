package io.runnel.spark.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
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
    System.setOut(new PrintStream(new Tee(originalOut, stdout), true, StandardCharsets.UTF_8));
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

  private static final class Tee extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    Tee(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
