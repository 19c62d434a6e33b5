package io.runnel.common.testing;

import io.runnel.common.Env;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment integration tests read the services' coordinates from. {@code ./runnel test}
 * starts the services and exports it; a test run without it fails (never skips) with what to do.
 */
public final class ServiceEnv {
  private ServiceEnv() {}

  public static Env get() {
    Env env = Env.system();
    if (env.string("RUNNEL_KAFKA_BOOTSTRAP", null) == null) {
      throw new IllegalStateException(
          "integration tests need the real services: run them with ./runnel test, or after"
              + " ./runnel up export the settings with: eval \"$(./runnel env)\"");
    }
    return env;
  }

  /**
   * The services' environment with a test's overrides on top: what a job started by {@link
   * SparkSubmit} with those overrides reads, for the same job run in the test's own JVM.
   */
  public static Env with(Map<String, String> overrides) {
    get();
    Map<String, String> vars = new HashMap<>(System.getenv());
    vars.putAll(overrides);
    return Env.of(vars);
  }
}
