package io.runnel.common;

/**
 * A setting is missing or invalid. The message names the environment variable and says what it must
 * be, so a job can print it as its one line of output and exit.
 */
public final class SettingsException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SettingsException(String message) {
    super(message);
  }
}
