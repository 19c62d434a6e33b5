package io.runnel.producer;

/**
 * A small, fast pseudo-random generator (SplitMix64) whose sequence is fixed by its seed on every
 * JVM and JDK version: what makes a run reproducible. Not for anything secret.
 */
final class SplitMix64 {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;

  SplitMix64(long seed) {
    this.state = seed;
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Uniform in [min, max]. */
  int nextInt(int min, int max) {
    return min + nextInt(max - min + 1);
  }

  /** A stateless hash of two numbers: attributes derived from (seed, index) without storage. */
  static long hash(long a, long b) {
    return mix(mix(a + GOLDEN_GAMMA) ^ (b * GOLDEN_GAMMA));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
