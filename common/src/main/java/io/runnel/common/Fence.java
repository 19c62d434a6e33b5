package io.runnel.common;

/**
 * What a writer checks immediately before each commit: that it still holds the right to write. A
 * writer paused past its lease (a long GC, SIGSTOP, a frozen VM) may resume after a successor took
 * over; {@link #confirm} is where it finds out, before it commits anything.
 */
@FunctionalInterface
public interface Fence {
  /**
   * Returns when this writer may commit now; throws {@link FencedException} when another writer
   * took over, or may have.
   */
  void confirm();

  /** For tests and tools that write tables no job holds a lease on. */
  Fence NONE = () -> {};

  /** This writer lost its right to write: it must commit nothing and stop. */
  final class FencedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public FencedException(String message) {
      super(message);
    }
  }
}
