package io.runnel.platform;

import io.runnel.common.SettingsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Set-up and readiness checks for the services Runnel uses. {@code ./runnel up} runs these against
 * the local services; pointed at real clusters through the same RUNNEL_* variables, they prepare
 * those.
 *
 * <p>Exit codes: 0 done, 1 unexpected error, 2 bad setting or usage, 3 a service did not answer.
 */
@Command(
    name = "runnel-admin",
    mixinStandardHelpOptions = true,
    description = "Prepares and checks the services Runnel uses.",
    subcommands = {KafkaReadyCommand.class, S3InitCommand.class, PostgresInitCommand.class})
public final class RunnelAdmin {
  static final int SETTINGS_ERROR = 2;
  static final int UNAVAILABLE = 3;

  private RunnelAdmin() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new RunnelAdmin())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              // One line naming the cause, not a stack trace wall.
              if (e instanceof SettingsException) {
                cmd.getErr().println("runnel-admin: " + e.getMessage());
                return SETTINGS_ERROR;
              }
              if (e instanceof ServiceUnavailableException) {
                cmd.getErr().println("runnel-admin: " + e.getMessage());
                return UNAVAILABLE;
              }
              cmd.getErr().println("runnel-admin: " + Readiness.rootMessage(e));
              return 1;
            })
        .execute(args);
  }
}
