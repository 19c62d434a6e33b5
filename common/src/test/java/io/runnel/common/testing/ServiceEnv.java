package io.runnel.common.testing;

import io.runnel.common.Env;

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
}
