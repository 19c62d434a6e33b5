package io.runnel.common;

/** A service did not answer in time; the message says which, where, and the last error seen. */
public final class ServiceUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServiceUnavailableException(String message) {
    super(message);
  }
}
