package io.runnel.common.fuzz;

import java.util.List;

/**
 * The fuzzer's random numbers: SplitMix64, whose sequence is fixed by the seed on every JVM, so a
 * seed names the same records everywhere. Not for anything secret.
 */
final class Draw {
  private long state;

  Draw(long seed) {
    this.state = seed;
  }

  long nextLong() {
    long z = state += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  double unit() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound). */
  int below(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Uniform in [min, max]. */
  int between(int min, int max) {
    return min + below(max - min + 1);
  }

  boolean chance(double p) {
    return unit() < p;
  }

  <T> T pick(List<T> list) {
    return list.get(below(list.size()));
  }

  <T> T pick(T[] array) {
    return array[below(array.length)];
  }

  byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) nextLong();
    }
    return b;
  }
}
