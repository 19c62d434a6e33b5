package io.runnel.common;

/**
 * Input was deleted before it was read (Kafka retention overtook Bronze): the job stops rather than
 * leave a silent gap; the message names what was lost and what to do.
 */
public final class DataLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataLossException(String message) {
    super(message);
  }
}
