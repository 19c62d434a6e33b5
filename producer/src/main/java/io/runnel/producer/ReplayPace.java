package io.runnel.producer;

import picocli.CommandLine.Option;

/** How a file is replayed over time: the options {@code replay} and {@code products} share. */
final class ReplayPace {
  @Option(names = "--loop", description = "Start again at the end of the file, until a limit.")
  boolean loop;

  @Option(
      names = "--delay-ms",
      paramLabel = "MS",
      description = "Pause between rows, another way to give --rate (1000 / MS rows per second).")
  Double delayMs;

  /** {@code --delay-ms} is a rate in other words. */
  void applyTo(SendOptions send) {
    if (delayMs == null) {
      return;
    }
    if (delayMs <= 0 || send.rate > 0) {
      throw new IllegalArgumentException("--delay-ms must be positive and not given with --rate");
    }
    send.rate = 1000.0 / delayMs;
  }
}
