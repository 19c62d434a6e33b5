package io.runnel.platform;

import io.runnel.common.Exits;
import picocli.CommandLine.Command;

/**
 * Set-up and readiness checks for the services Runnel uses. {@code ./runnel up} runs these against
 * the local services; pointed at real clusters through the same RUNNEL_* variables, they prepare
 * those.
 *
 * <p>Exit codes: see {@link Exits}.
 */
@Command(
    name = "runnel-admin",
    mixinStandardHelpOptions = true,
    description = "Prepares and checks the services Runnel uses.",
    subcommands = {
      KafkaReadyCommand.class,
      S3InitCommand.class,
      PostgresInitCommand.class,
      BronzeHealthCommand.class
    })
public final class RunnelAdmin {
  private RunnelAdmin() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return Exits.execute("runnel-admin", new RunnelAdmin(), args);
  }
}
