package io.runnel.platform;

/** A service did not answer in time; the message says which, where, and the last error seen. */
final class ServiceUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ServiceUnavailableException(String message) {
    super(message);
  }
}
