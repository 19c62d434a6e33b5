package io.runnel.common.testing;

import io.runnel.common.Env;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a job jar the way users do: through the real {@code spark-submit} that {@code ./runnel}
 * installed, with the services' environment plus the test's overrides (under {@code ./runnel test},
 * that environment includes its SPARK_SUBMIT_OPTS).
 */
public final class SparkSubmit {
  private final Env env;
  private final String jar;

  public SparkSubmit(Env env, String jar) {
    this.env = env;
    this.jar = jar;
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException(
          "the shaded job jar is missing (build it with mvn package): " + jar);
    }
  }

  /** The job jar of the module under test, set by failsafe as the runnel.job.jar property. */
  public static SparkSubmit ofModuleJar(Env env) {
    return new SparkSubmit(env, System.getProperty("runnel.job.jar"));
  }

  /** A finished run. */
  public record Result(int exitCode, String output) {}

  /** A running job, its output going to a file. */
  public static final class Running {
    private final Process process;
    private final Path log;

    Running(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    public Process process() {
      return process;
    }

    public String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(no output: " + e + ")";
      }
    }

    /** Waits for the job to end; kills it and fails when it takes longer than {@code limit}. */
    public Result await(Duration limit) throws InterruptedException {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("the job did not finish within " + limit + ":\n" + output());
      }
      return new Result(process.exitValue(), output());
    }

    /**
     * Waits until the job has printed {@code text}; fails when it ends first or {@code limit}
     * passes (the job is left running: the caller kills or stops it).
     */
    public void awaitOutput(String text, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (!output().contains(text)) {
        if (!process.isAlive()) {
          throw new AssertionError("the job ended before printing '" + text + "':\n" + output());
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no '" + text + "' within " + limit + ":\n" + output());
        }
        Thread.sleep(200);
      }
    }

    /** kill -9: no shutdown hook runs, nothing is flushed or released. */
    public void killHard() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor();
    }

    /** SIGTERM, as Ctrl-C or a cluster manager would stop the job. */
    public Result stop(Duration limit) throws InterruptedException {
      process.destroy();
      return await(limit);
    }
  }

  public Running start(String mainClass, Map<String, String> extraEnv, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(env.required("RUNNEL_SPARK_SUBMIT"));
    command.add("--class");
    command.add(mainClass);
    command.add(jar);
    command.addAll(List.of(args));
    Path log = Files.createTempFile("spark-submit", ".log");
    log.toFile().deleteOnExit();
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", env.required("RUNNEL_SPARK_HOME"));
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(extraEnv);
    return new Running(pb.start(), log);
  }

  public Result run(String mainClass, Map<String, String> extraEnv, Duration limit, String... args)
      throws IOException, InterruptedException {
    return start(mainClass, extraEnv, args).await(limit);
  }
}
